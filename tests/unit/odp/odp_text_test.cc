// Behaviour of the odp text codecs beyond the golden corpus: mask
// omission, error paths from OVS's odp.at, limits and malformed attributes.
#include <gtest/gtest.h>
#include <linux/openvswitch.h>

#include <string>

#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow_line.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp {
namespace {

std::string roundtrip_wc(const std::string& in) {
  nl::AttrBuilder key, mask;
  Status st = odp_flow_from_string(in, key, &mask);
  if (!st.ok()) return "ERROR: " + st.error().message();
  return odp_flow_format(key.bytes(), mask.bytes(), false);
}

std::string roundtrip_actions(const std::string& in) {
  nl::AttrBuilder a;
  Status st = odp_actions_from_string(in, a);
  if (!st.ok()) return "ERROR: " + st.error().message();
  return format_odp_actions(a.bytes());
}

TEST(OdpKeyText, TaskExampleRoundTrips) {
  const std::string flow =
      "recirc_id(0),in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03),"
      "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2/255.255.255.0,proto=6,tos=0/0xfc,"
      "ttl=64,frag=no),tcp(src=1/0xf,dst=80)";
  EXPECT_EQ(roundtrip_wc(flow), flow);
}

TEST(OdpKeyText, WildcardedFieldsAreOmitted) {
  // tos/ttl absent from the text -> zero mask -> not printed; a fully
  // wildcarded tcp() disappears entirely.
  EXPECT_EQ(roundtrip_wc("in_port(1),eth_type(0x0800),ipv4(src=1.2.3.4,proto=6,frag=no),"
                         "tcp(src=0/0)"),
            "in_port(1),eth_type(0x0800),ipv4(src=1.2.3.4,proto=6,frag=no)");
  // A wildcarded eth() is still printed (it says "Ethernet packet").
  EXPECT_EQ(roundtrip_wc("in_port(1),eth(),eth_type(0x0800)"), "in_port(1),eth(),eth_type(0x0800)");
}

TEST(OdpKeyText, ConntrackFields) {
  EXPECT_EQ(roundtrip_wc("ct_state(+trk-inv),ct_zone(0x5),ct_mark(0x1/0xf)"),
            "ct_state(-inv+trk),ct_zone(0x5),ct_mark(0x1/0xf)");
  EXPECT_EQ(roundtrip_wc("ct_state(new|trk)"), "ct_state(new|trk)");
  EXPECT_EQ(roundtrip_wc("ct_tuple6(src=::1,dst=::2,proto=6,tp_src=1,tp_dst=2)"),
            "ct_tuple6(src=::1,dst=::2,proto=6,src_port=1,dst_port=2)");
}

TEST(OdpKeyText, TcpFlagsAndVlanAndSctp) {
  EXPECT_EQ(roundtrip_wc("tcp_flags(syn|ack)"), "tcp_flags(syn|ack)");
  EXPECT_EQ(roundtrip_wc("tcp_flags(+syn-ack)"), "tcp_flags(+syn-ack)");
  EXPECT_EQ(roundtrip_wc("eth_type(0x8100),vlan(vid=5,pcp=3),encap(eth_type(0x0800))"),
            "eth_type(0x8100),vlan(vid=5,pcp=3),encap(eth_type(0x0800))");
  EXPECT_EQ(roundtrip_wc("sctp(src=1,dst=2)"), "sctp(src=1,dst=2)");
  EXPECT_EQ(roundtrip_wc("mpls(label=1,tc=0,ttl=2,bos=0,label=5,tc=1,ttl=3,bos=1)"),
            "mpls(label=1,tc=0,ttl=2,bos=0,label=5,tc=1,ttl=3,bos=1)");
  // A partial mask prints every field with its mask.
  EXPECT_EQ(roundtrip_wc("mpls(label=100/0xff,tc=7/7,ttl=64/0xff,bos=1/1)"),
            "mpls(label=100/0xff,tc=7/7,ttl=64/0xff,bos=1/1)");
}

TEST(OdpKeyText, TunnelOptions) {
  EXPECT_EQ(roundtrip_wc("tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,gtpu(flags=0x30,msgtype=255),"
                         "flags(-df+csum+key))"),
            "tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,gtpu(flags=0x30,msgtype=255),"
            "flags(-df+csum+key))");
  // The "key" flag exists only through tun_id, so without one these flags
  // print in masked form (as OVS prints them).
  EXPECT_EQ(roundtrip_wc("tunnel(ipv6_dst=2001:db8::1,ttl=64,tp_dst=4789,vxlan(gbp(id=5,flags=0)),"
                         "flags(key))"),
            "tunnel(ipv6_dst=2001:db8::1,ttl=64,tp_dst=4789,vxlan(gbp(id=5,flags=0)),"
            "flags(-oam-df-csum))");
  EXPECT_EQ(roundtrip_wc("tunnel(ttl=64,geneve({class=0x102,type=0x80,len=8,0x1122334455667788}),"
                         "flags(+oam-df-csum))"),
            "tunnel(ttl=64,geneve({class=0x102,type=0x80,len=8,0x1122334455667788}),"
            "flags(+oam-df-csum))");
}

TEST(OdpKeyText, Nsh) {
  const std::string exact =
      "eth_type(0x894f),nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,"
      "c4=0x4)";
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(odp_flow_from_string(exact, key, &mask).ok());
  EXPECT_EQ(odp_flow_key_format(key.bytes()), exact);
  EXPECT_EQ(roundtrip_wc("eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255,c1=0x10/0xff)"),
            "eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255,c1=0x10/0x000000ff)");
  EXPECT_EQ(roundtrip_wc("nsh(flags=2/0x3,mdtype=1)"), "nsh(flags=0x02/0x03,mdtype=1)");
  // Without MD type 1 the key carries no context, so (as in OVS) the
  // context prints as exact zeros.
  EXPECT_EQ(roundtrip_wc("nsh(np=3)"), "nsh(np=3,c1=0x0,c2=0x0,c3=0x0,c4=0x0)");
  EXPECT_FALSE(odp_flow_from_string("nsh(spi=)", key, &mask).ok());
  EXPECT_EQ(roundtrip_actions("set(nsh(np=3,spi=0x5,si=2))"),
            "set(nsh(flags=0,ttl=0,mdtype=0,np=3,spi=0x5,si=2))");
}

TEST(OdpKeyText, SyntaxErrorsInOvsWords) {
  nl::AttrBuilder key, mask;
  Status st = odp_flow_from_string("in_port(1),bogus(2)", key, &mask);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "syntax error at bogus(2)");
  EXPECT_TRUE(key.empty()) << "key must be left unchanged on error";
  EXPECT_FALSE(odp_flow_from_string("ipv4(frag=maybe)", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string("vlan(vid=4096)", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string("recirc_id(1/2)", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string("eth(src=1:2:3)", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string("ct_state()", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string("in_port(1", key, &mask).ok());
  EXPECT_FALSE(odp_flow_from_string(std::string("in_port(1)\0x", 12), key, &mask).ok());
}

TEST(OdpKeyText, ThirtyThreeNestedEncapIsRejected) {
  std::string s;
  for (int i = 0; i < 33; i++) s += "encap(";
  s += std::string(33, ')');
  nl::AttrBuilder key, mask;
  Status st = odp_flow_from_string(s, key, &mask);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "syntax error at " + s);
  // 31 levels are fine.
  std::string ok;
  for (int i = 0; i < 31; i++) ok += "encap(";
  ok += std::string(31, ')');
  EXPECT_TRUE(odp_flow_from_string(ok, key, &mask).ok());
}

TEST(OdpKeyText, KeysTooLong) {
  // Empty encap() is 4 bytes: 16383 fit in a netlink attribute, 16384 not.
  std::string fits, too_long;
  for (int i = 0; i < 16383; i++) fits += "encap(),";
  too_long = fits + "encap()";
  nl::AttrBuilder k1, m1, k2, m2;
  EXPECT_TRUE(odp_flow_from_string(fits, k1, &m1).ok());
  Status st = odp_flow_from_string(too_long, k2, &m2);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), E2BIG);
  EXPECT_EQ(st.error().message(), "syntax error at encap()");
}

TEST(OdpKeyText, UfidRoundTrip) {
  Ufid u;
  auto n = odp_ufid_from_string("ufid:12345678-9abc-def0-1234-56789abcdef0 rest", &u);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 41u);
  EXPECT_EQ(odp_format_ufid(u), "ufid:12345678-9abc-def0-1234-56789abcdef0");
  EXPECT_EQ(odp_ufid_from_string("in_port(1)", &u).value(), 0u);
  EXPECT_FALSE(odp_ufid_from_string("ufid:1234", &u).ok());
  // odp_flow_from_string skips a leading ufid.
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(
      odp_flow_from_string("ufid:12345678-9abc-def0-1234-56789abcdef0 in_port(3)", key, &mask)
          .ok());
  EXPECT_EQ(odp_flow_format(key.bytes(), mask.bytes()), "in_port(3)");
}

TEST(OdpKeyText, UfidFromKeyHash) {
  nl::AttrBuilder a, b;
  ASSERT_TRUE(odp_flow_from_string("in_port(1),eth_type(0x0800)", a, nullptr).ok());
  ASSERT_TRUE(odp_flow_from_string("in_port(2),eth_type(0x0800)", b, nullptr).ok());
  Ufid ua = odp_flow_key_hash(a.bytes(), 42), ub = odp_flow_key_hash(b.bytes(), 42);
  EXPECT_EQ(ua, odp_flow_key_hash(a.bytes(), 42));
  EXPECT_FALSE(ua == ub);
  EXPECT_FALSE(ua == odp_flow_key_hash(a.bytes(), 43));
  std::string text = odp_format_ufid(ua);
  EXPECT_EQ(text[5 + 14], '4') << text;  // version nibble
  Ufid back;
  ASSERT_TRUE(odp_ufid_from_string(text, &back).ok());
  EXPECT_EQ(back, ua);
}

TEST(OdpKeyText, MalformedAttributesPrintLikeOvs) {
  nl::AttrBuilder key;
  key.put_u16(OVS_KEY_ATTR_IN_PORT, 7);  // in_port must be 4 bytes
  EXPECT_EQ(odp_flow_key_format(key.bytes()), "(bad key length 2, expected 4)(07 00)");
  nl::AttrBuilder unknown;
  unknown.put_u8(77, 0xab);
  EXPECT_EQ(odp_flow_key_format(unknown.bytes()), "key77(ab)");
  std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_EQ(odp_flow_key_format(junk), "<empty>,***3 leftover bytes*** (010203)");
  EXPECT_EQ(odp_flow_key_format({}), "<empty>");
}

TEST(OdpActionsText, ErrorsAndLimits) {
  nl::AttrBuilder a;
  EXPECT_FALSE(odp_actions_from_string("encap_nsh@:{@", a).ok());
  EXPECT_FALSE(odp_actions_from_string("1,bogus", a).ok());
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(odp_actions_from_string("push_vlan(vid=4096,pcp=0)", a).ok());
  EXPECT_FALSE(odp_actions_from_string("ct(commit,force_commit)", a).ok());
  EXPECT_FALSE(odp_actions_from_string("ct(nat(src=10.0.0.2-10.0.0.1))", a).ok());
  EXPECT_FALSE(odp_actions_from_string("ct(helper=0123456789abcdef)", a).ok());
  EXPECT_FALSE(odp_actions_from_string("sample(sample=101%,actions(1))", a).ok());
  EXPECT_FALSE(odp_actions_from_string("clone(1", a).ok());
}

TEST(OdpActionsText, UserdataOverflow) {
  auto userspace = [](size_t hex_chars, const char* tail) {
    return "userspace(pid=1234567,userdata(" + std::string(hex_chars, 'a') + ")," + tail;
  };
  nl::AttrBuilder a;
  EXPECT_TRUE(odp_actions_from_string(userspace(131024, "actions)"), a).ok());
  a.clear();
  Status big = odp_actions_from_string(userspace(131026, "actions)"), a);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code(), E2BIG);
  a.clear();
  EXPECT_TRUE(odp_actions_from_string(userspace(131016, "tunnel_out_port=10)"), a).ok());
  a.clear();
  EXPECT_FALSE(odp_actions_from_string(userspace(131018, "tunnel_out_port=10)"), a).ok());
}

