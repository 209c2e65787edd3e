// flow_mod semantics of OfprotoTables against the OpenFlow spec / OVS.
#include <gtest/gtest.h>

#include "grebe/util/clock.h"
#include "ofproto/ofproto_tables.h"

namespace grebe::ofproto {
namespace {

using namespace openflow;

FlowMod fm(std::string_view text, FlowModCommand cmd = FlowModCommand::kAdd) {
  auto r = parse_flow_mod(text, cmd);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? r->fm : FlowMod{};
}

FlowStatsRequest all() { return FlowStatsRequest{}; }

class FlowModTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock(&clock_); }
  void TearDown() override { set_clock(nullptr); }
  void add(std::string_view t) { ASSERT_TRUE(tables_.handle_flow_mod(fm(t)).ok()) << t; }
  std::string dump() { return tables_.dump_flows(all(), false); }
  Flow packet(uint32_t in_port) {
    Flow f = make_flow();
    f.in_port = in_port;
    return f;
  }
  FakeClock clock_;
  OfprotoTables tables_;
};

TEST_F(FlowModTest, AddAndDump) {
  add("table=1,priority=5,ip,actions=drop");
  add("in_port=1,actions=output:2");
  EXPECT_EQ(dump(), " in_port=1 actions=output:2\n table=1, priority=5,ip actions=drop\n");
  EXPECT_EQ(tables_.n_rules(0), 1u);
  EXPECT_EQ(tables_.n_rules(1), 1u);
}

TEST_F(FlowModTest, AddIdenticalReplacesKeepingCountsUnlessReset) {
  add("in_port=1,actions=output:2");
  const OfRule* r = tables_.lookup(0, packet(1), nullptr);
  ASSERT_NE(r, nullptr);
  tables_.credit_stats(r, 3, 300, time_msec());
  add("in_port=1,actions=output:3");
  auto agg = tables_.aggregate_stats(all());
  EXPECT_EQ(agg.flow_count, 1u);
  EXPECT_EQ(agg.packet_count, 3u);
  EXPECT_EQ(dump(), " in_port=1 actions=output:3\n");
  FlowMod reset = fm("in_port=1,actions=output:4");
  reset.flags |= kFfResetCounts;
  ASSERT_TRUE(tables_.handle_flow_mod(reset).ok());
  EXPECT_EQ(tables_.aggregate_stats(all()).packet_count, 0u);
}

TEST_F(FlowModTest, CheckOverlap) {
  add("priority=5,in_port=1,actions=drop");
  FlowMod f = fm("priority=5,ip,actions=drop");
  f.flags |= kFfCheckOverlap;
  auto r = tables_.handle_flow_mod(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "OFPFMFC_OVERLAP");
  f = fm("priority=6,ip,actions=drop");  // other priority: no overlap
  f.flags |= kFfCheckOverlap;
  EXPECT_TRUE(tables_.handle_flow_mod(f).ok());
}

TEST_F(FlowModTest, ModifyLooseStrictAndAddOnMiss) {
  add("priority=5,in_port=1,ip,actions=drop");
  add("priority=6,in_port=1,actions=drop");
  add("priority=7,in_port=2,actions=drop");
  auto r = tables_.handle_flow_mod(fm("in_port=1,actions=output:9", FlowModCommand::kModify));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_modified, 2u);
  EXPECT_EQ(dump(),
            " priority=7,in_port=2 actions=drop\n priority=6,in_port=1 actions=output:9\n"
            " priority=5,ip,in_port=1 actions=output:9\n");
  r = tables_.handle_flow_mod(
      fm("priority=7,in_port=2,actions=output:1", FlowModCommand::kModifyStrict));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_modified, 1u);
  // Strict with another priority finds nothing and adds the flow.
  r = tables_.handle_flow_mod(
      fm("priority=8,in_port=2,actions=output:1", FlowModCommand::kModifyStrict));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_added, 1u);
  // With a cookie mask a miss adds nothing.
  r = tables_.handle_flow_mod(
      fm("cookie=0x1/-1,in_port=3,actions=output:1", FlowModCommand::kModify));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_added + r->n_modified, 0u);
  EXPECT_EQ(tables_.aggregate_stats(all()).flow_count, 4u);
}

TEST_F(FlowModTest, ModifyKeepsTimeoutsAndCookieFilter) {
  add("cookie=0x10,idle_timeout=30,in_port=1,actions=drop");
  add("cookie=0x20,in_port=2,actions=drop");
  auto r =
      tables_.handle_flow_mod(fm("cookie=0x10/0xff,actions=output:5", FlowModCommand::kModify));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_modified, 1u);
  EXPECT_EQ(dump(),
            " cookie=0x10, idle_timeout=30, in_port=1 actions=output:5\n"
            " cookie=0x20, in_port=2 actions=drop\n");
}

TEST_F(FlowModTest, DeleteFiltersAndAllTables) {
  add("in_port=1,actions=output:2");
  add("in_port=2,actions=output:3");
  add("table=3,in_port=1,actions=output:2");
  auto r = tables_.handle_flow_mod(fm("out_port=2", FlowModCommand::kDelete));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_deleted, 2u);  // table=255 by default: both tables
  EXPECT_EQ(dump(), " in_port=2 actions=output:3\n");
  r = tables_.handle_flow_mod(fm("priority=1,in_port=2", FlowModCommand::kDeleteStrict));
  EXPECT_EQ(r->n_deleted, 0u);
  r = tables_.handle_flow_mod(fm("in_port=2", FlowModCommand::kDeleteStrict));
  EXPECT_EQ(r->n_deleted, 1u);
  EXPECT_EQ(dump(), "");
}

