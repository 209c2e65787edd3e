// Packet surgery for conntrack: reading the header an ICMP error quotes,
// and rewriting a packet's addresses/ports for NAT with checksums fixed
// incrementally.  Internal to lib/conntrack.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grebe/conntrack/conntrack.h"

namespace grebe::conntrack {

// The tuple of the IP header (+ 8 bytes of L4) an ICMP error carries,
// `p[0..len)`, in zone `zone`.  false if it does not parse.
bool parse_quoted_tuple(uint16_t dl_type, const uint8_t* p, size_t len, uint16_t zone, Tuple* t);

// Rewrites `pkt` (whose tuple is `have`) to carry `want`'s addresses and
// ports (ICMP: echo id), fixing the IPv4 header and L4 checksums.
void rewrite_tuple(Packet& pkt, uint16_t dl_type, const Tuple& have, const Tuple& want);

}  // namespace grebe::conntrack
