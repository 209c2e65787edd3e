// How ovs-ofctl turns its SWITCH argument into an OpenFlow connection:
// "tcp:1.2.3.4", "unix:/path" as given; otherwise a bridge name ("br0",
// "netdev@br0") or a socket file name, tried as unix:NAME (relative to the
// rundir), unix:<rundir>/NAME.mgmt, then unix:<rundir>/<datapath>.mgmt
// (".snoop" for snoop targets).  OVS: utilities/ovs-ofctl.c open_vconn__().
//
// Threads: any.  Blocks (it connects and negotiates), for command-line tools.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"
#include "grebe/vconn/vconn.h"

namespace grebe::vconn {

enum class OfctlTarget { kMgmt, kSnoop };

// The vconn names open_ofctl_target() tries, in order.
std::vector<std::string> ofctl_target_candidates(std::string_view name, OfctlTarget target);

// Opens and connects `name` as ovs-ofctl does.  Errors carry OVS's fatal
// message text (the tool prints "ovs-ofctl: " + to_string()):
//   "connecting to NAME" (+ errno)           open of a TYPE:... name failed
//   "NAME: failed to open socket" (+ errno)  a unix candidate failed other
//                                            than with ENOENT
//   "NAME is not a bridge or a socket"       no candidate exists (ENOENT)
//   "NAME: failed to connect to socket" (+ errno)  connect/hello failed
// A snoop target accepts messages of any version.
Result<std::unique_ptr<Vconn>> open_ofctl_target(std::string_view name, OfctlTarget target,
                                                 uint32_t allowed_versions);

}  // namespace grebe::vconn
