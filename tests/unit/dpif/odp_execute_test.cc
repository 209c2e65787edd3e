// odp-execute on real packets: every action kind, with checksums verified.
#include "grebe/dpif/odp_execute.h"

#include <gtest/gtest.h>
#include <linux/openvswitch.h>

#include "grebe/odp/odp_actions.h"
#include "grebe/packet/flow_extract.h"
#include "test_packets.h"

namespace grebe::dpif {
namespace {

using test::Frame;

struct ExecRun {
  std::vector<std::pair<uint32_t, Frame>> outputs;
  std::vector<Frame> upcalls;
  std::vector<uint32_t> recircs;
  Flow md = make_flow();
  Frame final_packet;
  Status status;
};

ExecRun run(const Frame& frame, std::string_view actions_text, ExecuteHooks hooks = {},
            Flow md = make_flow()) {
  nl::AttrBuilder actions;
  Status parsed = odp::odp_actions_from_string(actions_text, actions);
  EXPECT_TRUE(parsed.ok()) << actions_text;
  ExecRun r;
  if (!hooks.output) {
    hooks.output = [&r](const Packet& p, const Flow&, uint32_t port) {
      r.outputs.emplace_back(port, Frame(p.data(), p.data() + p.size()));
    };
  }
  hooks.userspace = [&r](const Packet& p, const Flow&, nl::Bytes) {
    r.upcalls.emplace_back(p.data(), p.data() + p.size());
  };
  hooks.recirc = [&r](const Packet&, const Flow& m) { r.recircs.push_back(m.recirc_id); };
  Packet pkt = Packet::copy_of(frame.data(), frame.size());
  r.md = md;
  r.status = odp_execute_actions(pkt, r.md, actions.bytes(), hooks);
  r.final_packet.assign(pkt.data(), pkt.data() + pkt.size());
  return r;
}

Flow flow_of(const Frame& f) { return flow_extract(f.data(), f.size()); }

void expect_csums(const Frame& f) {
  EXPECT_TRUE(test::ipv4_csum_ok(f));
  EXPECT_TRUE(test::l4_csum_ok(f));
}

TEST(OdpExecute, OutputToEveryPortInOrder) {
  ExecRun r = run(test::tcp4(1, 80), "1,3,2");
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.outputs.size(), 3u);
  EXPECT_EQ(r.outputs[0].first, 1u);
  EXPECT_EQ(r.outputs[1].first, 3u);
  EXPECT_EQ(r.outputs[2].first, 2u);
  EXPECT_EQ(r.outputs[0].second, test::tcp4(1, 80));
}

TEST(OdpExecute, BuiltPacketsHaveValidChecksums) {
  for (const Frame& f : {test::tcp4(1, 2), test::udp4(3, 4), test::icmp4(8, 0), test::sctp4(5, 6),
                         test::udp6(7, 8), test::nd_solicit()}) {
    expect_csums(f);
  }
}

TEST(OdpExecute, SetIpv4AddressesFixesIpAndL4Checksums) {
  for (const Frame& f : {test::tcp4(1, 80), test::udp4(53, 53), test::icmp4(8, 0)}) {
    ExecRun r = run(f, "set(ipv4(src=192.168.1.1,dst=172.16.0.9)),1");
    ASSERT_TRUE(r.status.ok());
    ASSERT_EQ(r.outputs.size(), 1u);
    Flow out = flow_of(r.outputs[0].second);
    EXPECT_EQ(out.nw_src, 0xc0a80101u);
    EXPECT_EQ(out.nw_dst, 0xac100009u);
    expect_csums(r.outputs[0].second);
  }
}

TEST(OdpExecute, SetIpv4TosTtlAndMaskedAddress) {
  ExecRun r = run(test::tcp4(1, 80), "set(ipv4(tos=0x20,ttl=9)),1");
  Flow out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.nw_tos, 0x20);
  EXPECT_EQ(out.nw_ttl, 9);
  expect_csums(r.outputs[0].second);

  r = run(test::udp4(1, 2), "set(ipv4(src=192.168.0.0/255.255.0.0)),1");
  ASSERT_TRUE(r.status.ok());
  out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.nw_src, 0xc0a80001u);  // low 16 bits of 10.0.0.1 kept
  expect_csums(r.outputs[0].second);
}