TEST(OdpActionsText, ActionsTooLong) {
  std::string fits;
  for (int i = 0; i < 8191; i++) fits += "set(encap()),";
  fits.pop_back();
  nl::AttrBuilder a;
  EXPECT_TRUE(odp_actions_from_string(fits, a).ok());
  a.clear();
  EXPECT_FALSE(odp_actions_from_string(fits + ",set(encap())", a).ok());
}

TEST(OdpActionsText, ExtrasBeyondTheCorpus) {
  EXPECT_EQ(roundtrip_actions("push_vlan(vid=100,pcp=0),2"), "push_vlan(vid=100,pcp=0),2");
  EXPECT_EQ(roundtrip_actions("recirc(0x2a)"), "recirc(0x2a)");
  EXPECT_EQ(roundtrip_actions("hash(l4(0)),recirc(0x1)"), "hash(l4(0)),recirc(0x1)");
  EXPECT_EQ(roundtrip_actions("hash(sym_l4(7))"), "hash(sym_l4(7))");
  EXPECT_EQ(roundtrip_actions("push_mpls(label=10,tc=1,ttl=64,bos=1,eth_type=0x8847)"),
            "push_mpls(label=10,tc=1,ttl=64,bos=1,eth_type=0x8847)");
  EXPECT_EQ(roundtrip_actions("pop_mpls(eth_type=0x800)"), "pop_mpls(eth_type=0x800)");
  EXPECT_EQ(roundtrip_actions("meter(3),trunc(64),1"), "meter(3),trunc(64),1");
  EXPECT_EQ(roundtrip_actions("push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),pop_eth"),
            "push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),pop_eth");
  EXPECT_EQ(roundtrip_actions("set(skb_mark(0x5))"), "set(skb_mark(0x5))");
  EXPECT_EQ(roundtrip_actions("set(ipv4(ttl=63))"), "set(ipv4(ttl=63))");
  EXPECT_EQ(roundtrip_actions("drop"), "drop");
  EXPECT_EQ(roundtrip_actions("push_nsh(spi=0x10,si=3,c1=0xa),pop_nsh()"),
            "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x10,si=3,c1=0xa,c2=0x0,c3=0x0,c4=0x0),"
            "pop_nsh()");
  EXPECT_EQ(roundtrip_actions("push_nsh(mdtype=2,np=1,spi=0x1,si=1,md2=0x0102030405)"),
            "push_nsh(flags=0,ttl=63,mdtype=2,np=1,spi=0x1,si=1,md2=0x102030405000000)");
  EXPECT_EQ(format_odp_actions(nl::Bytes()), "drop");
  EXPECT_EQ(roundtrip_actions("userspace(pid=1)"),
            "userspace(pid=1,userdata(" + std::string(96, '0') + "))");
}

