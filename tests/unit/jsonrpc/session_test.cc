#include <gtest/gtest.h>

#include <cstdlib>

#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/connection.h"
#include "grebe/jsonrpc/session.h"
#include "grebe/stream/stream.h"
#include "grebe/util/clock.h"

namespace grebe::jsonrpc {
namespace {

// A tiny server on the same loop: accepts, records requests, replies to
// "ping" and lets the test decide whether to answer echo probes.
struct Server {
  event::EventLoop& loop;
  std::unique_ptr<stream::PassiveStream> listener;
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<Message> got;
  bool answer_echo = true;
  event::WatchId watch = 0;

  Server(event::EventLoop& l, const std::string& name) : loop(l) {
    listener = std::move(*stream::PassiveStream::open(name));
    watch = loop.watch_fd(listener->fd(), event::kReadable, [this](uint32_t) {
      auto s = listener->accept();
      if (!s.ok()) return;
      conns.push_back(std::make_unique<Connection>(std::move(*s)));
      Connection* c = conns.back().get();
      loop.watch_fd(c->fd(), event::kReadable, [this, c](uint32_t) { serve(c); });
    });
  }
  ~Server() { loop.unwatch_fd(watch); }
  void serve(Connection* c) {
    for (;;) {
      auto m = c->recv();
      if (!m.ok() || !m->has_value()) return;
      got.push_back(**m);
      const Message& msg = **m;
      if (msg.method == "ping") (void)c->send(Message::reply("pong", msg.id));
      if (msg.method == "echo" && answer_echo) (void)c->send(Message::reply(msg.params, msg.id));
    }
  }
  void close_all() {
    for (auto& c : conns) c.reset();
  }
};

bool run_until(event::EventLoop& loop, const std::function<bool()>& done, int iterations = 2000) {
  for (int i = 0; i < iterations && !done(); i++) loop.run_once(10);
  return done();
}

// Like run_until(), but moves `clock` 100 ms per turn so backoffs pass.
bool run_until_warping(event::EventLoop& loop, FakeClock& clock,
                       const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); i++) {
    loop.run_once(1);
    clock.advance(100);
    event::EventLoop::notify_clock_changed();
  }
  return done();
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/sessiontestXXXXXX";
    dir_ = mkdtemp(t);
  }
  void TearDown() override {
    set_clock(nullptr);
    std::system(("rm -rf " + dir_).c_str());
  }
  std::string dir_;
};

TEST_F(SessionTest, ConnectsExchangesAndReconnects) {
  FakeClock clock;
  set_clock(&clock);
  event::EventLoop loop;
  auto server = std::make_unique<Server>(loop, "punix:" + dir_ + "/s");
  std::vector<Message> replies;
  int connects = 0, disconnects = 0;
  Session::Options opt;
  Session s(loop, {"unix:" + dir_ + "/s"},
            {[&](Message m) { replies.push_back(std::move(m)); }, [&] { connects++; },
             [&](const Error&) { disconnects++; }},
            opt);
  EXPECT_EQ(s.send(Message::notify("early", Json::array())).error().code(), ENOTCONN);
  ASSERT_TRUE(run_until(loop, [&] { return s.is_connected(); }));
  EXPECT_EQ(connects, 1);
  ASSERT_TRUE(s.send(Message::request("ping", Json::array())).ok());
  ASSERT_TRUE(run_until(loop, [&] { return !replies.empty(); }));
  EXPECT_EQ(replies[0].result, "pong");
  unsigned seq = s.seqno();

  // The server drops us: the session notices and comes back by itself.
  server->close_all();
  ASSERT_TRUE(run_until(loop, [&] { return disconnects == 1; }));
  ASSERT_TRUE(run_until_warping(loop, clock, [&] { return connects == 2; }));
  EXPECT_GT(s.seqno(), seq);
  EXPECT_EQ(s.last_error().error().code(), kEof);
  auto st = s.stats();
  EXPECT_TRUE(st.is_connected);
  EXPECT_EQ(st.n_successful_connections, 2u);
  EXPECT_STREQ(st.state, "ACTIVE");
  // force_reconnect drops the healthy connection and makes a new one.
  s.force_reconnect();
  EXPECT_FALSE(s.is_connected());
  ASSERT_TRUE(run_until_warping(loop, clock, [&] { return connects == 3; }));
}

