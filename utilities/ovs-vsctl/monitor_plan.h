// MonitorPlan: what part of the database one ovs-vsctl invocation needs to
// see, so that its cost does not grow with the database (issue 4).
//
// Three shapes:
//   - full: every table and column (what the generic commands and the
//     commands that change bridges need);
//   - columns: for command lines that only read the topology ("show",
//     list-br, list-ports, port-to-br, ...): every row, but only the
//     columns those commands print or follow, as stock ovs-vsctl registers
//     per-command columns (Interface statistics and status, for example,
//     are never fetched);
//   - scoped: for command lines made only of add-port / add-bond and the
//     generic set/get/clear/add/remove on Port or Interface by name: the
//     Open_vSwitch row, the Bridge rows without their (large) "ports"
//     column, and only the Port and Interface rows whose names the command
//     line mentions (monitor_cond).  The transaction then adds the port with
//     a "mutate" and guards the names it found free with server-side "wait"
//     operations instead of verifying every port of every bridge.
// A scoped run that meets anything it cannot decide from its slice (the
// port already exists, the bridge may be a fake bridge) asks for a full
// run instead (VsctlCache::needs_full()), so outputs and errors are always
// those of the full view.  Scoped mode guards each name with a server-side
// scan, so a command line naming many ports (one transaction adding
// hundreds) runs full instead.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ctl.h"
#include "grebe/ovsdb_idl/idl.h"

namespace grebe::vsctl {

struct MonitorPlan {
  bool scoped = false;
  std::set<std::string> names;  // Port and Interface names of interest (scoped)
  // Columns mode: table -> columns; empty: every table and column.
  std::map<std::string, std::set<std::string>> columns;
};

// The most names a scoped run guards (see above).
constexpr size_t kMaxScopedNames = 64;

// Decides the plan for 'commands' against 'schema'.
MonitorPlan plan_monitoring(const ovsdb::DatabaseSchema& schema,
                            const std::vector<Command>& commands);
// Configures 'idl' (before it connects) to monitor what 'plan' needs.
void apply_monitor_plan(const MonitorPlan& plan, ovsdb_idl::Idl& idl);

}  // namespace grebe::vsctl
