// commit_odp_actions(): the actions emitted for header changes, checked as
// text, plus the base / wildcard bookkeeping.
#include <gtest/gtest.h>

#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_commit.h"

namespace grebe::odp {
namespace {

Flow tcp_flow() {
  Flow f = make_flow();
  f.packet_type = kPacketTypeEthernet;
  f.dl_src = EthAddr{{0, 0, 0, 0, 0, 1}};
  f.dl_dst = EthAddr{{0, 0, 0, 0, 0, 2}};
  f.dl_type = kEthTypeIp;
  f.nw_src = 0x0a000001;
  f.nw_dst = 0x0a000002;
  f.nw_proto = kIpProtoTcp;
  f.nw_ttl = 64;
  f.tp_src = 1000;
  f.tp_dst = 80;
  return f;
}

std::string commit_text(const Flow& flow, Flow* base, FlowWildcards* wc, bool masked,
                        uint32_t* slow = nullptr) {
  nl::AttrBuilder a;
  uint32_t s = commit_odp_actions(flow, base, a, wc, masked);
  if (slow) *slow = s;
  return format_odp_actions(a.bytes());
}

TEST(Commit, NothingChangedEmitsNothing) {
  Flow base = tcp_flow(), flow = tcp_flow();
  FlowWildcards wc;
  nl::AttrBuilder a;
  EXPECT_EQ(commit_odp_actions(flow, &base, a, &wc, true), 0u);
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(wc.is_catchall());
}

TEST(Commit, MaskedAndUnmaskedEthernet) {
  Flow base = tcp_flow(), flow = tcp_flow();
  flow.dl_dst = EthAddr{{0, 0, 0, 0, 0, 3}};
  FlowWildcards wc;
  wc.masks.dl_dst = EthAddr::broadcast();  // xlate marks what it sets
  EXPECT_EQ(commit_text(flow, &base, &wc, true), "set(eth(dst=00:00:00:00:00:03))");
  EXPECT_EQ(base.dl_dst, flow.dl_dst);
  EXPECT_TRUE(wc.masks.dl_src.is_zero());

  Flow base2 = tcp_flow();
  FlowWildcards wc2;
  wc2.masks.dl_dst = EthAddr::broadcast();
  EXPECT_EQ(commit_text(flow, &base2, &wc2, false),
            "set(eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03))");
  EXPECT_EQ(wc2.masks.dl_src, EthAddr::broadcast()) << "a whole-header set matches all of it";
}

TEST(Commit, Ipv4TtlAndPorts) {
  Flow base = tcp_flow(), flow = tcp_flow();
  flow.nw_ttl = 63;
  flow.tp_dst = 8080;
  FlowWildcards wc;
  wc.masks.nw_ttl = 0xff;
  wc.masks.tp_dst = 0xffff;
  EXPECT_EQ(commit_text(flow, &base, &wc, true), "set(ipv4(ttl=63)),set(tcp(dst=8080))");
  EXPECT_EQ(base.nw_ttl, 63);
  EXPECT_EQ(base.tp_dst, 8080);

  Flow base2 = tcp_flow();
  FlowWildcards wc2;
  wc2.masks.nw_ttl = 0xff;
  EXPECT_EQ(commit_text(flow, &base2, &wc2, false),
            "set(ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=63,frag=no)),"
            "set(tcp(src=1000,dst=8080))");
}

TEST(Commit, VlanPushPopReplace) {
  Flow base = tcp_flow(), flow = tcp_flow();
  flow.vlans[0] = {kEthTypeVlan8021Q, static_cast<uint16_t>(kVlanCfi | 10)};
  FlowWildcards wc;
  EXPECT_EQ(commit_text(flow, &base, &wc, true), "push_vlan(vid=10,pcp=0)");
  Flow other = tcp_flow();
  other.vlans[0] = {kEthTypeVlan8021Q, static_cast<uint16_t>(kVlanCfi | 20)};
  EXPECT_EQ(commit_text(other, &base, &wc, true), "pop_vlan,push_vlan(vid=20,pcp=0)");
  EXPECT_EQ(wc.masks.vlans[0].tci, 0xffff);
  Flow none = tcp_flow();
  EXPECT_EQ(commit_text(none, &base, &wc, true), "pop_vlan");
}

TEST(Commit, MplsPushSetPop) {
  Flow base = tcp_flow(), flow = tcp_flow();
  flow.dl_type = kEthTypeMpls;
  flow.mpls_lse[0] = 100u << 12 | 1u << 8 | 64;  // label 100, bos, ttl 64
  FlowWildcards wc;
  EXPECT_EQ(commit_text(flow, &base, &wc, true),
            "push_mpls(label=100,tc=0,ttl=64,bos=1,eth_type=0x8847)");
  EXPECT_EQ(base.dl_type, kEthTypeMpls);
  EXPECT_EQ(base.mpls_lse[0], flow.mpls_lse[0]);
  // A second label on top.
  Flow two = flow;
  two.mpls_lse[1] = flow.mpls_lse[0];
  two.mpls_lse[0] = 200u << 12 | 63;
  EXPECT_EQ(commit_text(two, &base, &wc, true),
            "push_mpls(label=200,tc=0,ttl=63,bos=0,eth_type=0x8847)");
  // Rewrite the top entry: a set, not a pop + push.
  Flow ttl = two;
  ttl.mpls_lse[0] = 200u << 12 | 62;
  EXPECT_EQ(commit_text(ttl, &base, &wc, true), "set(mpls(label=200,tc=0,ttl=62,bos=0))");
  // Back to IPv4: pop both (the first pop keeps an MPLS ethertype).
  Flow ip = tcp_flow();
  EXPECT_EQ(commit_text(ip, &base, &wc, true),
            "pop_mpls(eth_type=0x8847),pop_mpls(eth_type=0x800)");
  EXPECT_EQ(base.dl_type, kEthTypeIp);
}

TEST(Commit, ArpAndIcmpAreSlowPath) {
  Flow base = make_flow(), flow;
  base.dl_type = kEthTypeArp;
  base.nw_proto = 1;
  flow = base;
  flow.nw_dst = 0x0a000009;
  FlowWildcards wc;
  wc.masks.nw_dst = 0xffffffff;
  uint32_t slow = 0;
  EXPECT_EQ(commit_text(flow, &base, &wc, false, &slow), "set(arp(tip=10.0.0.9))");
  EXPECT_EQ(slow, static_cast<uint32_t>(kSlowAction));

  Flow ib = tcp_flow(), icmp;
  ib.nw_proto = kIpProtoIcmp;
  ib.tp_src = 8;
  ib.tp_dst = 0;
  icmp = ib;
  icmp.tp_src = 0;
  FlowWildcards wc2;
  wc2.masks.tp_src = 0xff;
  EXPECT_EQ(commit_text(icmp, &ib, &wc2, true, &slow), "set(icmp(type=0,code=0))");
  EXPECT_EQ(slow, static_cast<uint32_t>(kSlowAction));
}

TEST(Commit, PriorityMarkAndTunnel) {
  Flow base = tcp_flow(), flow = tcp_flow();
  flow.skb_priority = 3;
  flow.pkt_mark = 5;
  FlowWildcards wc;
  wc.masks.skb_priority = 0xffffffff;
  wc.masks.pkt_mark = 0xffffffff;
  EXPECT_EQ(commit_text(flow, &base, &wc, true), "set(skb_priority(0x3)),set(skb_mark(0x5))");

  flow.tunnel.ip_dst = 0x01010101;
  flow.tunnel.ip_ttl = 64;
  flow.tunnel.tun_id = 7;
  flow.tunnel.flags = 8;  // key
  nl::AttrBuilder a;
  commit_odp_tunnel_action(flow, &base, a);
  EXPECT_EQ(format_odp_actions(a.bytes()), "set(tunnel(tun_id=0x7,dst=1.1.1.1,ttl=64,flags(key)))");
  nl::AttrBuilder again;
  commit_odp_tunnel_action(flow, &base, again);
  EXPECT_TRUE(again.empty()) << "base already has this tunnel";
}

}  // namespace
}  // namespace grebe::odp