TEST(OdpExecute, SetPortsTcpUdpSctp) {
  ExecRun r = run(test::tcp4(1, 80), "set(tcp(src=4000,dst=443)),1");
  Flow out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.tp_src, 4000);
  EXPECT_EQ(out.tp_dst, 443);
  expect_csums(r.outputs[0].second);

  r = run(test::udp4(1, 80), "set(udp(dst=5353)),1");
  out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.tp_src, 1);
  EXPECT_EQ(out.tp_dst, 5353);
  expect_csums(r.outputs[0].second);

  r = run(test::sctp4(10, 20), "set(sctp(src=30,dst=40)),1");
  out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.tp_src, 30);
  EXPECT_EQ(out.tp_dst, 40);
  expect_csums(r.outputs[0].second);

  // A port rewrite on a packet of another protocol changes nothing.
  r = run(test::udp4(1, 2), "set(tcp(src=9)),1");
  EXPECT_EQ(r.outputs.at(0).second, test::udp4(1, 2));
}

TEST(OdpExecute, SetIcmpTypeCode) {
  ExecRun r = run(test::icmp4(8, 0), "set(icmp(type=0,code=3)),1");
  Flow out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.tp_src, 0);
  EXPECT_EQ(out.tp_dst, 3);
  expect_csums(r.outputs[0].second);
}

TEST(OdpExecute, SetIpv6AddressFixesUdpChecksum) {
  ExecRun r = run(test::udp6(1, 2), "set(ipv6(src=2001:db8::1,hlimit=7)),1");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  Flow out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.ipv6_src.b[0], 0x20);
  EXPECT_EQ(out.ipv6_src.b[15], 1);
  EXPECT_EQ(out.nw_ttl, 7);
  expect_csums(r.outputs[0].second);
}

TEST(OdpExecute, SetEthArpNd) {
  ExecRun r = run(test::tcp4(1, 2), "set(eth(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)),1");
  Flow out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.dl_src.b[1], 0x11);
  EXPECT_EQ(out.dl_dst.b[5], 0xbb);

  r = run(test::arp_request(), "set(arp(sip=1.2.3.4,op=2)),1");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.nw_src, 0x01020304u);
  EXPECT_EQ(out.nw_proto, 2);

  r = run(test::nd_solicit(), "set(nd(target=fe80::9,sll=00:00:00:00:00:07)),1");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  out = flow_of(r.outputs.at(0).second);
  EXPECT_EQ(out.nd_target.b[15], 9);
  EXPECT_EQ(out.arp_sha.b[5], 7);
  expect_csums(r.outputs[0].second);
}

TEST(OdpExecute, SetMetadata) {
  ExecRun r = run(test::tcp4(1, 2),
                  "set(skb_priority(0x5)),set(skb_mark(0x7)),"
                  "set(tunnel(tun_id=0x2a,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=4789)),1");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_EQ(r.md.skb_priority, 5u);
  EXPECT_EQ(r.md.pkt_mark, 7u);
  EXPECT_EQ(r.md.tunnel.tun_id, 0x2au);
  EXPECT_EQ(r.md.tunnel.ip_dst, 0x02020202u);
  EXPECT_EQ(r.md.tunnel.tp_dst, 4789);
  EXPECT_EQ(r.outputs.at(0).second, test::tcp4(1, 2));
}

TEST(OdpExecute, PushPopVlan) {
  Frame orig = test::tcp4(1, 2);
  ExecRun r = run(orig, "push_vlan(vid=100,pcp=3),1,pop_vlan,2");
  ASSERT_EQ(r.outputs.size(), 2u);
  const Frame& tagged = r.outputs[0].second;
  EXPECT_EQ(tagged.size(), orig.size() + 4);
  Flow out = flow_of(tagged);
  EXPECT_EQ(out.vlans[0].tci & kVlanVidMask, 100);
  EXPECT_EQ(out.vlans[0].tci >> kVlanPcpShift, 3);
  EXPECT_EQ(out.dl_type, kEthTypeIp);
  EXPECT_EQ(r.outputs[1].second, orig);
}

TEST(OdpExecute, PushPopMpls) {
  Frame orig = test::udp4(1, 2);
  ExecRun r = run(orig,
                  "push_mpls(label=10,tc=0,ttl=64,bos=1,eth_type=0x8847),1,"
                  "pop_mpls(eth_type=0x800),2");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  ASSERT_EQ(r.outputs.size(), 2u);
  Flow out = flow_of(r.outputs[0].second);
  EXPECT_EQ(out.dl_type, kEthTypeMpls);
  EXPECT_EQ(out.mpls_lse[0] >> kMplsLabelShift, 10u);
  EXPECT_TRUE(out.mpls_lse[0] & kMplsBosMask);
  EXPECT_EQ(r.outputs[1].second, orig);
}

TEST(OdpExecute, RecircEndsExecutionAndCarriesId) {
  ExecRun r = run(test::tcp4(1, 2), "recirc(0x7),1");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.recircs, std::vector<uint32_t>{7});
  EXPECT_TRUE(r.outputs.empty());
}

