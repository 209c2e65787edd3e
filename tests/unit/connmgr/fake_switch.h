// FakeSwitch: a SwitchOps over real OfprotoTables / GroupTable / MeterTable
// that records what the Connmgr asked of it (packet-outs, port-mods, meter
// pushes, fail-open changes).
#pragma once

#include <vector>

#include "connmgr/switch_ops.h"

namespace grebe::connmgr::test {

class FakeSwitch : public SwitchOps {
 public:
  FakeSwitch();

  uint64_t datapath_id() const override { return dpid; }
  std::vector<openflow::PhyPort> ports() const override { return port_list; }
  std::vector<PortStats> port_stats() const override;
  Status port_mod(const PortMod& pm) override;
  ofproto::OfprotoTables& tables() override { return tables_; }
  void flows_changed(const ofproto::FlowModOutcome& outcome) override;
  ofproto::GroupTable& groups() override { return groups_; }
  void groups_changed() override { ++n_groups_changed; }
  ofproto::MeterTable& meters() override { return meters_; }
  Status meter_set(const ofproto::Meter& meter) override;
  void meter_del(uint32_t meter_id) override { meters_deleted.push_back(meter_id); }
  Status packet_out(const openflow::PacketOut& po) override;
  void set_fail_open(bool active) override { fail_open = active; }

  uint64_t dpid = 0x0000aabbccddeeffull;
  std::vector<openflow::PhyPort> port_list;
  std::vector<PortMod> port_mods;
  std::vector<openflow::PacketOut> packet_outs;
  std::vector<uint32_t> meters_set, meters_deleted;
  bool fail_meter_set = false;
  bool fail_open = false;
  int n_flows_changed = 0, n_groups_changed = 0;

 private:
  ofproto::OfprotoTables tables_;
  ofproto::GroupTable groups_;
  ofproto::MeterTable meters_;
};

}  // namespace grebe::connmgr::test
