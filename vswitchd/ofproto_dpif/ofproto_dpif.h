// Ofproto: one bridge's OpenFlow switch over a shared datapath (OVS's
// ofproto + ofproto-dpif): the flow tables (OfprotoTables), the OpenFlow
// ports with their netdevs and datapath ports, and the hooks translation
// needs (XlateHooks).  The bridge layer creates one per Bridge row and
// drives it; upcall handlers translate through it.
//
// It is also the connection manager's switch (connmgr::SwitchOps) and owns
// that Connmgr: ovs-ofctl and controllers reach the tables, groups, meters
// and ports through it.
//
// Threads: every method on the main thread, except the XlateHooks, which
// translating threads call while holding backer().xlate_lock() shared.
// Methods that change what translation reads take the lock exclusively
// themselves (see backer.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connmgr/connmgr.h"
#include "connmgr/switch_ops.h"
#include "grebe/dpif/dpif.h"
#include "grebe/netdev/netdev.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/packet/flow.h"
#include "normal/mac_learning.h"
#include "normal/normal_config.h"
#include "ofproto/group_table.h"
#include "ofproto/meter_table.h"
#include "ofproto/ofproto_tables.h"
#include "ofproto_dpif/backer.h"
#include "xlate/xlate.h"

namespace grebe::ofproto_dpif {

// Port VLAN settings NORMAL uses (Port tag / trunks / vlan_mode).
struct PortVlan {
  std::optional<int> tag;
  std::vector<int> trunks;
  std::string vlan_mode;
};

// What the bridge asks for when it adds an interface.
struct PortSpec {
  std::string name;
  std::string type;  // database type: "", system, internal, tap, dummy, dummy-internal
  std::optional<uint32_t> ofport_request;
  std::map<std::string, std::string> options;
  std::optional<int64_t> mtu_request;
  std::string bundle;  // the Port row's name (several interfaces may share it)
};

struct OfPort {
  uint32_t ofp_port = 0;
  dpif::OdpPort odp_port = dpif::kOdppNone;
  std::string name, type, bundle;
  std::unique_ptr<netdev::Netdev> netdev;
  uint32_t config = 0;  // OFPPC_* bits set by port_mod
  PortVlan vlan;
  long long created = 0;
  // Whether the port can forward: admin up, carrier, not OFPPC_PORT_DOWN.
  bool is_live() const;
};

class Ofproto : public xlate::XlateHooks, public connmgr::SwitchOps {
 public:
  // Creates bridge `name` on `backer`.  With `loop`, also its Connmgr
  // (management socket <rundir>/<name>.mgmt, controllers).  Main thread.
  Ofproto(std::string name, std::shared_ptr<Backer> backer, event::EventLoop* loop = nullptr);
  ~Ofproto() override;  // removes every port from the datapath
  Ofproto(const Ofproto&) = delete;
  Ofproto& operator=(const Ofproto&) = delete;

  const std::string& name() const { return name_; }
  Backer& backer() { return *backer_; }
  const Backer& backer() const { return *backer_; }
  ofproto::OfprotoTables& tables() override { return tables_; }
  const ofproto::OfprotoTables& tables() const { return tables_; }
  connmgr::Connmgr* connmgr() { return connmgr_.get(); }
  normal::MacLearning& mac_table() { return *mac_learning_; }

  // ---- Ports (main thread) ----
  // Opens the netdev and adds it to the datapath; an interface named like
  // the bridge becomes OFPP_LOCAL.  Returns the OpenFlow port number.
  // Errors carry OVS's text ("could not open network device p1 (No such
  // device)", "could not add network device p1 to ofproto (...)").
  Result<uint32_t> add_port(const PortSpec& spec);
  void del_port(const std::string& name);
  // Options / MTU of an existing port.
  Status reconfigure_port(const std::string& name, const std::map<std::string, std::string>& options,
                          std::optional<int64_t> mtu_request);
  void set_port_vlan(const std::string& bundle, const PortVlan& vlan);
  const OfPort* find_port(uint32_t ofp_port) const;
  const OfPort* find_port(const std::string& name) const;
  std::vector<const OfPort*> port_list() const;  // ascending OpenFlow port number
  openflow::PhyPort phy_port(const OfPort& port) const;
  // OFPT_PORT_MOD config bits (OFPPC_PORT_DOWN also sets the netdev down).
  Status set_port_config(uint32_t ofp_port, uint32_t config, uint32_t mask);

