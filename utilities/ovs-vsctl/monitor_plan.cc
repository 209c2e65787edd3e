// MonitorPlan: full or name-scoped monitoring for one ovs-vsctl run.
#include "monitor_plan.h"

#include <cstring>

namespace grebe::vsctl {

namespace {

bool mentions_symbol(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (w.find('@') != std::string::npos) return true;
  }
  return false;
}

// add-port BRIDGE PORT [SETTINGS], add-bond BRIDGE BOND IFACE... [SETTINGS]:
// the port and interface names.
bool port_command_names(const Command& c, std::set<std::string>* names) {
  const auto& argv = c.argv;
  if (argv.size() < 3 || mentions_symbol(argv)) return false;
  names->insert(argv[2]);
  if (c.syntax->name == std::string("add-bond")) {
    for (size_t i = 3; i < argv.size() && argv[i].find('=') == std::string::npos; i++) {
      names->insert(argv[i]);
    }
  }
  return true;
}

// set/get/clear/add/remove TABLE RECORD ...: scoped if TABLE is Port or
// Interface and RECORD a name (a UUID would name a row outside the slice).
bool record_command_names(const ovsdb::DatabaseSchema& schema, const Command& c,
                          std::set<std::string>* names) {
  const auto& argv = c.argv;
  if (argv.size() < 3 || mentions_symbol(argv) || c.options.count("--id")) return false;
  std::string error;
  const ovsdb::TableSchema* table = get_table(schema, argv[1], &error);
  if (!table || (table->name != "Port" && table->name != "Interface")) return false;
  const std::string& record = argv[2];
  if (record.empty() || record == "." || Uuid::from_string(record)) return false;
  if (record.size() >= 4 && record.find_first_not_of("0123456789abcdefABCDEF-") ==
                                std::string::npos) {
    return false;  // could be a UUID prefix
  }
  names->insert(record);
  return true;
}

// Commands that only read the topology, and the columns they (and the
// wait for ovs-vswitchd) need.
const char* const kTopologyReaders[] = {"show",        "list-br",    "br-exists",
                                        "br-to-vlan",  "br-to-parent", "list-ports",
                                        "port-to-br",  "list-ifaces", "iface-to-br"};

std::map<std::string, std::set<std::string>> topology_columns() {
  return {
      {"Open_vSwitch", {"manager_options", "bridges", "ovs_version", "next_cfg", "cur_cfg"}},
      {"Bridge", {"name", "controller", "fail_mode", "datapath_type", "ports"}},
      {"Port", {"name", "tag", "trunks", "interfaces", "fake_bridge"}},
      {"Interface", {"name", "type", "options", "error", "bfd_status", "ofport"}},
      {"Controller", {"target", "is_connected"}},
      {"Manager", {"target", "is_connected"}},
  };
}

bool is_topology_reader(const Command& c) {
  for (const char* name : kTopologyReaders) {
    if (!strcmp(c.syntax->name, name)) return true;
  }
  return false;
}

// Columns mode if every command only reads the topology and the schema has
// every column it names (an older schema: monitor everything).
MonitorPlan plan_columns(const ovsdb::DatabaseSchema& schema,
                         const std::vector<Command>& commands) {
  MonitorPlan plan;
  if (commands.empty()) return plan;
  for (const Command& c : commands) {
    if (!is_topology_reader(c)) return plan;
  }
  auto columns = topology_columns();
  for (const auto& [table, cols] : columns) {
    const ovsdb::TableSchema* ts = schema.find_table(table);
    if (!ts) return plan;
    for (const auto& col : cols) {
      if (!ts->find_column(col)) return plan;
    }
  }
  plan.columns = std::move(columns);
  return plan;
}

}  // namespace

MonitorPlan plan_monitoring(const ovsdb::DatabaseSchema& schema,
                            const std::vector<Command>& commands) {
  MonitorPlan plan;
  if (!schema.find_table("Open_vSwitch") || !schema.find_table("Bridge") ||
      !schema.find_table("Port") || !schema.find_table("Interface")) {
    return plan;
  }
  MonitorPlan by_columns = plan_columns(schema, commands);
  if (!by_columns.columns.empty()) return by_columns;
  bool any_port_command = false;
  for (const Command& c : commands) {
    const char* name = c.syntax->name;
    bool ok;
    if (!strcmp(name, "add-port") || !strcmp(name, "add-bond")) {
      ok = port_command_names(c, &plan.names);
      any_port_command = true;
    } else if (!strcmp(name, "set") || !strcmp(name, "get") || !strcmp(name, "clear") ||
               !strcmp(name, "add") || !strcmp(name, "remove")) {
      ok = record_command_names(schema, c, &plan.names);
    } else {
      ok = false;
    }
    if (!ok) return MonitorPlan{};
  }
  plan.scoped = any_port_command && plan.names.size() <= kMaxScopedNames;
  if (!plan.scoped) plan.names.clear();
  return plan;
}

void apply_monitor_plan(const MonitorPlan& plan, ovsdb_idl::Idl& idl) {
  if (!plan.columns.empty()) {
    idl.monitor_only(plan.columns);
    return;
  }
  if (!plan.scoped) return;
  const ovsdb::DatabaseSchema& schema = idl.replica().schema();
  std::set<std::string> bridge_columns;
  for (const auto& col : schema.find_table("Bridge")->columns) {
    if (col.name != "ports" && col.index >= ovsdb::kNumStdColumns) bridge_columns.insert(col.name);
  }
  idl.monitor_only({{"Open_vSwitch", {}}, {"Bridge", bridge_columns}, {"Port", {}},
                    {"Interface", {}}});
  Json clauses = Json::array();
  for (const std::string& n : plan.names) clauses.push_back(Json::array({"name", "==", n}));
  if (clauses.empty()) clauses.push_back(false);
  idl.set_condition("Port", clauses);
  idl.set_condition("Interface", clauses);
}

}  // namespace grebe::vsctl
