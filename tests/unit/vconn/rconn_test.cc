// Rconn on a real EventLoop and real TCP sockets, with a FakeClock so
// backoff and probe timing are exact.
#include "grebe/vconn/rconn.h"

#include <gtest/gtest.h>

#include "grebe/event/event_loop.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/clock.h"
#include "vconn_test_util.h"

namespace grebe::vconn {
namespace {

using testing::accept_vconn;
using testing::listen_local;
using testing::target_of;

class RconnTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock(&clock_); }
  void TearDown() override {
    switches_.clear();
    set_clock(nullptr);
  }

  // Runs the loop (real time, bounded) until `pred` holds.
  template <typename Pred>
  bool run_until(Pred pred, int max_iterations = 500) {
    for (int i = 0; i < max_iterations; i++) {
      if (pred()) return true;
      loop_.run_once(10);
    }
    return pred();
  }
  void run_a_while() {
    for (int i = 0; i < 6; i++) loop_.run_once(2);
  }
  void advance(long long msec) {
    clock_.advance(msec);
    event::EventLoop::notify_clock_changed();
  }

  // The "switch" side: a listener whose accepted connections become
  // unreliable rconns on the same loop.
  void listen(const std::string& name = "ptcp:0:127.0.0.1") {
    auto pv = PVconn::open(name);
    ASSERT_TRUE(pv.ok()) << pv.error().to_string();
    pvconn_ = std::move(*pv);
    port_ = pvconn_->bound_port();
    watch_ = loop_.watch_fd(pvconn_->fd(), event::kReadable, [this](uint32_t) {
      auto v = pvconn_->accept();
      if (!v.ok()) return;
      auto rc = std::make_unique<Rconn>(loop_, 0, 0);
      rc->set_handler(
          {[this](OfpMsg&& m) { switch_msgs_.push_back(std::move(m)); }, nullptr, nullptr});
      rc->connect_unreliably(std::move(*v));
      switches_.push_back(std::move(rc));
    });
  }
  void stop_listening() {
    loop_.unwatch_fd(watch_);
    pvconn_.reset();
    switches_.clear();
  }
  std::string target() const { return "tcp:127.0.0.1:" + std::to_string(port_); }

  FakeClock clock_;
  event::EventLoop loop_;
  std::unique_ptr<PVconn> pvconn_;
  uint16_t port_ = 0;
  event::WatchId watch_ = 0;
  std::vector<std::unique_ptr<Rconn>> switches_;
  std::vector<OfpMsg> switch_msgs_;
};

TEST_F(RconnTest, ConnectsAndReportsStatus) {
  listen();
  Rconn rc(loop_, 5, 8);
  EXPECT_STREQ(rc.state(), "VOID");
  int connected_version = 0;
  rc.set_handler({nullptr, [&](int v) { connected_version = v; }, nullptr});
  rc.connect(target());
  EXPECT_TRUE(rc.is_alive());
  ASSERT_TRUE(run_until(
      [&] { return rc.is_connected() && !switches_.empty() && switches_[0]->is_connected(); }));
  EXPECT_STREQ(rc.state(), "ACTIVE");
  EXPECT_EQ(rc.version(), 6);
  EXPECT_EQ(connected_version, 6);
  EXPECT_EQ(rc.connection_seqno(), 1u);
  auto st = rc.status_pairs();
  EXPECT_EQ(st["state"], "ACTIVE");
  EXPECT_EQ(st["sec_since_connect"], "0");
  EXPECT_EQ(st.count("last_error"), 0u);
  EXPECT_EQ(st.count("sec_since_disconnect"), 0u);

  // Messages flow both ways.
  ASSERT_TRUE(rc.send(openflow::encode_barrier(false, 6, 5)).ok());
  ASSERT_TRUE(run_until([&] { return !switch_msgs_.empty(); }));
  EXPECT_EQ(switch_msgs_[0], openflow::encode_barrier(false, 6, 5));
  advance(3000);
  EXPECT_EQ(rc.status_pairs()["sec_since_connect"], "3");
}

TEST_F(RconnTest, ReconnectsAfterPeerDisappears) {
  listen();
  Rconn rc(loop_, 0, 8);
  int disconnect_error = 0;
  rc.set_handler({nullptr, nullptr, [&](int e) { disconnect_error = e; }});
  rc.connect(target());
  ASSERT_TRUE(run_until([&] { return rc.is_connected(); }));

  stop_listening();
  ASSERT_TRUE(run_until([&] { return !rc.is_connected(); }));
  EXPECT_STREQ(rc.state(), "BACKOFF");
  EXPECT_EQ(rc.last_error(), kEof);
  EXPECT_EQ(disconnect_error, kEof);
  EXPECT_EQ(rc.connection_seqno(), 2u);
  EXPECT_EQ(rc.status_pairs()["last_error"], "End of file");
  EXPECT_EQ(rc.status_pairs()["sec_since_disconnect"], "0");
  EXPECT_TRUE(rc.is_alive());

  // The same port comes back; nothing happens until the backoff expires.
  listen("ptcp:" + std::to_string(port_) + ":127.0.0.1");
  unsigned attempts = rc.n_attempted_connections();
  run_a_while();
  EXPECT_STREQ(rc.state(), "BACKOFF");
  EXPECT_EQ(rc.n_attempted_connections(), attempts);
  long long waited = 0;
  while (!rc.is_connected() && waited < 10000) {
    advance(250);
    waited += 250;
    run_a_while();
  }
  EXPECT_TRUE(rc.is_connected());
  EXPECT_GE(waited, 1000);
  EXPECT_LE(waited, 8000);
  EXPECT_EQ(rc.connection_seqno(), 3u);
  EXPECT_STREQ(rc.state(), "ACTIVE");
}

