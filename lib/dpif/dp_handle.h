// DpHandle: one opener's handle on a shared userspace datapath.  The
// vswitchd and its dpctl/* commands each open "ovs-netdev" (or a dummy
// datapath by name) and every call forwards to the one DpNetdev.
// Internal to lib/dpif; thread-safety is DpNetdev's.
#pragma once

#include <functional>
#include <memory>

#include "dp_netdev.h"

namespace grebe::dpif {

class DpHandle : public Dpif {
 public:
  // `forget` runs on destroy() so the provider stops handing this
  // datapath out by name.
  DpHandle(std::shared_ptr<DpNetdev> dp, std::function<void(const DpNetdev&)> forget)
      : dp_(std::move(dp)), forget_(std::move(forget)) {}

  std::string_view type() const override { return dp_->type(); }
  const std::string& name() const override { return dp_->name(); }
  Status destroy() override {
    if (forget_) forget_(*dp_);
    return dp_->destroy();
  }
  DpStats stats() const override { return dp_->stats(); }
  std::string version() const override { return dp_->version(); }
  Result<OdpPort> port_add(netdev::Netdev& netdev, std::optional<OdpPort> requested) override {
    return dp_->port_add(netdev, requested);
  }
  Status port_del(OdpPort port) override { return dp_->port_del(port); }
  Result<DpifPort> port_query(OdpPort port) const override { return dp_->port_query(port); }
  Result<DpifPort> port_query(std::string_view devname) const override {
    return dp_->port_query(devname);
  }
  std::vector<DpifPort> ports() const override { return dp_->ports(); }
  uint32_t port_upcall_pid(OdpPort port) const override { return dp_->port_upcall_pid(port); }
  void operate(std::vector<Op>& ops) override { dp_->operate(ops); }
  Status flow_flush() override { return dp_->flow_flush(); }
  std::unique_ptr<FlowDump> flow_dump(bool terse) override { return dp_->flow_dump(terse); }
  Status handlers_set(uint32_t n) override { return dp_->handlers_set(n); }
  Result<Upcall> recv(uint32_t handler_id) override { return dp_->recv(handler_id); }
  int wait_fd(uint32_t handler_id) const override { return dp_->wait_fd(handler_id); }
  void recv_purge() override { dp_->recv_purge(); }
  Status meter_set(uint32_t id, uint32_t flags, const std::vector<MeterBand>& bands) override {
    return dp_->meter_set(id, flags, bands);
  }
  Status meter_del(uint32_t id) override { return dp_->meter_del(id); }
  size_t run() override { return dp_->run(); }
  Status set_flow_limit(size_t limit) override { return dp_->set_flow_limit(limit); }
  Status set_config(const std::map<std::string, std::string>& c) override {
    return dp_->set_config(c);
  }
  Result<std::string> pmd_stats_show() const override { return dp_->pmd_stats_text(); }
  Result<std::string> pmd_rxq_show() const override { return dp_->pmd_rxq_text(); }
  Result<std::vector<conntrack::Entry>> ct_dump(std::optional<uint16_t> zone) const override {
    return dp_->ct_dump(zone);
  }
  Status ct_flush(std::optional<uint16_t> zone) override { return dp_->ct_flush(zone); }
  Result<conntrack::Stats> ct_stats() const override { return dp_->ct_stats(); }
  Status ct_set_maxconns(size_t n) override { return dp_->ct_set_maxconns(n); }
  Result<size_t> ct_get_maxconns() const override { return dp_->ct_get_maxconns(); }
  Status ct_set_limit(uint16_t zone, uint32_t limit) override {
    return dp_->ct_set_limit(zone, limit);
  }
  Result<std::map<uint16_t, std::pair<uint32_t, size_t>>> ct_get_limits() const override {
    return dp_->ct_get_limits();
  }

 private:
  std::shared_ptr<DpNetdev> dp_;
  std::function<void(const DpNetdev&)> forget_;
};

}  // namespace grebe::dpif