TEST_F(SessionTest, AnswersEchoAndProbesIdlePeers) {
  FakeClock clock;
  set_clock(&clock);
  event::EventLoop loop;
  Server server(loop, "punix:" + dir_ + "/s");
  int disconnects = 0;
  std::vector<Message> seen;
  Session::Options opt;
  opt.probe_interval_msec = 1000;
  Session s(loop, {"unix:" + dir_ + "/s"},
            {[&](Message m) { seen.push_back(std::move(m)); }, nullptr,
             [&](const Error&) { disconnects++; }},
            opt);
  ASSERT_TRUE(run_until(loop, [&] { return s.is_connected(); }));

  // Idle for a probe interval: an echo request goes out, the reply keeps us up.
  clock.advance(1000);
  event::EventLoop::notify_clock_changed();
  ASSERT_TRUE(run_until(loop, [&] {
    for (auto& m : server.got) if (m.method == "echo") return true;
    return false;
  }));
  for (int i = 0; i < 20; i++) loop.run_once(5);
  EXPECT_TRUE(s.is_connected());
  EXPECT_TRUE(seen.empty());  // echo replies are not delivered to the user

  // A silent peer is dropped after a second interval without any traffic.
  server.answer_echo = false;
  clock.advance(1000);
  event::EventLoop::notify_clock_changed();
  for (int i = 0; i < 20; i++) loop.run_once(5);
  clock.advance(1000);
  event::EventLoop::notify_clock_changed();
  ASSERT_TRUE(run_until(loop, [&] { return disconnects == 1; }));
}

TEST_F(SessionTest, BacksOffWhileServerIsAbsent) {
  FakeClock clock;
  set_clock(&clock);
  event::EventLoop loop;
  Session::Options opt;
  opt.min_backoff_msec = 1000;
  opt.max_backoff_msec = 4000;
  Session s(loop, {"unix:" + dir_ + "/nobody"}, {}, opt);
  for (int i = 0; i < 10; i++) loop.run_once(0);
  EXPECT_FALSE(s.is_connected());
  EXPECT_EQ(s.last_error().error().code(), ENOENT);
  // Now the server appears; after the backoff the session connects.
  Server server(loop, "punix:" + dir_ + "/nobody");
  for (int i = 0; i < 10; i++) loop.run_once(0);
  EXPECT_FALSE(s.is_connected());  // still waiting out the backoff
  clock.advance(4000);
  event::EventLoop::notify_clock_changed();
  ASSERT_TRUE(run_until(loop, [&] { return s.is_connected(); }));
}

TEST_F(SessionTest, UnreliableSessionOnAcceptedStream) {
  FakeClock clock;
  set_clock(&clock);
  event::EventLoop loop;
  auto listener = std::move(*stream::PassiveStream::open("punix:" + dir_ + "/u"));
  auto client = std::move(*stream::Stream::open_block("unix:" + dir_ + "/u", 5000));
  ASSERT_TRUE(stream::wait_blocking(*listener, 5000).ok());
  std::vector<Message> got;
  Session::Options opt;
  opt.probe_interval_msec = 0;
  Session server(loop, std::move(*listener->accept()),
                 {[&](Message m) { got.push_back(std::move(m)); }, nullptr, nullptr}, opt);
  EXPECT_TRUE(server.is_connected());
  auto c = std::make_unique<Connection>(std::move(client));
  // The server side answers echo by itself and passes other requests on.
  ASSERT_TRUE(c->send(Message::request("echo", Json::array({7}), "x")).ok());
  ASSERT_TRUE(c->send(Message::request("get", Json::array(), 1)).ok());
  ASSERT_TRUE(run_until(loop, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0].method, "get");
  auto echo = c->recv_block(5000);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->result, Json::array({7}));
  // When the client leaves, the session ends for good.
  c.reset();
  ASSERT_TRUE(run_until(loop, [&] { return !server.is_connected(); }));
  for (int i = 0; i < 20; i++) {
    clock.advance(10000);
    event::EventLoop::notify_clock_changed();
    loop.run_once(1);
  }
  EXPECT_FALSE(server.is_alive());
  EXPECT_FALSE(server.is_connected());
}

}  // namespace
}  // namespace grebe::jsonrpc
