// ovsdb-client monitor / monitor-cond: sends a "monitor" (v1) or
// "monitor_cond" (v2) request and prints the initial contents and every
// update as tables, as OVS does.
#include <cstring>
#include <sstream>

#include "client.h"
#include "control.h"
#include "grebe/daemon/daemon.h"
#include "grebe/ovsdb/condition.h"

namespace grebe::ovsdb_client {

const daemon::Options& daemon_options();

namespace {

struct MonitoredTable {
  const ovsdb::TableSchema* table;
  std::vector<const ovsdb::ColumnSchema*> columns;  // in request order
};

void add_column(const std::string& server, const ovsdb::ColumnSchema* col, MonitoredTable& mt,
                OJson& columns_json) {
  for (const auto* c : mt.columns) {
    if (c == col) fatal(0, server + ": column \"" + col->name + "\" mentioned multiple times");
  }
  mt.columns.push_back(col);
  columns_json.push_back(col->name);
}

// One <monitor-request> from "COLUMN,...,!initial,..." (empty: all columns
// sorted by name, then _version).
OJson parse_monitor_columns(const std::string& arg, const std::string& server,
                            const std::string& database, MonitoredTable& mt) {
  OJson mr = OJson::object();
  OJson columns_json = OJson::array();
  bool initial = true, insert = true, del = true, modify = true;
  std::stringstream ss(arg);
  std::string token;
  while (std::getline(ss, token, ',')) {
    if (token.empty()) continue;
    if (token == "!initial") initial = false;
    else if (token == "!insert") insert = false;
    else if (token == "!delete") del = false;
    else if (token == "!modify") modify = false;
    else {
      const ovsdb::ColumnSchema* col = mt.table->find_column(token);
      if (!col) {
        fatal(0, server + ": table \"" + mt.table->name + "\" in " + database +
                     " does not have a column named \"" + token + "\"");
      }
      add_column(server, col, mt, columns_json);
    }
  }
  if (columns_json.empty()) {
    std::vector<const ovsdb::ColumnSchema*> all;
    for (const auto& c : mt.table->columns) all.push_back(&c);
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const auto* c : all) {
      if (c->name != "_uuid" && c->name != "_version") add_column(server, c, mt, columns_json);
    }
    add_column(server, mt.table->find_column("_version"), mt, columns_json);
  }
  mr["columns"] = columns_json;
  if (!initial || !insert || !del || !modify) {
    mr["select"] = shash_object(
        OJson{{"initial", initial}, {"insert", insert}, {"delete", del}, {"modify", modify}});
  }
  return mr;
}

void add_row(const OJson* row, const std::string& type, const std::string& uuid,
             const MonitoredTable& mt, Table& t) {
  if (!row) {
    error_msg(0, "missing " + type + " row");
    return;
  }
  if (!row->is_object()) {
    error_msg(0, "<row> is not object");
    return;
  }
  t.add_row();
  t.add_cell().text = uuid;
  t.add_cell().text = type;
  for (const auto* col : mt.columns) {
    Cell& cell = t.add_cell();
    if (row->contains(col->name)) {
      cell.json = (*row)[col->name];
      cell.type = &col->type;
    }
  }
}

Table new_table(const MonitoredTable& mt, bool caption) {
  Table t;
  t.set_timestamp(options().timestamp);
  if (caption) t.set_caption(mt.table->name);
  t.add_column("row");
  t.add_column("action");
  for (const auto* col : mt.columns) t.add_column(col->name);
  return t;
}

const OJson* member(const OJson& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

void print_table_update(const OJson& update, const MonitoredTable& mt, bool caption, bool initial) {
  if (!update.is_object()) {
    error_msg(0, "<table-update> for table " + mt.table->name + " is not object");
    return;
  }
  Table t = new_table(mt, caption);
  for (auto it = update.begin(); it != update.end(); ++it) {
    if (!it.value().is_object()) {
      error_msg(0, "<row-update> is not object");
      continue;
    }
    const OJson* old_row = member(it.value(), "old");
    const OJson* new_row = member(it.value(), "new");
    if (initial) add_row(new_row, "initial", it.key(), mt, t);
    else if (!old_row) add_row(new_row, "insert", it.key(), mt, t);
    else if (!new_row) add_row(old_row, "delete", it.key(), mt, t);
    else {
      add_row(old_row, "old", it.key(), mt, t);
      add_row(new_row, "new", "", mt, t);
    }
  }
  t.print(options().style);
}

void print_table_update2(const OJson& update, const MonitoredTable& mt, bool caption) {
  if (!update.is_object()) {
    error_msg(0, "<table-update> for table " + mt.table->name + " is not object");
    return;
  }
  Table t = new_table(mt, caption);
  for (auto it = update.begin(); it != update.end(); ++it) {
    if (!it.value().is_object()) {
      error_msg(0, "<row-update2> is not object");
      continue;
    }
    for (const char* op : {"delete", "initial", "modify", "insert"}) {
      const OJson* row = member(it.value(), op);
      if (!row) continue;
      if (!strcmp(op, "delete")) {
        if (!row->is_null()) {
          error_msg(0, "delete method does not expect <row>");
        } else {
          t.add_row();
          t.add_cell().text = it.key();
          t.add_cell().text = "delete";
        }
      } else if (!row->is_object()) {
        error_msg(0, "<row> is not object");
      } else {
        add_row(row, op, it.key(), mt, t);
      }
      break;
    }
  }
  t.print(options().style);
}

void print_updates(const OJson& updates, const std::vector<MonitoredTable>& mts, int version,
                   bool initial) {
  if (!updates.is_object()) {
    error_msg(0, version == 1 ? "<table-updates> is not object" : "<table-updates2> is not object");
    return;
  }
  for (const auto& mt : mts) {
    const OJson* update = member(updates, mt.table->name.c_str());
    if (!update) continue;
    if (version == 1) print_table_update(*update, mt, mts.size() > 1, initial);
    else print_table_update2(*update, mt, mts.size() > 1);
  }
  fflush(stdout);
}

void add_monitored_table(const Args& args, const std::string& server, const std::string& database,
                         const OJson* condition, const ovsdb::TableSchema* table,
                         OJson& requests, std::vector<MonitoredTable>& mts) {
  MonitoredTable mt{table, {}};
  OJson array = OJson::array();
  if (args.size() > 1) {
    for (size_t i = 1; i < args.size(); i++) {
      OJson mr = parse_monitor_columns(args[i], server, database, mt);
      if (i == 1 && condition) mr["where"] = *condition;
      array.push_back(shash_object(mr));
    }
  } else {
    OJson mr = parse_monitor_columns("", server, database, mt);
    if (condition) mr["where"] = *condition;
    array.push_back(shash_object(mr));
  }
  requests[table->name] = array;
  mts.push_back(std::move(mt));
}

void send_db_change_aware(Rpc& rpc) {
  if (options().db_change_aware == 0) return;
  auto reply = rpc.transact("set_db_change_aware", OJson::array({true}));
  if (!reply.ok()) fatal(reply.error().code(), rpc.name() + ": error setting db_change_aware");
  if (reply->contains("error") && !(*reply)["error"].is_null() && options().db_change_aware == 1) {
    fatal(0, rpc.name() + ": set_db_change_aware failed (" +
                 to_ovs_string(as_parsed((*reply)["error"]), false) + ")");
  }
}

[[noreturn]] void monitor_loop(Rpc& rpc, const std::string& database, int version,
                               const Args& args, const OJson* condition) {
  const std::string& server = rpc.name();
  daemon::daemon_save_fd(1);
  daemon::daemon_save_fd(2);
  if (auto st = daemon::daemonize_start(daemon_options()); !st.ok()) fatal(0, st.error().message());
  start_control_socket();
  ClientSchema cs = fetch_schema(rpc, database);
  OJson requests = OJson::object();
  std::vector<MonitoredTable> mts;
  if (args[0] != "ALL") {
    const ovsdb::TableSchema* table = cs.schema.find_table(args[0]);
    if (!table) fatal(0, server + ": " + database + " does not have a table named \"" + args[0] + "\"");
    add_monitored_table(args, server, database, condition, table, requests, mts);
  } else {
    if (condition) fatal(0, "ALL tables are not allowed with condition");
    std::vector<std::string> names = cs.tables;
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      add_monitored_table(args, server, database, nullptr, cs.schema.find_table(name), requests, mts);
    }
  }
  send_db_change_aware(rpc);
  int id = rpc.next_id();
  OJson request = {{"method", version == 1 ? "monitor" : "monitor_cond"},
                   {"params", OJson::array({database, nullptr, shash_object(requests)})},
                   {"id", id}};
  if (auto st = rpc.send(request); !st.ok()) fatal(st.error().code(), server + ": send failed");
  for (;;) {
    auto msg = rpc.recv();
    if (!msg.ok()) fatal(msg.error().code(), server + ": receive failed");
    OJson m = as_parsed(*msg);
    bool has_id = m.contains("id") && !m["id"].is_null();
    std::string method = m.contains("method") && m["method"].is_string() ? m["method"].get<std::string>() : "";
    const OJson* params = member(m, "params");
    if (method == "echo" && has_id) {
      (void)rpc.send(OJson{{"result", params ? *params : OJson::array()}, {"error", nullptr}, {"id", m["id"]}});
    } else if (method.empty() && has_id && m["id"] == id) {
      if (m.contains("error") && !m["error"].is_null()) {
        fatal(0, "transaction returned error: " + to_sorted_string(m["error"], options().style.pretty));
      }
      print_updates(m["result"], mts, version, true);
      daemon::daemonize_complete();
    } else if ((method == "update" || (version == 2 && method == "update2")) && params &&
               params->is_array() && params->size() == 2 && (*params)[0].is_null()) {
      print_updates((*params)[1], mts, method == "update" ? 1 : 2, false);
    } else if (method == "monitor_canceled") {
      fatal(0, server + ": " + database + " database was removed");
    }
  }
}

}  // namespace

void do_monitor(Rpc* rpc, const std::string& database, const Args& args) {
  monitor_loop(*rpc, database, 1, args, nullptr);
}

void do_monitor_cond(Rpc* rpc, const std::string& database, const Args& args) {
  ClientSchema cs = fetch_schema(*rpc, database);
  const ovsdb::TableSchema* table = cs.schema.find_table(args[1]);
  if (!table) fatal(0, database + " does not have a table named \"" + args[1] + "\"");
  OJson condition = as_parsed(parse_json_arg(args[0]));
  auto parsed = ovsdb::Condition::from_json(*table, to_model_json(condition), nullptr);
  if (!parsed.ok()) fatal(0, parsed.error().to_string());
  Args rest(args.begin() + 1, args.end());
  monitor_loop(*rpc, database, 2, rest, &condition);
}

}  // namespace grebe::ovsdb_client
