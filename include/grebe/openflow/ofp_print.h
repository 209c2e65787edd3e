// ofp-print: an OpenFlow message as the text "ovs-ofctl ofp-print" prints.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>

namespace grebe::openflow {

// Text for the message(s) at data[0..size), ending in a newline.
// `verbosity` as ovs-ofctl's -v count.  Never fails: undecodable input is
// shown as "***decode error: OFPERR***" plus a hex dump, as OVS does.
std::string ofp_to_string(const uint8_t* data, size_t size, int verbosity = 0);

}  // namespace grebe::openflow
