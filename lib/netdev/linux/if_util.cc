// Linux interface helpers.  See if_util.h.
#include "if_util.h"

#include <net/if_arp.h>

#include <fstream>
#include <sstream>

namespace grebe::netdev {

Result<Stats> read_proc_stats(const std::string& name) {
  // thread-self: /proc/net follows the main thread's namespace, and the
  // caller may have entered another one with setns().
  std::ifstream f("/proc/thread-self/net/dev");
  if (!f) f.open("/proc/net/dev");
  if (!f) return errno_error("/proc/net/dev");
  std::string line;
  while (std::getline(f, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t start = line.find_first_not_of(' ');
    if (line.compare(start, colon - start, name) != 0 || colon - start != name.size()) continue;
    std::istringstream in(line.substr(colon + 1));
    uint64_t v[16] = {};
    for (auto& x : v) in >> x;
    if (!in && !in.eof()) break;
    Stats s;
    s.rx_bytes = v[0], s.rx_packets = v[1], s.rx_errors = v[2], s.rx_dropped = v[3];
    s.multicast = v[7];
    s.tx_bytes = v[8], s.tx_packets = v[9], s.tx_errors = v[10], s.tx_dropped = v[11];
    s.collisions = v[13];
    return s;
  }
  return Error(ENODEV, name + ": not in /proc/net/dev");
}

uint32_t iff_to_flags(int iff) {
  uint32_t f = 0;
  if (iff & IFF_UP) f |= kUp;
  if (iff & IFF_PROMISC) f |= kPromisc;
  if (iff & IFF_LOOPBACK) f |= kLoopback;
  return f;
}

Result<int> linux_get_mtu(const std::string& name) {
  ifreq ifr{};
  GREBE_TRY(IoctlSocket().run(name, SIOCGIFMTU, ifr, "SIOCGIFMTU"));
  return ifr.ifr_mtu;
}

Status linux_set_mtu(const std::string& name, int mtu) {
  ifreq ifr{};
  ifr.ifr_mtu = mtu;
  return IoctlSocket().run(name, SIOCSIFMTU, ifr, "SIOCSIFMTU");
}

Result<EthAddr> linux_get_etheraddr(const std::string& name) {
  ifreq ifr{};
  GREBE_TRY(IoctlSocket().run(name, SIOCGIFHWADDR, ifr, "SIOCGIFHWADDR"));
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    return Error(EINVAL, name + ": device has unknown hardware address family " +
                             std::to_string(ifr.ifr_hwaddr.sa_family));
  }
  EthAddr mac;
  std::memcpy(mac.octets.data(), ifr.ifr_hwaddr.sa_data, 6);
  return mac;
}

Status linux_set_etheraddr(const std::string& name, const EthAddr& mac) {
  ifreq ifr{};
  ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  std::memcpy(ifr.ifr_hwaddr.sa_data, mac.octets.data(), 6);
  return IoctlSocket().run(name, SIOCSIFHWADDR, ifr, "SIOCSIFHWADDR");
}

Result<uint32_t> linux_get_flags(const std::string& name) {
  ifreq ifr{};
  GREBE_TRY(IoctlSocket().run(name, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
  return iff_to_flags(ifr.ifr_flags);
}

Result<uint32_t> linux_update_flags(const std::string& name, uint32_t off, uint32_t on) {
  IoctlSocket sock;
  ifreq ifr{};
  GREBE_TRY(sock.run(name, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
  uint32_t old = iff_to_flags(ifr.ifr_flags);
  int iff = ifr.ifr_flags;
  if (off & kUp) iff &= ~IFF_UP;
  if (off & kPromisc) iff &= ~IFF_PROMISC;
  if (on & kUp) iff |= IFF_UP;
  if (on & kPromisc) iff |= IFF_PROMISC;
  if (iff != ifr.ifr_flags) {
    ifr.ifr_flags = static_cast<short>(iff);
    GREBE_TRY(sock.run(name, SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS"));
  }
  return old;
}

Result<bool> linux_get_carrier(const std::string& name) {
  // IFF_RUNNING is the kernel's operational state: carrier present on an
  // up device (what OVS reads from the link's netlink flags).
  ifreq ifr{};
  GREBE_TRY(IoctlSocket().run(name, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
  return (ifr.ifr_flags & IFF_RUNNING) != 0;
}

}  // namespace grebe::netdev
