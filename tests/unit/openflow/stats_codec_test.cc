// Statistics families (table, port, queue, group, meter): every reply
// round-trips encode -> decode -> encode byte-identically in every version
// that has it, and truncated or inconsistent input gets the OpenFlow error
// OVS reports.
#include <gtest/gtest.h>

#include "grebe/openflow/group_stats.h"
#include "grebe/openflow/meter_stats.h"
#include "grebe/openflow/multipart.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/port_stats.h"
#include "grebe/openflow/table_stats.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

std::vector<uint8_t> truncate_body(std::vector<uint8_t> m, size_t cut) {
  m.resize(m.size() - cut);
  store_be16(&m[2], static_cast<uint16_t>(m.size()));
  return m;
}

TEST(TableStats, RoundTripEveryVersion) {
  std::vector<TableStats> tables(3);
  for (uint8_t i = 0; i < 3; ++i) {
    tables[i].table_id = i;
    tables[i].active_count = 10 * i;
    tables[i].lookup_count = 1000 + i;
    tables[i].matched_count = 7;
  }
  for (uint8_t v = kOfp10; v <= kOfp15; ++v) {
    auto msg = encode_table_stats_reply(tables, v, 5);
    auto got = decode_table_stats_reply(msg.data(), msg.size());
    ASSERT_TRUE(got.ok()) << int(v);
    ASSERT_EQ(got->size(), 3u);
    EXPECT_EQ((*got)[2].active_count, 20u);
    EXPECT_EQ((*got)[1].lookup_count, 1001u);
    if (v <= kOfp12) {
      EXPECT_EQ(encode_table_stats_reply(*got, v, 5), msg) << int(v);
    }
  }
}

TEST(TableStats, DittoFolding) {
  std::vector<TableStats> tables(5);
  for (uint8_t i = 0; i < 5; ++i) tables[i].table_id = i;
  tables[0].active_count = 1;
  auto msg = encode_table_stats_reply(tables, kOfp13, 2);
  EXPECT_EQ(ofp_to_string(msg.data(), msg.size(), 1),
            "OFPST_TABLE reply (OF1.3) (xid=0x2):\n"
            "  table 0:\n    active=1, lookup=0, matched=0\n\n"
            "  table 1:\n    active=0, lookup=0, matched=0\n\n"
            "  tables 2...4: ditto\n");
  auto of10 = encode_table_stats_reply(tables, kOfp10, 2);
  std::string s = ofp_to_string(of10.data(), of10.size(), 1);
  EXPECT_NE(s.find("exact match or wildcard: in_port eth_{src,dst,type} vlan_{vid,pcp} "
                   "ip_{src,dst} nw_{proto,tos} tcp_{src,dst}\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("    (same features)\n"), std::string::npos);
}

TEST(TableStats, BadLength) {
  auto msg = truncate_body(encode_table_stats_reply({TableStats{}}, kOfp13, 1), 4);
  auto got = decode_table_stats_reply(msg.data(), msg.size());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "OFPBRC_BAD_LEN");
}

PortStats sample_port(uint32_t no) {
  PortStats ps;
  ps.port_no = no;
  ps.rx_packets = 5, ps.tx_packets = 6, ps.rx_bytes = 500, ps.tx_bytes = 600;
  ps.rx_dropped = 0, ps.tx_dropped = 1;
  ps.duration_sec = 3, ps.duration_nsec = 500000000;
  return ps;
}

TEST(PortStats, RoundTripEveryVersion) {
  for (uint8_t v = kOfp10; v <= kOfp15; ++v) {
    std::vector<PortStats> in = {sample_port(1), sample_port(kOfppLocal)};
    if (v >= kOfp14) in[0].custom = {{"rx_q0_bytes", 9}, {"tx_q0_bytes", 10}};
    auto msg = encode_port_stats_reply(in, v, 9);
    auto got = decode_port_stats_reply(msg.data(), msg.size());
    ASSERT_TRUE(got.ok()) << int(v) << " " << got.error().message();
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[1].port_no, kOfppLocal);
    EXPECT_EQ(encode_port_stats_reply(*got, v, 9), msg) << int(v);
    if (v < kOfp13) {
      EXPECT_EQ((*got)[0].duration_sec, kDurationUnknown);
    }
  }
}

TEST(PortStats, Format) {
  PortStats ps = sample_port(1);
  ps.custom = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
  EXPECT_EQ(format_port_stats(ps),
            "  port  1: rx pkts=5, bytes=500, drop=0, errs=?, frame=?, over=?, crc=?\n"
            "           tx pkts=6, bytes=600, drop=1, errs=?, coll=?\n"
            "           duration=3.500s\n"
            "           CUSTOM Statistics\n"
            "                      a=1, b=2, c=3,\n"
            "                      d=4,\n");
}

