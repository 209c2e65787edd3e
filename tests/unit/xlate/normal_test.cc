// The NORMAL action: OVS's "ofproto-dpif - VLAN handling" table (every
// vlan_mode, priority tags, dot1q-tunnel), MAC learning through xlate,
// reserved multicast, traces and megaflows.
#include <gtest/gtest.h>

#include <algorithm>

#include "grebe/odp/odp_actions.h"
#include "normal/mac_learning.h"
#include "normal/normal_config.h"
#include "xlate/xlate.h"

namespace grebe::xlate {
namespace {

using namespace openflow;
using normal::NormalPort;
using normal::PriorityTags;
using normal::VlanMode;

// Datapath port of OpenFlow port N is N; LOCAL is datapath port 100, as in
// OVS's ovs-dummy tests.
class NormalBridge : public XlateHooks {
 public:
  std::optional<uint32_t> odp_port(uint32_t p) const override {
    if (p == kOfppLocal) return 100;
    if (cfg.find(p)) return p;
    return std::nullopt;
  }
  const normal::NormalConfig* normal_config() const override { return &cfg; }
  normal::MacLearning* mac_learning() const override { return ml.get(); }

  void add(uint32_t ofp, VlanMode mode, uint16_t tag = 0, std::vector<uint16_t> trunks = {},
           PriorityTags prio = PriorityTags::kNever, std::vector<uint16_t> cvlans = {}) {
    NormalPort p;
    p.ofp_port = ofp;
    p.name = ofp == kOfppLocal ? "br0" : "p" + std::to_string(ofp);
    p.vlan_mode = mode;
    p.tag = tag;
    if (!trunks.empty()) p.trunks = normal::VlanBitmap(trunks);
    if (!cvlans.empty()) p.cvlans = normal::VlanBitmap(cvlans);
    p.priority_tags = prio;
    p.qinq_ethtype = 0x8100;
    p.normalize();
    cfg.ports.push_back(p);
  }

