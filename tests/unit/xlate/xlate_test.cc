// Translation through pipelines built from ovs-ofctl flow strings.
#include "xlate/xlate.h"

#include <gtest/gtest.h>

#include "grebe/odp/odp_actions.h"

namespace grebe::xlate {
namespace {

using namespace openflow;

// OpenFlow port N is datapath port N (dummy ports with ofport_request).
class IdentityPorts : public XlateHooks {
 public:
  std::optional<uint32_t> odp_port(uint32_t p) const override {
    if (p >= 1 && p <= 4) return p;
    return std::nullopt;
  }
};

class XlateTest : public ::testing::Test {
 protected:
  void add(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text << ": " << p.error().message();
    ASSERT_TRUE(tables_.handle_flow_mod(p->fm).ok()) << text;
  }
  // Parses a flow the way ofproto/trace does (a match of exact fields).
  Flow flow(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kDelete);
    EXPECT_TRUE(p.ok()) << text;
    return p.ok() ? p->fm.match.flow : make_flow();
  }
  XlateOut run(const Flow& f, bool trace = false) {
    XlateIn in;
    in.tables = &tables_;
    in.hooks = &ports_;
    in.flow = f;
    in.want_trace = trace;
    XlateOut out = xlate_actions(in);
    if (trace) last_trace_ = format_trace(in, out);
    return out;
  }
  std::string dp(const XlateOut& out) {
    return odp::format_odp_actions(nl::Bytes(out.odp_actions.data(), out.odp_actions.size()));
  }
  std::string megaflow(const Flow& f, const XlateOut& out) {
    Match m;
    m.flow = f;
    m.wc = out.wc;
    m.normalize();
    return format_match(m, kDefaultPriority);
  }
  void apply_learned(const XlateOut& out) {
    for (const FlowMod& fm : out.learned) ASSERT_TRUE(tables_.handle_flow_mod(fm).ok());
  }

