// Action builders and the userspace cookie codec, checked through the
// text formatter (the same text OVS would print).
#include "grebe/odp/odp_put.h"

#include <gtest/gtest.h>
#include <linux/openvswitch.h>

#include "grebe/odp/odp_actions.h"
#include "grebe/util/byteorder.h"

namespace grebe::odp {
namespace {

TEST(UserActionCookie, EncodesEveryTypeAsOvsPrintsIt) {
  UserActionCookie c;
  c.type = UserActionCookieType::kController;
  c.controller_reason = 1;
  c.continuation = true;
  c.recirc_id = 4444;
  c.rule_cookie = 0x5555;
  c.max_len = 65535;
  nl::AttrBuilder a;
  ASSERT_TRUE(odp_put_userspace_action(6633, c.encode(), std::nullopt, false, a).ok());
  EXPECT_EQ(format_odp_actions(a.bytes()),
            "userspace(pid=6633,controller(reason=1,dont_send=0,continuation=1,recirc_id=4444,"
            "rule_cookie=0x5555,controller_id=0,max_len=65535))");

  UserActionCookie s;
  s.type = UserActionCookieType::kSlowPath;
  s.slow_path_reason = kSlowCfm;
  nl::AttrBuilder b;
  ASSERT_TRUE(odp_put_userspace_action(9765, s.encode(), 10u, false, b).ok());
  EXPECT_EQ(format_odp_actions(b.bytes()), "userspace(pid=9765,slow_path(cfm),tunnel_out_port=10)");

  UserActionCookie f;
  f.type = UserActionCookieType::kFlowSample;
  f.probability = 123;
  f.collector_set_id = 1234;
  f.obs_domain_id = 2345;
  f.obs_point_id = 3456;
  f.output_odp_port = 10;
  f.direction = 2;
  nl::AttrBuilder d;
  ASSERT_TRUE(odp_put_userspace_action(6633, f.encode(), std::nullopt, true, d).ok());
  EXPECT_EQ(format_odp_actions(d.bytes()),
            "userspace(pid=6633,flow_sample(probability=123,collector_set_id=1234,"
            "obs_domain_id=2345,obs_point_id=3456,output_port=10,egress),actions)");
}

TEST(UserActionCookie, DecodeRoundTripAndErrors) {
  UserActionCookie c;
  c.type = UserActionCookieType::kSflow;
  c.ofp_in_port = 7;
  c.ofproto_uuid[0] = 0xab;
  c.sflow_vlan_tci = 0x1009;
  c.sflow_output = 10;
  auto bytes = c.encode();
  ASSERT_EQ(bytes.size(), 48u);
  auto back = UserActionCookie::decode(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, UserActionCookieType::kSflow);
  EXPECT_EQ(back->ofp_in_port, 7);
  EXPECT_EQ(back->ofproto_uuid[0], 0xab);
  EXPECT_EQ(back->sflow_vlan_tci, 0x1009);
  EXPECT_EQ(back->sflow_output, 10u);
  std::vector<uint8_t> short_data(8);
  EXPECT_FALSE(UserActionCookie::decode(short_data).ok());
  bytes[0] = 99;
  EXPECT_FALSE(UserActionCookie::decode(bytes).ok());
  // Parsed text decodes to the same cookie.
  nl::AttrBuilder a;
  ASSERT_TRUE(odp_actions_from_string("userspace(pid=1,ipfix(output_port=5))", a).ok());
  nl::Attr ua = nl::find_attr(a.bytes(), OVS_ACTION_ATTR_USERSPACE);
  auto ud =
      UserActionCookie::decode(nl::find_attr(ua.payload(), OVS_USERSPACE_ATTR_USERDATA).payload());
  ASSERT_TRUE(ud.ok());
  EXPECT_EQ(ud->type, UserActionCookieType::kIpfix);
  EXPECT_EQ(ud->output_odp_port, 5u);
  EXPECT_EQ(ud->ofp_in_port, 0xffff);
}

TEST(OdpPut, UserdataPaddingAndLimits) {
  nl::AttrBuilder a;
  size_t off = 0;
  std::vector<uint8_t> three = {1, 2, 3};
  ASSERT_TRUE(odp_put_userspace_action(5, three, std::nullopt, false, a, &off).ok());
  EXPECT_EQ(format_odp_actions(a.bytes()), "userspace(pid=5,userdata(0102030000000000))");
  EXPECT_EQ(a.data()[off], 1);
  std::vector<uint8_t> huge(70000);
  nl::AttrBuilder b;
  Status st = odp_put_userspace_action(5, huge, std::nullopt, false, b);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), E2BIG);
  EXPECT_TRUE(b.empty());
}

TEST(OdpPut, SetAndMaskedSetAndTunnel) {
  nl::AttrBuilder a;
  uint32_t mark = 5;
  odp_put_set_action(OVS_KEY_ATTR_SKB_MARK, nl::Bytes(reinterpret_cast<uint8_t*>(&mark), 4), a);
  uint8_t tcp[4], tcp_mask[4];
  store_be16(tcp, 80);
  store_be16(tcp + 2, 1234);
  store_be16(tcp_mask, 0xffff);
  store_be16(tcp_mask + 2, 0);
  odp_put_set_masked_action(OVS_KEY_ATTR_TCP, tcp, tcp_mask, a);
  odp_put_push_vlan_action(0x8100, 0x1000 | 12, a);
  odp_put_push_mpls_action(10u << 12 | 1u << 8 | 64, 0x8847, a);
  odp_put_pop_mpls_action(0x0800, a);
  odp_put_hash_action(OVS_HASH_ALG_L4, 0, a);
  EXPECT_EQ(format_odp_actions(a.bytes()),
            "set(skb_mark(0x5)),set(tcp(src=80)),push_vlan(vid=12,pcp=0),"
            "push_mpls(label=10,tc=0,ttl=64,bos=1,eth_type=0x8847),pop_mpls(eth_type=0x800),"
            "hash(l4(0))");

  FlowTnl t{};
  t.tun_id = 0x1;
  t.ip_dst = 0x01010101;
  t.ip_ttl = 64;
  t.flags = 2 | 8;  // df, key
  t.erspan_ver = 2;
  t.erspan_dir = 1;
  t.erspan_hwid = 1;
  nl::AttrBuilder b;
  odp_put_tunnel_action(t, b);
  EXPECT_EQ(format_odp_actions(b.bytes()),
            "set(tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1,hwid=0x1),"
            "flags(df|key)))");
}

}  // namespace
}  // namespace grebe::odp
