// diff_config(): the delta between two SwitchConfig snapshots.
#include <map>

#include "bridge/bridge_config.h"

namespace grebe::bridge {
namespace {

struct IfaceLoc {
  std::string bridge, port;
  const IfaceConfig* iface;
};

std::map<std::string, IfaceLoc> index_ifaces(const SwitchConfig& cfg) {
  std::map<std::string, IfaceLoc> out;
  for (const auto& [bname, br] : cfg.bridges) {
    for (const auto& [pname, port] : br.ports) {
      for (const IfaceConfig& ic : port.ifaces) out[ic.name] = IfaceLoc{bname, pname, &ic};
    }
  }
  return out;
}

// Bridge-level settings, ignoring ports.
bool same_settings(const BridgeConfig& a, const BridgeConfig& b) {
  BridgeConfig x = a, y = b;
  x.ports.clear();
  y.ports.clear();
  return x == y;
}

// An interface that must be re-created (not just reconfigured).
bool needs_recreate(const IfaceLoc& a, const IfaceLoc& b) {
  return a.bridge != b.bridge || a.port != b.port || a.iface->type != b.iface->type ||
         a.iface->ofport_request != b.iface->ofport_request;
}

}  // namespace

const char* config_op_kind_name(ConfigOp::Kind kind) {
  switch (kind) {
    case ConfigOp::Kind::kDelIface: return "del-iface";
    case ConfigOp::Kind::kDelBridge: return "del-bridge";
    case ConfigOp::Kind::kAddBridge: return "add-bridge";
    case ConfigOp::Kind::kModBridge: return "mod-bridge";
    case ConfigOp::Kind::kAddIface: return "add-iface";
    case ConfigOp::Kind::kModIface: return "mod-iface";
    case ConfigOp::Kind::kModPort: return "mod-port";
  }
  return "?";
}

std::string to_string(const ConfigOp& op) {
  std::string s = std::string(config_op_kind_name(op.kind)) + " " + op.bridge;
  if (!op.port.empty()) s += " " + op.port;
  if (!op.iface.empty()) s += "/" + op.iface;
  return s;
}

std::vector<ConfigOp> diff_config(const SwitchConfig& from, const SwitchConfig& to) {
  using K = ConfigOp::Kind;
  std::vector<ConfigOp> dels, bridge_ops, adds;

  // Bridges removed, re-created (datapath type changed) or changed.
  std::map<std::string, bool> recreated;
  for (const auto& [name, old_br] : from.bridges) {
    auto it = to.bridges.find(name);
    if (it == to.bridges.end() || it->second.datapath_type != old_br.datapath_type) {
      recreated[name] = it != to.bridges.end();
    }
  }
  auto old_ifaces = index_ifaces(from);
  auto new_ifaces = index_ifaces(to);

  // Interface removals, except those of bridges that go away entirely
  // (deleting the bridge takes its interfaces with it).
  for (const auto& [name, loc] : old_ifaces) {
    if (recreated.count(loc.bridge)) continue;
    auto it = new_ifaces.find(name);
    if (it == new_ifaces.end() || needs_recreate(loc, it->second)) {
      dels.push_back({K::kDelIface, loc.bridge, loc.port, name});
    }
  }
  for (const auto& [name, again] : recreated) {
    bridge_ops.push_back({K::kDelBridge, name, "", ""});
    (void)again;
  }
  for (const auto& [name, br] : to.bridges) {
    auto it = from.bridges.find(name);
    if (it == from.bridges.end() || recreated.count(name)) {
      bridge_ops.push_back({K::kAddBridge, name, "", ""});
    } else if (!same_settings(it->second, br)) {
      bridge_ops.push_back({K::kModBridge, name, "", ""});
    }
  }
  // Interface additions and changes.
  for (const auto& [name, loc] : new_ifaces) {
    auto it = old_ifaces.find(name);
    if (it == old_ifaces.end() || recreated.count(loc.bridge) || needs_recreate(it->second, loc)) {
      adds.push_back({K::kAddIface, loc.bridge, loc.port, name});
    } else if (!(*it->second.iface == *loc.iface)) {
      adds.push_back({K::kModIface, loc.bridge, loc.port, name});
    }
  }
  // Port VLAN settings.
  for (const auto& [bname, br] : to.bridges) {
    auto ob = from.bridges.find(bname);
    for (const auto& [pname, port] : br.ports) {
      const PortConfig* old_port = nullptr;
      if (ob != from.bridges.end() && !recreated.count(bname)) {
        auto op = ob->second.ports.find(pname);
        if (op != ob->second.ports.end()) old_port = &op->second;
      }
      if (!old_port || !(old_port->vlan == port.vlan)) {
        adds.push_back({K::kModPort, bname, pname, ""});
      }
    }
  }

  std::vector<ConfigOp> out = std::move(dels);
  out.insert(out.end(), bridge_ops.begin(), bridge_ops.end());
  out.insert(out.end(), adds.begin(), adds.end());
  return out;
}

}  // namespace grebe::bridge