  // ---- Identity ----
  uint64_t datapath_id() const override { return datapath_id_; }
  void set_datapath_id(uint64_t dpid) { datapath_id_ = dpid; }
  netdev::EthAddr hwaddr() const;

  // ---- Flows (main thread) ----
  // Applies a flow_mod (learned flows, tests); signals revalidation.
  Result<ofproto::FlowModOutcome> flow_mod(const openflow::FlowMod& fm);
  // Tell revalidators that translation results may have changed.
  void flows_changed();
  // A flow_mod outcome from the connmgr: revalidate.
  void flows_changed(const ofproto::FlowModOutcome& outcome) override;
  // Timeouts; frees rules removed since the last call (under xlate_lock).
  // Returns the expired rules that asked for flow_removed.
  std::vector<ofproto::FlowRemoved> run(long long now);
  // fail-open: the hidden NORMAL flow in table 0 (priority 0xf0f0f0).
  void set_fail_open(bool active) override;
  bool fail_open() const { return fail_open_; }

  // ---- Packets (main thread) ----
  // Translates `packet` arriving on OpenFlow port `in_port` with `actions`
  // (or the pipeline from table 0 when actions is null) and executes it.
  Status execute(const std::vector<uint8_t>& packet, uint32_t in_port,
                 const openflow::ActionList* actions);
  // Rebuilds the NORMAL port snapshot from the ports' VLAN settings.
  void publish_normal_config();

  // ---- Translation (xlate_lock shared or main thread) ----
  xlate::XlateIn xlate_in(const Flow& flow) const;

  // A packet-in for the controllers (from an upcall), main thread.
  void send_packet_in(const connmgr::PacketInRequest& pin);
  // Bridge settings: controllers, fail mode, OpenFlow versions (Bridge
  // protocols, empty = all), other_config.
  void configure(const std::vector<connmgr::ControllerConfig>& controllers,
                 const std::string& fail_mode, const std::vector<std::string>& protocols,
                 const std::map<std::string, std::string>& other_config);

  // XlateHooks.
  std::optional<uint32_t> odp_port(uint32_t ofp_port) const override;
  std::vector<uint32_t> flood_ports() const override;
  bool port_is_live(uint32_t ofp_port) const override;
  const normal::NormalConfig* normal_config() const override { return normal_config_.get(); }
  normal::MacLearning* mac_learning() const override { return mac_learning_.get(); }
  const openflow::GroupMod* group(uint32_t group_id) const override;
  std::optional<uint32_t> dp_meter_id(uint32_t meter_id) const override;
  xlate::RecircRegistry* recirc_registry() const override { return &backer_->recirc(); }
  bool packet_in_on_miss(uint8_t table_id) const override;

  // SwitchOps (ofproto_switch_ops.cc).
  std::vector<openflow::PhyPort> ports() const override;
  std::vector<connmgr::PortStats> port_stats() const override;
  Status port_mod(const connmgr::PortMod& pm) override;
  std::string dp_desc() const override;
  ofproto::GroupTable& groups() override { return groups_; }
  void groups_changed() override;
  ofproto::MeterTable& meters() override { return meters_; }
  Status meter_set(const ofproto::Meter& meter) override;
  void meter_del(uint32_t meter_id) override;
  Status packet_out(const openflow::PacketOut& po) override;

 private:
  Result<std::unique_ptr<netdev::Netdev>> open_netdev(const PortSpec& spec, bool is_local) const;
  uint32_t alloc_ofp_port(std::optional<uint32_t> request) const;

  std::string name_;
  std::shared_ptr<Backer> backer_;
  ofproto::OfprotoTables tables_;
  std::map<uint32_t, OfPort> ports_;  // by OpenFlow port
  uint64_t datapath_id_ = 0;
  bool fail_open_ = false;
  std::map<std::string, std::string> other_config_;
  // Read by translation under xlate_lock (shared); replaced under it
  // (exclusive).
  std::shared_ptr<const normal::NormalConfig> normal_config_;
  std::shared_ptr<const ofproto::GroupSnapshot> groups_snapshot_;
  std::unique_ptr<normal::MacLearning> mac_learning_;
  ofproto::GroupTable groups_;
  ofproto::MeterTable meters_;
  std::unique_ptr<connmgr::Connmgr> connmgr_;  // last: destroyed first
};

// Netdev types of this process (Open_vSwitch:iface_types).
std::vector<std::string> iface_types(bool dummy_enabled);

}  // namespace grebe::ofproto_dpif