TEST(OdpActionsText, PortNames) {
  PortNameMap names = {{"eth0", 3}, {"br0", 1}};
  nl::AttrBuilder a, key, mask;
  ASSERT_TRUE(odp_actions_from_string("eth0,br0", a, &names).ok());
  EXPECT_EQ(format_odp_actions(a.bytes()), "3,1");
  ASSERT_TRUE(odp_flow_from_string("in_port(eth0)", key, &mask, &names).ok());
  EXPECT_EQ(odp_flow_format(key.bytes(), mask.bytes()), "in_port(3)");
  // dpctl --names: numbers print as names where known.
  PortNoNames by_number = {{3, "eth0"}, {1, "br0"}};
  EXPECT_EQ(odp_flow_format(key.bytes(), mask.bytes(), false, &by_number), "in_port(eth0)");
  nl::AttrBuilder b;
  ASSERT_TRUE(odp_actions_from_string("3,1,7,userspace(pid=1,ipfix(output_port=3))", b).ok());
  EXPECT_EQ(format_odp_actions(b.bytes(), &by_number),
            "eth0,br0,7,userspace(pid=1,ipfix(output_port=eth0))");
  EXPECT_EQ(format_odp_actions(b.bytes()), "3,1,7,userspace(pid=1,ipfix(output_port=3))");
}

