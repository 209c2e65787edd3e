// OpenFlow versions and "protocols" (version + flow-match format), with the
// names ovs-ofctl uses (-O OpenFlow13, -F NXM, "usable protocols: ...").
//
// Thread-safety: pure functions over constants.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "grebe/util/result.h"

namespace grebe::openflow {

// Wire version numbers.
enum OfpVersion : uint8_t {
  kOfp10 = 0x01,
  kOfp11 = 0x02,
  kOfp12 = 0x03,
  kOfp13 = 0x04,
  kOfp14 = 0x05,
  kOfp15 = 0x06,
};

// One bit per protocol, same bit order as OVS (so "first usable" picks the
// same protocol OVS picks).
using Protocols = uint32_t;
inline constexpr Protocols kPOf10Std = 1 << 0;     // OpenFlow10-table_id
inline constexpr Protocols kPOf10StdTid = 1 << 1;  // OpenFlow10+table_id
inline constexpr Protocols kPOf10Nxm = 1 << 2;     // NXM-table_id
inline constexpr Protocols kPOf10NxmTid = 1 << 3;  // NXM+table_id
inline constexpr Protocols kPOf11Std = 1 << 4;     // OpenFlow11
inline constexpr Protocols kPOf12Oxm = 1 << 5;
inline constexpr Protocols kPOf13Oxm = 1 << 6;
inline constexpr Protocols kPOf14Oxm = 1 << 7;
inline constexpr Protocols kPOf15Oxm = 1 << 8;

inline constexpr Protocols kPNone = 0;
inline constexpr Protocols kPAny = (1 << 9) - 1;
inline constexpr Protocols kPOf10StdAny = kPOf10Std | kPOf10StdTid;
inline constexpr Protocols kPOf10NxmAny = kPOf10Nxm | kPOf10NxmTid;
inline constexpr Protocols kPOf10Any = kPOf10StdAny | kPOf10NxmAny;
inline constexpr Protocols kPAnyOxm = kPOf12Oxm | kPOf13Oxm | kPOf14Oxm | kPOf15Oxm;
inline constexpr Protocols kPNxmOf11Up = kPOf10NxmAny | kPOf11Std | kPAnyOxm;
inline constexpr Protocols kPNxmOxmAny = kPOf10NxmAny | kPAnyOxm;
inline constexpr Protocols kPOf15Up = kPOf15Oxm;
inline constexpr Protocols kPOf14Up = kPOf14Oxm | kPOf15Up;
inline constexpr Protocols kPOf13Up = kPOf13Oxm | kPOf14Up;
inline constexpr Protocols kPOf12Up = kPOf12Oxm | kPOf13Up;
inline constexpr Protocols kPOf11Up = kPOf11Std | kPAnyOxm;
// Protocols that can carry a table id in a flow_mod.
inline constexpr Protocols kPTid = kPOf10StdTid | kPOf10NxmTid | kPOf11Std | kPAnyOxm;

// "NXM-table_id", "OXM-OpenFlow13", ... for a single protocol bit.
const char* protocol_to_string(Protocols single);
// "any", "OpenFlow10", "NXM", "OXM" abbreviations first, then single names,
// comma-separated; "none" for 0.
std::string protocols_to_string(Protocols protocols);
// Parses a comma-separated list (for -F); error "X: unknown flow protocol".
Result<Protocols> protocols_from_string(std::string_view s);

// The wire version a protocol uses.
OfpVersion protocol_to_version(Protocols single);
// All protocols usable over the versions in `bitmap` (bit v = version v).
Protocols protocols_from_version_bitmap(uint32_t bitmap);
// Adds or removes the table_id extension for OF1.0 protocols.
Protocols protocol_set_tid(Protocols single, bool enable);

// "OpenFlow13" -> 4 (case-insensitive), 0 if unknown.
uint8_t version_from_string(std::string_view s);
// "OpenFlow10,OpenFlow13" or "OpenFlow10 OpenFlow13": the version bitmap.
// Error: Unknown OpenFlow version: "X".
Result<uint32_t> versions_from_string(std::string_view s);
// "OpenFlow13" for 4; "OF1.3" short form for ofp-print headers.
const char* version_to_string(uint8_t version);
const char* version_to_short_string(uint8_t version);

}  // namespace grebe::openflow
