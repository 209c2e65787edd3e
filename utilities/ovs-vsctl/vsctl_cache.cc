// VsctlCache: bridges, ports and interfaces by name.
#include "vsctl_cache.h"

#include <algorithm>
#include <set>

#include "ctl.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(vsctl);

namespace grebe::vsctl {

namespace {
bool is_fake_bridge(ovsdb_idl::Txn& txn, const Uuid& port, int64_t* tag) {
  const Datum* fake = txn.get("Port", port, "fake_bridge");
  auto t = datum_int(txn.get("Port", port, "tag"));
  bool is_fake = fake && !fake->empty() && std::get<bool>(fake->keys[0]);
  if (!is_fake || !t || *t < 0 || *t > 4095) return false;
  *tag = *t;
  return true;
}
}  // namespace

VBridge* VsctlCache::add_bridge(std::optional<Uuid> br_cfg, const std::string& name,
                                VBridge* parent, int vlan) {
  auto br = std::make_unique<VBridge>();
  br->br_cfg = br_cfg;
  br->name = name;
  br->parent = parent;
  br->vlan = vlan;
  VBridge* raw = br.get();
  if (parent) {
    auto it = parent->children.find(vlan);
    if (it != parent->children.end()) {
      VLOG_WARN("%s: bridge has multiple VLAN bridges (%s and %s) for VLAN %d, but only one is "
                "allowed", parent->name.c_str(), name.c_str(), it->second->name.c_str(), vlan);
    } else {
      parent->children[vlan] = raw;
    }
  }
  bridges_[name] = std::move(br);
  return raw;
}

VPort* VsctlCache::add_port(VBridge* parent, const Uuid& port_cfg, const std::string& name,
                            int64_t* tag) {
  if (tag && *tag >= 0 && *tag <= 4095) {
    auto it = parent->children.find(static_cast<int>(*tag));
    if (it != parent->children.end()) parent = it->second;
  }
  auto port = std::make_unique<VPort>();
  port->port_cfg = port_cfg;
  port->name = name;
  port->bridge = parent;
  VPort* raw = port.get();
  parent->ports.push_back(raw);
  ports_[name] = std::move(port);
  return raw;
}

VIface* VsctlCache::add_iface(VPort* parent, const Uuid& iface_cfg, const std::string& name) {
  auto iface = std::make_unique<VIface>();
  iface->iface_cfg = iface_cfg;
  iface->name = name;
  iface->port = parent;
  VIface* raw = iface.get();
  parent->ifaces.push_back(raw);
  ifaces_[name] = std::move(iface);
  return raw;
}

void VsctlCache::del_iface(VIface* iface) {
  auto& v = iface->port->ifaces;
  v.erase(std::remove(v.begin(), v.end(), iface), v.end());
  ifaces_.erase(iface->name);
}

void VsctlCache::del_port(VPort* port) {
  auto& v = port->bridge->ports;
  v.erase(std::remove(v.begin(), v.end(), port), v.end());
  ports_.erase(port->name);
}

void VsctlCache::del_bridge(VBridge* br) {
  if (br->parent) br->parent->children.erase(br->vlan);
  bridges_.erase(br->name);
}

void VsctlCache::populate() {
  if (valid_) return;
  valid_ = true;
  bridges_.clear();
  ports_.clear();
  ifaces_.clear();
  std::vector<Uuid> brs = datum_uuids(txn_.get("Open_vSwitch", ovs_, "bridges"));
  if (scoped_) {
    populate_scoped(brs);
    return;
  }
  std::set<std::string> bridge_names, port_names;
  for (const Uuid& br_cfg : brs) {
    std::string name = datum_string(txn_.get("Bridge", br_cfg, "name"));
    if (!bridge_names.insert(name).second) {
      VLOG_WARN("%s: database contains duplicate bridge name", name.c_str());
      continue;
    }
    VBridge* br = add_bridge(br_cfg, name, nullptr, 0);
    for (const Uuid& port : datum_uuids(txn_.get("Bridge", br_cfg, "ports"))) {
      std::string pname = datum_string(txn_.get("Port", port, "name"));
      if (!port_names.insert(pname).second) continue;
      int64_t tag;
      if (is_fake_bridge(txn_, port, &tag) && bridge_names.insert(pname).second) {
        add_bridge(std::nullopt, pname, br, static_cast<int>(tag));
      }
    }
  }
  std::set<std::string> seen_bridges;
  for (const Uuid& br_cfg : brs) {
    std::string name = datum_string(txn_.get("Bridge", br_cfg, "name"));
    if (!seen_bridges.insert(name).second) continue;
    VBridge* br = bridges_[name].get();
    for (const Uuid& port_cfg : datum_uuids(txn_.get("Bridge", br_cfg, "ports"))) {
      std::string pname = datum_string(txn_.get("Port", port_cfg, "name"));
      if (VPort* existing = port(pname)) {
        if (existing->port_cfg == port_cfg) {
          VLOG_WARN("%s: port is in multiple bridges (%s and %s)", pname.c_str(),
                    br->name.c_str(), existing->bridge->name.c_str());
        } else {
          VLOG_ERR("%s: database contains duplicate port name", pname.c_str());
        }
        continue;
      }
      int64_t tag;
      if (is_fake_bridge(txn_, port_cfg, &tag) && !seen_bridges.insert(pname).second) continue;
      auto t = datum_int(txn_.get("Port", port_cfg, "tag"));
      int64_t tagv = t.value_or(-1);
      VPort* p = add_port(br, port_cfg, pname, t ? &tagv : nullptr);
      for (const Uuid& iface_cfg : datum_uuids(txn_.get("Port", port_cfg, "interfaces"))) {
        std::string iname = datum_string(txn_.get("Interface", iface_cfg, "name"));
        if (VIface* existing = iface(iname)) {
          if (existing->iface_cfg == iface_cfg) {
            VLOG_WARN("%s: interface is in multiple ports (%s and %s)", iname.c_str(),
                      existing->port->name.c_str(), p->name.c_str());
          } else {
            VLOG_ERR("%s: database contains duplicate interface name", iname.c_str());
          }
          continue;
        }
        add_iface(p, iface_cfg, iname);
      }
    }
  }
}

void VsctlCache::populate_scoped(const std::vector<Uuid>& brs) {
  // A named Port or Interface that exists needs its bridge, which only
  // Bridge.ports (not monitored here) tells.
  if (!txn_.replica().rows("Port").empty() || !txn_.replica().rows("Interface").empty()) {
    request_full();
    return;
  }
  std::set<std::string> bridge_names;
  for (const Uuid& br_cfg : brs) {
    std::string name = datum_string(txn_.get("Bridge", br_cfg, "name"));
    if (!bridge_names.insert(name).second) {
      request_full();  // let the full run warn about it as OVS does
      return;
    }
    add_bridge(br_cfg, name, nullptr, 0);
  }
}

void VsctlCache::verify_ports() {
  if (verified_) return;
  verified_ = true;
  if (scoped_) {
    // The names this run found free must still be free at commit, and the
    // bridges must still be there: cheap server-side checks in place of
    // verifying every bridge's ports and every port's interfaces.
    txn_.verify("Open_vSwitch", ovs_, "bridges");
    for (const Uuid& br : txn_.rows("Bridge")) txn_.verify("Bridge", br, "name");
    for (const char* table : {"Port", "Interface"}) {
      for (const std::string& name : names_) {
        txn_.add_prerequisite({{"op", "wait"}, {"table", table}, {"timeout", 0},
                               {"where", Json::array({Json::array({"name", "==", name})})},
                               {"until", "=="}, {"columns", Json::array({"name"})},
                               {"rows", Json::array()}});
      }
    }
    return;
  }
  txn_.verify("Open_vSwitch", ovs_, "bridges");
  for (const Uuid& br : txn_.rows("Bridge")) txn_.verify("Bridge", br, "ports");
  for (const Uuid& p : txn_.rows("Port")) txn_.verify("Port", p, "interfaces");
}

VBridge* VsctlCache::bridge(const std::string& name) {
  auto it = bridges_.find(name);
  return it == bridges_.end() ? nullptr : it->second.get();
}

VPort* VsctlCache::port(const std::string& name) {
  auto it = ports_.find(name);
  return it == ports_.end() ? nullptr : it->second.get();
}

VIface* VsctlCache::iface(const std::string& name) {
  auto it = ifaces_.find(name);
  return it == ifaces_.end() ? nullptr : it->second.get();
}

}  // namespace grebe::vsctl
