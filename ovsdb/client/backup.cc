// ovsdb-client backup / restore.  backup writes a standalone database file
// (schema record, then one record with every row) to stdout, laid out
// byte for byte as OVS lays it out apart from the "_date"; restore replaces
// a database's contents with those of such a file.
#include <openssl/sha.h>
#include <unistd.h>

#include <cstdio>

#include "client.h"
#include "grebe/ovsdb/datum.h"
#include "grebe/util/clock.h"
#include "ovsdb/core/database.h"
#include "ovsdb/storage/file.h"

namespace grebe::ovsdb_client {
namespace {

// Rebuilds `obj` with members in OVS's insertion order `keys` (absent ones
// skipped), laid out as OVS's hash map would be.
OJson in_ovs_order(const OJson& obj, std::initializer_list<const char*> keys) {
  OJson inserted = OJson::object();
  for (const char* k : keys) {
    if (obj.contains(k)) inserted[k] = obj.at(k);
  }
  return shash_object(inserted);
}

OJson base_type_json(const OJson& base) {
  if (!base.is_object()) return base;
  return in_ovs_order(base, {"type", "enum", "minInteger", "maxInteger", "minReal", "maxReal",
                             "minLength", "maxLength", "refTable", "refType"});
}

OJson type_json(const OJson& type) {
  if (!type.is_object()) return type;
  OJson t = type;
  t["key"] = base_type_json(type["key"]);
  if (type.contains("value")) t["value"] = base_type_json(type["value"]);
  return in_ovs_order(t, {"key", "value", "min", "max"});
}

// ovsdb_schema_to_json() with OVS's member order.
OJson schema_to_ovs_json(const ClientSchema& cs) {
  OJson model = schema_to_json(cs);
  OJson tables = OJson::object();
  for (const std::string& name : cs.tables) {
    OJson table = model["tables"][name];
    OJson columns = OJson::object();
    for (const std::string& col : cs.columns.at(name)) {
      if (col[0] == '_') continue;
      OJson c = table["columns"][col];
      c["type"] = type_json(c["type"]);
      columns[col] = in_ovs_order(c, {"mutable", "ephemeral", "type"});
    }
    table["columns"] = shash_object(columns);
    tables[name] = in_ovs_order(table, {"mutable", "isRoot", "columns", "maxRows", "indexes"});
  }
  model["tables"] = shash_object(tables);
  return in_ovs_order(model, {"name", "version", "cksum", "tables"});
}

void write_record(const OJson& json) {
  std::string data = to_ovs_string(json, false) + "\n";
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), sha1);
  std::string hex;
  char buf[3];
  for (unsigned char b : sha1) {
    snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  printf("OVSDB JSON %zu %s\n", data.size(), hex.c_str());
  fwrite(data.data(), 1, data.size(), stdout);
}

}  // namespace

void do_backup(Rpc* rpc, const std::string& database, const Args&) {
  if (isatty(STDOUT_FILENO)) {
    fatal(0, "not writing backup to a terminal; please redirect stdout to a file");
  }
  ClientSchema cs = fetch_schema(*rpc, database);
  OJson txn = OJson::array({database});
  for (const auto& name : cs.tables) {
    OJson columns = OJson::array();
    for (const auto& col : cs.columns.at(name)) {
      // _version is not persistent in OVS (a new one is made on every load).
      if (col != "_version" && cs.table(name).find_column(col)->persistent) columns.push_back(col);
    }
    txn.push_back(OJson{{"op", "select"}, {"table", name}, {"where", OJson::array()},
                        {"columns", columns}});
  }
  OJson reply = transact_or_die(*rpc, "transact", txn);
  const OJson& result = reply["result"];
  if (!result.is_array() || result.size() != cs.tables.size()) {
    fatal(0, "reply is not array of " + std::to_string(cs.tables.size()) +
                 " elements: " + to_ovs_string(result, false));
  }
  write_record(schema_to_ovs_json(cs));

  OJson output = OJson::object();
  for (size_t i = 0; i < cs.tables.size(); i++) {
    const std::string& name = cs.tables[i];
    const OJson& op = result[i];
    if (!op.is_object() || !op.contains("rows") || !op["rows"].is_array()) {
      fatal(0, name + " table reply is not an object with a \"rows\" member array: " +
                   to_ovs_string(op, false));
    }
    if (op["rows"].empty()) continue;
    OJson rows = OJson::object();
    for (const OJson& row : op["rows"]) {
      if (!row.is_object()) {
        fatal(0, name + " table reply row is not an object: " + to_ovs_string(row, false));
      }
      if (!row.contains("_uuid")) {
        fatal(0, name + " table reply row lacks _uuid member: " + to_ovs_string(row, false));
      }
      auto atom = ovsdb::atom_from_json(ovsdb::BaseType(ovsdb::AtomicType::kUuid),
                                        to_model_json(row["_uuid"]), nullptr);
      if (!atom.ok()) fatal(0, atom.error().to_string());
      // OVS deletes _uuid from the parsed row in place and shares the rest,
      // so the remaining members keep their order.
      OJson copy = row;
      copy.erase("_uuid");
      rows[ovsdb::atom_to_string(*atom)] = std::move(copy);
    }
    output[name] = shash_object(rows);
  }
  output["_comment"] = "produced by \"ovsdb-client backup\"";
  output["_is_diff"] = true;
  output["_date"] = time_wall_msec();
  write_record(shash_object(output));
}

