// The dummy datapath.  See dpif_dummy.h.
#include "dpif_dummy.h"

#include <mutex>
#include <set>
#include <string>

#include "../dp_netdev.h"
#include "grebe/dpif/netdev_dummy.h"

namespace grebe::dpif {
namespace {

std::mutex names_mutex;
std::set<std::string, std::less<>>& live_names() {
  static auto* names = new std::set<std::string, std::less<>>;
  return *names;
}

// A DpNetdev whose name is reserved while it lives, so two opens of one
// name cannot build two unrelated datapaths.
class DummyDpif : public DpNetdev {
 public:
  explicit DummyDpif(std::string name)
      : DpNetdev("dummy", name, netdev::DummyNetdev::create(name, "dummy-internal")) {}
  ~DummyDpif() override {
    std::lock_guard lock(names_mutex);
    live_names().erase(name());
  }
};

}  // namespace

Result<std::unique_ptr<Dpif>> open_dummy(std::string_view name, bool create) {
  std::lock_guard lock(names_mutex);
  if (live_names().count(name)) {
    return Error(EEXIST, "dummy datapath " + std::string(name) + " is already open");
  }
  if (!create) return Error(ENODEV, "dummy datapath " + std::string(name) + " does not exist");
  live_names().insert(std::string(name));
  return std::unique_ptr<Dpif>(new DummyDpif(std::string(name)));
}

}  // namespace grebe::dpif
