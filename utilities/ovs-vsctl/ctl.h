// The command framework shared by ovs-vsctl's commands (OVS's db-ctl-base):
// command syntax table, per-command context, table/column/record lookup and
// the generic database commands.
//
// Commands report failure by setting Context::error (the message printed
// after "ovs-vsctl: "), and ask for a retry after the database changes with
// Context::try_again (wait-until).  Single-threaded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grebe/ovsdb_idl/txn.h"
#include "out_table.h"

namespace grebe::vsctl {

using ovsdb::Datum;
using ovsdb::Json;
using ovsdb_idl::Txn;

struct Context;

enum class Mode { kRO, kRW };

struct CommandSyntax {
  const char* name;
  int min_args, max_args;
  const char* arguments;
  std::function<void(Context&)> run;
  std::function<void(Context&)> postprocess;  // after a successful commit
  const char* options;  // "--may-exist,--id=" ...
  Mode mode;
};

struct Command {
  const CommandSyntax* syntax = nullptr;
  std::vector<std::string> argv;  // argv[0] is the command name
  std::map<std::string, std::optional<std::string>> options;
  std::string output;
  std::unique_ptr<OutTable> table;
};

class VsctlCache;

struct Context {
  Context(Txn& t, ovsdb::SymbolTable& s, Command& c, const Uuid& o)
      : txn(t), symtab(s), cmd(c), ovs(o) {}

  Txn& txn;
  ovsdb::SymbolTable& symtab;
  Command& cmd;
  Uuid ovs;                 // the Open_vSwitch row
  bool last_command = false;
  VsctlCache* cache = nullptr;
  std::string error;
  bool try_again = false;
  std::optional<int> exit_status;  // exit at once with this status (br-exists)
  std::vector<Uuid>* expected_ifaces = nullptr;  // checked after vswitchd reloads

  void expect_iface(const Uuid& iface) {
    if (expected_ifaces) expected_ifaces->push_back(iface);
  }

  const std::vector<std::string>& argv() const { return cmd.argv; }
  size_t argc() const { return cmd.argv.size(); }
  bool has_option(const std::string& name) const { return cmd.options.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  std::string& output() { return cmd.output; }
  // Sets 'error' (printf style) and returns false, for "return fail(...)".
  bool fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  // Like fail() for a ready message (which may hold any byte, even NUL).
  bool set_error(std::string message) {
    error = std::move(message);
    return false;
  }
  void invalidate_cache();
};

// --- Lookup helpers (OVS's get_table / get_column / ctl_get_row) ---
const ovsdb::TableSchema* get_table(const ovsdb::DatabaseSchema& schema, const std::string& name,
                                    std::string* error);
const ovsdb::ColumnSchema* get_column(const ovsdb::TableSchema& table, const std::string& name,
                                      std::string* error);
// Finds a record by UUID, ".", a name (per-table row ids), or a UUID prefix.
// Returns false with ctx.error set on failure; *row is empty when not found
// and !must_exist.
bool get_row(Context& ctx, const ovsdb::TableSchema& table, const std::string& record_id,
             bool must_exist, std::optional<Uuid>* row);

// Writes "column[:key]=value" into 'row' (OVS's ctl_set_column).
bool ctl_set_column(Context& ctx, const ovsdb::TableSchema& table, const Uuid& row,
                    const std::string& arg);

// Registry of commands (generic db commands + vsctl's).
const std::map<std::string, const CommandSyntax*>& all_commands();
void register_commands(const std::vector<CommandSyntax>& commands);
void register_db_commands();
void register_vsctl_commands();

// Datum helpers.
Datum uuid_set(std::vector<Uuid> uuids);
std::vector<Uuid> datum_uuids(const Datum* d);
std::string datum_string(const Datum* d);  // "" for an empty optional string
std::optional<int64_t> datum_int(const Datum* d);
std::string datum_text(const Datum* d, const ovsdb::Type& type);

}  // namespace grebe::vsctl
