// Packet-ins (controller action, table miss, dec_ttl invalid_ttl), the
// controller cookie round trip, ct() with recirculation and resumption,
// and patch ports.
#include <linux/openvswitch.h>

#include <gtest/gtest.h>

#include "grebe/odp/odp_actions.h"
#include "xlate/recirc.h"
#include "xlate/upcall_cookie.h"
#include "xlate/xlate.h"

namespace grebe::xlate {
namespace {

using namespace openflow;

class Bridge : public XlateHooks {
 public:
  explicit Bridge(uint32_t odp_base = 0) : odp_base_(odp_base) {}
  std::optional<uint32_t> odp_port(uint32_t p) const override {
    if (p >= 1 && p <= 4) return odp_base_ + p;
    return std::nullopt;
  }
  RecircRegistry* recirc_registry() const override { return registry; }
  bool packet_in_on_miss(uint8_t) const override { return miss_to_controller; }
  std::optional<PatchPeer> patch_peer(uint32_t p) const override {
    if (peer && p == patch_port) return *peer;
    return std::nullopt;
  }

  RecircRegistry* registry = nullptr;
  bool miss_to_controller = false;
  uint32_t patch_port = 0;
  std::optional<PatchPeer> peer;

 private:
  uint32_t odp_base_;
};

class PacketInTest : public ::testing::Test {
 protected:
  void add(std::string_view text, ofproto::OfprotoTables* t = nullptr) {
    auto p = parse_flow_mod(text, FlowModCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text << ": " << p.error().message();
    ASSERT_TRUE((t ? t : &tables_)->handle_flow_mod(p->fm).ok()) << text;
  }
  Flow flow(std::string_view text) {
    auto p = parse_flow_mod(text, FlowModCommand::kDelete);
    EXPECT_TRUE(p.ok()) << text;
    return p.ok() ? p->fm.match.flow : make_flow();
  }
  XlateOut run(const Flow& f, bool trace = false) {
    XlateIn in;
    in.tables = &tables_;
    in.hooks = &br_;
    in.flow = f;
    in.want_trace = trace;
    XlateOut out = xlate_actions(in);
    if (trace) trace_ = format_trace(in, out);
    return out;
  }
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
  // The userdata of the first userspace() action.
  static std::vector<uint8_t> first_userdata(const XlateOut& out) {
    nl::Bytes all(out.odp_actions.data(), out.odp_actions.size());
    for (nl::AttrIterator it(all); it.ok(); it.next()) {
      if (it.attr().type() != OVS_ACTION_ATTR_USERSPACE) continue;
      for (nl::AttrIterator u(it.attr().payload()); u.ok(); u.next())
        if (u.attr().type() == OVS_USERSPACE_ATTR_USERDATA) {
          nl::Bytes b = u.attr().payload();
          return {b.data(), b.data() + b.size()};
        }
    }
    return {};
  }

  ofproto::OfprotoTables tables_;
  RecircRegistry registry_;
  Bridge br_;
  std::string trace_;
  void SetUp() override { br_.registry = &registry_; }
};

// OVS's "ofproto-dpif - dec_ttl": the expired TTL sends a packet-in with
// reason invalid_ttl and ends only the current table's actions.
TEST_F(PacketInTest, DecTtlInvalidTtlLikeOvs) {
  add("table=0 in_port=1 action=dec_ttl,output:2,resubmit(1,1),output:4");
  add("table=1 in_port=1 action=dec_ttl,output:3");
  Flow f = flow("ip,in_port=1,nw_src=192.168.0.1,nw_dst=192.168.0.2,nw_proto=111,nw_ttl=2");
  XlateOut out = run(f);
  EXPECT_EQ(dp(out),
            "set(ipv4(ttl=1)),2,userspace(pid=0,controller(reason=2,dont_send=0,continuation=0,"
            "recirc_id=1,rule_cookie=0,controller_id=0,max_len=65535)),4");
  EXPECT_EQ(megaflow(f, out), "recirc_id=0,eth,ip,in_port=1,nw_proto=111,nw_ttl=2,nw_frag=no");
  f.nw_ttl = 3;
  EXPECT_EQ(dp(run(f)), "set(ipv4(ttl=2)),2,set(ipv4(ttl=1)),3,4");
}

TEST_F(PacketInTest, ControllerCookieCarriesTableUserdataAndMetadata) {
  add("table=0 actions=load:0x5->NXM_NX_REG0[],mod_dl_src:0e:00:00:00:00:01,resubmit(,2)");
  add("table=2 cookie=0x77 actions=controller(reason=no_match,max_len=100,id=3,userdata=01.02.03)");
  XlateOut out = run(flow("in_port=1,dl_src=50:54:00:00:00:01"));
  // The header change is committed before the userspace action, so the
  // controller gets the packet as modified so far.
  EXPECT_EQ(dp(out).rfind("set(eth(src=0e:00:00:00:00:01)),userspace(pid=0,controller(reason=0,", 0),
            0u)
      << dp(out);
  ASSERT_EQ(out.recirc_refs.size(), 1u);
  std::vector<uint8_t> ud = first_userdata(out);
  auto up = decode_controller_upcall(nl::Bytes(ud.data(), ud.size()), &registry_);
  ASSERT_TRUE(up.ok()) << up.error().message();
  EXPECT_EQ(up->reason, kOfprNoMatch);
  EXPECT_EQ(up->max_len, 100);
  EXPECT_EQ(up->controller_id, 3);
  EXPECT_EQ(up->table_id, 2);
  EXPECT_EQ(up->rule_cookie, 0x77u);
  EXPECT_EQ(up->userdata, (std::vector<uint8_t>{1, 2, 3}));
  ASSERT_TRUE(up->frozen);
  EXPECT_EQ(up->frozen->metadata.regs[0], 5u);
  EXPECT_EQ(up->frozen->metadata.in_port, 1u);
  // Once the flow's reference is gone, the id no longer decodes.
  registry_.unref(out.recirc_refs[0]);
  EXPECT_FALSE(decode_controller_upcall(nl::Bytes(ud.data(), ud.size()), &registry_).ok());
  // Garbage userdata is an error, not a crash.
  uint8_t junk[5] = {1, 2, 3, 4, 5};
  EXPECT_FALSE(decode_controller_upcall(nl::Bytes(junk, 5), &registry_).ok());
}

TEST_F(PacketInTest, TableMissSendsPacketInWhenWanted) {
  add("table=0 priority=10 in_port=2 actions=output:3");
  Flow f = flow("in_port=1");
  EXPECT_EQ(dp(run(f)), "drop");
  br_.miss_to_controller = true;
  XlateOut out = run(f, true);
  EXPECT_EQ(dp(out),
            "userspace(pid=0,controller(reason=7,dont_send=0,continuation=0,recirc_id=1,"
            "rule_cookie=0,controller_id=0,max_len=65535))");
  EXPECT_NE(trace_.find(" 0. No match.\n    CONTROLLER:65535\n"), std::string::npos) << trace_;
}

TEST_F(PacketInTest, ExplicitMissAndIdenticalStatesShareIds) {
  add("table=0 priority=0 actions=CONTROLLER:65535");
  XlateOut a = run(flow("in_port=1"));
  XlateOut b = run(flow("in_port=1"));
  EXPECT_NE(dp(a).find("reason=6"), std::string::npos) << dp(a);  // explicit miss
  ASSERT_EQ(a.recirc_refs.size(), 1u);
  EXPECT_EQ(a.recirc_refs, b.recirc_refs);
  EXPECT_EQ(registry_.size(), 1u);
  registry_.unref(a.recirc_refs[0]);
  EXPECT_EQ(registry_.size(), 1u);  // b still holds it
  registry_.unref(b.recirc_refs[0]);
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(PacketInTest, CtCommitRecirculatesAndResumes) {
  add("table=0 priority=10 ip,ct_state=-trk actions=ct(commit,zone=5,"
      "exec(set_field:0x1->ct_mark),table=1)");
  add("table=1 priority=10 ip,ct_state=+trk+new actions=load:0x9->NXM_NX_REG1[],resubmit(,2)");
  add("table=1 priority=5 ip,ct_state=+trk+est actions=output:3");
  add("table=2 reg1=0x9 actions=ct_clear,output:2");
  Flow f = flow("ip,in_port=1,nw_src=10.0.0.1,nw_dst=10.0.0.2");
  XlateOut out = run(f, true);
  EXPECT_EQ(dp(out), "ct(commit,zone=5,mark=0x1/0xffffffff),recirc(0x1)");
  EXPECT_NE(trace_.find("-> A clone of the packet is forked to recirculate. The forked pipeline "
                        "will be resumed at table 1."),
            std::string::npos)
      << trace_;
  // The recirculated packet: the datapath sets recirc_id and ct_*.
  Flow r = f;
  r.recirc_id = 1;
  r.ct_state = kCsTracked | kCsNew;
  r.ct_zone = 5;
  r.ct_mark = 1;
  XlateOut resumed = run(r);
  EXPECT_EQ(dp(resumed), "ct_clear,2");
  EXPECT_NE(megaflow(r, resumed).find("recirc_id=0x1"), std::string::npos);
  r.ct_state = kCsTracked | kCsEstablished;
  EXPECT_EQ(dp(run(r)), "3");
  // An unknown recirc_id drops.
  r.recirc_id = 99;
  XlateOut unknown = run(r);
  EXPECT_EQ(dp(unknown), "drop");
  EXPECT_NE(unknown.error.find("recirc_id 99"), std::string::npos);
}

TEST_F(PacketInTest, CtNatAndZoneFromRegister) {
  add("table=0 ip actions=load:0x7->NXM_NX_REG2[0..15],"
      "ct(commit,zone=NXM_NX_REG2[0..15],nat(src=192.168.1.1-192.168.1.9:1000-2000)),output:2");
  Flow f = flow("tcp,in_port=1,nw_src=10.0.0.1,nw_dst=10.0.0.2");
  XlateOut out = run(f);
  EXPECT_EQ(dp(out),
            "ct(commit,zone=7,nat(src=192.168.1.1-192.168.1.9:1000-2000)),2");
  EXPECT_TRUE(out.recirc_refs.empty());
}

TEST_F(PacketInTest, PatchPortContinuesInPeerBridge) {
  ofproto::OfprotoTables br1_tables;
  Bridge br1(10);  // br1's port N is datapath port 10+N
  add("table=0 in_port=1 actions=load:0x3->NXM_NX_REG0[],output:4");
  add("table=0 in_port=2 reg0=0 actions=mod_vlan_vid:5,output:3", &br1_tables);
  br_.patch_port = 4;
  br_.peer = XlateHooks::PatchPeer{&br1_tables, &br1, "br1", 2};
  XlateOut out = run(flow("in_port=1"), true);
  // Registers start from zero in the peer; the VLAN it pushes stays there.
  EXPECT_EQ(dp(out), "push_vlan(vid=5,pcp=0),13");
  EXPECT_NE(trace_.find("    output:4\n\nbridge(\"br1\")\n-------------\n 0. reg0=0,in_port=2, "
                        "priority 32768\n    mod_vlan_vid:5\n    output:3\n"),
            std::string::npos)
      << trace_;
}

}  // namespace
}  // namespace grebe::xlate