  normal::NormalConfig cfg;
  std::unique_ptr<normal::MacLearning> ml = std::make_unique<normal::MacLearning>();
};

std::string dp_text(const XlateOut& out) {
  return odp::format_odp_actions(nl::Bytes(out.odp_actions.data(), out.odp_actions.size()));
}

// Splits datapath actions at top-level commas.
std::vector<std::string> split_actions(const std::string& s) {
  std::vector<std::string> v;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

// What `ovs-dpctl normalize-actions` compares: each output port with the
// VLAN stack the packet has when it gets there, sorted.
std::vector<std::string> normalize(const std::string& actions, const std::string& initial_vlan) {
  std::vector<std::string> outs;
  if (actions == "drop") return outs;
  std::vector<std::string> stack;
  if (!initial_vlan.empty()) stack.push_back(initial_vlan);
  for (const std::string& a : split_actions(actions)) {
    if (a == "pop_vlan") {
      if (!stack.empty()) stack.erase(stack.begin());
    } else if (a.rfind("push_vlan(", 0) == 0) {
      stack.insert(stack.begin(), a.substr(10, a.size() - 11));
    } else {
      std::string s = a + ":";
      for (const std::string& v : stack) s += "[" + v + "]";
      outs.push_back(s);
    }
  }
  std::sort(outs.begin(), outs.end());
  return outs;
}

class NormalTest : public ::testing::Test {
 protected:
  void add_flow(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text;
    ASSERT_TRUE(tables_.handle_flow_mod(p->fm).ok());
  }
  Flow flow(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kDelete);
    EXPECT_TRUE(p.ok()) << text;
    return p.ok() ? p->fm.match.flow : make_flow();
  }
  XlateOut run(const Flow& f, bool learn = false, bool trace = false) {
    XlateIn in;
    in.tables = &tables_;
    in.hooks = &br_;
    in.flow = f;
    in.may_learn = learn;
    in.want_trace = trace;
    XlateOut out = xlate_actions(in);
    if (trace) trace_ = format_trace(in, out);
    return out;
  }
  ofproto::OfprotoTables tables_;
  NormalBridge br_;
  std::string trace_;
};

class VlanHandling : public NormalTest {
 protected:
  void SetUp() override {
    add_flow("actions=NORMAL");
    br_.add(kOfppLocal, VlanMode::kTrunk);
    br_.add(1, VlanMode::kTrunk, 0, {10, 12});
    br_.add(2, VlanMode::kAccess, 10);
    br_.add(3, VlanMode::kAccess, 12, {}, PriorityTags::kIfNonzero);
    br_.add(4, VlanMode::kAccess, 12);
    br_.add(5, VlanMode::kNativeTagged, 10);
    br_.add(6, VlanMode::kNativeTagged, 10, {10, 12});
    br_.add(7, VlanMode::kNativeUntagged, 12);
    br_.add(8, VlanMode::kNativeUntagged, 12, {10, 12}, PriorityTags::kIfNonzero);
    br_.add(9, VlanMode::kDot1qTunnel, 10);
    br_.add(10, VlanMode::kDot1qTunnel, 10, {}, PriorityTags::kNever, {10, 12});
    br_.add(11, VlanMode::kDot1qTunnel, 12);
    br_.add(12, VlanMode::kDot1qTunnel, 12, {}, PriorityTags::kIfNonzero);
  }
};

// "in_port vlan pcp expected" rows of OVS's test; port 100 is LOCAL.
TEST_F(VlanHandling, MatchesOvsTable) {
  struct Row {
    uint32_t in_port;
    int vlan;  // -1: untagged
    int pcp;
    const char* expected;
  };
  const Row rows[] = {
      {100, -1, 0, "drop"},
      {100, 0, 0, "drop"},
      {100, 0, 1, "drop"},
      {100, 10, 0, "1,5,6,7,8,pop_vlan,2,9"},
      {100, 10, 1, "1,5,6,7,8,pop_vlan,2,9"},
      {100, 11, 0, "5,7"},
      {100, 11, 1, "5,7"},
      {100, 12, 0, "1,5,6,pop_vlan,3,4,7,8,11,12"},
      {100, 12, 1, "1,5,6,pop_vlan,4,7,11,push_vlan(vid=0,pcp=1),3,8,12"},
      {1, -1, 0, "drop"},
      {1, 0, 0, "drop"},
      {1, 0, 1, "drop"},
      {1, 10, 0, "5,6,7,8,100,pop_vlan,2,9"},
      {1, 10, 1, "5,6,7,8,100,pop_vlan,2,9"},
      {1, 11, 0, "drop"},
      {1, 12, 0, "5,6,100,pop_vlan,3,4,7,8,11,12"},
      {1, 12, 1, "5,6,100,pop_vlan,4,7,11,push_vlan(vid=0,pcp=1),3,8,12"},
      {2, -1, 0, "9,push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {2, 0, 0, "pop_vlan,9,push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {2, 0, 1, "pop_vlan,9,push_vlan(vid=10,pcp=1),1,5,6,7,8,100"},
      {2, 10, 0, "drop"},
      {2, 12, 1, "drop"},
      {3, -1, 0, "4,7,8,11,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
      {3, 0, 0, "pop_vlan,4,7,8,11,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
      {3, 0, 1, "8,12,pop_vlan,4,7,11,push_vlan(vid=12,pcp=1),1,5,6,100"},
      {3, 10, 0, "drop"},
      {4, 0, 1, "3,8,12,pop_vlan,7,11,push_vlan(vid=12,pcp=1),1,5,6,100"},
      {5, -1, 0, "2,9,push_vlan(vid=10,pcp=0),1,6,7,8,100"},
      {5, 0, 1, "pop_vlan,2,9,push_vlan(vid=10,pcp=1),1,6,7,8,100"},
      {5, 10, 0, "1,6,7,8,100,pop_vlan,2,9"},
      {5, 11, 0, "7,100"},
      {5, 12, 1, "1,6,100,pop_vlan,4,7,11,push_vlan(vid=0,pcp=1),3,8,12"},
      {6, 11, 0, "drop"},
      {6, 12, 0, "1,5,100,pop_vlan,3,4,7,8,11,12"},
      {7, -1, 0, "3,4,8,11,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
      {7, 0, 1, "3,8,12,pop_vlan,4,11,push_vlan(vid=12,pcp=1),1,5,6,100"},
      {7, 10, 0, "1,5,6,8,100,pop_vlan,2,9"},
      {7, 11, 0, "5,100"},
      {7, 12, 1, "1,5,6,100,pop_vlan,4,11,push_vlan(vid=0,pcp=1),3,8,12"},
      {8, -1, 0, "3,4,7,11,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
      {8, 0, 1, "3,12,pop_vlan,4,7,11,push_vlan(vid=12,pcp=1),1,5,6,100"},
      {8, 11, 0, "drop"},
      {8, 12, 1, "1,5,6,100,pop_vlan,4,7,11,push_vlan(vid=0,pcp=1),3,12"},
      {9, -1, 0, "2,push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {9, 10, 0, "10,push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {9, 11, 0, "push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {10, -1, 0, "drop"},
      {10, 0, 0, "drop"},
      {10, 11, 0, "drop"},
      {10, 12, 0, "9,push_vlan(vid=10,pcp=0),1,5,6,7,8,100"},
      {11, 10, 0, "7,8,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
      {11, 10, 1, "7,8,12,push_vlan(vid=12,pcp=0),1,5,6,100"},
  };
  for (const Row& r : rows) {
    std::string port = r.in_port == 100 ? "LOCAL" : std::to_string(r.in_port);
    std::string text = "in_port=" + port + ",dl_src=50:54:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff";
    std::string initial;
    if (r.vlan >= 0) {
      char tci[32];
      snprintf(tci, sizeof tci, ",vlan_tci=0x%04x", 0x1000 | r.vlan | (r.pcp << 13));
      text += tci;
      initial = "vid=" + std::to_string(r.vlan) + ",pcp=" + std::to_string(r.pcp);
    }
    text += ",dl_type=0xabcd";
    Flow f = flow(text);
    if (r.vlan >= 0) {
      f.vlans[0].tpid = 0x8100;
      f.dl_type = 0xabcd;
    }
    std::string actual = dp_text(run(f));
    EXPECT_EQ(normalize(actual, initial), normalize(r.expected, initial))
        << text << "\n  actual:   " << actual << "\n  expected: " << r.expected;
  }
}

TEST_F(VlanHandling, TraceExplainsDrops) {
  run(flow("in_port=2,dl_src=50:54:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,vlan_tci=0x100a"), false,
      true);
  EXPECT_NE(trace_.find(" 0. priority 32768\n    NORMAL\n"
                        "     >>>> dropping VLAN 10 tagged packet received on port p2 configured "
                        "as VLAN 10 access port <<<<\n"
                        "     >> disallowed VLAN VID for this input port, dropping\n"),
            std::string::npos)
      << trace_;
  EXPECT_NE(trace_.find("Datapath actions: drop\n"), std::string::npos);
}

class Learning : public NormalTest {
 protected:
  void SetUp() override {
    add_flow("actions=NORMAL");
    for (uint32_t p = 1; p <= 3; ++p) br_.add(p, VlanMode::kTrunk);
    br_.add(kOfppLocal, VlanMode::kTrunk);
  }
  // OVS's "ofproto-dpif - MAC learning" packets (ARP requests).
  Flow arp(uint32_t in_port, const char* src, const char* dst) {
    return flow("arp,in_port=" + std::to_string(in_port) + ",dl_src=" + src + ",dl_dst=" + dst +
                ",arp_spa=192.168.0.1,arp_tpa=192.168.0.2,arp_op=1,"
                "arp_sha=50:54:00:00:00:05");
  }
};

// Same steps and results as OVS's "ofproto-dpif - MAC learning" test.
TEST_F(Learning, LearnsForwardsAndMoves) {
  EXPECT_EQ(dp_text(run(arp(3, "50:54:00:00:00:05", "ff:ff:ff:ff:ff:ff"), true)), "1,2,100");
  EXPECT_EQ(br_.ml->lookup(EthAddr{{0x50, 0x54, 0, 0, 0, 5}}, 0), 3u);
  XlateOut out = run(arp(1, "50:54:00:00:00:06", "50:54:00:00:00:05"), true);
  EXPECT_EQ(dp_text(out), "3");
  EXPECT_TRUE(out.uses_mac_learning);
  EXPECT_EQ(out.mac_seq, br_.ml->change_seq());
  ASSERT_EQ(out.mac_learned.size(), 1u);
  EXPECT_EQ(out.mac_learned[0].ofp_port, 1u);
  // The MAC moves to port 2: the flow to it must be revalidated.
  uint64_t seq_before = out.mac_seq;
  EXPECT_EQ(dp_text(run(arp(2, "50:54:00:00:00:05", "ff:ff:ff:ff:ff:ff"), true)), "1,3,100");
  EXPECT_NE(br_.ml->change_seq(), seq_before);
  EXPECT_EQ(dp_text(run(arp(1, "50:54:00:00:00:06", "50:54:00:00:00:05"))), "2");
  EXPECT_EQ(br_.ml->stats().total_moved, 1u);
}

TEST_F(Learning, TraceWithoutSideEffectsDoesNotLearn) {
  Flow f = arp(3, "50:54:00:00:00:05", "ff:ff:ff:ff:ff:ff");
  XlateOut out = run(f, false, true);
  EXPECT_EQ(br_.ml->stats().n_entries, 0u);
  EXPECT_EQ(out.mac_learned.size(), 1u);  // still reported for revalidators
  EXPECT_NE(trace_.find(" 0. priority 32768\n    NORMAL\n"
                        "     -> no learned MAC for destination, flooding\n"),
            std::string::npos)
      << trace_;
  // A broadcast ARP request also exposes the gratuitous-ARP check's
  // fields; an untagged packet's megaflow says nothing about VLANs.
  EXPECT_NE(trace_.find("Megaflow: recirc_id=0,eth,arp,in_port=3,"
                        "dl_src=50:54:00:00:00:05,dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=192.168.0.1,"
                        "arp_tpa=192.168.0.2,arp_op=1\n"), std::string::npos)
      << trace_;
}

TEST_F(Learning, ReservedMulticastDropped) {
  XlateOut out = run(flow("in_port=1,dl_src=50:54:00:00:00:01,dl_dst=01:80:c2:00:00:00"), true,
                     true);
  EXPECT_EQ(dp_text(out), "drop");
  EXPECT_NE(trace_.find("     -> packet has reserved destination MAC, dropping\n"),
            std::string::npos)
      << trace_;
  br_.cfg.forward_bpdu = true;
  EXPECT_EQ(dp_text(run(flow("in_port=1,dl_src=50:54:00:00:00:01,dl_dst=01:80:c2:00:00:00"))),
            "2,3,100");
}

TEST_F(Learning, LearnedPortIsInputPortDrops) {
  run(flow("in_port=1,dl_src=50:54:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff"), true);
  XlateOut out = run(flow("in_port=1,dl_src=50:54:00:00:00:02,dl_dst=50:54:00:00:00:01"), true,
                     true);
  EXPECT_EQ(dp_text(out), "drop");
  EXPECT_NE(trace_.find("learned port is input port, dropping"), std::string::npos);
}

TEST_F(Learning, UnknownInputPortDrops) {
  XlateOut out = run(flow("in_port=7,dl_src=50:54:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff"), true,
                     true);
  EXPECT_EQ(dp_text(out), "drop");
  EXPECT_NE(trace_.find(">> no input bundle, dropping"), std::string::npos) << trace_;
  EXPECT_EQ(br_.ml->stats().n_entries, 0u);
}

// Traces stock ovs-vswitchd 3.1 printed for this bridge (dummy datapath):
// q1 trunks=10,12; q2 tag=10; q3 tag=12; q4 tag=10.
class StockVlanBridge : public NormalTest {
 protected:
  void SetUp() override {
    add_flow("priority=0 actions=NORMAL");
    br_.add(1, VlanMode::kTrunk, 0, {10, 12});
    br_.add(2, VlanMode::kAccess, 10);
    br_.add(3, VlanMode::kAccess, 12);
    br_.add(4, VlanMode::kAccess, 10);
    br_.add(kOfppLocal, VlanMode::kTrunk);
  }
};

TEST_F(StockVlanBridge, TracesMatchStock) {
  Flow f = flow("in_port=2,dl_src=50:54:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff");
  XlateOut out = run(f, false, true);
  EXPECT_NE(trace_.find("\n 0. priority 0\n    NORMAL\n"
                        "     -> no learned MAC for destination, flooding\n\n"
                        "Final flow: unchanged\n"
                        "Megaflow: recirc_id=0,eth,in_port=2,dl_src=50:54:00:00:00:01,"
                        "dl_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0000\n"),
            std::string::npos)
      << trace_;
  // Stock: push_vlan(vid=10,pcp=0),7,101,pop_vlan,6 with q1=7, LOCAL=101, q4=6.
  EXPECT_EQ(normalize(dp_text(out), ""),
            normalize("push_vlan(vid=10,pcp=0),1,100,pop_vlan,4", ""));

  f = flow("in_port=1,dl_vlan=10,dl_src=50:54:00:00:00:03,dl_dst=50:54:00:00:00:01");
  out = run(f, true, true);
  EXPECT_NE(trace_.find("Megaflow: recirc_id=0,eth,in_port=1,dl_vlan=10,dl_vlan_pcp=0,"
                        "dl_src=50:54:00:00:00:03,dl_dst=50:54:00:00:00:01,dl_type=0x0000\n"),
            std::string::npos)
      << trace_;
  EXPECT_EQ(normalize(dp_text(out), "vid=10,pcp=0"),
            normalize("pop_vlan,4,push_vlan(vid=10,pcp=0),100,pop_vlan,2", "vid=10,pcp=0"));

  out = run(flow("in_port=4,dl_src=50:54:00:00:00:04,dl_dst=50:54:00:00:00:03"), true, true);
  EXPECT_NE(trace_.find("    NORMAL\n"
                        "     -> learned that 50:54:00:00:00:04 is on port p4 in VLAN 10\n"
                        "     -> forwarding to learned port\n\n"
                        "Final flow: unchanged\n"
                        "Megaflow: recirc_id=0,eth,in_port=4,dl_src=50:54:00:00:00:04,"
                        "dl_dst=50:54:00:00:00:03,dl_type=0x0000\n"
                        "Datapath actions: push_vlan(vid=10,pcp=0),1\n"),
            std::string::npos)
      << trace_;
}

}  // namespace
}  // namespace grebe::xlate