TEST(OdpActionsText, MalformedActionsPrintLikeOvs) {
  nl::AttrBuilder a;
  a.put_u16(OVS_ACTION_ATTR_OUTPUT, 1);
  EXPECT_EQ(format_odp_actions(a.bytes()), "bad length 2, expected 4 for: action1(01 00)");
  nl::AttrBuilder b;
  b.put_flag(OVS_ACTION_ATTR_SAMPLE);
  EXPECT_EQ(format_odp_actions(b.bytes()), "sample(error)");
  nl::AttrBuilder c;
  c.put_u32(200, 5);
  EXPECT_EQ(format_odp_actions(c.bytes()), "bad length 4, expected -1 for: action200(05 00 00 00)");
  // Deeply nested clone() from hostile input formats without blowing the stack.
  std::vector<uint8_t> deep;
  for (int i = 0; i < 10000; i++) {
    uint16_t hdr[2] = {static_cast<uint16_t>(4 * (10000 - i)), OVS_ACTION_ATTR_CLONE};
    deep.insert(deep.end(), reinterpret_cast<uint8_t*>(hdr), reinterpret_cast<uint8_t*>(hdr) + 4);
  }
  std::string out = format_odp_actions(deep);
  EXPECT_NE(out.find("..."), std::string::npos);
}

TEST(OdpFlowLine, DumpFlowsLine) {
  nl::AttrBuilder key, mask, actions;
  ASSERT_TRUE(
      odp_flow_from_string("recirc_id(0),in_port(1),eth_type(0x0800),ipv4(frag=no)", key, &mask)
          .ok());
  ASSERT_TRUE(odp_actions_from_string("push_vlan(vid=100,pcp=0),2", actions).ok());
  DpifFlowText f{std::nullopt, key.bytes(), mask.bytes(), actions.bytes(), {}};
  EXPECT_EQ(format_dpif_flow(f, false, 1000),
            "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, "
            "used:never, actions:push_vlan(vid=100,pcp=0),2");
  f.stats = {3, 180, 750, 0x12};
  EXPECT_EQ(dpif_flow_stats_format(f.stats, 1000), "packets:3, bytes:180, used:0.250s, flags:S.");
  EXPECT_EQ(packet_format_tcp_flags(0), "none");
}

}  // namespace
}  // namespace grebe::odp
