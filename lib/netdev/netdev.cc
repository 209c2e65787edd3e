// Netdev registry and EthAddr text.  See grebe/netdev/netdev.h.
#include "grebe/netdev/netdev.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "linux/netdev_linux.h"
#include "tap/netdev_tap.h"

namespace grebe::netdev {

std::string EthAddr::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1], octets[2],
                octets[3], octets[4], octets[5]);
  return buf;
}

Result<EthAddr> EthAddr::from_string(std::string_view s) {
  EthAddr mac;
  unsigned v[6];
  char tail;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &tail) != 6) {
    return Error(EINVAL, str + ": invalid Ethernet address");
  }
  for (int i = 0; i < 6; i++) {
    if (v[i] > 0xff) return Error(EINVAL, str + ": invalid Ethernet address");
    mac.octets[i] = static_cast<uint8_t>(v[i]);
  }
  return mac;
}

namespace {

struct Registry {
  Registry() {
    factories.emplace("internal", [](std::string_view n) { return open_tap(n, true); });
    factories.emplace("tap", [](std::string_view n) { return open_tap(n, false); });
  }
  std::mutex mutex;
  std::map<std::string, Netdev::Factory, std::less<>> factories;
};
// The built-in tap-based types are registered here, when the registry is
// first used, like any other provider.
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

Status Netdev::register_type(std::string type, Factory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (type == "system" || r.factories.count(type)) {
    return Error(EEXIST, "netdev type \"" + type + "\" already registered");
  }
  r.factories.emplace(std::move(type), std::move(factory));
  return ok_status();
}

Result<std::unique_ptr<Netdev>> Netdev::open(std::string_view name, std::string_view type) {
  if (type == "system") return open_linux(name);
  Factory factory;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.factories.find(type);
    if (it != r.factories.end()) factory = it->second;
  }
  if (factory) return factory(name);
  return Error(EAFNOSUPPORT, "unknown netdev type \"" + std::string(type) + "\"");
}

std::vector<std::string> Netdev::types() {
  std::vector<std::string> types = {"system"};
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const auto& [type, factory] : r.factories) types.push_back(type);
  std::sort(types.begin(), types.end());
  return types;
}

}  // namespace grebe::netdev
