// Internet checksums (RFC 1071) with incremental update (RFC 1624), and the
// CRC32c used by SCTP.
//
// Values are HOST order: store them with store_be16().
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grebe/packet/headers.h"

namespace grebe {

// Adds `size` bytes to a running 32-bit one's-complement partial sum.
uint32_t csum_continue(uint32_t partial, const void* data, size_t size);
// Folds a partial sum into the final 16-bit checksum (complemented).
uint16_t csum_finish(uint32_t partial);
// The checksum of data[0..size), e.g. an IPv4 header with csum zeroed.
uint16_t csum(const void* data, size_t size);

// Partial sums of the TCP/UDP pseudo-headers (RFC 793 / RFC 2460).
uint32_t packet_csum_pseudoheader(const Ipv4Header& ip, uint16_t l4_len);
uint32_t packet_csum_pseudoheader6(const Ipv6Header& ip6, uint8_t next_hdr,
                                   uint32_t l4_len);

// Updates checksum `old_csum` when a 16/32-bit field changes from old to new
// (RFC 1624), as NAT and mod_nw_* do.
uint16_t recalc_csum16(uint16_t old_csum, uint16_t old_u16, uint16_t new_u16);
uint16_t recalc_csum32(uint16_t old_csum, uint32_t old_u32, uint32_t new_u32);
uint16_t recalc_csum128(uint16_t old_csum, const In6Addr& old_addr,
                        const In6Addr& new_addr);

// CRC32c (Castagnoli) as SCTP's checksum; returned in host order, stored
// little-endian on the wire per RFC 3309.
uint32_t crc32c(const void* data, size_t size);

}  // namespace grebe