TEST_F(RconnTest, RefusedConnectionsBackOffExponentially) {
  listen();
  stop_listening();  // a port with nobody behind it
  Rconn rc(loop_, 0, 8);
  rc.connect(target());
  ASSERT_TRUE(run_until([&] { return rc.last_error() == ECONNREFUSED; }));
  EXPECT_STREQ(rc.state(), "BACKOFF");
  EXPECT_EQ(rc.status_pairs()["last_error"], "Connection refused");

  std::vector<long long> attempt_times;
  unsigned attempts = rc.n_attempted_connections();
  for (long long t = 0; t < 30000; t += 100) {
    advance(100);
    run_a_while();
    if (rc.n_attempted_connections() != attempts) {
      attempts = rc.n_attempted_connections();
      attempt_times.push_back(t);
    }
  }
  ASSERT_GE(attempt_times.size(), 5u);
  std::vector<long long> gaps;
  for (size_t i = 1; i < attempt_times.size(); i++) {
    gaps.push_back(attempt_times[i] - attempt_times[i - 1]);
  }
  for (size_t i = 1; i < gaps.size(); i++) EXPECT_GE(gaps[i] + 100, gaps[i - 1]);
  EXPECT_GE(gaps.front(), 1000);
  EXPECT_NEAR(gaps.back(), 8000, 200);  // capped at max_backoff
}

TEST_F(RconnTest, ProbeGetsEchoReply) {
  listen();
  Rconn rc(loop_, 5, 8);
  std::vector<OfpMsg> got;
  rc.set_handler({[&](OfpMsg&& m) { got.push_back(std::move(m)); }, nullptr, nullptr});
  rc.connect(target());
  ASSERT_TRUE(run_until([&] { return rc.is_connected(); }));
  run_a_while();
  clock_.advance(4999);
  rc.run();
  EXPECT_STREQ(rc.state(), "ACTIVE");
  clock_.advance(1);
  rc.run();
  EXPECT_STREQ(rc.state(), "IDLE");
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got[0][1], openflow::kOfptEchoReply);
  EXPECT_STREQ(rc.state(), "ACTIVE");
  EXPECT_TRUE(switch_msgs_.empty());  // the switch side answered by itself
}

TEST_F(RconnTest, SilentPeerIsDroppedAfterTwoProbeIntervals) {
  auto pv = listen_local();
  Rconn rc(loop_, 5, 8);
  rc.connect(target_of(*pv));
  auto peer = accept_vconn(*pv);
  ASSERT_TRUE(peer);
  peer->set_auto_echo_reply(false);
  testing::Server server(std::move(peer), nullptr);
  ASSERT_TRUE(run_until([&] { return rc.is_connected(); }));
  advance(5000);
  run_a_while();
  EXPECT_STREQ(rc.state(), "IDLE");
  ASSERT_TRUE(run_until([&] { return !server.received().empty(); }));
  EXPECT_EQ(server.received()[0][1], openflow::kOfptEchoRequest);
  advance(5000);
  run_a_while();
  EXPECT_STREQ(rc.state(), "BACKOFF");
  EXPECT_EQ(rc.last_error(), ETIMEDOUT);
  EXPECT_EQ(rc.status_pairs()["last_error"], "Connection timed out");
  rc.disconnect();
  EXPECT_STREQ(rc.state(), "VOID");
  EXPECT_FALSE(rc.is_alive());
  server.join();
}

TEST_F(RconnTest, SendQueueLimitAndCounters) {
  auto pv = listen_local();
  Rconn rc(loop_, 0, 8);
  PacketCounter counter;
  EXPECT_EQ(rc.send(openflow::encode_barrier(false, 6, 1), &counter).error().code(), ENOTCONN);
  EXPECT_EQ(counter.n_packets, 0u);
  rc.connect(target_of(*pv));
  auto peer = accept_vconn(*pv);
  ASSERT_TRUE(peer);
  // Complete the peer's hello here, then never read again.
  ASSERT_TRUE(run_until([&] {
    peer->run();
    return peer->connect().ok() && rc.is_connected();
  }));

  OfpMsg big = openflow::encode_echo(false, 6, 9, std::vector<uint8_t>(60000, 0xab));
  int dropped = 0;
  for (int i = 0; i < 400; i++) {
    Status s = rc.send_with_limit(big, &counter, 16);
    if (!s.ok()) {
      EXPECT_EQ(s.error().code(), EAGAIN);
      dropped++;
    }
  }
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(counter.n_packets, 16u);
  EXPECT_EQ(counter.n_bytes, 16u * big.size());
  EXPECT_GE(rc.txq_len(), 16u);
  rc.disconnect();
  EXPECT_EQ(counter.n_packets, 0u);
  EXPECT_EQ(counter.n_bytes, 0u);
  EXPECT_EQ(rc.txq_len(), 0u);
}

