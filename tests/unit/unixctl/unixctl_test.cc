#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <random>
#include <cstdlib>
#include <thread>

#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/clock.h"
#include "grebe/util/coverage.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

namespace grebe::unixctl {
namespace {

using jsonrpc::Json;
using jsonrpc::Message;

// A Server on its own loop thread; the test thread plays the client.
class UnixctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/unixctltestXXXXXX";
    dir_ = mkdtemp(t);
    setenv("OVS_RUNDIR", dir_.c_str(), 1);
    set_program_name("unixctl-test");
    vlog::set_levels(nullptr, vlog::Dest::kConsole, vlog::Level::kOff, false);
    auto s = Server::create(loop_, std::nullopt);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server_ = std::move(*s);
    register_builtin_commands(loop_, [this] { exited_ = true; });
    thread_ = std::thread([this] { loop_.run(); });
  }
  void TearDown() override {
    loop_.stop();
    thread_.join();
    server_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  Client::Response call(const std::string& cmd, std::vector<std::string> args = {}) {
    auto c = Client::connect(server_->path());
    EXPECT_TRUE(c.ok());
    auto r = (*c)->transact(cmd, args, 5000);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : Client::Response{true, "transport error"};
  }

  std::string dir_;
  event::EventLoop loop_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> exited_{false};
};

TEST_F(UnixctlTest, DefaultSocketPathAndBuiltins) {
  EXPECT_EQ(server_->path(), dir_ + "/unixctl-test." + std::to_string(getpid()) + ".ctl");
  EXPECT_EQ(access(server_->path().c_str(), F_OK), 0);
  auto v = call("version");
  EXPECT_FALSE(v.is_error);
  EXPECT_EQ(v.body.rfind("unixctl-test (Open vSwitch) 3.1.0\n", 0), 0u);
  auto l = call("list-commands");
  EXPECT_EQ(l.body.rfind("The available commands are:\n", 0), 0u);
  EXPECT_NE(l.body.find("  time/warp               [large_msecs] msecs\n"), std::string::npos);
  EXPECT_NE(l.body.find("  version                 \n"), std::string::npos);
}

TEST_F(UnixctlTest, ArgumentChecksUseOvsWording) {
  register_command("test/two", "A B", 1, 2, [](const std::vector<std::string>& argv, const Reply& r) {
    r.ok(argv[0] + ":" + argv[1]);
  });
  register_command("test/hidden", std::nullopt, 0, 0,
                   [](const std::vector<std::string>&, const Reply& r) { r.ok("shh"); });
  EXPECT_EQ(call("test/two", {"x"}).body, "test/two:x\n");
  auto few = call("test/two");
  EXPECT_TRUE(few.is_error);
  EXPECT_EQ(few.body, "\"test/two\" command requires at least 1 arguments\n");
  EXPECT_EQ(call("test/two", {"a", "b", "c"}).body, "\"test/two\" command takes at most 2 arguments\n");
  EXPECT_EQ(call("nope").body,
            "\"nope\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n");
  EXPECT_EQ(call("test/hidden").body, "shh\n");
  EXPECT_EQ(call("list-commands").body.find("test/hidden"), std::string::npos);
  EXPECT_NE(call("list-commands").body.find("  test/two                A B\n"), std::string::npos);
}

TEST_F(UnixctlTest, RawProtocolNonStringArgsAndPipelining) {
  auto s = stream::Stream::open_block("unix:" + server_->path(), 5000);
  ASSERT_TRUE(s.ok());
  jsonrpc::Connection c(std::move(*s));
  auto r = c.transact_block(Message::request("version", Json::array({1}), 5), 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, Message::Type::kError);
  EXPECT_EQ(r->error, "\"version\" command takes at most 0 arguments\n");
  r = c.transact_block(Message::request("vlog/set", Json::array({1}), 6), 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error, "\"vlog/set\" command has non-string argument\n");

  // A deferred reply holds back the next request on the same connection.
  std::optional<Reply> held;
  register_command("test/defer", "", 0, 0,
                   [&held](const std::vector<std::string>&, const Reply& rep) { held = rep; });
  ASSERT_TRUE(c.send(Message::request("test/defer", Json::array(), 10)).ok());
  ASSERT_TRUE(c.send(Message::request("version", Json::array(), 11)).ok());
  EXPECT_FALSE(c.recv_block(200).ok());  // nothing yet: times out
  loop_.post([&held] { held->ok("done"); });
  auto first = c.recv_block(5000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, 10);
  EXPECT_EQ(first->result, "done\n");
  auto second = c.recv_block(5000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, 11);

  // The wire format stock ovs-appctl expects: result string, error null.
  ASSERT_TRUE(c.send(Message::request("vlog/close", Json::array(), 12)).ok());
  auto empty = c.recv_block(5000);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->to_string(), R"({"error":null,"id":12,"result":""})");
}

TEST_F(UnixctlTest, GarbageDropsOnlyThatConnection) {
  auto s = stream::Stream::open_block("unix:" + server_->path(), 5000);
  ASSERT_TRUE(s.ok());
  const char junk[] = "\x01\x02 not json";
  ASSERT_TRUE((*s)->send(junk, sizeof junk - 1).ok());
  jsonrpc::Connection c(std::move(*s));
  auto r = c.recv_block(5000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), jsonrpc::kEof);  // the server hung up
  EXPECT_FALSE(call("version").is_error);      // and still serves others
}