  ofproto::OfprotoTables tables_;
  IdentityPorts ports_;
  std::string last_trace_;
};

TEST_F(XlateTest, NoMatchTrace) {
  add("table=0, priority=0, actions=resubmit(,1)");
  Flow f = flow("in_port=1");
  XlateOut out = run(f, true);
  EXPECT_EQ(dp(out), "drop");
  EXPECT_NE(
      last_trace_.find("bridge(\"br0\")\n-------------\n 0. priority 0\n"
                       "    resubmit(,1)\n 1. No match.\n    drop\n\nFinal flow: unchanged\n"),
      std::string::npos)
      << last_trace_;
  EXPECT_NE(last_trace_.find("\nDatapath actions: drop\n"), std::string::npos);
  EXPECT_EQ(last_trace_.rfind("Flow: in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,"
                              "dl_dst=00:00:00:00:00:00,dl_type=0x0000\n\n",
                              0),
            0u)
      << last_trace_;
  EXPECT_NE(last_trace_.find("Megaflow: recirc_id=0,eth,in_port=1,dl_type=0x0000"),
            std::string::npos)
      << last_trace_;
}

TEST_F(XlateTest, ResubmitLoopHitsDepthLimit) {
  add("table=0, actions=resubmit(,0)");
  XlateOut out = run(flow("in_port=1"));
  EXPECT_EQ(out.error, "over max translation depth 64");
  EXPECT_EQ(dp(out), "drop");
}

// The "VLAN-aware MAC-learning switch built from flows" lab.
class VlanLab : public XlateTest {
 protected:
  void SetUp() override {
    for (const char* f : {
             "table=0, dl_src=01:00:00:00:00:00/01:00:00:00:00:00, actions=drop",
             "table=0, dl_dst=01:80:c2:00:00:00/ff:ff:ff:ff:ff:f0, actions=drop",
             "table=0, priority=0, actions=resubmit(,1)",
             "table=1, priority=0, actions=drop",
             "table=1, priority=99, in_port=1, actions=resubmit(,2)",
             "table=1, priority=99, in_port=2, vlan_tci=0, actions=mod_vlan_vid:20, resubmit(,2)",
             "table=1, priority=99, in_port=3, vlan_tci=0, actions=mod_vlan_vid:30, resubmit(,2)",
             "table=1, priority=99, in_port=4, vlan_tci=0, actions=mod_vlan_vid:30, resubmit(,2)",
             "table=2 actions=learn(table=10, NXM_OF_VLAN_TCI[0..11], "
             "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[], load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]), "
             "resubmit(,3)",
             "table=3 priority=50 actions=resubmit(,10), resubmit(,4)",
             "table=3 priority=99 dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,4)",
             "table=4 reg0=1 actions=1",
             "table=4 reg0=2 actions=strip_vlan,2",
             "table=4 reg0=3 actions=strip_vlan,3",
             "table=4 reg0=4 actions=strip_vlan,4",
             "table=4 reg0=0 priority=99 dl_vlan=20 actions=1,strip_vlan,2",
             "table=4 reg0=0 priority=99 dl_vlan=30 actions=1,strip_vlan,3,4",
             "table=4 reg0=0 priority=50            actions=1",
         })
      add(f);
  }
  std::string table10() {
    FlowStatsRequest req;
    req.table_id = 10;
    return tables_.dump_flows(req, false);
  }
};

TEST_F(VlanLab, ReservedMulticastDroppedInTable0) {
  XlateOut out = run(flow("in_port=1,dl_dst=01:80:c2:00:00:05"), true);
  EXPECT_EQ(dp(out), "drop");
  ASSERT_EQ(out.rules.size(), 1u);
  EXPECT_EQ(out.rules[0]->table_id, 0);
}

// The tutorial traces this before table 1 has flows: table 1 misses.
TEST_F(XlateTest, NonReservedMulticastNoMatchInTable1) {
  add("table=0, dl_src=01:00:00:00:00:00/01:00:00:00:00:00, actions=drop");
  add("table=0, dl_dst=01:80:c2:00:00:00/ff:ff:ff:ff:ff:f0, actions=drop");
  add("table=0, priority=0, actions=resubmit(,1)");
  XlateOut out = run(flow("in_port=1,dl_dst=01:80:c2:00:00:10"), true);
  EXPECT_EQ(dp(out), "drop");
  EXPECT_NE(last_trace_.find(" 0. priority 0\n    resubmit(,1)\n 1. No match.\n    drop\n"),
            std::string::npos)
      << last_trace_;
}

TEST_F(VlanLab, TrunkPortReachesTable2) {
  XlateOut out = run(flow("in_port=1,vlan_tci=5"));
  bool reached = false;
  for (auto* r : out.rules) reached |= r->table_id == 2;
  EXPECT_TRUE(reached);
}

TEST_F(VlanLab, AccessPortTagsAndTaggedAccessDropped) {
  XlateOut out = run(flow("in_port=2"), true);
  EXPECT_NE(last_trace_.find("mod_vlan_vid:20"), std::string::npos);
  out = run(flow("in_port=2,vlan_tci=5"));
  EXPECT_EQ(dp(out), "drop");
}

TEST_F(VlanLab, LearnsAndUpdates) {
  XlateOut out = run(flow("in_port=1,vlan_tci=20,dl_src=50:00:00:00:00:01"));
  apply_learned(out);
  EXPECT_EQ(table10(),
            " table=10, vlan_tci=0x0014/0x0fff,dl_dst=50:00:00:00:00:01 "
            "actions=load:0x1->NXM_NX_REG0[0..15]\n");
  out = run(flow("in_port=2,dl_src=50:00:00:00:00:01"));
  apply_learned(out);
  EXPECT_NE(table10().find("actions=load:0x2->NXM_NX_REG0[0..15]"), std::string::npos) << table10();
}

TEST_F(VlanLab, FloodsOnVlan) {
  EXPECT_EQ(dp(run(flow("in_port=1,dl_dst=ff:ff:ff:ff:ff:ff,dl_vlan=30"))), "pop_vlan,3,4");
  EXPECT_EQ(dp(run(flow("in_port=3,dl_dst=ff:ff:ff:ff:ff:ff"))),
            "push_vlan(vid=30,pcp=0),1,pop_vlan,4");
}

TEST_F(VlanLab, UnicastToLearnedMac) {
  apply_learned(run(flow("in_port=1,dl_vlan=30,dl_src=10:00:00:00:00:01")));
  EXPECT_EQ(dp(run(flow("in_port=4,dl_dst=10:00:00:00:00:01"))), "push_vlan(vid=30,pcp=0),1");
}

TEST_F(XlateTest, FaucetAclMegaflowUsesPortPrefix) {
  add("table=0, priority=20, tcp, tp_dst=8080, actions=drop");
  add("table=0, priority=10, actions=output:2");
  Flow f = flow("in_port=1,tcp,tp_dst=80");
  XlateOut out = run(f);
  EXPECT_EQ(dp(out), "2");
  EXPECT_NE(megaflow(f, out).find("tp_dst=0x0/0xf000"), std::string::npos) << megaflow(f, out);
}

TEST_F(XlateTest, SetFieldCommittedBeforeOutput) {
  add("table=0, ip, actions=mod_nw_dst:10.200.0.1,dec_ttl,mod_dl_src:0e:00:00:00:00:01,"
      "mod_dl_dst:00:10:20:30:40:50,output:4");
  XlateOut out = run(flow("in_port=1,udp,nw_dst=10.0.0.1,nw_ttl=64"));
  EXPECT_EQ(dp(out),
            "set(eth(src=0e:00:00:00:00:01,dst=00:10:20:30:40:50)),"
            "set(ipv4(dst=10.200.0.1,ttl=63)),4");
}

TEST_F(XlateTest, ActionSetRunsAtEndOfPipeline) {
  add("table=0, in_port=1, actions=write_actions(output:3),goto_table:1");
  add("table=1, actions=output:2");
  EXPECT_EQ(dp(run(flow("in_port=1"))), "2,3");
  add("table=1, actions=output:4,clear_actions");
  EXPECT_EQ(dp(run(flow("in_port=1"))), "4");
}

TEST_F(XlateTest, ExitStopsAndInPortOutput) {
  add("table=0, in_port=1, actions=output:in_port,exit,output:2");
  EXPECT_EQ(dp(run(flow("in_port=1"))), "1");
}

class GroupPorts : public IdentityPorts {
 public:
  const GroupMod* group(uint32_t id) const override {
    for (const GroupMod& g : groups)
      if (g.group_id == id) return &g;
    return nullptr;
  }
  bool port_is_live(uint32_t p) const override { return p != down; }
  std::vector<GroupMod> groups;
  uint32_t down = 0;
};

TEST_F(XlateTest, GroupsAllIndirectFastFailover) {
  GroupPorts gp;
  for (const char* g : {"group_id=1,type=all,bucket=mod_vlan_vid:7,output:2,bucket=output:3",
                        "group_id=2,type=indirect,bucket=output:4",
                        "group_id=3,type=ff,bucket=watch_port:2,output:2,"
                        "bucket=watch_port:3,output:3"}) {
    auto p = parse_group_mod(g, GroupCommand::kAdd);
    ASSERT_TRUE(p.ok()) << g << ": " << p.error().message();
    gp.groups.push_back(p->gm);
  }
  add("table=0, in_port=1, actions=group:1,group:2");
  add("table=0, in_port=4, actions=group:3");
  XlateIn in;
  in.tables = &tables_;
  in.hooks = &gp;
  in.flow = flow("in_port=1");
  // The VLAN pushed in bucket 1 does not leak into bucket 2.
  EXPECT_EQ(dp(xlate_actions(in)), "push_vlan(vid=7,pcp=0),2,pop_vlan,3,4");
  in.flow = flow("in_port=4");
  EXPECT_EQ(dp(xlate_actions(in)), "2");
  gp.down = 2;
  EXPECT_EQ(dp(xlate_actions(in)), "3");
}

}  // namespace
}  // namespace grebe::xlate
