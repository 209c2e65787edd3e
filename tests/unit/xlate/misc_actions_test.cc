// meter, output_trunc, enqueue/set_queue, MPLS, multipath, bundle,
// select groups, sample, check_pkt_larger, fin_timeout, and the action set
// after exit.
#include <gtest/gtest.h>

#include <set>

#include "grebe/odp/odp_actions.h"
#include "xlate/xlate.h"
#include "xlate/xlate_hash.h"

namespace grebe::xlate {
namespace {

using namespace openflow;

class Hooks : public XlateHooks {
 public:
  std::optional<uint32_t> odp_port(uint32_t p) const override {
    if (p >= 1 && p <= 8) return p;
    return std::nullopt;
  }
  bool port_is_live(uint32_t p) const override { return !down.count(p); }
  std::optional<uint32_t> dp_meter_id(uint32_t id) const override {
    if (id == 9) return std::nullopt;
    return id - 1;  // datapath meters count from 0
  }
  bool flow_sample_enabled(uint32_t) const override { return sampling; }
  const GroupMod* group(uint32_t id) const override {
    for (const GroupMod& g : groups)
      if (g.group_id == id) return &g;
    return nullptr;
  }
  std::set<uint32_t> down;
  bool sampling = false;
  std::vector<GroupMod> groups;
};

class MiscTest : public ::testing::Test {
 protected:
  void add(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text << ": " << p.error().message();
    ASSERT_TRUE(tables_.handle_flow_mod(p->fm).ok()) << text;
  }
  void group(std::string_view text) {
    auto p = parse_group_mod(text, GroupCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text << ": " << p.error().message();
    hooks_.groups.push_back(p->gm);
  }
  Flow flow(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kDelete);
    EXPECT_TRUE(p.ok()) << text;
    return p.ok() ? p->fm.match.flow : make_flow();
  }
  XlateOut run(const Flow& f, bool trace = false) {
    XlateIn in;
    in.tables = &tables_;
    in.hooks = &hooks_;
    in.flow = f;
    in.want_trace = trace;
    XlateOut out = xlate_actions(in);
    if (trace) trace_ = format_trace(in, out);
    return out;
  }
  std::string dp(const Flow& f) { return dp(run(f)); }
  static std::string dp(const XlateOut& out) {
    return odp::format_odp_actions(nl::Bytes(out.odp_actions.data(), out.odp_actions.size()));
  }
  static std::string megaflow(const Flow& f, const XlateOut& out) {
    Match m;
    m.flow = f;
    m.wc = out.wc;
    m.normalize();
    return format_match(m, kDefaultPriority);
  }
  ofproto::OfprotoTables tables_;
  Hooks hooks_;
  std::string trace_;
};

TEST_F(MiscTest, MeterMapsToDatapathMeter) {
  add("in_port=1 actions=meter:3,output:2");
  add("in_port=2 actions=meter:9,output:3");
  EXPECT_EQ(dp(flow("in_port=1")), "meter(2),2");
  EXPECT_EQ(dp(flow("in_port=2")), "3");  // unknown meter: skipped
}

TEST_F(MiscTest, OutputTruncAndEnqueue) {
  add("in_port=1 actions=output(port=2,max_len=100),output:3");
  add("in_port=2 actions=enqueue:3:5,output:4");
  add("in_port=3 actions=set_queue:1,output:4,pop_queue,output:5");
  EXPECT_EQ(dp(flow("in_port=1")), "trunc(100),2,3");
  EXPECT_EQ(dp(flow("in_port=2")), "set(skb_priority(0x10006)),3,set(skb_priority(0)),4");
  EXPECT_EQ(dp(flow("in_port=3")), "set(skb_priority(0x10002)),4,set(skb_priority(0)),5");
}

TEST_F(MiscTest, MplsPushSetPopAndTtl) {
  add("in_port=1 ip actions=push_mpls:0x8847,set_mpls_label:10,output:2");
  add("in_port=2 mpls actions=dec_mpls_ttl,pop_mpls:0x0800,output:3");
  Flow f = flow("in_port=1,ip,nw_ttl=64,nw_tos=32");
  EXPECT_EQ(dp(f), "push_mpls(label=10,tc=0,ttl=64,bos=1,eth_type=0x8847),2");
  Flow m = flow("in_port=2,mpls,mpls_label=10,mpls_ttl=5,mpls_bos=1");
  // The TTL change dies with the popped label.
  EXPECT_EQ(dp(m), "pop_mpls(eth_type=0x800),3");
  m.mpls_lse[0] = (m.mpls_lse[0] & ~kMplsTtlMask) | 1;
  std::string expired = dp(m);
  EXPECT_NE(expired.find("controller(reason=2"), std::string::npos) << expired;
  EXPECT_EQ(expired.find(",3"), std::string::npos) << expired;
}

TEST_F(MiscTest, MultipathIsDeterministicAndInRange) {
  add("in_port=1 actions=multipath(symmetric_l4,50,modulo_n,3,0,NXM_NX_REG0[0..1]),"
      "output:NXM_NX_REG0[0..1]");
  std::set<std::string> seen;
  for (int i = 1; i <= 40; ++i) {
    Flow f = flow("in_port=1,tcp,nw_src=10.0.0." + std::to_string(i) + ",tp_src=" +
                  std::to_string(1000 + i) + ",tp_dst=80");
    XlateOut a = run(f);
    EXPECT_EQ(dp(a), dp(run(f)));  // same flow, same link
    seen.insert(dp(a));
    // The reply direction hashes the same (symmetric).
    Flow r = f;
    std::swap(r.nw_src, r.nw_dst);
    std::swap(r.tp_src, r.tp_dst);
    r.in_port = 1;
    EXPECT_EQ(dp(run(r)), dp(a));
    EXPECT_NE(megaflow(f, a).find("tp_src=" + std::to_string(1000 + i)), std::string::npos);
  }
  // Links 0..2: output:0 is no port ("drop" when link 0 is chosen).
  for (const std::string& s : seen) EXPECT_TRUE(s == "1" || s == "2" || s == "drop") << s;
  EXPECT_GE(seen.size(), 2u);
}

TEST_F(MiscTest, BundleSkipsDownMembers) {
  add("in_port=1 actions=bundle(eth_src,0,active_backup,ofport,members:4,5,6)");
  add("in_port=2 actions=bundle_load(symmetric_l4,0,hrw,ofport,NXM_NX_REG1[0..15],"
      "members:3,4),output:NXM_NX_REG1[0..15]");
  EXPECT_EQ(dp(flow("in_port=1")), "4");
  hooks_.down = {4};
  EXPECT_EQ(dp(flow("in_port=1")), "5");
  hooks_.down = {4, 5, 6};
  EXPECT_EQ(dp(flow("in_port=1")), "drop");
  hooks_.down = {};
  std::string both = dp(flow("in_port=2,dl_src=00:00:00:00:00:01"));
  EXPECT_TRUE(both == "3" || both == "4") << both;
  hooks_.down = {static_cast<uint32_t>(std::stoul(both))};
  EXPECT_EQ(dp(flow("in_port=2,dl_src=00:00:00:00:00:01")), both == "3" ? "4" : "3");
}

TEST_F(MiscTest, SelectGroupStableAndFollowsLiveness) {
  group("group_id=1,type=select,bucket=weight:10,watch_port:2,output:2,"
        "bucket=weight:10,watch_port:3,output:3,bucket=weight:0,output:4");
  group("group_id=2,type=ff,bucket=watch_group:1,output:5,bucket=watch_port:6,output:6");
  add("in_port=1 actions=group:1");
  add("in_port=7 actions=group:2");
  std::set<std::string> seen;
  for (int i = 1; i <= 30; ++i) {
    Flow f = flow("in_port=1,tcp,nw_src=10.0.0." + std::to_string(i) + ",tp_dst=80");
    std::string a = dp(f);
    EXPECT_EQ(a, dp(f));
    EXPECT_NE(a, "4");  // weight 0 is never chosen
    seen.insert(a);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"2", "3"}));
  hooks_.down = {2};
  for (int i = 1; i <= 10; ++i)
    EXPECT_EQ(dp(flow("in_port=1,tcp,nw_src=10.0.0." + std::to_string(i) + ",tp_dst=80")), "3");
  // Fast failover watching group 1: alive while a select bucket is.
  EXPECT_EQ(dp(flow("in_port=7")), "5");
  hooks_.down = {2, 3};
  EXPECT_EQ(dp(flow("in_port=7")), "6");
}

