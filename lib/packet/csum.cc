// Internet checksum arithmetic; see csum.h.
#include "grebe/packet/csum.h"

#include "grebe/util/byteorder.h"

namespace grebe {

uint32_t csum_continue(uint32_t partial, const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  // Accumulate 16-bit big-endian words into a 64-bit sum so no carry is
  // lost even for large buffers; fold at the end.
  uint64_t sum = partial;
  for (; size >= 2; p += 2, size -= 2) sum += load_be16(p);
  if (size) sum += uint32_t{p[0]} << 8;
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

uint16_t csum_finish(uint32_t partial) {
  while (partial >> 16) partial = (partial & 0xffff) + (partial >> 16);
  return static_cast<uint16_t>(~partial);
}

uint16_t csum(const void* data, size_t size) {
  return csum_finish(csum_continue(0, data, size));
}

uint32_t packet_csum_pseudoheader(const Ipv4Header& ip, uint16_t l4_len) {
  uint32_t sum = csum_continue(0, ip.src, 4);
  sum = csum_continue(sum, ip.dst, 4);
  return sum + ip.proto + l4_len;
}

uint32_t packet_csum_pseudoheader6(const Ipv6Header& ip6, uint8_t next_hdr,
                                   uint32_t l4_len) {
  uint32_t sum = csum_continue(0, ip6.src.b, 16);
  sum = csum_continue(sum, ip6.dst.b, 16);
  uint64_t wide = uint64_t{sum} + next_hdr + (l4_len >> 16) + (l4_len & 0xffff);
  while (wide >> 32) wide = (wide & 0xffffffff) + (wide >> 32);
  return static_cast<uint32_t>(wide);
}

uint16_t recalc_csum16(uint16_t old_csum, uint16_t old_u16, uint16_t new_u16) {
  // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
  uint32_t hc_complement = static_cast<uint16_t>(~old_csum);
  uint32_t m_complement = static_cast<uint16_t>(~old_u16);
  uint32_t sum = hc_complement + m_complement + new_u16;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint16_t recalc_csum32(uint16_t old_csum, uint32_t old_u32, uint32_t new_u32) {
  uint16_t c = recalc_csum16(old_csum, static_cast<uint16_t>(old_u32 >> 16),
                             static_cast<uint16_t>(new_u32 >> 16));
  return recalc_csum16(c, static_cast<uint16_t>(old_u32), static_cast<uint16_t>(new_u32));
}

uint16_t recalc_csum128(uint16_t old_csum, const In6Addr& old_addr,
                        const In6Addr& new_addr) {
  uint16_t c = old_csum;
  for (int i = 0; i < 16; i += 4)
    c = recalc_csum32(c, load_be32(&old_addr.b[i]), load_be32(&new_addr.b[i]));
  return c;
}

namespace {
constexpr uint32_t crc32c_entry(uint32_t i) {
  for (int k = 0; k < 8; ++k) i = (i & 1) ? (i >> 1) ^ 0x82f63b78u : i >> 1;
  return i;
}
struct Crc32cTable {
  uint32_t v[256];
  constexpr Crc32cTable() : v() {
    for (uint32_t i = 0; i < 256; ++i) v[i] = crc32c_entry(i);
  }
};
constexpr Crc32cTable kCrc32c;
}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  uint32_t crc = 0xffffffffu;
  while (size--) crc = kCrc32c.v[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace grebe