TEST(OdpExecute, HashSetsDpHashDeterministically) {
  ExecRun a = run(test::tcp4(1, 2), "hash(l4(0))");
  ExecRun b = run(test::tcp4(1, 2), "hash(l4(0))");
  ExecRun c = run(test::tcp4(1, 3), "hash(l4(0))");
  ASSERT_TRUE(a.status.ok());
  EXPECT_NE(a.md.dp_hash, 0u);
  EXPECT_EQ(a.md.dp_hash, b.md.dp_hash);
  EXPECT_NE(a.md.dp_hash, c.md.dp_hash);
}

TEST(OdpExecute, SampleHonoursProbability) {
  ExecuteHooks hooks;
  uint32_t next_random = 0;
  hooks.random = [&] { return next_random; };
  next_random = UINT32_MAX / 4;  // below 50%: sampled
  ExecRun r = run(test::tcp4(1, 2), "sample(sample=50.0%,actions(set(tcp(src=9)),5)),1", hooks);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(flow_of(r.outputs[0].second).tp_src, 9);
  EXPECT_EQ(flow_of(r.outputs[1].second).tp_src, 1);  // sample works on a copy
  next_random = UINT32_MAX - 1;                       // above 50%: not sampled
  r = run(test::tcp4(1, 2), "sample(sample=50.0%,actions(5)),1", hooks);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].first, 1u);
}

TEST(OdpExecute, CloneIsolatesChanges) {
  ExecRun r = run(test::tcp4(1, 2), "clone(set(tcp(dst=99)),4),1");
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(flow_of(r.outputs[0].second).tp_dst, 99);
  expect_csums(r.outputs[0].second);
  EXPECT_EQ(r.outputs[1].second, test::tcp4(1, 2));
}

TEST(OdpExecute, TruncAppliesToNextOutputOnly) {
  ExecRun r = run(test::tcp4(1, 2, 200), "trunc(100),1,2");
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].second.size(), 100u);
  EXPECT_EQ(r.outputs[1].second.size(), test::tcp4(1, 2, 200).size());
}

TEST(OdpExecute, CheckPktLen) {
  std::string acts = "check_pkt_len(size=100,gt(1),le(2))";
  ExecRun big = run(test::tcp4(1, 2, 200), acts);
  ExecRun small = run(test::tcp4(1, 2, 0), acts);
  ASSERT_TRUE(big.status.ok()) << big.status.error().to_string();
  ASSERT_EQ(big.outputs.size(), 1u);
  EXPECT_EQ(big.outputs[0].first, 1u);
  ASSERT_EQ(small.outputs.size(), 1u);
  EXPECT_EQ(small.outputs[0].first, 2u);
}

TEST(OdpExecute, MeterHookCanDrop) {
  ExecuteHooks hooks;
  std::vector<uint32_t> meters;
  hooks.meter = [&](const Packet&, uint32_t id) {
    meters.push_back(id);
    return id != 2;
  };
  ExecRun r = run(test::tcp4(1, 2), "meter(1),1,meter(2),2", hooks);
  EXPECT_EQ(meters, (std::vector<uint32_t>{1, 2}));
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].first, 1u);
}

TEST(OdpExecute, UserspaceAndDrop) {
  ExecRun r = run(test::tcp4(1, 2), "userspace(pid=0),1");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.upcalls.size(), 1u);
  EXPECT_EQ(r.outputs.size(), 1u);
  r = run(test::tcp4(1, 2), "drop");
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.outputs.empty());
}

TEST(OdpExecute, CtWithoutHookIsUnsupportedCtClearClears) {
  ExecRun r = run(test::tcp4(1, 2), "ct(commit),1");
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().code(), EOPNOTSUPP);
  Flow md = make_flow();
  md.ct_state = kCsTracked | kCsEstablished;
  md.ct_mark = 5;
  r = run(test::tcp4(1, 2), "ct_clear,1", {}, md);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.md.ct_state, 0);
  EXPECT_EQ(r.md.ct_mark, 0u);
}

TEST(OdpExecute, MalformedActionsAreEinval) {
  Packet pkt = Packet::copy_of(test::tcp4(1, 2).data(), test::tcp4(1, 2).size());
  Flow md = make_flow();
  // OUTPUT with a 2-byte payload, then a truncated attribute header.
  uint8_t bad[] = {6, 0, OVS_ACTION_ATTR_OUTPUT, 0, 1, 0, 0, 0, 0xff, 0};
  Status st = odp_execute_actions(pkt, md, nl::Bytes(bad, sizeof bad), {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), EINVAL);
  uint8_t trunc[] = {40, 0, 1, 0};
  st = odp_execute_actions(pkt, md, nl::Bytes(trunc, sizeof trunc), {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), EINVAL);
}

}  // namespace
}  // namespace grebe::dpif
