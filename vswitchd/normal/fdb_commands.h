// The text of the fdb/* ovs-appctl commands, byte-compatible with OVS.
// The program registers the commands and resolves BRIDGE names; these
// functions only format (and flush) one bridge's table.  Any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "normal/mac_learning.h"

namespace grebe::normal {

// Port number -> the name fdb/show prints.  OVS prints the OpenFlow port
// number ("LOCAL" for 0xfffe), which is the default when this is empty.
using PortNameFn = std::function<std::string(uint32_t ofp_port)>;

// fdb/show BRIDGE:
// " port  VLAN  MAC                Age\n" then one line per entry, least
// recently used first, with "static" in place of the age for static ones.
std::string fdb_show(const MacLearning& ml, const PortNameFn& port_name = {});

// fdb/stats-show BRIDGE: "Statistics for bridge \"br0\":\n  Current/..."
std::string fdb_stats_show(const std::string& bridge, const MacLearning& ml);

// Replies of fdb/flush [BRIDGE] and fdb/stats-clear [BRIDGE] (after the
// caller flushed / cleared every table concerned), and the error for an
// unknown bridge.
inline constexpr const char* kFdbFlushReply = "table successfully flushed";
inline constexpr const char* kFdbStatsClearReply = "statistics successfully cleared";
inline constexpr const char* kFdbNoSuchBridge = "no such bridge";

// OVS's ofputil_port_to_string without a port map.
std::string ofp_port_to_string(uint32_t ofp_port);

}  // namespace grebe::normal