namespace {

// OVS's ovsdb_data_row_name(): "row" + the UUID with '_' for '-'.
std::string row_name(const Uuid& uuid) {
  std::string s = "row" + ovsdb::atom_to_string(ovsdb::Atom(uuid));
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

// A datum's JSON with every UUID written as a reference to a row being
// inserted in the same transaction.
ovsdb::Json with_row_names(const ovsdb::Datum& datum, const ovsdb::Type& type) {
  ovsdb::Json json = datum.to_json(type);
  std::function<void(ovsdb::Json&)> fix = [&](ovsdb::Json& j) {
    if (j.is_array() && j.size() == 2 && j[0] == "uuid" && j[1].is_string()) {
      auto uuid = Uuid::from_string(j[1].get<std::string>());
      if (uuid) j = ovsdb::Json::array({"named-uuid", row_name(*uuid)});
    } else if (j.is_array()) {
      for (auto& e : j) fix(e);
    }
  };
  fix(json);
  return json;
}

}  // namespace

void do_restore(Rpc* rpc, const std::string& database, const Args&) {
  if (isatty(STDIN_FILENO)) {
    fatal(0, "not reading backup from a terminal; please redirect stdin from a file");
  }
  auto file = ovsdb::DbFile::open("/dev/stdin", ovsdb::DbFileOptions{});
  if (!file.ok()) fatal(0, file.error().to_string());
  const ovsdb::Database& backup = (*file)->db();
  const ovsdb::DatabaseSchema& schema = backup.schema();
  ClientSchema online = fetch_schema(*rpc, database);
  if (!schema.equals(online.schema)) {
    std::string s = schema.version != online.schema.version
                        ? "backup schema has version \"" + schema.version +
                              "\" but database schema has version \"" + online.schema.version + "\""
                        : "backup schema and database schema are both version " + schema.version +
                              " but still differ";
    if (!options().force) {
      fatal(0, s + " (use --force to override differences, or \"ovsdb-client convert\" to "
                   "change the schema)");
    }
  }
  ovsdb::Json txn = ovsdb::Json::array({schema.name});
  for (const auto& [name, ts] : schema.tables) {
    txn.push_back({{"op", "delete"}, {"table", name}, {"where", ovsdb::Json::array()}});
    const ovsdb::Table* table = backup.table(name);
    if (!table) continue;
    for (const auto& [uuid, row] : table->rows) {
      ovsdb::Json row_json = ovsdb::Json::object();
      for (const auto& col : ts.columns) {
        if (!col.persistent || col.index < ovsdb::kNumStdColumns) continue;
        const ovsdb::Datum& d = row->fields[col.index];
        if (!d.is_default(col.type)) row_json[col.name] = with_row_names(d, col.type);
      }
      txn.push_back({{"op", "insert"}, {"table", name}, {"uuid-name", row_name(uuid)},
                     {"row", row_json}});
    }
  }
  OJson reply = transact_or_die(*rpc, "transact", OJson::parse(txn.dump()));
  const OJson& result = reply["result"];
  if (!result.is_array()) fatal(0, "result is not array");
  for (const auto& op : result) {
    if (!op.is_object()) fatal(0, "result array element is not object");
    if (op.contains("error")) fatal(0, "server returned error reply: " + to_sorted_string(op, false));
  }
}

}  // namespace grebe::ovsdb_client