TEST_F(MiscTest, SampleOnlyWithSamplingConfigured) {
  add("in_port=1 actions=sample(probability=65535,collector_set_id=1,obs_domain_id=2,"
      "obs_point_id=3),output:2");
  add("in_port=2 actions=sample(probability=1000,collector_set_id=1),output:3");
  EXPECT_EQ(dp(flow("in_port=1")), "2");
  hooks_.sampling = true;
  EXPECT_EQ(dp(flow("in_port=1")),
            "userspace(pid=0,flow_sample(probability=65535,collector_set_id=1,obs_domain_id=2,"
            "obs_point_id=3,output_port=4294967295)),2");
  EXPECT_EQ(dp(flow("in_port=2")).rfind("sample(sample=1.5%,actions(userspace(pid=0,", 0), 0u)
      << dp(flow("in_port=2"));
}

TEST_F(MiscTest, CheckPktLargerForksTheRest) {
  add("in_port=1 actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,1)");
  add("table=1 reg0=1 actions=output:2");
  add("table=1 reg0=0 actions=output:3");
  EXPECT_EQ(dp(flow("in_port=1")), "check_pkt_len(size=200,gt(2),le(3))");
}

TEST_F(MiscTest, ExitStillRunsActionSet) {
  add("in_port=1 actions=write_actions(output:3),goto_table:1");
  add("table=1 actions=exit,output:2");
  XlateOut out = run(flow("in_port=1"), true);
  EXPECT_EQ(dp(out), "3");
  EXPECT_NE(trace_.find("--. Executing action set:\n"), std::string::npos) << trace_;
}

