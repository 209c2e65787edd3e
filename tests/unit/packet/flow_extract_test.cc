// flow_extract() against packets built byte by byte.
#include <gtest/gtest.h>

#include <vector>

#include "grebe/packet/flow_extract.h"

namespace grebe {
namespace {

// Appends big-endian fields to a byte vector.
struct Bytes {
  std::vector<uint8_t> v;
  Bytes& u8(uint8_t x) { v.push_back(x); return *this; }
  Bytes& u16(uint16_t x) { return u8(x >> 8).u8(x & 0xff); }
  Bytes& u32(uint32_t x) { return u16(x >> 16).u16(x & 0xffff); }
  Bytes& mac(uint64_t x) {
    for (int i = 5; i >= 0; --i) u8((x >> (8 * i)) & 0xff);
    return *this;
  }
  Bytes& zeros(size_t n) { v.insert(v.end(), n, 0); return *this; }
  Flow extract(PacketLayers* l = nullptr) const { return flow_extract(v.data(), v.size(), nullptr, l); }
};

Bytes eth(uint16_t type) {
  Bytes b;
  b.mac(0x0a0000000002).mac(0x0a0000000001).u16(type);
  return b;
}

Bytes& ipv4(Bytes& b, uint8_t proto, uint16_t payload, uint16_t frag = 0) {
  return b.u8(0x45).u8(0x2e).u16(20 + payload).u16(7).u16(frag).u8(64).u8(proto)
      .u16(0).u32(0x0a000001).u32(0xc0a80102);
}

TEST(FlowExtract, EthernetOnlyAndTruncated) {
  Bytes b = eth(0x1234);
  Flow f = b.extract();
  EXPECT_EQ(f.dl_type, 0x1234);
  EXPECT_EQ(f.dl_dst.b[5], 2);
  EXPECT_EQ(f.dl_src.b[5], 1);
  // 13 bytes: not even a whole Ethernet header.
  Flow g = flow_extract(b.v.data(), 13);
  EXPECT_EQ(g, make_flow());
  EXPECT_EQ(flow_extract(nullptr, 0), make_flow());
}

TEST(FlowExtract, LlcSnapAndLengthField) {
  Bytes b = eth(46);  // 802.3 length
  b.zeros(46);
  EXPECT_EQ(b.extract().dl_type, kEthTypeNone);
  Bytes s = eth(46);
  s.u8(0xaa).u8(0xaa).u8(0x03).u8(0).u8(0).u8(0).u16(0x0800);
  EXPECT_EQ(s.extract().dl_type, 0x0800);
}

TEST(FlowExtract, TcpOverIpv4) {
  Bytes b = eth(0x0800);
  ipv4(b, 6, 20);
  b.u16(1234).u16(80).u32(1).u32(0).u16(0x5012).u16(100).u16(0).u16(0);
  b.zeros(6);  // Ethernet padding beyond tot_len is ignored
  PacketLayers layers;
  Flow f = b.extract(&layers);
  EXPECT_EQ(f.dl_type, 0x0800);
  EXPECT_EQ(f.nw_src, 0x0a000001u);
  EXPECT_EQ(f.nw_dst, 0xc0a80102u);
  EXPECT_EQ(f.nw_proto, 6);
  EXPECT_EQ(f.nw_tos, 0x2e);
  EXPECT_EQ(f.nw_ttl, 64);
  EXPECT_EQ(f.tp_src, 1234);
  EXPECT_EQ(f.tp_dst, 80);
  EXPECT_EQ(f.tcp_flags, kTcpSyn | kTcpAck);
  EXPECT_EQ(f.nw_frag, 0);
  EXPECT_EQ(layers.l2, 0);
  EXPECT_EQ(layers.l3, 14);
  EXPECT_EQ(layers.l4, 34);
  EXPECT_EQ(layers.l7, 54);
}

TEST(FlowExtract, TruncatedTcpKeepsL3) {
  Bytes b = eth(0x0800);
  ipv4(b, 6, 10);
  b.u16(1234).u16(80).zeros(6);
  Flow f = b.extract();
  EXPECT_EQ(f.nw_proto, 6);
  EXPECT_EQ(f.tp_src, 0);
  EXPECT_EQ(f.tp_dst, 0);
}

TEST(FlowExtract, BadIpv4HeaderStopsAtL2) {
  Bytes b = eth(0x0800);
  ipv4(b, 17, 8);
  b.v[14] = 0x44;  // IHL 4 < 5
  b.zeros(8);
  Flow f = b.extract();
  EXPECT_EQ(f.dl_type, 0x0800);
  EXPECT_EQ(f.nw_src, 0u);
  EXPECT_EQ(f.nw_proto, 0);
  Bytes t = eth(0x0800);
  ipv4(t, 17, 100);  // tot_len longer than the packet
  t.zeros(8);
  EXPECT_EQ(t.extract().nw_proto, 0);
}

TEST(FlowExtract, Ipv4Fragments) {
  Bytes first = eth(0x0800);
  ipv4(first, 17, 8, kIpMoreFragments);
  first.u16(53).u16(53).u16(8).u16(0);
  Flow f = first.extract();
  EXPECT_EQ(f.nw_frag, kFlowNwFragAny);
  EXPECT_EQ(f.tp_src, 53);
  Bytes later = eth(0x0800);
  ipv4(later, 17, 8, 185);
  later.u16(53).u16(53).u16(8).u16(0);
  Flow g = later.extract();
  EXPECT_EQ(g.nw_frag, kFlowNwFragAny | kFlowNwFragLater);
  EXPECT_EQ(g.nw_proto, 17);
  EXPECT_EQ(g.tp_src, 0);  // no L4 in later fragments
}

TEST(FlowExtract, VlanAndQinQ) {
  Bytes b;
  b.mac(1).mac(2).u16(0x88a8).u16(0x2064).u16(0x8100).u16(0xa00a).u16(0x0806);
  b.u16(1).u16(0x0800).u8(6).u8(4).u16(2).mac(0x112233445566).u32(0x01020304)
      .mac(0xaabbccddeeff).u32(0x05060708);
  Flow f = b.extract();
  EXPECT_EQ(f.vlans[0].tpid, 0x88a8);
  EXPECT_EQ(f.vlans[0].tci, 0x2064 | kVlanCfi);
  EXPECT_EQ(f.vlans[1].tpid, 0x8100);
  EXPECT_EQ(f.vlans[1].tci, 0xa00a | kVlanCfi);
  EXPECT_EQ(f.dl_type, kEthTypeArp);
  EXPECT_EQ(f.nw_proto, 2);
  EXPECT_EQ(f.nw_src, 0x01020304u);
  EXPECT_EQ(f.nw_dst, 0x05060708u);
  EXPECT_EQ(f.arp_sha.b[0], 0x11);
  EXPECT_EQ(f.arp_tha.b[5], 0xff);
}

TEST(FlowExtract, ArpWithWrongHardwareTypeIgnored) {
  Bytes b = eth(0x0806);
  b.u16(6).u16(0x0800).u8(6).u8(4).u16(1).zeros(20);
  Flow f = b.extract();
  EXPECT_EQ(f.dl_type, kEthTypeArp);
  EXPECT_EQ(f.nw_proto, 0);
}

TEST(FlowExtract, Mpls) {
  Bytes b = eth(0x8847);
  b.u32((100u << 12) | (5 << 9) | 0x40).u32((200u << 12) | 0x100 | 0x3f);
  Flow f = b.extract();
  EXPECT_EQ(f.mpls_lse[0] >> 12, 100u);
  EXPECT_EQ(f.mpls_lse[1] >> 12, 200u);
  EXPECT_EQ(f.mpls_lse[2], 0u);
}

Bytes& ipv6(Bytes& b, uint8_t nxt, uint16_t plen) {
  b.u32(0x6a012345).u16(plen).u8(nxt).u8(255);
  b.u32(0xfe800000).zeros(11).u8(1);
  b.u32(0xff020000).zeros(11).u8(2);
  return b;
}

TEST(FlowExtract, Ipv6ExtensionHeadersToUdp) {
  Bytes b = eth(0x86dd);
  ipv6(b, 0, 8 + 16 + 8);
  b.u8(60).u8(0).zeros(6);           // hop-by-hop -> dest opts
  b.u8(17).u8(1).zeros(14);          // dest opts (16 bytes) -> UDP
  b.u16(546).u16(547).u16(8).u16(0);
  Flow f = b.extract();
  EXPECT_EQ(f.dl_type, kEthTypeIpv6);
  EXPECT_EQ(f.ipv6_src.b[0], 0xfe);
  EXPECT_EQ(f.ipv6_dst.b[15], 2);
  EXPECT_EQ(f.ipv6_label, 0x12345u);
  EXPECT_EQ(f.nw_tos, 0xa0);
  EXPECT_EQ(f.nw_ttl, 255);
  EXPECT_EQ(f.nw_proto, 17);
  EXPECT_EQ(f.tp_src, 546);
  EXPECT_EQ(f.tp_dst, 547);
}

TEST(FlowExtract, Ipv6FragmentAndTruncatedExtension) {
  Bytes b = eth(0x86dd);
  ipv6(b, 44, 8 + 8);
  b.u8(6).u8(0).u16(0x0008).u32(42);  // offset 1 (x8): a later fragment
  b.zeros(8);
  Flow f = b.extract();
  EXPECT_EQ(f.nw_proto, 6);
  EXPECT_EQ(f.nw_frag, kFlowNwFragAny | kFlowNwFragLater);
  EXPECT_EQ(f.tp_src, 0);
  Bytes t = eth(0x86dd);
  ipv6(t, 0, 4);
  t.u8(17).u8(0).u16(0);  // hop-by-hop cut off after 4 bytes
  Flow g = t.extract();
  EXPECT_EQ(g.ipv6_src.b[0], 0xfe);
  EXPECT_EQ(g.nw_proto, 0);
  EXPECT_EQ(g.nw_ttl, 0);
}

TEST(FlowExtract, NeighborSolicitation) {
  Bytes b = eth(0x86dd);
  ipv6(b, 58, 4 + 20 + 8);
  b.u8(135).u8(0).u16(0).u32(0);
  b.u32(0x20010db8).zeros(11).u8(9);
  b.u8(1).u8(1).mac(0x020000000009);
  Flow f = b.extract();
  EXPECT_EQ(f.tp_src, 135);
  EXPECT_EQ(f.tp_dst, 0);
  EXPECT_EQ(f.nd_target.b[0], 0x20);
  EXPECT_EQ(f.nd_target.b[15], 9);
  EXPECT_EQ(f.arp_sha.b[5], 9);
  // A zero-length option invalidates the ND fields.
  b.v[b.v.size() - 7] = 0;
  Flow g = b.extract();
  EXPECT_TRUE(g.nd_target.is_zero());
  EXPECT_TRUE(g.arp_sha.is_zero());
}

TEST(FlowExtract, IcmpAndMetadataCopy) {
  Bytes b = eth(0x0800);
  ipv4(b, 1, 8);
  b.u8(8).u8(0).u16(0).u32(0);
  Flow md = make_flow();
  md.in_port = 7;
  md.regs[3] = 99;
  Flow f = flow_extract(b.v.data(), b.v.size(), &md);
  EXPECT_EQ(f.in_port, 7u);
  EXPECT_EQ(f.regs[3], 99u);
  EXPECT_EQ(f.tp_src, 8);
  EXPECT_EQ(f.tp_dst, 0);
}

}  // namespace
}  // namespace grebe
