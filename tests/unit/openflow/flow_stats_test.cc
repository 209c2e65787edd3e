// Flow statistics: round trip through the wire and the dump-flows line
// format (checked against stock ofp-print of the same bytes).
#include <gtest/gtest.h>

#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_print.h"

namespace grebe::openflow {
namespace {

FlowStats sample() {
  auto fm = parse_flow_mod("table=3,priority=7,idle_timeout=10,ip,nw_dst=10.0.0.0/8,actions=output:2",
                           FlowModCommand::kAdd);
  FlowStats fs;
  fs.match = fm->fm.match;
  fs.priority = fm->fm.priority;
  fs.table_id = 3;
  fs.idle_timeout = 10;
  fs.actions = fm->fm.actions;
  fs.cookie = 0x5;
  fs.duration_sec = 2;
  fs.duration_nsec = 500000000;
  fs.packet_count = 9;
  fs.byte_count = 900;
  return fs;
}

TEST(FlowStats, DumpFlowsLine) {
  FlowStats fs = sample();
  EXPECT_EQ(format_flow_stats(fs, true, kOfp13),
            "cookie=0x5, duration=2.500s, table=3, n_packets=9, n_bytes=900, idle_timeout=10, "
            "priority=7,ip,nw_dst=10.0.0.0/8 actions=output:2");
  EXPECT_EQ(format_flow_stats(fs, false, kOfp13),
            "cookie=0x5, table=3, idle_timeout=10, priority=7,ip,nw_dst=10.0.0.0/8 actions=output:2");
  fs.duration_nsec = 1;
  fs.packet_count = ~0ull;
  EXPECT_NE(format_flow_stats(fs, true, kOfp13).find("duration=2.000000001s, table=3, n_packets=?"),
            std::string::npos);
}

TEST(FlowStats, WireRoundTrip) {
  for (uint8_t v : {kOfp10, kOfp13, kOfp14}) {
    auto msg = encode_flow_stats_reply({sample(), sample()}, v, 4);
    ASSERT_TRUE(msg.ok()) << msg.error().message();
    auto back = decode_flow_stats_reply(msg->data(), msg->size());
    ASSERT_TRUE(back.ok()) << back.error().message();
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ(format_flow_stats((*back)[1], true, v), format_flow_stats(sample(), true, v));
  }
  auto m13 = encode_flow_stats_reply({sample()}, kOfp13, 4);
  EXPECT_EQ(ofp_to_string(m13->data(), m13->size()),
            "OFPST_FLOW reply (OF1.3) (xid=0x4):\n cookie=0x5, duration=2.500s, table=3, "
            "n_packets=9, n_bytes=900, idle_timeout=10, priority=7,ip,nw_dst=10.0.0.0/8 "
            "actions=output:2\n");
  FlowStatsRequest rq;
  rq.table_id = 3;
  rq.out_port = 2;
  rq.match.set_dl_type(0x0800);
  auto req = encode_flow_stats_request(rq, kOfp13, 9);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(ofp_to_string(req->data(), req->size()),
            "OFPST_FLOW request (OF1.3) (xid=0x9): table=3 out_port=2 ip\n");
  EXPECT_FALSE(encode_flow_stats_reply({sample()}, kOfp15, 1).ok());
}

}  // namespace
}  // namespace grebe::openflow