TEST_F(MiscTest, FinTimeoutReportedForCaller) {
  add("in_port=1 tcp actions=fin_timeout(idle_timeout=5),output:2");
  XlateOut out = run(flow("in_port=1,tcp"));
  ASSERT_EQ(out.fin_timeouts.size(), 1u);
  EXPECT_EQ(out.fin_timeouts[0].idle, 5);
  EXPECT_EQ(out.fin_timeouts[0].rule, out.rules[0]);
}

// lookup3 reference values (Bob Jenkins' hashlittle test vectors).
TEST(XlateHash, JhashMatchesLookup3) {
  EXPECT_EQ(ovs_jhash_bytes("", 0, 0), 0xdeadbeefu);
  EXPECT_EQ(ovs_jhash_bytes("Four score and seven years ago", 30, 0), 0x17770551u);
  EXPECT_EQ(ovs_jhash_bytes("Four score and seven years ago", 30, 1), 0xcd628161u);
}

}  // namespace
}  // namespace grebe::xlate

namespace grebe::xlate {
namespace {

// Links and members stock ovs-vswitchd 3.1 (--enable-dummy, ofproto/trace)
// chose for tcp 10.0.0.i:1000+i -> 10.0.0.99:80.
TEST_F(MiscTest, MultipathAndBundleMatchStockOvs) {
  add("in_port=1 actions=multipath(symmetric_l4,50,modulo_n,3,0,NXM_NX_REG0[0..1]),"
      "output:NXM_NX_REG0[0..1]");
  add("in_port=4 actions=bundle_load(symmetric_l4,0,hrw,ofport,NXM_NX_REG1[0..15],"
      "members:1,2,3),output:NXM_NX_REG1[0..15]");
  const char* multipath[] = {"2", "drop", "2", "drop", "2", "2"};
  const char* bundle[] = {"1", "1", "1", "3", "1", "2"};
  for (int i = 1; i <= 6; ++i) {
    std::string tcp = ",tcp,nw_src=10.0.0." + std::to_string(i) +
                      ",nw_dst=10.0.0.99,tp_src=" + std::to_string(1000 + i) + ",tp_dst=80";
    EXPECT_EQ(dp(flow("in_port=1" + tcp)), multipath[i - 1]) << i;
    EXPECT_EQ(dp(flow("in_port=4" + tcp)), bundle[i - 1]) << i;
  }
}

}  // namespace
}  // namespace grebe::xlate
