// Netdev registry and EthAddr text.  See grebe/netdev/netdev.h.
#include "grebe/netdev/netdev.h"

#include <cstdio>

#include "linux/netdev_linux.h"

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

Result<std::unique_ptr<Netdev>> Netdev::open(std::string_view name, std::string_view type) {
  if (type == "system") return open_linux(name);
  return Error(EAFNOSUPPORT, "unknown netdev type \"" + std::string(type) + "\"");
}

std::vector<std::string> Netdev::types() { return {"system"}; }

}  // namespace grebe::netdev
