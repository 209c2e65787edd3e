// The "dummy" dpif provider: the userspace datapath core with dummy
// netdevs, for tests and `ovs-vswitchd --enable-dummy`.  Internal.
#pragma once

#include <memory>
#include <string_view>

#include "grebe/dpif/dpif.h"

namespace grebe::dpif {

// Opens dummy datapath `name`, creating it if `create` and absent (ENODEV
// otherwise).  Every open of a name shares one datapath, which lives while
// any handle is open or until destroy().
Result<std::unique_ptr<Dpif>> open_dummy(std::string_view name, bool create);

}  // namespace grebe::dpif
