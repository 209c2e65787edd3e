// VsctlCache: ovs-vsctl's view of bridges (real and fake/VLAN), ports and
// interfaces by name, built from the transaction's view of the database
// (OVS's vsctl_context cache).  Commands that restructure the database
// through the generic commands invalidate it; the port commands update it
// incrementally so a long "--" chain stays linear.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grebe/ovsdb_idl/txn.h"

namespace grebe::vsctl {

struct VPort;
struct VIface;

struct VBridge {
  std::string name;
  std::optional<Uuid> br_cfg;  // empty for a fake bridge
  VBridge* parent = nullptr;
  int vlan = 0;
  std::vector<VPort*> ports;
  std::map<int, VBridge*> children;  // fake bridges by VLAN
};

struct VPort {
  Uuid port_cfg;
  std::string name;
  VBridge* bridge = nullptr;
  std::vector<VIface*> ifaces;
};

struct VIface {
  Uuid iface_cfg;
  std::string name;
  VPort* port = nullptr;
};

class VsctlCache {
 public:
  VsctlCache(ovsdb_idl::Txn& txn, const Uuid& ovs) : txn_(txn), ovs_(ovs) {}

  // Scoped mode (monitor_plan.h): the replica holds no Bridge.ports and
  // only the Port/Interface rows named in 'names'.  populate() then sees
  // real bridges only, and asks for a full run if any of those rows exist;
  // verify_ports() guards the names with "wait" operations instead.
  void set_scoped(std::set<std::string> names) {
    scoped_ = true;
    names_ = std::move(names);
  }
  bool scoped() const { return scoped_; }
  // The slice cannot answer: the command line must run on a full replica.
  void request_full() { needs_full_ = true; }
  bool needs_full() const { return needs_full_; }

  void invalidate() { valid_ = false; }
  // Builds the cache if it is not valid.
  void populate();
  // Verifies Open_vSwitch.bridges, Bridge.ports and Port.interfaces so a
  // concurrent change to the topology makes the commit retry.
  void verify_ports();

  VBridge* bridge(const std::string& name);
  VPort* port(const std::string& name);
  VIface* iface(const std::string& name);
  const std::map<std::string, std::unique_ptr<VBridge>>& bridges() const { return bridges_; }

  VBridge* add_bridge(std::optional<Uuid> br_cfg, const std::string& name, VBridge* parent,
                      int vlan);
  VPort* add_port(VBridge* parent, const Uuid& port_cfg, const std::string& name, int64_t* tag);
  VIface* add_iface(VPort* parent, const Uuid& iface_cfg, const std::string& name);
  void del_bridge(VBridge* br);  // entry only
  void del_port(VPort* port);    // entry only
  void del_iface(VIface* iface);  // entry only

 private:
  void populate_scoped(const std::vector<Uuid>& brs);

  ovsdb_idl::Txn& txn_;
  Uuid ovs_;
  bool valid_ = false;
  bool verified_ = false;
  bool scoped_ = false;
  bool needs_full_ = false;
  std::set<std::string> names_;
  std::map<std::string, std::unique_ptr<VBridge>> bridges_;
  std::map<std::string, std::unique_ptr<VPort>> ports_;
  std::map<std::string, std::unique_ptr<VIface>> ifaces_;
};

}  // namespace grebe::vsctl