TEST_F(RconnTest, UnreliableConnectionEndsDisconnected) {
  listen();
  Rconn rc(loop_, 0, 8);
  rc.connect(target());
  ASSERT_TRUE(run_until([&] { return !switches_.empty() && switches_[0]->is_connected(); }));
  Rconn& sw = *switches_[0];
  EXPECT_FALSE(sw.is_reliable());
  EXPECT_STREQ(sw.state(), "ACTIVE");
  rc.disconnect();
  ASSERT_TRUE(run_until([&] { return !sw.is_connected(); }));
  EXPECT_STREQ(sw.state(), "DISCONNECTED");
  EXPECT_FALSE(sw.is_alive());
  EXPECT_EQ(sw.last_error(), kEof);
  run_a_while();
  advance(60000);
  run_a_while();
  EXPECT_STREQ(sw.state(), "DISCONNECTED");  // never reconnects
}

TEST_F(RconnTest, AdmissionAndFailureDuration) {
  listen();
  Rconn rc(loop_, 0, 8);
  std::vector<OfpMsg> got;
  rc.set_handler({[&](OfpMsg&& m) { got.push_back(std::move(m)); }, nullptr, nullptr});
  // Admission compares times: connect strictly after creation, as real
  // time would.
  clock_.advance(1);
  rc.connect(target());
  ASSERT_TRUE(run_until(
      [&] { return rc.is_connected() && !switches_.empty() && switches_[0]->is_connected(); }));
  EXPECT_FALSE(rc.is_admitted());
  advance(3000);
  EXPECT_EQ(rc.failure_duration(), 3);
  // Handshake traffic does not admit...
  ASSERT_TRUE(switches_[0]->send(openflow::encode_features_request(6, 1)).ok());
  ASSERT_TRUE(run_until([&] { return got.size() == 1; }));
  EXPECT_FALSE(rc.is_admitted());
  // ...a barrier does.
  ASSERT_TRUE(switches_[0]->send(openflow::encode_barrier(false, 6, 2)).ok());
  ASSERT_TRUE(run_until([&] { return got.size() == 2; }));
  EXPECT_TRUE(rc.is_admitted());
  EXPECT_EQ(rc.failure_duration(), 0);
  stop_listening();
  ASSERT_TRUE(run_until([&] { return !rc.is_connected(); }));
  advance(2000);
  EXPECT_FALSE(rc.is_admitted());
  EXPECT_EQ(rc.failure_duration(), 2);
}

TEST_F(RconnTest, MonitorSeesBothDirections) {
  listen();
  Rconn rc(loop_, 0, 8);
  rc.connect(target());
  ASSERT_TRUE(run_until(
      [&] { return rc.is_connected() && !switches_.empty() && switches_[0]->is_connected(); }));
  // An ovs-ofctl snoop-like client on a second listener.
  auto snoop_pv = listen_local();
  auto snoop = Vconn::open(target_of(*snoop_pv));
  ASSERT_TRUE(snoop.ok());
  (*snoop)->set_recv_any_version();
  rc.add_monitor(accept_vconn(*snoop_pv));
  EXPECT_EQ(rc.n_monitors(), 1u);
  ASSERT_TRUE(run_until([&] {
    (*snoop)->run();
    return (*snoop)->connect().ok();
  }));

  ASSERT_TRUE(rc.send(openflow::encode_barrier(false, 6, 0x10)).ok());
  ASSERT_TRUE(switches_[0]->send(openflow::encode_barrier(true, 6, 0x10)).ok());
  std::vector<OfpMsg> seen;
  ASSERT_TRUE(run_until([&] {
    (*snoop)->run();
    auto r = (*snoop)->recv();
    if (r.ok()) seen.push_back(std::move(*r));
    return seen.size() == 2;
  }));
  EXPECT_EQ(seen[0], openflow::encode_barrier(false, 6, 0x10));  // sent
  EXPECT_EQ(seen[1], openflow::encode_barrier(true, 6, 0x10));   // received

  // A monitor that goes away is dropped.
  snoop->reset();
  ASSERT_TRUE(run_until([&] { return rc.n_monitors() == 0; }));
  EXPECT_TRUE(rc.is_connected());
}

TEST_F(RconnTest, RoleIsStored) {
  Rconn rc(loop_, 0, 0);
  EXPECT_EQ(rc.role(), Rconn::Role::kEqual);
  rc.set_role(Rconn::Role::kSlave);
  EXPECT_EQ(rc.role(), Rconn::Role::kSlave);
  EXPECT_EQ(rc.max_backoff(), 8);
  rc.set_probe_interval(2);
  EXPECT_EQ(rc.probe_interval(), 5);  // OVS's minimum
}

}  // namespace
}  // namespace grebe::vconn
