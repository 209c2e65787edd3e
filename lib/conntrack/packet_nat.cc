// ICMP-quoted headers and NAT rewrites.  See packet_nat.h.
#include "packet_nat.h"

#include <cstring>

#include "grebe/packet/csum.h"

namespace grebe::conntrack {

namespace {

constexpr uint16_t kEthIp = 0x0800;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
void put_be16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}

}  // namespace

bool parse_quoted_tuple(uint16_t dl_type, const uint8_t* p, size_t len, uint16_t zone, Tuple* t) {
  *t = Tuple{};
  t->zone = zone;
  t->dl_type = dl_type;
  size_t l4;
  if (dl_type == kEthIp) {
    if (len < 20 || (p[0] >> 4) != 4) return false;
    size_t ihl = size_t(p[0] & 0xf) * 4;
    if (ihl < 20 || len < ihl) return false;
    t->proto = p[9];
    std::memcpy(t->src.data(), p + 12, 4);
    std::memcpy(t->dst.data(), p + 16, 4);
    l4 = ihl;
  } else {
    if (len < 40 || (p[0] >> 4) != 6) return false;
    t->proto = p[6];  // extension headers in quoted packets: not followed
    std::memcpy(t->src.data(), p + 8, 16);
    std::memcpy(t->dst.data(), p + 24, 16);
    l4 = 40;
  }
  if (t->proto == kTcp || t->proto == kUdp) {
    if (len < l4 + 4) return false;
    t->sport = be16(p + l4);
    t->dport = be16(p + l4 + 2);
  } else if (t->proto == kIcmp || t->proto == kIcmpv6) {
    if (len < l4 + 8) return false;
    t->sport = be16(p + l4 + 4);
    t->dport = static_cast<uint16_t>(p[l4] << 8);
  }
  return true;
}

void rewrite_tuple(Packet& pkt, uint16_t dl_type, const Tuple& have, const Tuple& want) {
  const PacketLayers& l = pkt.layers();
  if (l.l3 < 0) return;
  uint8_t* ip = pkt.data() + l.l3;
  uint8_t* l4 = l.l4 >= 0 ? pkt.data() + l.l4 : nullptr;
  size_t l4_len = l.l4 >= 0 ? pkt.size() - size_t(l.l4) : 0;
  // Where the L4 checksum lives, if the packet has one we can see.
  uint8_t* csum = nullptr;
  bool udp = false;
  if (l4 && have.proto == kTcp && l4_len >= 18) csum = l4 + 16;
  if (l4 && have.proto == kUdp && l4_len >= 8) {
    csum = l4 + 6;
    udp = true;
    if (!be16(csum)) csum = nullptr;  // IPv4 UDP without checksum stays so
  }
  if (l4 && (have.proto == kIcmp || have.proto == kIcmpv6) && l4_len >= 8) csum = l4 + 2;
  auto fix32 = [&](uint8_t* c, uint32_t o, uint32_t n) {
    if (!c) return;
    uint16_t v = recalc_csum32(be16(c), o, n);
    put_be16(c, (udp && v == 0) ? 0xffff : v);
  };
  auto fix16 = [&](uint8_t* c, uint16_t o, uint16_t n) {
    if (!c) return;
    uint16_t v = recalc_csum16(be16(c), o, n);
    put_be16(c, (udp && v == 0) ? 0xffff : v);
  };
  // ICMPv4's checksum does not cover a pseudo-header.
  uint8_t* pseudo_csum = have.proto == kIcmp ? nullptr : csum;
  if (dl_type == kEthIp) {
    for (int i = 0; i < 2; i++) {
      uint8_t* field = ip + (i ? 16 : 12);
      uint32_t o = be32(field), n = be32((i ? want.dst : want.src).data());
      if (o == n) continue;
      fix32(ip + 10, o, n);
      fix32(pseudo_csum, o, n);
      std::memcpy(field, (i ? want.dst : want.src).data(), 4);
    }
  } else {
    for (int i = 0; i < 2; i++) {
      uint8_t* field = ip + (i ? 24 : 8);
      const auto& n = i ? want.dst : want.src;
      if (std::memcmp(field, n.data(), 16) == 0) continue;
      for (int w = 0; w < 16; w += 4) fix32(pseudo_csum, be32(field + w), be32(n.data() + w));
      std::memcpy(field, n.data(), 16);
    }
  }
  if (!l4) return;
  if (have.proto == kTcp || have.proto == kUdp) {
    if (l4_len < 4) return;
    if (have.sport != want.sport) {
      fix16(csum, have.sport, want.sport);
      put_be16(l4, want.sport);
    }
    if (have.dport != want.dport) {
      fix16(csum, have.dport, want.dport);
      put_be16(l4 + 2, want.dport);
    }
  } else if ((have.proto == kIcmp || have.proto == kIcmpv6) && l4_len >= 8 &&
             have.sport != want.sport) {
    fix16(csum, have.sport, want.sport);
    put_be16(l4 + 4, want.sport);
  }
}

}  // namespace grebe::conntrack
