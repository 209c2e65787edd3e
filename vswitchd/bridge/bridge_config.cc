// build_config(): OVSDB replica -> SwitchConfig snapshot.  See bridge_config.h.
#include "bridge/bridge_config.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "grebe/ovsdb_idl/replica.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"

namespace grebe::bridge {
namespace {

using ovsdb_idl::Replica;

std::optional<uint64_t> parse_dpid(const std::string& s) {
  // OVS accepts exactly 16 hex digits (dpid_from_string).
  if (s.size() != 16) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit((unsigned char)c); })) {
    return std::nullopt;
  }
  return std::strtoull(s.c_str(), nullptr, 16);
}

long long parse_ll(const std::map<std::string, std::string>& m, const char* key, long long dflt,
                   long long min, long long max) {
  auto it = m.find(key);
  if (it == m.end()) return dflt;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end || v < min || v > max) return dflt;
  return v;
}

PortVlanConfig port_vlan(const ovsrec::Port& port, std::vector<std::string>* warnings) {
  PortVlanConfig v;
  if (auto tag = port.tag()) {
    if (*tag >= 0 && *tag <= 4095) v.tag = static_cast<int>(*tag);
    else warnings->push_back("port " + port.name() + ": invalid tag " + std::to_string(*tag));
  }
  for (int64_t t : port.trunks()) {
    if (t >= 0 && t <= 4095) v.trunks.push_back(static_cast<int>(t));
  }
  std::sort(v.trunks.begin(), v.trunks.end());
  static const std::set<std::string> kModes = {"access", "trunk", "native-tagged",
                                               "native-untagged", "dot1q-tunnel"};
  if (auto mode = port.vlan_mode()) {
    if (kModes.count(*mode)) v.vlan_mode = *mode;
    else warnings->push_back("port " + port.name() + ": unknown VLAN mode " + *mode);
  }
  return v;
}

// Interfaces of `port`, skipping dangling references and names already
// used elsewhere in the switch (`iface_names`).
std::vector<IfaceConfig> port_ifaces(const Replica& r, const ovsrec::Port& port,
                                     const std::string& br_name, std::set<std::string>& iface_names,
                                     std::vector<std::string>* warnings) {
  std::vector<IfaceConfig> out;
  for (const Uuid& u : port.interfaces()) {
    ovsrec::Interface iface(r, u);
    if (!iface.exists()) continue;  // dangling reference: the server never sends one, skip
    IfaceConfig ic;
    ic.uuid = u;
    ic.name = iface.name();
    if (ic.name.empty()) {
      warnings->push_back("bridge " + br_name + ": interface with empty name ignored");
      continue;
    }
    if (!iface_names.insert(ic.name).second) {
      warnings->push_back("bridge " + br_name + ": " + ic.name +
                          " interface is on multiple ports, ignoring it on port " + port.name());
      continue;
    }
    ic.type = iface.type();
    ic.ofport_request = iface.ofport_request();
    if (ic.ofport_request && (*ic.ofport_request < 1 || *ic.ofport_request > 65279)) {
      warnings->push_back("interface " + ic.name + ": ofport_request " +
                          std::to_string(*ic.ofport_request) + " out of range, ignored");
      ic.ofport_request.reset();
    }
    ic.mtu_request = iface.mtu_request();
    ic.options = iface.options();
    out.push_back(std::move(ic));
  }
  return out;
}

void bridge_ports(const Replica& r, const ovsrec::Bridge& br, BridgeConfig& bc,
                  std::set<std::string>& port_names, std::set<std::string>& iface_names,
                  std::vector<std::string>* warnings) {
  for (const Uuid& u : br.ports()) {
    ovsrec::Port port(r, u);
    if (!port.exists()) continue;
    PortConfig pc;
    pc.uuid = u;
    pc.name = port.name();
    if (pc.name.empty() || !port_names.insert(pc.name).second) {
      warnings->push_back("bridge " + bc.name + ": " + pc.name +
                          " specified twice as bridge port, ignoring");
      continue;
    }
    pc.vlan = port_vlan(port, warnings);
    pc.ifaces = port_ifaces(r, port, bc.name, iface_names, warnings);
    if (pc.ifaces.empty()) {
      warnings->push_back("bridge " + bc.name + ": port " + pc.name + " has no interfaces, dropping");
      continue;
    }
    bc.ports.emplace(pc.name, std::move(pc));
  }
}

