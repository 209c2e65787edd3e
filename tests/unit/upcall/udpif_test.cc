// Handlers and revalidator over the dummy datapath: a miss installs the
// megaflow translation chose and forwards the packet; stats reach the
// rules; a table change or idleness removes flows; purge empties.
#include "upcall/udpif.h"

#include <gtest/gtest.h>

#include "grebe/dpif/netdev_dummy.h"
#include "grebe/event/event_loop.h"
#include "grebe/packet/flow_compose.h"
#include "ofproto_dpif/ofproto_dpif.h"

namespace grebe::upcall {
namespace {

class RecordingSink : public UdpifSink {
 public:
  void packet_in(const std::string&, connmgr::PacketInRequest pin) override {
    pins.push_back(std::move(pin));
  }
  void learned(const std::string&, std::vector<openflow::FlowMod> fms) override {
    n_learned += fms.size();
  }
  void credit(const std::string&, std::vector<Credit> credits) override {
    for (const auto& c : credits) {
      if (tables) tables->credit_stats(c.rule, c.packets, c.bytes, c.used);
    }
  }
  std::vector<connmgr::PacketInRequest> pins;
  size_t n_learned = 0;
  ofproto::OfprotoTables* tables = nullptr;
};

class UdpifTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = ofproto_dpif::Backer::get("dummy", "dummy");
    ASSERT_TRUE(b.ok()) << b.error().message();
    backer_ = *b;
    ofproto_ = std::make_unique<ofproto_dpif::Ofproto>("ubr0", backer_);
    for (uint32_t i = 1; i <= 2; i++) {
      ofproto_dpif::PortSpec spec{"u" + std::to_string(i), "dummy", i, {}, std::nullopt, ""};
      ASSERT_TRUE(ofproto_->add_port(spec).ok());
    }
    sink_.tables = &ofproto_->tables();
    udpif_ = std::make_unique<Udpif>(backer_, loop_, sink_);
    UdpifConfig cfg;
    cfg.n_handlers = 2;
    udpif_->set_config(cfg);
  }
  void TearDown() override {
    udpif_.reset();
    ofproto_.reset();
    backer_.reset();
  }
  void add_flow(const std::string& text) {
    auto p = openflow::parse_flow_mod(text, openflow::FlowModCommand::kAdd);
    ASSERT_TRUE(p.ok()) << text;
    ASSERT_TRUE(ofproto_->flow_mod(p->fm).ok());
  }
  // Sends one UDP packet into u1 and lets the datapath poll it.
  void send(uint16_t sport) {
    Flow f = make_flow();
    f.dl_type = 0x0800;
    f.nw_proto = 17;
    f.nw_ttl = 64;
    f.tp_src = sport;
    f.tp_dst = 53;
    f.dl_src = EthAddr{{0x50, 0, 0, 0, 0, 1}};
    f.dl_dst = EthAddr{{0x50, 0, 0, 0, 0, 2}};
    ASSERT_TRUE(netdev::DummyNetdev::lookup("u1")->receive(flow_compose(f)).ok());
    backer_->dpif().run();
  }
  // Runs the main loop until `cond` holds (posts from the threads land
  // here); generous bound for a loaded machine.
  bool run_until(const std::function<bool()>& cond) {
    for (int i = 0; i < 3000 && !cond(); i++) loop_.run_once(10);
    return cond();
  }
  size_t n_flows() { return backer_->dpif().stats().n_flows; }
  void revalidate() {
    bool done = false;
    udpif_->wait_revalidation([&done] { done = true; });
    ASSERT_TRUE(run_until([&] { return done; }));
  }
  uint64_t rule_packets(const std::string& match) {
    openflow::FlowStatsRequest req;
    std::string dump = ofproto_->tables().dump_flows(req);
    size_t at = dump.find(match);
    if (at == std::string::npos) return ~0ull;
    size_t line = dump.rfind('\n', at);
    size_t np = dump.find("n_packets=", line == std::string::npos ? 0 : line);
    return std::stoull(dump.substr(np + 10));
  }

  event::EventLoop loop_;
  RecordingSink sink_;
  std::shared_ptr<ofproto_dpif::Backer> backer_;
  std::unique_ptr<ofproto_dpif::Ofproto> ofproto_;
  std::unique_ptr<Udpif> udpif_;
};

TEST_F(UdpifTest, MissInstallsMegaflowAndForwards) {
  add_flow("in_port=1,udp,actions=output:2");
  send(1000);
  ASSERT_TRUE(run_until([&] { return n_flows() == 1; }));
  auto* u2 = netdev::DummyNetdev::lookup("u2");
  ASSERT_TRUE(run_until([&] { return u2->n_sent() >= 1; }));
  // A second packet of another UDP source port hits the same megaflow
  // (tp_src was never looked at).
  send(1001);
  ASSERT_TRUE(run_until([&] { return u2->n_sent() >= 2; }));
  EXPECT_EQ(n_flows(), 1u);
  revalidate();
  EXPECT_TRUE(run_until([&] { return rule_packets("in_port=1") == 2; }))
      << ofproto_->tables().dump_flows(openflow::FlowStatsRequest{});
  EXPECT_NE(udpif_->show().find("(keys 1)"), std::string::npos) << udpif_->show();
}

TEST_F(UdpifTest, TableChangeRevalidatesFlows) {
  add_flow("in_port=1,udp,actions=output:2");
  send(1000);
  ASSERT_TRUE(run_until([&] { return n_flows() == 1; }));
  add_flow("in_port=1,udp,actions=drop");  // replaces the rule: new actions
  revalidate();
  EXPECT_EQ(n_flows(), 0u);
}

TEST_F(UdpifTest, IdleFlowsExpireAndPurgeEmpties) {
  add_flow("in_port=1,actions=output:2");
  send(1000);
  ASSERT_TRUE(run_until([&] { return n_flows() == 1; }));
  revalidate();
  EXPECT_EQ(n_flows(), 1u);  // fresh: kept
  UdpifConfig cfg = udpif_->config();
  cfg.max_idle_msec = 0;
  udpif_->set_config(cfg);
  revalidate();
  EXPECT_EQ(n_flows(), 0u);

  cfg.max_idle_msec = 10000;
  udpif_->set_config(cfg);
  send(1002);
  ASSERT_TRUE(run_until([&] { return n_flows() == 1; }));
  udpif_->purge();
  EXPECT_EQ(n_flows(), 0u);
}

TEST_F(UdpifTest, ControllerActionBecomesPacketIn) {
  add_flow("in_port=1,actions=controller");
  send(1000);
  ASSERT_TRUE(run_until([&] { return !sink_.pins.empty(); }));
  EXPECT_EQ(sink_.pins[0].flow.in_port, 1u);
  EXPECT_EQ(sink_.pins[0].reason, openflow::kPinAction);
  EXPECT_FALSE(sink_.pins[0].packet.empty());
}

}  // namespace
}  // namespace grebe::upcall