TEST_F(FlowModTest, DeleteSendsFlowRemoved) {
  FlowMod f = fm("in_port=1,actions=drop");
  f.flags |= kFfSendFlowRem;
  ASSERT_TRUE(tables_.handle_flow_mod(f).ok());
  add("in_port=2,actions=drop");
  auto r = tables_.handle_flow_mod(fm("", FlowModCommand::kDelete));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->n_deleted, 2u);
  ASSERT_EQ(r->removed.size(), 1u);
  EXPECT_EQ(r->removed[0].reason, RemovedReason::kDelete);
}

TEST_F(FlowModTest, IdleAndHardTimeouts) {
  FlowMod idle = fm("in_port=1,idle_timeout=10,actions=drop");
  idle.flags |= kFfSendFlowRem;
  FlowMod hard = fm("in_port=2,hard_timeout=15,idle_timeout=6,actions=drop");
  hard.flags |= kFfSendFlowRem;
  ASSERT_TRUE(tables_.handle_flow_mod(idle).ok());
  ASSERT_TRUE(tables_.handle_flow_mod(hard).ok());
  clock_.advance(4000);
  tables_.credit_stats(tables_.lookup(0, packet(2), nullptr), 1, 60, time_msec());
  clock_.advance(4000);
  tables_.credit_stats(tables_.lookup(0, packet(2), nullptr), 1, 60, time_msec());
  clock_.advance(1000);
  EXPECT_TRUE(tables_.run(time_msec()).empty());  // 9 s: nothing yet
  clock_.advance(1000);
  auto ev = tables_.run(time_msec());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].reason, RemovedReason::kIdleTimeout);
  EXPECT_EQ(ev[0].duration_sec, 10u);
  // Keep port 2's rule busy: its hard timeout still ends it at 15 s.
  for (int i = 0; i < 5; ++i) {
    clock_.advance(1000);
    tables_.credit_stats(tables_.lookup(0, packet(2), nullptr), 1, 60, time_msec());
    auto e = tables_.run(time_msec());
    if (i < 4)
      EXPECT_TRUE(e.empty()) << i;
    else {
      ASSERT_EQ(e.size(), 1u);
      EXPECT_EQ(e[0].reason, RemovedReason::kHardTimeout);
      EXPECT_EQ(e[0].packet_count, 7u);
    }
  }
  EXPECT_EQ(dump(), "");
}

TEST_F(FlowModTest, BundleIsAtomic) {
  add("priority=5,in_port=1,actions=drop");
  FlowMod bad = fm("priority=5,in_port=1,ip,actions=drop");
  bad.flags |= kFfCheckOverlap;
  auto r = tables_.apply_bundle({fm("in_port=7,actions=drop"),
                                 fm("priority=5,in_port=1", FlowModCommand::kDeleteStrict), bad});
  // The delete in the same bundle removed the overlapping rule first.
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(dump(), " in_port=7 actions=drop\n priority=5,ip,in_port=1 actions=drop\n");
  auto v = tables_.version();
  FlowMod bad2 = fm("priority=5,tcp,actions=drop");
  bad2.flags |= kFfCheckOverlap;
  r = tables_.apply_bundle({fm("in_port=8,actions=drop"), fm("", FlowModCommand::kDelete), bad,
                            fm("priority=5,in_port=1,actions=drop"), bad2});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("OFPFMFC_OVERLAP"), std::string::npos);
  EXPECT_EQ(tables_.version(), v);
  EXPECT_EQ(dump(), " in_port=7 actions=drop\n priority=5,ip,in_port=1 actions=drop\n");
  EXPECT_NE(tables_.lookup(0, packet(7), nullptr), nullptr);
}

TEST_F(FlowModTest, TableFullAndEviction) {
  tables_.table_config(0).max_flows = 2;
  add("in_port=1,actions=drop");
  add("in_port=2,hard_timeout=100,actions=drop");
  auto r = tables_.handle_flow_mod(fm("in_port=3,actions=drop"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "OFPFMFC_TABLE_FULL");
  add("in_port=2,actions=output:1");  // replacing needs no room
  tables_.table_config(0).eviction = true;
  add("in_port=1,hard_timeout=50,actions=drop");
  add("in_port=3,actions=drop");  // evicts in_port=1 (the only one with a timeout)
  EXPECT_EQ(dump(), " in_port=2 actions=output:1\n in_port=3 actions=drop\n");
}

TEST_F(FlowModTest, LookupUnwildcardsWhatItExamined) {
  add("table=2,priority=10,tcp,tp_dst=8080,actions=drop");
  add("table=2,priority=0,actions=output:1");
  Flow f = make_flow();
  f.dl_type = 0x0800;
  f.nw_proto = 6;
  f.tp_dst = 80;
  FlowWildcards wc;
  const OfRule* r = tables_.lookup(2, f, &wc);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->priority(), 0);
  EXPECT_EQ(wc.masks.dl_type, 0xffff);
  EXPECT_NE(wc.masks.tp_dst, 0);
}

}  // namespace
}  // namespace grebe::ofproto
