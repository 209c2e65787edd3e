// The dummy datapath.  See dpif_dummy.h.
#include "dpif_dummy.h"

#include <map>
#include <mutex>
#include <string>

#include "../dp_netdev.h"
#include "grebe/dpif/netdev_dummy.h"

namespace grebe::dpif {
namespace {

std::mutex dps_mutex;
// Datapaths by name; a datapath lives while any handle to it is open.
std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>& dps() {
  static auto* m = new std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>;
  return *m;
}

// One opener's handle on a shared datapath (the vswitchd and its
// dpctl/* commands each open "ovs-dummy"): every call forwards.
class DummyHandle : public Dpif {
 public:
  explicit DummyHandle(std::shared_ptr<DpNetdev> dp) : dp_(std::move(dp)) {}

  std::string_view type() const override { return dp_->type(); }
  const std::string& name() const override { return dp_->name(); }
  Status destroy() override {
    {
      std::lock_guard lock(dps_mutex);
      auto it = dps().find(dp_->name());
      if (it != dps().end() && it->second.lock() == dp_) dps().erase(it);
    }
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

 private:
  std::shared_ptr<DpNetdev> dp_;
};

}  // namespace

Result<std::unique_ptr<Dpif>> open_dummy(std::string_view name, bool create) {
  std::lock_guard lock(dps_mutex);
  auto it = dps().find(name);
  std::shared_ptr<DpNetdev> dp = it == dps().end() ? nullptr : it->second.lock();
  if (!dp) {
    if (!create) return Error(ENODEV, "dummy datapath " + std::string(name) + " does not exist");
    std::string n(name);
    dp = std::make_shared<DpNetdev>("dummy", n, netdev::DummyNetdev::create(n, "dummy-internal"));
    dps()[n] = dp;
  }
  return std::unique_ptr<Dpif>(new DummyHandle(std::move(dp)));
}

}  // namespace grebe::dpif
