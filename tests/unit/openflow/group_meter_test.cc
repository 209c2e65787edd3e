// Groups and meters: parse-group output against stock golden files; meter
// text, wire round trips and errors.
#include <gtest/gtest.h>

#include <fstream>

#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_print.h"

namespace grebe::openflow {
namespace {

TEST(Groups, ParseGroupMatchesStock) {
  int n = 0;
  for (const char* corpus : {"seed-groups", "extra-groups"}) {
    for (const char* v : {"OpenFlow10", "OpenFlow11", "OpenFlow13", "OpenFlow15"}) {
      std::ifstream in(std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/" + corpus + "." + v + ".golden");
      std::string line, flow, want_out, want_err;
      auto check = [&]() {
        if (flow.empty()) return;
        std::string got_out, got_err;
        auto r = parse_group_mod(flow, GroupCommand::kAdd);
        if (!r.ok()) {
          got_err = "ovs-ofctl: " + r.error().message() + "\n";
        } else {
          auto rep = report_parse_group(*r, protocols_from_version_bitmap(1u << version_from_string(v)));
          got_out = rep.out;
          if (!rep.error.empty()) got_err = "ovs-ofctl: " + rep.error + "\n";
        }
        EXPECT_EQ(got_out, want_out) << flow << " " << v;
        EXPECT_EQ(got_err, want_err) << flow << " " << v;
        ++n;
      };
      while (std::getline(in, line)) {
        if (line.rfind("FLOW ", 0) == 0) {
          check();
          flow = line.substr(5);
          want_out.clear();
          want_err.clear();
        } else if (line.rfind("OUT ", 0) == 0) {
          want_out += line.substr(4) + "\n";
        } else if (line.rfind("ERR ", 0) == 0) {
          want_err += line.substr(4) + "\n";
        }
      }
      check();
    }
  }
  EXPECT_GT(n, 50);
}

TEST(Groups, WireRoundTrip) {
  auto g = parse_group_mod("group_id=7,type=select,bucket=weight:3,actions=output:1,"
                           "bucket=weight:5,output:2",
                           GroupCommand::kAdd);
  ASSERT_TRUE(g.ok());
  auto msg = encode_group_mod(g->gm, kOfp13, 4);
  ASSERT_TRUE(msg.ok());
  auto back = decode_group_mod(msg->data(), msg->size());
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_EQ(back->buckets.size(), 2u);
  EXPECT_EQ(back->buckets[1].weight, 5);
  EXPECT_EQ(ofp_to_string(msg->data(), msg->size()),
            "OFPT_GROUP_MOD (OF1.3) (xid=0x4):\n ADD group_id=7,type=select,bucket=weight:3,"
            "actions=output:1,bucket=weight:5,actions=output:2\n");
}

TEST(Meters, ParseFormatAndWire) {
  auto m = parse_meter_mod("meter=3,kbps,burst,band=type=drop,rate=5000,burst_size=5000",
                           MeterCommand::kAdd);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(format_meter_config(*m), "meter=3 kbps burst bands=\ntype=drop rate=5000 burst_size=5000\n");
  auto spaced = parse_meter_mod("meter=1 pktps bands=type=drop rate=1", MeterCommand::kAdd);
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->flags, kMeterPktps);
  EXPECT_EQ(spaced->bands[0].rate, 1u);
  auto msg = encode_meter_mod(*m, kOfp13, 9);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(ofp_to_string(msg->data(), msg->size()),
            "OFPT_METER_MOD (OF1.3) (xid=0x9): ADD meter=3 kbps burst bands=\n"
            "type=drop rate=5000 burst_size=5000\n");
  auto back = decode_meter_mod(msg->data(), msg->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->meter_id, 3u);
  EXPECT_FALSE(encode_meter_mod(*m, kOfp10, 1).ok());
}

TEST(Meters, Errors) {
  auto e = [](const char* s) { return parse_meter_mod(s, MeterCommand::kAdd).error().message(); };
  EXPECT_EQ(e("meter=5,band=type=drop,rate=1"), "meter must specify either 'kbps' or 'pktps'");
  EXPECT_EQ(e("meter=5,kbps"), "must specify bands");
  EXPECT_EQ(e("meter=5,kbps,band=type=drop"), "band must have 'rate'");
  EXPECT_EQ(e("meter=5,kbps,band=type=drop,rate=1,burst_size=3"),
            "band may have 'burst_size' only when 'burst' flag is set");
  EXPECT_EQ(e("meter=5,kbps,band=rate=1"), "band must start with the 'type' keyword");
  EXPECT_EQ(e("kbps,band=type=drop,rate=1"), "must specify 'meter'");
}

}  // namespace
}  // namespace grebe::openflow
