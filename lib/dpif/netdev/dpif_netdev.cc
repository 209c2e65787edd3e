// The netdev datapath provider.  See dpif_netdev.h.
#include "dpif_netdev.h"

#include <map>
#include <mutex>
#include <string>

#include "../dp_handle.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev_provider);

namespace grebe::dpif {
namespace {

std::mutex dps_mutex;
std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>& dps() {
  static auto* m = new std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>;
  return *m;
}

void forget(const DpNetdev& dp) {
  std::lock_guard lock(dps_mutex);
  auto it = dps().find(dp.name());
  if (it != dps().end() && it->second.lock().get() == &dp) dps().erase(it);
}

// The datapath's own port: a tap device named after it, as OVS creates
// "ovs-netdev".  Without CAP_NET_ADMIN (tests as a user) a dummy device
// stands in, so the datapath still works for ports that need no privilege.
std::unique_ptr<netdev::Netdev> open_local_port(const std::string& name) {
  auto tap = netdev::Netdev::open(name, "internal");
  if (tap.ok()) {
    // Kept down, as OVS leaves "ovs-netdev": nothing uses it, and an up
    // device would only feed the datapath IPv6 autoconfiguration noise.
    (void)(*tap)->update_flags(netdev::kUp, 0);
    return std::move(*tap);
  }
  VLOG_WARN("%s: cannot create internal device (%s); local port is a dummy", name.c_str(),
            tap.error().to_string().c_str());
  return netdev::DummyNetdev::create(name, "dummy-internal");
}

}  // namespace

Result<std::unique_ptr<Dpif>> open_netdev(std::string_view name, bool create) {
  std::lock_guard lock(dps_mutex);
  auto it = dps().find(name);
  std::shared_ptr<DpNetdev> dp = it == dps().end() ? nullptr : it->second.lock();
  if (!dp) {
    if (!create) return Error(ENODEV, "netdev datapath " + std::string(name) + " does not exist");
    std::string n(name);
    dp = std::make_shared<DpNetdev>("netdev", n, open_local_port(n));
    GREBE_TRY(dp->set_rx_threads(1, {}));
    dps()[n] = dp;
  }
  return std::unique_ptr<Dpif>(new DpHandle(std::move(dp), forget));
}

}  // namespace grebe::dpif
