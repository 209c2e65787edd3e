// GroupTable and MeterTable semantics against OVS's group_mod / meter_mod.
#include <gtest/gtest.h>

#include "ofproto/group_table.h"
#include "ofproto/meter_table.h"

namespace grebe::ofproto {
namespace {

using namespace openflow;

GroupMod group(std::string_view text, GroupCommand cmd = GroupCommand::kAdd) {
  auto r = parse_group_mod(text, cmd);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? r->gm : GroupMod{};
}

std::string err(const Result<GroupModOutcome>& r) { return r.ok() ? "ok" : r.error().message(); }
std::string err(const Result<MeterModOutcome>& r) { return r.ok() ? "ok" : r.error().message(); }

TEST(GroupTableTest, AddModifyDelete) {
  GroupTable t;
  EXPECT_EQ(err(t.apply(group("group_id=1,type=all,bucket=output:1,bucket=output:2"), 5)), "ok");
  ASSERT_NE(t.find(1), nullptr);
  EXPECT_EQ(t.find(1)->desc.buckets.size(), 2u);
  EXPECT_EQ(t.find(1)->desc.buckets[1].bucket_id, 1u);
  EXPECT_EQ(err(t.apply(group("group_id=1,type=all,bucket=output:1"), 6)),
            "OFPGMFC_GROUP_EXISTS");
  EXPECT_EQ(err(t.apply(group("group_id=2,type=all,bucket=output:1", GroupCommand::kModify), 6)),
            "OFPGMFC_UNKNOWN_GROUP");
  EXPECT_EQ(err(t.apply(group("group_id=1,type=select,bucket=output:3", GroupCommand::kModify), 7)),
            "ok");
  EXPECT_EQ(t.find(1)->desc.type, GroupType::kSelect);
  EXPECT_EQ(t.find(1)->created, 5);
  EXPECT_EQ(t.snapshot()->size(), 1u);

  auto r = t.apply(group("group_id=1", GroupCommand::kDelete), 8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted, std::vector<uint32_t>{1});
  EXPECT_EQ(t.find(1), nullptr);
  EXPECT_TRUE(t.snapshot()->empty());
  // Deleting a missing group is fine.
  EXPECT_EQ(err(t.apply(group("group_id=9", GroupCommand::kDelete), 8)), "ok");
}

TEST(GroupTableTest, Checks) {
  GroupTable t;
  // The text parser refuses these, the wire decoder does not.
  GroupMod two = group("group_id=1,type=all,bucket=output:1,bucket=output:2");
  two.type = GroupType::kIndirect;
  EXPECT_EQ(err(t.apply(two, 0)), "OFPGMFC_INVALID_GROUP");
  GroupMod weight = group("group_id=1,type=all,bucket=output:1");
  weight.buckets[0].weight = 5;
  EXPECT_EQ(err(t.apply(weight, 0)), "OFPGMFC_INVALID_GROUP");
  GroupMod ff = group("group_id=1,type=all,bucket=output:1");
  ff.type = GroupType::kFf;
  EXPECT_EQ(err(t.apply(ff, 0)), "OFPGMFC_INVALID_GROUP");
  EXPECT_EQ(err(t.apply(group("group_id=1,type=all,bucket=watch_port:1,output:1"), 0)),
            "OFPGMFC_WATCH_UNSUPPORTED");
  EXPECT_EQ(err(t.apply(group("group_id=1,type=all,bucket=group:2"), 0)), "OFPBAC_BAD_OUT_GROUP");
  EXPECT_EQ(err(t.apply(group("group_id=1,type=all,bucket=group:1"), 0)), "OFPGMFC_LOOP");
  EXPECT_EQ(err(t.apply(group("group_id=2,type=all,bucket=output:1"), 0)), "ok");
  EXPECT_EQ(err(t.apply(group("group_id=1,type=indirect,bucket=group:2"), 0)), "ok");
  // 2 -> 1 -> 2 would loop.
  EXPECT_EQ(err(t.apply(group("group_id=2,type=all,bucket=group:1", GroupCommand::kModify), 0)),
            "OFPGMFC_LOOP");
  EXPECT_EQ(t.size(), 2u);
}

TEST(GroupTableTest, DeleteAllAndBuckets) {
  GroupTable t;
  ASSERT_TRUE(t.apply(group("group_id=1,type=all,bucket=output:1"), 0).ok());
  GroupMod ins = group("group_id=1,bucket=bucket_id:7,output:2", GroupCommand::kInsertBucket);
  ins.command_bucket_id = kBucketFirst;
  EXPECT_EQ(err(t.apply(ins, 0)), "ok");
  ASSERT_EQ(t.find(1)->desc.buckets.size(), 2u);
  EXPECT_EQ(t.find(1)->desc.buckets[0].bucket_id, 7u);
  EXPECT_EQ(err(t.apply(ins, 0)), "OFPGMFC_BUCKET_EXISTS");
  GroupMod rm = group("group_id=1", GroupCommand::kRemoveBucket);
  rm.command_bucket_id = 7;
  EXPECT_EQ(err(t.apply(rm, 0)), "ok");
  EXPECT_EQ(err(t.apply(rm, 0)), "OFPGMFC_UNKNOWN_BUCKET");
  ASSERT_TRUE(t.apply(group("group_id=2,type=all,bucket=output:1"), 0).ok());
  GroupMod all;
  all.command = GroupCommand::kDelete;
  all.group_id = kOfpgAll;
  auto r = t.apply(all, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(t.size(), 0u);
}

MeterMod meter(std::string_view text, MeterCommand cmd = MeterCommand::kAdd) {
  auto r = parse_meter_mod(text, cmd);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : MeterMod{};
}

TEST(MeterTableTest, Semantics) {
  MeterTable t;
  EXPECT_EQ(err(t.apply(meter("meter=1,kbps,band=type=drop,rate=5000"), 1)), "ok");
  EXPECT_EQ(err(t.apply(meter("meter=1,kbps,band=type=drop,rate=5000"), 1)),
            "OFPMMFC_METER_EXISTS");
  EXPECT_EQ(err(t.apply(meter("meter=2,kbps,band=type=drop,rate=1", MeterCommand::kModify), 1)),
            "OFPMMFC_UNKNOWN_METER");
  MeterMod zero = meter("meter=1,kbps,band=type=drop,rate=5000");
  zero.meter_id = 0;
  EXPECT_EQ(err(t.apply(zero, 1)), "OFPMMFC_INVALID_METER");
  MeterMod both = meter("meter=3,kbps,band=type=drop,rate=5000");
  both.flags |= kMeterPktps;
  EXPECT_EQ(err(t.apply(both, 1)), "OFPMMFC_BAD_FLAGS");
  MeterMod two = meter("meter=3,pktps,band=type=drop,rate=5");
  two.bands.push_back(two.bands[0]);
  EXPECT_EQ(err(t.apply(two, 1)), "OFPMMFC_OUT_OF_BANDS");
  auto r = t.apply(meter("meter=1,pktps,band=type=drop,rate=7", MeterCommand::kModify), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, std::vector<uint32_t>{1});
  EXPECT_EQ(t.find(1)->config.bands[0].rate, 7u);
  EXPECT_EQ(t.find(1)->created, 1);
  ASSERT_TRUE(t.apply(meter("meter=4,kbps,band=type=drop,rate=1"), 3).ok());
  MeterMod all;
  all.command = MeterCommand::kDelete;
  all.meter_id = kMeterAll;
  r = t.apply(all, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted, (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(t.size(), 0u);
}

TEST(MeterTableTest, References) {
  auto a = parse_actions("meter:3,output:1");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(meters_referenced(a->actions), std::vector<uint32_t>{3});
  auto g = parse_actions("output:1,write_actions(group:5)");
  ASSERT_TRUE(g.ok()) << g.error().message();
  EXPECT_EQ(groups_referenced(g->actions), std::vector<uint32_t>{5});
}

}  // namespace
}  // namespace grebe::ofproto