TEST(PortStats, Errors) {
  auto msg = encode_port_stats_reply({sample_port(1)}, kOfp13, 1);
  auto cut = truncate_body(msg, 8);
  EXPECT_EQ(decode_port_stats_reply(cut.data(), cut.size()).error().message(), "OFPBRC_BAD_LEN");
  // A port number in the unused OF1.1 range.
  store_be32(&msg[16], 0x12345678);
  EXPECT_EQ(decode_port_stats_reply(msg.data(), msg.size()).error().message(), "OFPBRC_BAD_PORT");
  // OF1.4 record whose property overruns it.
  auto m14 = encode_port_stats_reply({sample_port(2)}, kOfp14, 1);
  store_be16(&m14[16 + 80 + 2], 200);
  EXPECT_EQ(decode_port_stats_reply(m14.data(), m14.size()).error().message(), "OFPBPC_BAD_LEN");
  // Request with a body of the wrong size.
  auto req = truncate_body(encode_port_stats_request(kOfp13, 1, 1), 4);
  EXPECT_EQ(decode_port_stats_request(req.data(), req.size()).error().message(), "OFPBRC_BAD_LEN");
}

TEST(QueueStats, RoundTrip) {
  for (uint8_t v = kOfp10; v <= kOfp15; ++v) {
    QueueStats q;
    q.port_no = 2, q.queue_id = 7, q.tx_bytes = 1, q.tx_packets = 2, q.tx_errors = 3;
    if (v >= kOfp13) q.duration_sec = 1, q.duration_nsec = 0;
    auto msg = encode_queue_stats_reply({q}, v, 3);
    auto got = decode_queue_stats_reply(msg.data(), msg.size());
    ASSERT_TRUE(got.ok()) << int(v);
    EXPECT_EQ(encode_queue_stats_reply(*got, v, 3), msg);
    QueueStatsRequest r;
    r.port_no = 2, r.queue_id = 7;
    auto req = encode_queue_stats_request(v, r, 4);
    auto rr = decode_queue_stats_request(req.data(), req.size());
    ASSERT_TRUE(rr.ok());
    EXPECT_EQ(rr->port_no, 2u);
    EXPECT_EQ(rr->queue_id, 7u);
  }
  QueueStats q;
  q.port_no = kOfppLocal;
  EXPECT_EQ(format_queue_stats(q), "  port LOCAL queue 0: bytes=?, pkts=?, errors=?, duration=?\n");
}

TEST(GroupStats, RoundTripAndFormat) {
  GroupStats gs;
  gs.group_id = 7, gs.ref_count = 1, gs.packet_count = 2, gs.byte_count = 3;
  gs.duration_sec = 0, gs.duration_nsec = 235000000;
  gs.buckets = {{4, 5}};
  for (uint8_t v = kOfp11; v <= kOfp14; ++v) {
    auto msg = encode_group_stats_reply({gs}, v, 1);
    auto got = decode_group_stats_reply(msg.data(), msg.size());
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(encode_group_stats_reply(*got, v, 1), msg);
  }
  EXPECT_EQ(format_group_stats(gs),
            "\n group_id=7,duration=0.235s,ref_count=1,packet_count=2,byte_count=3,"
            "bucket0:packet_count=4,byte_count=5");
  auto msg = encode_group_stats_reply({gs}, kOfp13, 1);
  store_be16(&msg[16], 44);  // not 40 + n * 16
  EXPECT_EQ(decode_group_stats_reply(msg.data(), msg.size()).error().message(), "OFPBRC_BAD_LEN");
}

TEST(GroupDesc, RoundTripAndErrors) {
  auto g = parse_group_mod("group_id=8,type=select,bucket=weight=5,output:1,bucket=output:2",
                           GroupCommand::kAdd);
  ASSERT_TRUE(g.ok());
  for (uint8_t v = kOfp11; v <= kOfp14; ++v) {
    auto msg = encode_group_desc_reply({g->gm}, v, 1);
    ASSERT_TRUE(msg.ok());
    auto got = decode_group_desc_reply(msg->data(), msg->size());
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(format_group_desc((*got)[0], v),
              "\n group_id=8,type=select,bucket=weight:5,actions=output:1,bucket=actions=output:2");
  }
  auto msg = *encode_group_desc_reply({g->gm}, kOfp13, 1);
  store_be16(&msg[16 + 8], 8);  // bucket shorter than its header
  EXPECT_EQ(decode_group_desc_reply(msg.data(), msg.size()).error().message(),
            "OFPGMFC_BAD_BUCKET");
}

