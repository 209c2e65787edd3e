// flow_compose: builds a packet whose extracted flow is `flow` (OVS's
// flow_compose()), for tests, ofproto/trace -generate and compose-packet.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "grebe/packet/flow.h"

namespace grebe {

// Ethernet frame for `flow` with checksums filled in.  The L7 payload is
// `l7` when given, else l7_len bytes 0, 1, 2, ... (OVS's default of 64).
std::vector<uint8_t> flow_compose(const Flow& flow, const uint8_t* l7 = nullptr,
                                  size_t l7_len = 64);

}  // namespace grebe
