// See test_packets.h.
#include "test_packets.h"

#include "grebe/packet/csum.h"
#include "grebe/packet/flow_extract.h"
#include "grebe/packet/headers.h"
#include "grebe/util/byteorder.h"

namespace grebe::dpif::test {
namespace {

void put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
void put32(Frame& f, uint32_t v) {
  put16(f, static_cast<uint16_t>(v >> 16));
  put16(f, static_cast<uint16_t>(v));
}

Frame eth(uint16_t type) {
  Frame f = {0x50, 0x54, 0, 0, 0, 0x02, 0x50, 0x54, 0, 0, 0, 0x01};
  put16(f, type);
  return f;
}

// IPv4 header (checksum filled) for an L4 of `l4_len` bytes.
void ipv4(Frame& f, uint8_t proto, size_t l4_len) {
  size_t start = f.size();
  f.push_back(0x45);
  f.push_back(0);
  put16(f, static_cast<uint16_t>(20 + l4_len));
  put16(f, 0x1234);
  put16(f, 0);
  f.push_back(64);
  f.push_back(proto);
  put16(f, 0);
  put32(f, 0x0a000001);
  put32(f, 0x0a000002);
  store_be16(&f[start + 10], csum(&f[start], 20));
}

void ipv6(Frame& f, uint8_t nxt, size_t l4_len) {
  put32(f, 0x60000000);
  put16(f, static_cast<uint16_t>(l4_len));
  f.push_back(nxt);
  f.push_back(64);
  for (int a = 1; a <= 2; a++) {
    f.push_back(0xfe);
    f.push_back(0x80);
    for (int i = 0; i < 13; i++) f.push_back(0);
    f.push_back(static_cast<uint8_t>(a));
  }
}

// Fills the L4 checksum at `csum_off` (relative to L4) over f[l4..].
void fill_l4_csum(Frame& f, size_t l3, size_t l4, size_t csum_off, uint8_t proto) {
  uint32_t pseudo;
  size_t len = f.size() - l4;
  if ((f[l3] >> 4) == 4) {
    pseudo = proto == kIpProtoIcmp
                 ? 0
                 : packet_csum_pseudoheader(*reinterpret_cast<const Ipv4Header*>(&f[l3]),
                                            static_cast<uint16_t>(len));
  } else {
    pseudo = packet_csum_pseudoheader6(*reinterpret_cast<const Ipv6Header*>(&f[l3]), proto,
                                       static_cast<uint32_t>(len));
  }
  store_be16(&f[l4 + csum_off], csum_finish(csum_continue(pseudo, &f[l4], len)));
}

void payload(Frame& f, size_t n) {
  for (size_t i = 0; i < n; i++) f.push_back(static_cast<uint8_t>(i));
}

}  // namespace

Frame tcp4(uint16_t sport, uint16_t dport, size_t pl) {
  Frame f = eth(kEthTypeIp);
  ipv4(f, kIpProtoTcp, 20 + pl);
  size_t l4 = f.size();
  put16(f, sport);
  put16(f, dport);
  put32(f, 1000);
  put32(f, 0);
  put16(f, 0x5000 | kTcpSyn);
  put16(f, 8192);
  put16(f, 0);
  put16(f, 0);
  payload(f, pl);
  fill_l4_csum(f, 14, l4, 16, kIpProtoTcp);
  return f;
}

Frame udp4(uint16_t sport, uint16_t dport, size_t pl) {
  Frame f = eth(kEthTypeIp);
  ipv4(f, kIpProtoUdp, 8 + pl);
  size_t l4 = f.size();
  put16(f, sport);
  put16(f, dport);
  put16(f, static_cast<uint16_t>(8 + pl));
  put16(f, 0);
  payload(f, pl);
  fill_l4_csum(f, 14, l4, 6, kIpProtoUdp);
  return f;
}

Frame icmp4(uint8_t type, uint8_t code) {
  Frame f = eth(kEthTypeIp);
  ipv4(f, kIpProtoIcmp, 16);
  size_t l4 = f.size();
  f.push_back(type);
  f.push_back(code);
  put16(f, 0);
  put32(f, 0x00010001);
  payload(f, 8);
  fill_l4_csum(f, 14, l4, 2, kIpProtoIcmp);
  return f;
}

Frame sctp4(uint16_t sport, uint16_t dport) {
  Frame f = eth(kEthTypeIp);
  ipv4(f, kIpProtoSctp, 12 + 16);
  size_t l4 = f.size();
  put16(f, sport);
  put16(f, dport);
  put32(f, 0xdeadbeef);
  put32(f, 0);
  payload(f, 16);
  uint32_t crc = crc32c(&f[l4], f.size() - l4);
  for (int i = 0; i < 4; i++) f[l4 + 8 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return f;
}

Frame udp6(uint16_t sport, uint16_t dport) {
  Frame f = eth(kEthTypeIpv6);
  ipv6(f, kIpProtoUdp, 8 + 16);
  size_t l4 = f.size();
  put16(f, sport);
  put16(f, dport);
  put16(f, 8 + 16);
  put16(f, 0);
  payload(f, 16);
  fill_l4_csum(f, 14, l4, 6, kIpProtoUdp);
  return f;
}

Frame arp_request() {
  Frame f = eth(kEthTypeArp);
  put16(f, 1);
  put16(f, kEthTypeIp);
  f.push_back(6);
  f.push_back(4);
  put16(f, 1);
  for (uint8_t b : {0x50, 0x54, 0, 0, 0, 0x01}) f.push_back(b);
  put32(f, 0x0a000001);
  for (int i = 0; i < 6; i++) f.push_back(0);
  put32(f, 0x0a000002);
  return f;
}

Frame nd_solicit() {
  Frame f = eth(kEthTypeIpv6);
  ipv6(f, kIpProtoIcmpv6, 32);
  size_t l4 = f.size();
  f.push_back(kNdNeighborSolicit);
  f.push_back(0);
  put16(f, 0);
  put32(f, 0);
  f.push_back(0xfe);
  f.push_back(0x80);
  for (int i = 0; i < 13; i++) f.push_back(0);
  f.push_back(2);
  f.push_back(kNdOptSourceLinkAddr);
  f.push_back(1);
  for (uint8_t b : {0x50, 0x54, 0, 0, 0, 0x01}) f.push_back(b);
  fill_l4_csum(f, 14, l4, 2, kIpProtoIcmpv6);
  return f;
}

bool ipv4_csum_ok(const Frame& f) {
  PacketLayers layers;
  Flow flow = flow_extract(f.data(), f.size(), nullptr, &layers);
  if (flow.dl_type != kEthTypeIp) return true;
  return csum(&f[static_cast<size_t>(layers.l3)], (f[static_cast<size_t>(layers.l3)] & 0xf) * 4u) ==
         0;
}

bool l4_csum_ok(const Frame& f) {
  PacketLayers layers;
  Flow flow = flow_extract(f.data(), f.size(), nullptr, &layers);
  if (layers.l4 < 0) return true;
  size_t l3 = static_cast<size_t>(layers.l3), l4 = static_cast<size_t>(layers.l4);
  size_t len = f.size() - l4;
  if (flow.nw_proto == kIpProtoSctp) {
    Frame copy(f.begin() + static_cast<long>(l4), f.end());
    uint32_t stored = copy[8] | copy[9] << 8 | copy[10] << 16 | uint32_t{copy[11]} << 24;
    for (int i = 8; i < 12; i++) copy[static_cast<size_t>(i)] = 0;
    return crc32c(copy.data(), copy.size()) == stored;
  }
  uint32_t pseudo = 0;
  if (flow.dl_type == kEthTypeIp && flow.nw_proto != kIpProtoIcmp) {
    pseudo = packet_csum_pseudoheader(*reinterpret_cast<const Ipv4Header*>(&f[l3]),
                                      static_cast<uint16_t>(len));
  } else if (flow.dl_type == kEthTypeIpv6) {
    pseudo = packet_csum_pseudoheader6(*reinterpret_cast<const Ipv6Header*>(&f[l3]), flow.nw_proto,
                                       static_cast<uint32_t>(len));
  }
  return csum_finish(csum_continue(pseudo, &f[l4], len)) == 0;
}

}  // namespace grebe::dpif::test