TEST(GroupFeatures, RoundTrip) {
  GroupFeatures f = default_group_features();
  auto msg = encode_group_features_reply(f, kOfp13, 1);
  auto got = decode_group_features_reply(msg.data(), msg.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(encode_group_features_reply(*got, kOfp13, 1), msg);
  EXPECT_EQ(format_action_bitmap(f.actions[0]),
            "output group set_field strip_vlan push_vlan mod_nw_ttl dec_ttl set_mpls_ttl "
            "dec_mpls_ttl push_mpls pop_mpls set_queue");
  auto cut = truncate_body(msg, 4);
  EXPECT_EQ(decode_group_features_reply(cut.data(), cut.size()).error().message(),
            "OFPBRC_BAD_LEN");
}

TEST(MeterStats, RoundTripAndFormat) {
  MeterStats ms;
  ms.meter_id = 3, ms.flow_count = 1, ms.duration_sec = 1, ms.duration_nsec = 5000000;
  ms.bands = {{2, 3}};
  auto msg = encode_meter_stats_reply({ms}, kOfp13, 1);
  auto got = decode_meter_stats_reply(msg.data(), msg.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(encode_meter_stats_reply(*got, kOfp13, 1), msg);
  EXPECT_EQ(format_meter_stats(ms),
            "meter:3 flow_count:1 packet_in_count:0 byte_in_count:0 duration:1.005s bands:\n"
            "0: packet_count:2 byte_count:3\n");
  auto req = encode_meter_request(kOfp13, kMpMeter, kMeterAll, 1);
  EXPECT_EQ(ofp_to_string(req.data(), req.size()),
            "OFPST_METER request (OF1.3) (xid=0x1): meter=all\n");
  store_be16(&msg[16 + 4], 41);
  EXPECT_EQ(decode_meter_stats_reply(msg.data(), msg.size()).error().message(), "OFPBRC_BAD_LEN");
}

TEST(MeterConfig, RoundTripAndErrors) {
  auto mm = parse_meter_mod("meter=3,kbps,burst,band=type=drop,rate=100,burst_size=50",
                            MeterCommand::kAdd);
  ASSERT_TRUE(mm.ok());
  auto msg = encode_meter_config_reply({*mm}, kOfp13, 1);
  auto got = decode_meter_config_reply(msg.data(), msg.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(format_meter_config((*got)[0]), "meter=3 kbps burst bands=\ntype=drop rate=100 burst_size=50\n");
  store_be16(&msg[16 + 8 + 2], 8);
  EXPECT_EQ(decode_meter_config_reply(msg.data(), msg.size()).error().message(),
            "OFPMMFC_BAD_BAND");
  // Meters do not exist before OpenFlow 1.3.
  auto old = encode_meter_config_reply({*mm}, kOfp12, 1);
  EXPECT_EQ(decode_meter_config_reply(old.data(), old.size()).error().message(),
            "OFPBRC_BAD_VERSION");
}

TEST(MeterFeatures, RoundTripAndFormat) {
  MeterFeatures f{262144, 2, 0xf, 8, 0};
  auto msg = encode_meter_features_reply(f, kOfp13, 1);
  auto got = decode_meter_features_reply(msg.data(), msg.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(format_meter_features(*got),
            "\nmax_meter:262144 max_bands:8 max_color:0\nband_types: drop\n"
            "capabilities: kbps pktps burst stats\n");
}

TEST(Multipart, SplitsLongReplies) {
  std::vector<std::vector<uint8_t>> records(2000, std::vector<uint8_t>(40, 0xab));
  MultipartMsg proto;
  proto.version = kOfp13, proto.type = kMpMeter, proto.xid = 9;
  auto msgs = split_multipart_reply(proto, records);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2u);
  size_t total = 0;
  for (size_t i = 0; i < msgs->size(); ++i) {
    auto m = decode_multipart((*msgs)[i].data(), (*msgs)[i].size());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->flags, i + 1 < msgs->size() ? kMpFlagMore : 0);
    EXPECT_LE((*msgs)[i].size(), 65535u);
    total += m->body_len;
  }
  EXPECT_EQ(total, 2000u * 40);
  std::vector<uint8_t> hdr_only = {4, 19, 0, 12, 0, 0, 0, 1, 0, 9, 0, 0};
  EXPECT_EQ(decode_multipart(hdr_only.data(), hdr_only.size()).error().message(),
            "OFPBRC_BAD_LEN");
}

}  // namespace
}  // namespace grebe::openflow