TEST_F(UnixctlTest, RandomInputNeverHurtsTheServer) {
  std::mt19937 rng(7);
  const std::string pieces[] = {"{", "}", "[", "]", "\"", ":", ",", "\\", "method", "params",
                                "id", "null", "1", "\"version\"", "\"echo\"", " ", "\n",
                                "\xff", "{\"method\":\"version\",\"params\":[],\"id\":0}"};
  for (int i = 0; i < 100; i++) {
    // Connecting faster than the server accepts can overflow its listen
    // backlog; that is the client's problem, so just retry.
    auto s = stream::Stream::open_block("unix:" + server_->path(), 5000);
    for (int retry = 0; retry < 100 && !s.ok(); retry++) {
      usleep(2000);
      s = stream::Stream::open_block("unix:" + server_->path(), 5000);
    }
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().to_string();
    std::string junk;
    for (int n = rng() % 30; n > 0; n--) junk += pieces[rng() % std::size(pieces)];
    (void)(*s)->send(junk.data(), junk.size());
  }
  for (int i = 0; i < 100 && server_->n_connections() > 0; i++) usleep(2000);
  EXPECT_FALSE(call("version").is_error);
}

TEST_F(UnixctlTest, VlogCoverageMemoryAndExit) {
  EXPECT_EQ(call("vlog/set", {"nosuch"}).body, "no destination, level, or module \"nosuch\"\n");
  EXPECT_EQ(call("vlog/set", {"PATTERN:bogus:%m"}).body, "unknown destination \"bogus\"\n");
  EXPECT_FALSE(call("vlog/set", {"unixctl:file:dbg"}).is_error);
  EXPECT_EQ(vlog::find_module("unixctl")->level(vlog::Dest::kFile), vlog::Level::kDbg);
  EXPECT_NE(call("vlog/list").body.find("\nunixctl            OFF       INFO        DBG\n"),
            std::string::npos);
  EXPECT_EQ(call("vlog/reopen").body, "Logging to file not configured\n");
  EXPECT_EQ(call("vlog/disable-rate-limit", {"nosuch"}).body, "unknown module\n");
  EXPECT_FALSE(call("vlog/disable-rate-limit", {"unixctl"}).is_error);
  EXPECT_NE(call("vlog/list").body.find("(rate limiting disabled)"), std::string::npos);

  auto cov = call("coverage/show");
  EXPECT_EQ(cov.body.rfind("Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=", 0), 0u);
  EXPECT_NE(cov.body.find("\nunixctl_received "), std::string::npos);
  auto n = call("coverage/read-counter", {"unixctl_received"});
  EXPECT_GT(std::stoll(n.body), 0);
  EXPECT_EQ(call("coverage/read-counter", {"bogus"}).body, "No such counter\n");

  add_memory_reporter([](std::map<std::string, unsigned long long>& u) {
    u["rules"] = 7;
    u["facets"] = 3;
  });
  EXPECT_EQ(call("memory/show").body, "facets:3 rules:7\n");

  EXPECT_FALSE(call("exit").is_error);
  // The reply goes out just before the callback runs on the server thread.
  for (int i = 0; i < 500 && !exited_; i++) usleep(1000);
  EXPECT_TRUE(exited_);
}

TEST_F(UnixctlTest, TimeStopAndWarp) {
  EXPECT_FALSE(call("time/stop").is_error);
  long long t0 = time_msec();
  usleep(20000);
  EXPECT_EQ(time_msec(), t0);  // stopped
  EXPECT_EQ(call("time/warp", {"5000"}).body, "warped\n");
  EXPECT_EQ(time_msec(), t0 + 5000);
  EXPECT_EQ(call("time/warp", {"3000", "1000"}).body, "warped\n");
  EXPECT_EQ(time_msec(), t0 + 8000);
  EXPECT_EQ(call("time/warp", {"0"}).body, "invalid MSECS\n");
  EXPECT_EQ(call("time/warp", {"-1", "5"}).body, "invalid MSECS\n");
}

TEST(UnixctlServer, PathsAndFailures) {
  char t[] = "/tmp/unixctltestXXXXXX";
  std::string dir = mkdtemp(t);
  setenv("OVS_RUNDIR", dir.c_str(), 1);
  event::EventLoop loop;
  auto none = Server::create(loop, std::string("none"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->get(), nullptr);
  {
    auto rel = Server::create(loop, std::string("my.ctl"));
    ASSERT_TRUE(rel.ok());
    EXPECT_EQ((*rel)->path(), dir + "/my.ctl");
    EXPECT_EQ(access((dir + "/my.ctl").c_str(), F_OK), 0);
  }
  EXPECT_NE(access((dir + "/my.ctl").c_str(), F_OK), 0);  // removed with the server
  auto bad = Server::create(loop, std::string("/nonexistent/dir/x.ctl"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "/nonexistent/dir/x.ctl: could not initialize control socket");
  auto c = Client::connect(dir + "/absent.ctl");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ENOENT);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace grebe::unixctl
