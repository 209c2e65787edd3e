// flow_compose: byte-exact against stock "ovs-ofctl compose-packet" output,
// and compose -> extract gives the flow back.
#include <gtest/gtest.h>

#include "grebe/packet/flow_compose.h"
#include "grebe/packet/flow_extract.h"

namespace grebe {
namespace {

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return out;
}

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    char b[3];
    snprintf(b, sizeof b, "%02zx", i);
    s += b;
  }
  return s;
}

TEST(FlowCompose, TcpMatchesStock) {
  Flow f = make_flow();
  f.dl_src.b[5] = 1;
  f.dl_dst.b[5] = 2;
  f.dl_type = kEthTypeIp;
  f.nw_proto = kIpProtoTcp;
  f.nw_src = 0x0a000001;
  f.nw_dst = 0x0a000002;
  f.tp_src = 1;
  f.tp_dst = 2;
  EXPECT_EQ(flow_compose(f), unhex("000000000002000000000001080045000068000000000006a68e0a0000010a000002"
                                   "00010002000000000000000050000000b79b0000" + pattern(64)));
}

TEST(FlowCompose, IcmpAndArpMatchStock) {
  Flow f = make_flow();
  f.dl_src.b[5] = 1;
  f.dl_dst.b[5] = 2;
  f.dl_type = kEthTypeIp;
  f.nw_proto = kIpProtoIcmp;
  f.nw_src = 0x0a000001;
  f.nw_dst = 0x0a000002;
  f.nw_ttl = 64;
  f.tp_src = 8;
  EXPECT_EQ(flow_compose(f), unhex("00000000000200000000000108004500005c000000004001669f0a0000010a000002"
                                   "080013fc00000000" + pattern(64)));
  Flow a = make_flow();
  a.dl_type = kEthTypeArp;
  a.nw_proto = 1;
  a.nw_src = 0x01020304;
  a.nw_dst = 0x01020305;
  EXPECT_EQ(flow_compose(a), unhex("000000000000000000000000080600010800060400010000000000000102030400000000"
                                   "000001020305"));
}

TEST(FlowCompose, ComposeThenExtractRoundTrips) {
  Flow f = make_flow();
  f.dl_type = kEthTypeIpv6;
  f.nw_proto = kIpProtoIcmpv6;
  f.nw_ttl = 255;
  f.tp_src = kNdNeighborSolicit;
  f.nd_target.b[15] = 9;
  f.arp_sha.b[5] = 9;
  f.ipv6_src.b[0] = 0xfe;
  Flow back = flow_extract(flow_compose(f).data(), flow_compose(f).size());
  EXPECT_EQ(back.nd_target, f.nd_target);
  EXPECT_EQ(back.arp_sha, f.arp_sha);
  EXPECT_EQ(back.tp_src, kNdNeighborSolicit);
  Flow u = make_flow();
  u.dl_type = kEthTypeIp;
  u.vlans[0] = {kEthTypeVlan8021Q, static_cast<uint16_t>(5 | kVlanCfi)};
  u.nw_proto = kIpProtoUdp;
  u.nw_src = 0x01010101;
  u.tp_dst = 53;
  auto pkt = flow_compose(u);
  Flow ub = flow_extract(pkt.data(), pkt.size());
  EXPECT_EQ(ub.vlans[0].tci, 5 | kVlanCfi);
  EXPECT_EQ(ub.tp_dst, 53);
  EXPECT_EQ(ub.nw_src, 0x01010101u);
  Flow m = make_flow();
  m.dl_type = kEthTypeMpls;
  m.mpls_lse[0] = (5u << 12) | kMplsBosMask;
  auto mp = flow_compose(m);
  EXPECT_EQ(flow_extract(mp.data(), mp.size()).mpls_lse[0], m.mpls_lse[0]);
}

}  // namespace
}  // namespace grebe
