// Dpif provider registry.  See grebe/dpif/dpif.h.
#include "grebe/dpif/dpif.h"

#include <map>
#include <mutex>

#include "dummy/dpif_dummy.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/netdev/netdev.h"
#include "netdev/dpif_netdev.h"

namespace grebe::dpif {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, DpifFactory, std::less<>> factories;
};

// Built-in providers register on first use, so no static-init order matters.
Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    reg->factories["dummy"] = open_dummy;
    reg->factories["netdev"] = open_netdev;
    register_netdev_types();
    return reg;
  }();
  return *r;
}

}  // namespace

void register_netdev_types() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)netdev::Netdev::register_type("dummy", [](std::string_view name) {
      return Result<std::unique_ptr<netdev::Netdev>>(netdev::DummyNetdev::create(std::string(name)));
    });
  });
}

void register_provider(std::string type, DpifFactory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[std::move(type)] = std::move(factory);
}

std::vector<std::string> Dpif::types() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& [type, f] : r.factories) out.push_back(type);
  return out;
}

Result<std::unique_ptr<Dpif>> Dpif::open(std::string_view type, std::string_view name,
                                         bool create) {
  DpifFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(type);
    if (it == r.factories.end()) {
      return Error(EAFNOSUPPORT, "unknown datapath type \"" + std::string(type) + "\"");
    }
    factory = it->second;
  }
  return factory(name, create);
}

}  // namespace grebe::dpif
