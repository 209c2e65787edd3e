// The "internal" and "tap" netdev providers: a Linux tap device whose
// file descriptor this process holds (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR).
//
//   internal  a new tap named after the bridge/port, created exclusively
//             (IFF_TUN_EXCL: EEXIST if any device of that name exists, so
//             two vswitchd instances never share one -- there is no fixed
//             global device like OVS's "ovs-netdev"), brought up; it goes
//             away when the netdev is destroyed.
//   tap       an existing (e.g. persistent) tap attached by name, or a new
//             one if none exists.
//
// Direction: a frame send() writes is received by the kernel on the
// device; what the kernel transmits on the device is what rx_recv() reads.
// Statistics are therefore swapped, as OVS does, to be from the switch's
// side.  Internal to lib/netdev.
#pragma once

#include <memory>
#include <string_view>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {

// Opens a tap device for type "internal" (`create_exclusive`) or "tap".
// Calling thread's network namespace.  EEXIST (internal) if the name is
// taken, EBUSY if another process holds the tap, EPERM without
// CAP_NET_ADMIN, ENODEV if /dev/net/tun is missing.
Result<std::unique_ptr<Netdev>> open_tap(std::string_view name, bool create_exclusive);

}  // namespace grebe::netdev