void bridge_settings(const Replica& r, const ovsrec::Bridge& br, BridgeConfig& bc,
                     std::vector<std::string>* warnings) {
  bc.datapath_type = br.datapath_type().empty() ? "system" : br.datapath_type();
  if (auto fm = br.fail_mode()) {
    if (*fm == "standalone" || *fm == "secure") bc.fail_mode = *fm;
  }
  bc.protocols = br.protocols();
  bc.other_config = br.other_config();
  if (auto it = bc.other_config.find("datapath-id"); it != bc.other_config.end()) {
    bc.datapath_id = parse_dpid(it->second);
    if (!bc.datapath_id) {
      warnings->push_back("bridge " + bc.name + ": invalid datapath-id " + it->second);
    }
  }
  if (auto it = bc.other_config.find("hwaddr"); it != bc.other_config.end()) bc.hwaddr = it->second;
  for (const Uuid& u : br.controller()) {
    ovsrec::Controller c(r, u);
    if (!c.exists()) continue;
    ControllerConfig cc;
    cc.uuid = u;
    cc.target = c.target();
    cc.connection_mode = c.connection_mode();
    cc.max_backoff = c.max_backoff();
    cc.inactivity_probe = c.inactivity_probe();
    cc.rate_limit = c.controller_rate_limit();
    cc.burst_limit = c.controller_burst_limit();
    cc.queue_size = c.controller_queue_size();
    cc.enable_async_messages = c.enable_async_messages();
    cc.type = c.type();
    bc.controllers.push_back(std::move(cc));
  }
  for (const auto& [id, u] : br.flow_tables()) {
    ovsrec::Flow_Table ft(r, u);
    if (!ft.exists()) continue;
    if (id < 0 || id > 254) {
      warnings->push_back("bridge " + bc.name + ": ignoring configuration for table " +
                          std::to_string(id) + " out of range");
      continue;
    }
    bc.tables[static_cast<int>(id)] = TableSettings{ft.name(), ft.flow_limit()};
  }
}

}  // namespace

SwitchConfig build_config(const Replica& r, std::vector<std::string>* warnings) {
  SwitchConfig cfg;
  auto roots = ovsrec::Open_vSwitch::all(r);
  if (roots.empty()) return cfg;
  if (roots.size() > 1) warnings->push_back("database has more than one Open_vSwitch row");
  const ovsrec::Open_vSwitch& root = roots.front();
  cfg.have_root = true;
  cfg.root_uuid = root.uuid();
  cfg.next_cfg = root.next_cfg();

  auto oc = root.other_config();
  if (oc.count("n-handler-threads")) {
    long long n = parse_ll(oc, "n-handler-threads", 0, 1, 64);
    if (n > 0) cfg.tuning.n_handler_threads = static_cast<int>(n);
  }
  cfg.tuning.max_idle_msec = parse_ll(oc, "max-idle", 10000, 500, 3600 * 1000LL);
  cfg.tuning.flow_limit = static_cast<size_t>(parse_ll(oc, "flow-limit", 200000, 0, 1 << 30));

  std::set<std::string> port_names, iface_names;
  for (const Uuid& u : root.bridges()) {
    ovsrec::Bridge br(r, u);
    if (!br.exists()) continue;
    BridgeConfig bc;
    bc.uuid = u;
    bc.name = br.name();
    if (bc.name.empty() || cfg.bridges.count(bc.name)) {
      warnings->push_back("bridge " + bc.name + " specified twice");
      continue;
    }
    bridge_settings(r, br, bc, warnings);
    bridge_ports(r, br, bc, port_names, iface_names, warnings);
    cfg.bridges.emplace(bc.name, std::move(bc));
  }
  return cfg;
}

}  // namespace grebe::bridge
