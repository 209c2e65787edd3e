// The desired switch configuration as an immutable snapshot (FBOSS style):
// build_config() reads the OVSDB replica of Open_vSwitch into plain values,
// resolving references and rejecting what cannot be applied (duplicate
// names, dangling references, bad values: logged as warnings, skipped);
// diff_config() compares two snapshots and lists the changes the bridge
// layer applies, so a reconfiguration touches only what changed.
//
// Pure functions over values: no I/O, any thread.  The bridge main thread
// owns the current snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grebe/util/uuid.h"

namespace grebe::ovsdb_idl {
class Replica;
}

namespace grebe::bridge {

// OVS's "--enable-dummy": which datapath/netdev types become dummy.
enum class DummyMode { kNone, kAdd, kOverride };

struct IfaceConfig {
  Uuid uuid;
  std::string name;
  std::string type;  // as in the database ("" = system)
  std::optional<int64_t> ofport_request;
  std::optional<int64_t> mtu_request;
  std::map<std::string, std::string> options;
  bool operator==(const IfaceConfig&) const = default;
};

// Port VLAN configuration for NORMAL (Port tag/trunks/vlan_mode).
struct PortVlanConfig {
  std::optional<int> tag;   // 0..4095
  std::vector<int> trunks;  // sorted, valid VIDs only
  std::string vlan_mode;    // "" (default), access, trunk, native-tagged, native-untagged
  bool operator==(const PortVlanConfig&) const = default;
};

struct PortConfig {
  Uuid uuid;
  std::string name;
  PortVlanConfig vlan;
  std::vector<IfaceConfig> ifaces;  // at least one
  bool operator==(const PortConfig&) const = default;
};

struct ControllerConfig {
  Uuid uuid;
  std::string target;
  std::optional<std::string> connection_mode;
  std::optional<int64_t> max_backoff, inactivity_probe;
  std::optional<int64_t> rate_limit, burst_limit, queue_size;
  std::optional<bool> enable_async_messages;
  std::optional<std::string> type;  // "primary" / "service"
  bool operator==(const ControllerConfig&) const = default;
};

struct TableSettings {
  std::optional<std::string> name;
  std::optional<int64_t> flow_limit;
  bool operator==(const TableSettings&) const = default;
};

struct BridgeConfig {
  Uuid uuid;
  std::string name;
  std::string datapath_type;  // normalized: "" becomes "system"
  std::string fail_mode;      // "" (= standalone), "standalone", "secure"
  std::vector<std::string> protocols;
  std::optional<uint64_t> datapath_id;  // other_config:datapath-id
  std::optional<std::string> hwaddr;    // other_config:hwaddr
  std::vector<ControllerConfig> controllers;
  std::map<int, TableSettings> tables;
  std::map<std::string, PortConfig> ports;  // by port name
  std::map<std::string, std::string> other_config;
  bool operator==(const BridgeConfig&) const = default;
};

// Open_vSwitch:other_config knobs of the upcall layer.
struct DatapathTuning {
  std::optional<int> n_handler_threads;
  long long max_idle_msec = 10000;
  size_t flow_limit = 200000;
  bool operator==(const DatapathTuning&) const = default;
};

struct SwitchConfig {
  bool have_root = false;  // an Open_vSwitch row exists
  Uuid root_uuid;
  int64_t next_cfg = 0;
  DatapathTuning tuning;
  std::map<std::string, BridgeConfig> bridges;  // by name
  bool operator==(const SwitchConfig&) const = default;
};

// Builds the snapshot from the replica.  Everything that cannot be applied
// is left out and described in `warnings` (OVS's words where OVS has them).
SwitchConfig build_config(const ovsdb_idl::Replica& replica, std::vector<std::string>* warnings);

// One change to apply.  Apply order is the order of the list: removals
// first (interfaces, ports, bridges), then bridge additions and changes,
// then port/interface additions and changes, so names freed by a removal
// can be reused in the same reconfiguration.
struct ConfigOp {
  enum class Kind {
    kDelIface,
    kDelBridge,
    kAddBridge,
    kModBridge,  // bridge-level settings (not ports) changed
    kAddIface,
    kModIface,  // options/mtu changed; same type and ofport_request
    kModPort,   // port settings (VLAN) changed
  };
  Kind kind;
  std::string bridge;
  std::string port;   // kModPort, kAddIface, kModIface, kDelIface
  std::string iface;  // kAddIface, kModIface, kDelIface
  bool operator==(const ConfigOp&) const = default;
};
const char* config_op_kind_name(ConfigOp::Kind kind);
std::string to_string(const ConfigOp& op);  // "add-iface br0 p1/p1" etc., for tests and logs

// The ops that turn `from` into `to`.  A bridge whose datapath type
// changes is removed and added again; an interface whose type or
// ofport_request changes, or that moves between ports or bridges, is
// removed and added again.
std::vector<ConfigOp> diff_config(const SwitchConfig& from, const SwitchConfig& to);

}  // namespace grebe::bridge
