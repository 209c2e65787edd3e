// The dummy datapath.  See dpif_dummy.h.
#include "dpif_dummy.h"

#include <map>
#include <mutex>
#include <string>

#include "../dp_handle.h"
#include "grebe/dpif/netdev_dummy.h"

namespace grebe::dpif {
namespace {

std::mutex dps_mutex;
// Datapaths by name; a datapath lives while any handle to it is open.
std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>& dps() {
  static auto* m = new std::map<std::string, std::weak_ptr<DpNetdev>, std::less<>>;
  return *m;
}

void forget(const DpNetdev& dp) {
  std::lock_guard lock(dps_mutex);
  auto it = dps().find(dp.name());
  if (it != dps().end() && it->second.lock().get() == &dp) dps().erase(it);
}

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
  return std::unique_ptr<Dpif>(new DpHandle(std::move(dp), forget));
}

}  // namespace grebe::dpif
