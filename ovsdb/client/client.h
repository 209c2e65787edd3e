// ovsdb-client: shared state and helpers of the command implementations.
// Single-threaded; everything runs on main()'s thread and blocks.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "grebe/ovsdb/schema.h"
#include "ovs_json.h"
#include "rpc.h"
#include "table.h"

namespace grebe::ovsdb_client {

struct ClientOptions {
  TableStyle style;
  bool timestamp = false;
  bool force = false;
  int db_change_aware = -1;  // -1: use if available, 0: never, 1: required
  bool leader_only = true;
};
ClientOptions& options();

// OVS's ovs_fatal(): "ovsdb-client: MSG[ (strerror)]" on stderr, exit 1.
[[noreturn]] void fatal(int code, const std::string& msg);
// OVS's ovs_error(): the same without exiting.
void error_msg(int code, const std::string& msg);

// A schema with the orders in which OVS's client iterates its tables and
// each table's columns (hash-map order, reproduced exactly).
struct ClientSchema {
  ovsdb::DatabaseSchema schema;
  std::vector<std::string> tables;                            // iteration order
  std::map<std::string, std::vector<std::string>> columns;    // incl. _uuid, _version
  const ovsdb::TableSchema& table(const std::string& name) const { return *schema.find_table(name); }
};

// Sends get_schema and parses the reply; fatal() on any failure, as OVS.
ClientSchema fetch_schema(Rpc& rpc, const std::string& database);
// Builds a ClientSchema from schema JSON in wire order; fatal() if invalid.
ClientSchema schema_from_wire(const OJson& wire);
// The schema's JSON (ovsdb-client prints JSON with sorted members, so
// member order does not matter here).
OJson schema_to_json(const ClientSchema& cs);
// Sends list_dbs; sorted names.  fatal() on failure.
std::vector<std::string> fetch_dbs(Rpc& rpc);
// Sends `method` and returns the reply message; fatal()s with OVS's
// "transaction failed" / "transaction returned error: ..." otherwise.
OJson transact_or_die(Rpc& rpc, const std::string& method, OJson params);
// Prints JSON on stdout as OVS does (members in OVS order; --pretty).
void print_json(const OJson& json);
// OVS's parse_json(): fatal on bad syntax.
OJson parse_json_arg(const std::string& s);

using Args = std::vector<std::string>;
using Handler = void (*)(Rpc* rpc, const std::string& database, const Args& args);
// Command implementations (commands.cc, dump.cc, backup.cc, monitor.cc).
void do_list_dbs(Rpc*, const std::string&, const Args&);
void do_get_schema(Rpc*, const std::string&, const Args&);
void do_get_schema_version(Rpc*, const std::string&, const Args&);
void do_get_schema_cksum(Rpc*, const std::string&, const Args&);
void do_list_tables(Rpc*, const std::string&, const Args&);
void do_list_columns(Rpc*, const std::string&, const Args&);
void do_transact(Rpc*, const std::string&, const Args&);
void do_query(Rpc*, const std::string&, const Args&);
void do_dump(Rpc*, const std::string&, const Args&);
void do_monitor(Rpc*, const std::string&, const Args&);
void do_monitor_cond(Rpc*, const std::string&, const Args&);
void do_lock(Rpc*, const std::string&, const Args&);
void do_steal(Rpc*, const std::string&, const Args&);
void do_unlock(Rpc*, const std::string&, const Args&);
void do_backup(Rpc*, const std::string&, const Args&);
void do_restore(Rpc*, const std::string&, const Args&);
void do_wait(Rpc*, const std::string&, const Args&);
void do_convert(Rpc*, const std::string&, const Args&);
void do_needs_conversion(Rpc*, const std::string&, const Args&);

// Opens the connection for commands that choose their server themselves
// (transact, query, wait, convert): the first of `args` is the server if it
// looks like one.  Returns how many args it consumed.  fatal() on failure.
size_t open_rpc_for(const Args& args, size_t min_args, bool need_database,
                    std::string* database, std::unique_ptr<Rpc>* rpc);

}  // namespace grebe::ovsdb_client
