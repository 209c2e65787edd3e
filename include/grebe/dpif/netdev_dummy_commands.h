// The `ovs-appctl netdev-dummy/*` commands over DummyNetdev, as functions
// the vswitchd registers with unixctl (argument vectors exclude the
// command name).  Replies and error texts are OVS's.
//
// Thread-safety: any thread (DummyNetdev locks internally).
#pragma once

#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::netdev {

// netdev-dummy/receive NAME [--qid QID] PACKET|FLOW [--len LEN]...
// Each PACKET is hex bytes or a datapath flow; --len pads a composed flow
// packet to LEN bytes.  Success replies "" (OVS replies nothing).
Result<std::string> netdev_dummy_receive_command(const std::vector<std::string>& args);

// netdev-dummy/set-admin-state [NAME] up|down -> "OK".  Without NAME,
// every dummy device.
Result<std::string> netdev_dummy_set_admin_state_command(const std::vector<std::string>& args);

}  // namespace grebe::netdev
