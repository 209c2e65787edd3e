// Flow hashing for multipath, bundle and select groups, computing the same
// values as OVS (jhash / mhash over OVS's network-order field layouts), so
// the same flow picks the same link or bucket as stock Open vSwitch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "grebe/packet/match.h"

namespace grebe::xlate {

// Bob Jenkins' lookup3 as OVS's jhash_bytes.
uint32_t ovs_jhash_bytes(const void* p, size_t n, uint32_t basis);
// OVS's hash_2words / hash_int (the portable variant).
uint32_t ovs_hash_2words(uint32_t x, uint32_t y);

// nx_hash_fields by name: "eth_src", "symmetric_l4", "symmetric_l3l4",
// "symmetric_l3l4+udp", "nw_src", "nw_dst", "symmetric_l3".  Unknown names
// hash like symmetric_l4.
uint32_t flow_hash_fields(const Flow& flow, std::string_view fields, uint16_t basis);
// Unwildcards in `wc` what flow_hash_fields(fields) read.
void flow_mask_hash_fields(const Flow& flow, FlowWildcards& wc, std::string_view fields);

}  // namespace grebe::xlate
