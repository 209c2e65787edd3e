// The "dummy" dpif provider: the userspace datapath core with dummy
// netdevs, for tests and `ovs-vswitchd --enable-dummy`.  Internal.
#pragma once

#include <memory>
#include <string_view>

#include "grebe/dpif/dpif.h"

namespace grebe::dpif {

// Opens (or with `create`, creates) dummy datapath `name`.  A process
// holds each name once: EEXIST if it is already open, ENODEV if !create.
Result<std::unique_ptr<Dpif>> open_dummy(std::string_view name, bool create);

}  // namespace grebe::dpif
