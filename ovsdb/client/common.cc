// Helpers shared by the ovsdb-client commands: errors, schema fetching
// (with OVS's iteration orders), transactions and JSON output.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "client.h"
#include "grebe/util/dirs.h"

namespace grebe::ovsdb_client {

ClientOptions& options() {
  static ClientOptions opts;
  return opts;
}

void error_msg(int code, const std::string& msg) {
  fflush(stdout);
  std::string line = program_name() + ": " + msg;
  if (code > 0) line += " (" + errno_string(code) + ")";
  else if (code < 0) line += " (End of file)";
  fprintf(stderr, "%s\n", line.c_str());
}

void fatal(int code, const std::string& msg) {
  error_msg(code, msg);
  exit(EXIT_FAILURE);
}

OJson parse_json_arg(const std::string& s) {
  // The data model's parser words syntax errors as OVS does; ours keeps
  // member order.
  auto checked = ovsdb::parse_json_text(s);
  if (!checked.ok()) fatal(0, "\"" + s + "\": " + checked.error().message());
  auto json = parse_text(s);
  if (!json.ok()) fatal(0, "\"" + s + "\": " + json.error().message());
  return *json;
}

void print_json(const OJson& json) {
  std::string s = to_sorted_string(json, options().style.pretty);
  puts(s.c_str());
}

OJson transact_or_die(Rpc& rpc, const std::string& method, OJson params) {
  auto reply = rpc.transact(method, std::move(params));
  if (!reply.ok()) fatal(reply.error().code(), "transaction failed");
  OJson msg = as_parsed(*reply);
  if (msg.contains("error") && !msg["error"].is_null()) {
    fatal(0, "transaction returned error: " + to_sorted_string(msg["error"], options().style.pretty));
  }
  return msg;
}

std::vector<std::string> fetch_dbs(Rpc& rpc) {
  OJson reply = transact_or_die(rpc, "list_dbs", OJson::array());
  const OJson& result = reply["result"];
  if (!result.is_array()) fatal(0, "list_dbs response is not array");
  std::vector<std::string> dbs;
  for (size_t i = 0; i < result.size(); i++) {
    if (!result[i].is_string()) fatal(0, "list_dbs response " + std::to_string(i) + " is not string");
    dbs.push_back(result[i].get<std::string>());
  }
  std::sort(dbs.begin(), dbs.end());
  return dbs;
}

ClientSchema schema_from_wire(const OJson& wire) {
  ClientSchema cs;
  auto schema = ovsdb::DatabaseSchema::from_json(to_model_json(wire));
  if (!schema.ok()) fatal(0, schema.error().to_string());
  cs.schema = std::move(*schema);
  // OVS parses the reply (objects iterate in hash order), then inserts the
  // tables, and each table's columns after _uuid and _version, in that order
  // into hash maps of its own.
  OJson parsed = as_parsed(wire);
  std::vector<std::string> tables;
  for (auto it = parsed["tables"].begin(); it != parsed["tables"].end(); ++it) {
    tables.push_back(it.key());
    std::vector<std::string> columns = {"_uuid", "_version"};
    const OJson& cols = it.value()["columns"];
    for (auto c = cols.begin(); c != cols.end(); ++c) columns.push_back(c.key());
    cs.columns[it.key()] = shash_order(columns);
  }
  cs.tables = shash_order(tables);
  return cs;
}

ClientSchema fetch_schema(Rpc& rpc, const std::string& database) {
  OJson params = OJson::array({database});
  auto reply = rpc.transact("get_schema", params);
  if (!reply.ok()) fatal(reply.error().code(), "transaction failed");
  if (reply->contains("error") && !(*reply)["error"].is_null()) {
    fatal(0, "transaction returned error: " +
                 to_sorted_string((*reply)["error"], options().style.pretty));
  }
  return schema_from_wire((*reply)["result"]);
}

OJson schema_to_json(const ClientSchema& cs) { return OJson::parse(cs.schema.to_json().dump()); }

}  // namespace grebe::ovsdb_client
