// Helpers shared by the Linux netdev providers (system, internal, tap):
// interface ioctls and /proc/net/dev statistics.  Internal to lib/netdev.
#pragma once

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {

// A datagram socket for interface ioctls, opened per call so the netdev
// keeps no fd that a namespace change would make stale.
class IoctlSocket {
 public:
  IoctlSocket() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~IoctlSocket() {
    if (fd_ >= 0) close(fd_);
  }
  // Runs `request` on `ifr` for `name`; errno on failure.
  Status run(const std::string& name, unsigned long request, ifreq& ifr, const char* what) {
    if (fd_ < 0) return errno_error("socket");
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd_, request, &ifr) < 0) {
      int e = errno;
      return Error(e, name + ": ioctl(" + what + ") failed");
    }
    return ok_status();
  }

 private:
  int fd_;
};

// Reads `name`'s line of /proc/net/dev (the calling thread's namespace).
// ENODEV if the device is not listed.
Result<Stats> read_proc_stats(const std::string& name);

// Maps IFF_* interface flags to netdev Flags.
uint32_t iff_to_flags(int iff);

// The ioctl-based configuration every Linux device shares (MTU, MAC,
// flags, carrier), for the providers to forward to.  Calling thread's
// namespace; errno errors as the ioctls give them.
Result<int> linux_get_mtu(const std::string& name);
Status linux_set_mtu(const std::string& name, int mtu);
Result<EthAddr> linux_get_etheraddr(const std::string& name);
Status linux_set_etheraddr(const std::string& name, const EthAddr& mac);
Result<uint32_t> linux_get_flags(const std::string& name);
Result<uint32_t> linux_update_flags(const std::string& name, uint32_t off, uint32_t on);
Result<bool> linux_get_carrier(const std::string& name);

}  // namespace grebe::netdev
