// NXST_FLOW / NXT_SET_FLOW_FORMAT / NXT_FLOW_MOD_TABLE_ID wire layouts
// (OVS nicira-ext.h), checked against hand-assembled bytes.
#include <gtest/gtest.h>

#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_protocol.h"

namespace grebe::openflow {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(NxFlowStats, SetFlowFormatAndTableIdBytes) {
  EXPECT_EQ(encode_nx_set_flow_format(2, 7),
            (Bytes{0x01, 0x04, 0x00, 0x14, 0, 0, 0, 7, 0, 0, 0x23, 0x20, 0, 0, 0, 12, 0, 0, 0, 2}));
  Bytes tid = encode_nx_flow_mod_table_id(true, 1);
  ASSERT_EQ(tid.size(), 24u);
  EXPECT_EQ(tid[15], 15);  // subtype
  EXPECT_EQ(tid[16], 1);   // set
}

TEST(NxFlowStats, RequestCarriesMatchAndCookie) {
  FlowStatsRequest r;
  r.table_id = 3;
  r.out_port = 2;
  r.cookie = 0x10;
  r.cookie_mask = ~0ull;
  Bytes b = encode_nx_flow_stats_request(r, 9);
  ASSERT_EQ(b.size(), 48u);  // 24 header + 8 body + 12 cookie padded to 16
  EXPECT_EQ(b[1], 16);       // OFPT_STATS_REQUEST
  EXPECT_EQ((Bytes{b[8], b[9]}), (Bytes{0xff, 0xff}));
  EXPECT_EQ((Bytes{b[24], b[25], b[26], b[27], b[28]}), (Bytes{0, 2, 0, 12, 3}));
  EXPECT_EQ((Bytes{b[32], b[33], b[34], b[35]}), (Bytes{0x00, 0x01, 0x3c, 0x08}));
  EXPECT_EQ(b[43], 0x10);

  r.cookie_mask = 0xff;
  b = encode_nx_flow_stats_request(r, 9);
  EXPECT_EQ((Bytes{b[32], b[33], b[34], b[35]}), (Bytes{0x00, 0x01, 0x3d, 0x10}));
  EXPECT_EQ(b[27], 20);  // match_len
}

Bytes sample_reply() {
  Bytes m = {0x01, 0x11, 0x00, 0x58, 0, 0, 0, 5,      // header, length 88
             0xff, 0xff, 0, 0, 0, 0, 0x23, 0x20,     // OFPST_VENDOR, NX
             0, 0, 0, 0, 0, 0, 0, 0,                 // NXST_FLOW, pad
             0x00, 0x40, 0x01, 0x00,                 // length 64, table 1
             0, 0, 0, 3, 0x1d, 0xcd, 0x65, 0x00,     // 3.5 s
             0x00, 0x05, 0, 10, 0, 0,                // priority 5, idle 10
             0x00, 0x06, 0x00, 0x07, 0x00, 0x00,     // match_len 6, idle_age 6, no hard_age
             0, 0, 0, 0, 0, 0, 0, 0x10,              // cookie
             0, 0, 0, 0, 0, 0, 0, 2,                 // packets
             0, 0, 0, 0, 0, 0, 0, 120,               // bytes
             0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0, 0,  // NXM_OF_IN_PORT=1, pad
             0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0xff, 0xff};  // output:2
  return m;
}

TEST(NxFlowStats, DecodesReply) {
  Bytes m = sample_reply();
  ASSERT_TRUE(is_nx_flow_stats_reply(m.data(), m.size()));
  auto fs = decode_nx_flow_stats_reply(m.data(), m.size());
  ASSERT_TRUE(fs.ok()) << fs.error().message();
  ASSERT_EQ(fs->size(), 1u);
  const FlowStats& f = (*fs)[0];
  EXPECT_EQ(f.table_id, 1);
  EXPECT_EQ(f.idle_age, 6);
  EXPECT_EQ(f.hard_age, -1);
  EXPECT_EQ(format_flow_stats(f, true, kOfp10),
            "cookie=0x10, duration=3.500s, table=1, n_packets=2, n_bytes=120, idle_timeout=10, "
            "idle_age=6, priority=5,in_port=1 actions=output:2");
}

TEST(NxFlowStats, RejectsTruncatedAndBadLengths) {
  Bytes m = sample_reply();
  for (size_t n = 0; n < m.size(); ++n) {
    Bytes t(m.begin(), m.begin() + n);
    if (n >= 4) {
      t[2] = static_cast<uint8_t>(n >> 8);
      t[3] = static_cast<uint8_t>(n);
    }
    auto r = decode_nx_flow_stats_reply(t.data(), t.size());
    if (n != 24) {  // 24 = header only: an empty dump
      EXPECT_FALSE(r.ok()) << n;
    }
  }
  m[24] = 0x00;
  m[25] = 0x08;  // entry shorter than its fixed part
  EXPECT_FALSE(decode_nx_flow_stats_reply(m.data(), m.size()).ok());
}

}  // namespace
}  // namespace grebe::openflow
