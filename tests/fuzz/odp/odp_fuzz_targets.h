// Fuzz entry points for the odp codecs, shared by the libFuzzer binaries
// (built with GREBE_FUZZ=ON) and the corpus-replay unit test (always built).
// Each must never crash, hang or read out of bounds on any input.
#pragma once

#include <cstddef>
#include <cstdint>

namespace grebe::odp::fuzz {

// Arbitrary bytes as netlink attributes: the first byte splits the rest into
// a flow key and mask; all of it is also formatted as actions and parsed
// with a policy table.
void fuzz_odp_attrs(const uint8_t* data, size_t size);
// Arbitrary bytes as datapath flow / action text; what parses is formatted
// and parsed again.
void fuzz_odp_text(const uint8_t* data, size_t size);

}  // namespace grebe::odp::fuzz
