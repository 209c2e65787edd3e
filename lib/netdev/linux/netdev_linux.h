// The "system" netdev provider: a Linux network device configured through
// ioctl(2) and /proc/net/dev, with packet I/O through a PacketRing.
// Internal to lib/netdev.
#pragma once

#include <memory>
#include <string_view>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {

// Opens Linux device `name` in the calling thread's network namespace.
// ENODEV if absent; EPERM/EACCES without CAP_NET_RAW.
Result<std::unique_ptr<Netdev>> open_linux(std::string_view name);

}  // namespace grebe::netdev
