// The "netdev" dpif provider: the userspace datapath (DpNetdev) over real
// devices -- "system" (AF_PACKET rings with vnet headers), "internal" and
// "tap" (lib/netdev), and "dummy" ports -- with receive threads that block
// in epoll (one by default; other_config:pmd-cpu-mask sets how many and
// where).  As in OVS every bridge of datapath_type=netdev shares one
// datapath, "ovs-netdev", whose local port is an internal (tap) device of
// that name.  Internal to lib/dpif.
#pragma once

#include <memory>
#include <string_view>

#include "grebe/dpif/dpif.h"

namespace grebe::dpif {

// Opens netdev datapath `name`, creating it if `create` and absent (ENODEV
// otherwise).  Every open of a name shares one datapath, which lives while
// any handle is open or until destroy().  Main thread.
Result<std::unique_ptr<Dpif>> open_netdev(std::string_view name, bool create);

}  // namespace grebe::dpif
