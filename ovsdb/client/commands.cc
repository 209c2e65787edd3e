// ovsdb-client's one-shot commands: list-dbs, get-schema*, list-tables,
// list-columns, transact, query, lock/steal/unlock, wait, convert,
// needs-conversion.
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "client.h"
#include "control.h"
#include "grebe/daemon/daemon.h"
#include "grebe/util/dirs.h"

namespace grebe::ovsdb_client {

const daemon::Options& daemon_options();

void do_list_dbs(Rpc* rpc, const std::string&, const Args&) {
  for (const auto& db : fetch_dbs(*rpc)) puts(db.c_str());
}

void do_get_schema(Rpc* rpc, const std::string& database, const Args&) {
  print_json(schema_to_json(fetch_schema(*rpc, database)));
}

void do_get_schema_version(Rpc* rpc, const std::string& database, const Args&) {
  puts(fetch_schema(*rpc, database).schema.version.c_str());
}

void do_get_schema_cksum(Rpc* rpc, const std::string& database, const Args&) {
  puts(fetch_schema(*rpc, database).schema.cksum.c_str());
}

void do_list_tables(Rpc* rpc, const std::string& database, const Args&) {
  ClientSchema cs = fetch_schema(*rpc, database);
  Table t;
  t.add_column("Table");
  for (const auto& name : cs.tables) {
    t.add_row();
    t.add_cell().text = name;
  }
  t.print(options().style);
}

void do_list_columns(Rpc* rpc, const std::string& database, const Args& args) {
  ClientSchema cs = fetch_schema(*rpc, database);
  const std::string* table_name = args.empty() ? nullptr : &args[0];
  Table t;
  if (!table_name) t.add_column("Table");
  t.add_column("Column");
  t.add_column("Type");
  for (const auto& name : cs.tables) {
    if (table_name && *table_name != name) continue;
    const ovsdb::TableSchema& ts = cs.table(name);
    for (const auto& col : cs.columns.at(name)) {
      const ovsdb::ColumnSchema* column = ts.find_column(col);
      t.add_row();
      if (!table_name) t.add_cell().text = name;
      t.add_cell().text = col;
      t.add_cell().json = OJson::parse(column->type.to_json().dump());
    }
  }
  t.print(options().style);
}

namespace {

// OVS's do_transact__(): the transaction names its database; the server
// is the first argument if there are two.
OJson run_transaction(const Args& args, OJson transaction) {
  if (!transaction.is_array() || transaction.empty() || !transaction[0].is_string()) {
    fatal(0, "not a valid OVSDB query");
  }
  std::string database = transaction[0].get<std::string>();
  std::unique_ptr<Rpc> rpc;
  open_rpc_for(args, 1, true, &database, &rpc);
  if (options().db_change_aware == 1) {
    transact_or_die(*rpc, "set_db_change_aware", OJson::array({true}));
  }
  OJson reply = transact_or_die(*rpc, "transact", std::move(transaction));
  return reply["result"];
}

}  // namespace

void do_transact(Rpc*, const std::string&, const Args& args) {
  print_json(run_transaction(args, parse_json_arg(args.back())));
}

void do_query(Rpc*, const std::string&, const Args& args) {
  OJson txn = parse_json_arg(args.back());
  if (!txn.is_array()) fatal(0, "not a valid OVSDB query");
  txn.push_back(OJson{{"op", "abort"}});
  size_t abort_idx = txn.size() - 2;
  OJson result = run_transaction(args, std::move(txn));
  // Drop the "aborted" result of our own "abort" operation.
  if (result.is_array() && result.size() == abort_idx + 1 && result[abort_idx].is_object()) {
    const OJson& op = result[abort_idx];
    if (op.contains("error") && op["error"] == "aborted") result.erase(abort_idx);
  }
  print_json(result);
}

namespace {

// Requests `method` for `lock`, prints the reply and then every
// notification ("locked", "stolen") until the connection drops.
[[noreturn]] void lock_loop(Rpc& rpc, const std::string& method, const std::string& lock) {
  daemon::daemon_save_fd(1);
  if (auto st = daemon::daemonize_start(daemon_options()); !st.ok()) fatal(0, st.error().message());
  start_control_socket();
  int id = rpc.next_id();
  OJson request = {{"method", method}, {"params", OJson::array({lock})}, {"id", id}};
  if (auto st = rpc.send(request); !st.ok()) fatal(st.error().code(), rpc.name() + ": send failed");
  for (;;) {
    auto msg = rpc.recv();
    if (!msg.ok()) fatal(msg.error().code(), rpc.name() + ": receive failed");
    OJson m = as_parsed(*msg);
    bool has_id = m.contains("id") && !m["id"].is_null();
    if (m.contains("method") && m["method"] == "echo" && has_id) {
      OJson reply = {{"result", m["params"]}, {"error", nullptr}, {"id", m["id"]}};
      (void)rpc.send(reply);
    } else if (!m.contains("method") && has_id && m["id"] == id) {
      print_json(m["result"]);
      fflush(stdout);
      daemon::daemonize_complete();
    } else if (m.contains("method") && !has_id) {
      puts(m["method"].get<std::string>().c_str());
      print_json(m["params"]);
      fflush(stdout);
    }
  }
}

}  // namespace

void do_lock(Rpc* rpc, const std::string&, const Args& args) { lock_loop(*rpc, "lock", args[0]); }
void do_steal(Rpc* rpc, const std::string&, const Args& args) { lock_loop(*rpc, "steal", args[0]); }
void do_unlock(Rpc* rpc, const std::string&, const Args& args) { lock_loop(*rpc, "unlock", args[0]); }

namespace {

OJson compose_wait(const std::string& state, const std::string& database) {
  OJson op = OJson::object();
  op["op"] = "wait";
  op["table"] = "Database";
  op["where"] = OJson::array({OJson::array({"name", "==", database})});
  if (state == "connected") {
    op["columns"] = OJson::array({"connected"});
    op["until"] = "==";
    op["rows"] = OJson::array({OJson{{"connected", true}}});
  } else {
    op["columns"] = OJson::array();
    op["until"] = "==";
    op["rows"] = state == "added" ? OJson::array({OJson::object()}) : OJson::array();
  }
  return OJson::array({"_Server", op});
}

void check_wait_reply(const OJson& reply) {
  const OJson& result = reply["result"];
  if (!result.is_array()) fatal(0, "result is not array");
  for (const auto& op : result) {
    if (!op.is_object()) fatal(0, "result array element is not object");
    if (op.contains("error")) fatal(0, "server returned error reply: " + to_sorted_string(op, false));
  }
}

}  // namespace

void do_wait(Rpc*, const std::string&, const Args& args) {
  const std::string& database = args[args.size() - 2];
  const std::string& state = args.back();
  if (state != "connected" && state != "added" && state != "removed") {
    fatal(0, state + ": unknown state");
  }
  std::string remote = args.size() > 2 ? args[0] : "unix:" + ovs_rundir() + "/db.sock";
  // Like OVS's reconnecting session: keep trying until the server answers.
  for (;;) {
    auto rpc = Rpc::open(remote);
    if (rpc.ok()) {
      auto sdca = (*rpc)->transact("set_db_change_aware", OJson::array({true}));
      if (sdca.ok() && sdca->contains("error") && !(*sdca)["error"].is_null()) {
        fatal(0, remote + ": set_db_change_aware failed (" +
                     to_ovs_string(as_parsed((*sdca)["error"]), false) + ")");
      }
      if (sdca.ok()) {
        auto reply = (*rpc)->transact("transact", compose_wait(state, database));
        if (reply.ok()) {
          check_wait_reply(as_parsed(*reply));
          exit(0);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

namespace {

ClientSchema read_schema_file(const std::string& file_name) {
  auto schema = ovsdb::DatabaseSchema::from_file(file_name);
  if (!schema.ok()) fatal(0, schema.error().to_string());
  // Key order in a file does not matter for equality or for the server.
  return schema_from_wire(OJson::parse(schema->to_json().dump()));
}

}  // namespace

void do_convert(Rpc*, const std::string&, const Args& args) {
  ClientSchema cs = read_schema_file(args.back());
  std::string database = cs.schema.name;
  std::unique_ptr<Rpc> rpc;
  open_rpc_for(args, 1, true, &database, &rpc);
  if (options().db_change_aware != 0) {
    auto reply = rpc->transact("set_db_change_aware", OJson::array({true}));
    if (!reply.ok()) fatal(reply.error().code(), rpc->name() + ": error setting db_change_aware");
  }
  transact_or_die(*rpc, "convert", OJson::array({cs.schema.name, schema_to_json(cs)}));
}

void do_needs_conversion(Rpc*, const std::string&, const Args& args) {
  ClientSchema cs = read_schema_file(args.back());
  std::string database = cs.schema.name;
  std::unique_ptr<Rpc> rpc;
  open_rpc_for(args, 1, true, &database, &rpc);
  ClientSchema current = fetch_schema(*rpc, cs.schema.name);
  puts(cs.schema.equals(current.schema) ? "no" : "yes");
}

}  // namespace grebe::ovsdb_client
