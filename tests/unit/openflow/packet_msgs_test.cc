// Packet text and packet-in/out codecs; expected strings were checked
// against stock "ovs-ofctl ofp-print".
#include <gtest/gtest.h>

#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/packet_msgs.h"

namespace grebe::openflow {
namespace {

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return out;
}

const char* kIcmp =
    "ffffffffffff0a000000000108004500001c000040004001f6a10a0000010a0000020800f7ff00000000";
const char* kIcmpText =
    "icmp,vlan_tci=0x0000,dl_src=0a:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,nw_src=10.0.0.1,"
    "nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0 "
    "icmp_csum:f7ff\n";

TEST(PacketText, IcmpAndVlanTcp) {
  auto icmp = unhex(kIcmp);
  EXPECT_EQ(format_packet(icmp.data(), icmp.size()), kIcmpText);
  auto tcp = unhex(
      "0a00000000020a00000000018100000508004500002800004000400600000a0000010a00000200300050000000"
      "0100000000501200000000000000");
  EXPECT_EQ(format_packet(tcp.data(), tcp.size()),
            "tcp,dl_vlan=5,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_src=0a:00:00:00:00:01,"
            "dl_dst=0a:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,"
            "nw_ttl=64,nw_frag=no,tp_src=48,tp_dst=80,tcp_flags=syn|ack tcp_csum:0\n");
}

TEST(PacketOut, RoundTripAndPrint) {
  PacketOut po;
  po.in_port = 1;
  po.actions.push_back(ActOutput{2, 0});
  po.packet = unhex(kIcmp);
  for (uint8_t v : {kOfp10, kOfp13, kOfp15}) {
    auto msg = encode_packet_out(po, v, 1);
    ASSERT_TRUE(msg.ok());
    auto back = decode_packet_out(msg->data(), msg->size());
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->in_port, 1u);
    EXPECT_EQ(back->packet, po.packet);
  }
  auto m10 = encode_packet_out(po, kOfp10, 1);
  EXPECT_EQ(ofp_to_string(m10->data(), m10->size(), 2),
            std::string("OFPT_PACKET_OUT (xid=0x1): in_port=1 actions=output:2 data_len=42\n") +
                kIcmpText);
}

TEST(PacketIn, RoundTripAndPrint) {
  PacketIn pin;
  pin.reason = kPinAction;
  pin.table_id = 5;
  pin.cookie = 7;
  pin.flow_metadata.set_in_port(1);
  pin.packet = unhex(kIcmp);
  auto msg = encode_packet_in(pin, kOfp13, 2);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(ofp_to_string(msg->data(), msg->size(), 2),
            std::string("OFPT_PACKET_IN (OF1.3) (xid=0x2): table_id=5 cookie=0x7 total_len=42 "
                        "in_port=1 (via action) data_len=42 (unbuffered)\n") +
                kIcmpText);
  auto m10 = encode_packet_in(pin, kOfp10, 2);
  auto back = decode_packet_in(m10->data(), m10->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->flow_metadata.flow.in_port, 1u);
  EXPECT_EQ(back->packet.size(), 42u);
  const uint8_t truncated[] = {0x04, 0x0a, 0x00, 0x10, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  EXPECT_FALSE(decode_packet_in(truncated, sizeof truncated).ok());
}

}  // namespace
}  // namespace grebe::openflow
