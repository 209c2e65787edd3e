// Bridges: turns the Open_vSwitch database into running bridges (OVS's
// bridge.c).  On every database change it builds the desired SwitchConfig
// snapshot, diffs it against the applied one and applies only the delta to
// the per-bridge Ofprotos (ofproto_dpif) and their shared datapaths; then it
// reports what happened for the database (Interface ofport/error/state,
// Bridge datapath_id, Open_vSwitch cur_cfg) through write_status().
//
// Nothing in the database can crash it: rows it cannot apply are logged and
// skipped, interfaces that fail get ofport -1 and an error string.
//
// Threads: main thread only (the EventLoop's).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bridge/bridge_config.h"
#include "ofproto_dpif/ofproto_dpif.h"

namespace grebe::event {
class EventLoop;
}
namespace grebe::ovsdb_idl {
class Replica;
class Txn;
}  // namespace grebe::ovsdb_idl

namespace grebe::bridge {

// Extension points for modules that attach to bridges (upcall handlers per
// datapath, the OpenFlow connection manager per bridge).  All main thread.
class BridgeObserver {
 public:
  virtual ~BridgeObserver() = default;
  // A datapath came into use / is about to go away.
  virtual void backer_added(ofproto_dpif::Backer& /*backer*/) {}
  virtual void backer_removed(ofproto_dpif::Backer& /*backer*/) {}
  // A bridge was created / reconfigured (settings in `cfg`) / is about to
  // be destroyed.
  virtual void bridge_added(ofproto_dpif::Ofproto& /*ofproto*/, const BridgeConfig& /*cfg*/) {}
  virtual void bridge_changed(ofproto_dpif::Ofproto& /*ofproto*/, const BridgeConfig& /*cfg*/) {}
  virtual void bridge_removed(ofproto_dpif::Ofproto& /*ofproto*/) {}
  // Datapath tuning (Open_vSwitch:other_config) changed.
  virtual void tuning_changed(const DatapathTuning& /*tuning*/) {}
};

class Bridges {
 public:
  // `loop`: where bridges run their OpenFlow connection managers (null in
  // unit tests: no OpenFlow connections).
  explicit Bridges(DummyMode dummy, event::EventLoop* loop = nullptr);
  ~Bridges();
  Bridges(const Bridges&) = delete;
  Bridges& operator=(const Bridges&) = delete;

  void set_observer(BridgeObserver* observer) { observer_ = observer; }

  // Applies the database's configuration.  Returns the ops applied.
  std::vector<ConfigOp> reconfigure(const ovsdb_idl::Replica& replica);
  // Applies an already-built snapshot (tests).
  std::vector<ConfigOp> apply(const SwitchConfig& cfg);

  // Writes what the database should show now into `txn` (only columns
  // whose value differs from the replica): Interface ofport, error,
  // mac_in_use, ifindex, admin_state, link_state; Bridge datapath_id;
  // Open_vSwitch cur_cfg, datapath_types, iface_types, ovs_version.
  void write_status(ovsdb_idl::Txn& txn) const;

  // Periodic work: flow timeouts of every bridge.
  void run();

  ofproto_dpif::Ofproto* find(const std::string& name) const;
  std::vector<ofproto_dpif::Ofproto*> all() const;  // by name
  const SwitchConfig& config() const { return current_; }
  // The dpif provider that implements datapath type `type`.
  std::string provider_for(const std::string& type) const;

 private:
  struct IfaceState {
    std::optional<uint32_t> ofport;  // nullopt: failed
    std::string error;
  };
  struct Datapath {
    std::shared_ptr<ofproto_dpif::Backer> backer;
    int n_bridges = 0;
  };

  void apply_op(const ConfigOp& op, const SwitchConfig& to);
  void add_bridge(const BridgeConfig& cfg);
  void del_bridge(const std::string& name);
  void configure_bridge(ofproto_dpif::Ofproto& ofproto, const BridgeConfig& cfg);
  void add_iface(const BridgeConfig& br, const PortConfig& port, const IfaceConfig& iface);
  uint64_t pick_datapath_id(ofproto_dpif::Ofproto& ofproto, const BridgeConfig& cfg);
  void write_iface_status(ovsdb_idl::Txn& txn, const IfaceConfig& ic) const;
  void write_controller_status(ovsdb_idl::Txn& txn, const BridgeConfig& br) const;

  DummyMode dummy_;
  event::EventLoop* loop_;
  BridgeObserver* observer_ = nullptr;
  SwitchConfig current_;
  std::map<std::string, std::unique_ptr<ofproto_dpif::Ofproto>> ofprotos_;
  std::map<std::string, Datapath> datapaths_;  // by datapath type
  std::map<std::string, IfaceState> ifaces_;   // by interface name
  std::map<std::string, std::string> bridge_errors_;
};

}  // namespace grebe::bridge
