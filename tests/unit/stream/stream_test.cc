#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "grebe/event/event_loop.h"
#include "grebe/stream/stream.h"
#include "stream_test_util.h"

namespace grebe::stream {
namespace {

using testing::accept_block;
using testing::recv_n;
using testing::send_all;
using testing::TempDir;

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void exchange(Stream& a, Stream& b) {
  send_all(a, "hello");
  EXPECT_EQ(recv_n(b, 5), "hello");
  send_all(b, "world!");
  EXPECT_EQ(recv_n(a, 6), "world!");
}

TEST(StreamNames, ValidPrefixes) {
  EXPECT_TRUE(Stream::is_valid_name("tcp:1.2.3.4:5"));
  EXPECT_TRUE(Stream::is_valid_name("unix:/x"));
  EXPECT_TRUE(Stream::is_valid_name("tcp:"));  // only the type is checked
  EXPECT_FALSE(Stream::is_valid_name("ptcp:6653"));
  EXPECT_FALSE(Stream::is_valid_name("tcp"));
  EXPECT_FALSE(Stream::is_valid_name("foo:bar"));
  EXPECT_TRUE(PassiveStream::is_valid_name("ptcp:6653"));
  EXPECT_TRUE(PassiveStream::is_valid_name("punix:/x"));
  EXPECT_FALSE(PassiveStream::is_valid_name("tcp:1.2.3.4:5"));
}

TEST(StreamNames, UnknownTypeAndMalformedAddress) {
  auto s = Stream::open("foo:bar");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EAFNOSUPPORT);
  auto t = Stream::open("tcp:1.2.3.4");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), EAFNOSUPPORT);
  EXPECT_EQ(t.error().message(), "1.2.3.4: port must be specified");
  auto p = PassiveStream::open("ptcp:x");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), "x: bad port number \"x\"");
  EXPECT_EQ(Stream::open("tcp:127.0.0.1:1", 64).error().code(), EINVAL);
}

TEST(UnixStream, ConnectAcceptExchangeAndCleanup) {
  TempDir dir;
  std::string path = dir.path() + "/db.sock";
  {
    std::ofstream(path) << "stale";  // a leftover file is replaced
    auto ps = PassiveStream::open("punix:" + path);
    ASSERT_TRUE(ps.ok()) << ps.error().to_string();
    EXPECT_EQ((*ps)->name(), "punix:" + path);
    EXPECT_EQ((*ps)->bound_port(), 0);
    auto c = Stream::open_block("unix:" + path, 5000);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    auto server = accept_block(**ps);
    ASSERT_TRUE(server);
    EXPECT_EQ(server->name().rfind("unix#", 0), 0u);
    exchange(**c, *server);
    // EOF after the peer closes.
    c->reset();
    char buf[8];
    ASSERT_TRUE(wait_blocking(*server, Stream::Op::kRecv, 5000).ok());
    auto r = server->recv(buf, sizeof buf);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 0u);
    EXPECT_TRUE(exists(path));
  }
  EXPECT_FALSE(exists(path));  // removed with the listener
}

TEST(UnixStream, MissingSocketFailsWithErrno) {
  TempDir dir;
  auto c = Stream::open("unix:" + dir.path() + "/nope.sock");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ENOENT);
}

TEST(UnixStream, RelativePathIsUnderRundir) {
  TempDir dir;
  setenv("OVS_RUNDIR", dir.path().c_str(), 1);
  auto ps = PassiveStream::open("punix:rel.sock");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  EXPECT_TRUE(exists(dir.path() + "/rel.sock"));
  auto c = Stream::open_block("unix:rel.sock", 5000);
  EXPECT_TRUE(c.ok());
  unsetenv("OVS_RUNDIR");
}

TEST(UnixStream, PathLongerThanSockaddrUn) {
  TempDir dir;
  std::string deep = dir.path();
  for (int i = 0; i < 4; i++) {
    deep += "/" + std::string(40, 'a' + i);
    ASSERT_EQ(mkdir(deep.c_str(), 0700), 0);
  }
  std::string path = deep + "/long.sock";
  ASSERT_GT(path.size(), 108u);
  {
    auto ps = PassiveStream::open("punix:" + path);
    ASSERT_TRUE(ps.ok()) << ps.error().to_string();
    EXPECT_TRUE(exists(path));
    auto c = Stream::open_block("unix:" + path, 5000);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    auto server = accept_block(**ps);
    ASSERT_TRUE(server);
    exchange(**c, *server);
  }
  EXPECT_FALSE(exists(path));
}

TEST(TcpStream, EphemeralPortIPv4) {
  auto ps = PassiveStream::open("ptcp:0:127.0.0.1");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  uint16_t port = (*ps)->bound_port();
  ASSERT_NE(port, 0);
  EXPECT_EQ((*ps)->name(), "ptcp:" + std::to_string(port) + ":127.0.0.1");
  auto c = Stream::open_block("tcp:127.0.0.1:" + std::to_string(port), 5000);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto server = accept_block(**ps);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->name(), "tcp:127.0.0.1:" + std::to_string((*c)->local_port()));
  EXPECT_EQ((*c)->peer_name(), "127.0.0.1");
  EXPECT_EQ((*c)->peer_port(), port);
  EXPECT_EQ(server->local_port(), port);
  EXPECT_EQ(server->peer_name(), "127.0.0.1");
  exchange(**c, *server);
}

TEST(TcpStream, EphemeralPortIPv6) {
  auto ps = PassiveStream::open("ptcp:0:[::1]");
  if (!ps.ok()) GTEST_SKIP() << "no IPv6 loopback: " << ps.error().to_string();
  uint16_t port = (*ps)->bound_port();
  EXPECT_EQ((*ps)->name(), "ptcp:" + std::to_string(port) + ":[::1]");
  auto c = Stream::open_block("tcp:[::1]:" + std::to_string(port), 5000);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto server = accept_block(**ps);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->name().rfind("tcp:[::1]:", 0), 0u);
  EXPECT_EQ((*c)->peer_name(), "::1");
  exchange(**c, *server);
}

TEST(TcpStream, DefaultPortIsAppliedLikeOvs) {
  auto ps = PassiveStream::open("ptcp:0:127.0.0.1");
  ASSERT_TRUE(ps.ok());
  uint16_t port = (*ps)->bound_port();
  auto c = Stream::open_with_default_port("tcp:127.0.0.1", port);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ((*c)->name(), "tcp:127.0.0.1:" + std::to_string(port));
  auto explicit_port = Stream::open_with_default_port("tcp:127.0.0.1:" + std::to_string(port), 1);
  ASSERT_TRUE(explicit_port.ok());
  EXPECT_EQ((*explicit_port)->name(), "tcp:127.0.0.1:" + std::to_string(port));
  auto p2 = PassiveStream::open_with_default_port("ptcp:", 0);
  ASSERT_TRUE(p2.ok()) << p2.error().to_string();
  EXPECT_NE((*p2)->bound_port(), 0);
  EXPECT_EQ((*p2)->name(), "ptcp:" + std::to_string((*p2)->bound_port()) + ":0.0.0.0");
}

TEST(TcpStream, RefusedConnectionReportsErrno) {
  uint16_t port;
  {
    auto ps = PassiveStream::open("ptcp:0:127.0.0.1");
    ASSERT_TRUE(ps.ok());
    port = (*ps)->bound_port();
  }
  auto c = Stream::open_block("tcp:127.0.0.1:" + std::to_string(port), 5000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ECONNREFUSED);
}

TEST(TcpStream, BindConflictReportsEaddrinuse) {
  auto ps = PassiveStream::open("ptcp:0:127.0.0.1");
  ASSERT_TRUE(ps.ok());
  auto again = PassiveStream::open("ptcp:" + std::to_string((*ps)->bound_port()) + ":127.0.0.1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), EADDRINUSE);
}

TEST(TcpStream, BulkTransferDrivenByEventLoop) {
  auto ps = PassiveStream::open("ptcp:0:127.0.0.1");
  ASSERT_TRUE(ps.ok());
  auto c = Stream::open("tcp:127.0.0.1:" + std::to_string((*ps)->bound_port()));
  ASSERT_TRUE(c.ok());
  Stream& client = **c;

  std::string data(4 << 20, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i * 7 + (i >> 13));
  std::string received;
  size_t sent = 0;
  std::unique_ptr<Stream> server;

  event::EventLoop loop;
  event::WatchId server_watch = 0;
  loop.watch_fd((*ps)->fd(), event::kReadable, [&](uint32_t) {
    auto s = (*ps)->accept();
    if (!s.ok()) return;
    server = std::move(*s);
    server_watch = loop.watch_fd(server->fd(), server->poll_events(Stream::Op::kRecv),
                                 [&](uint32_t) {
                                   char buf[65536];
                                   auto n = server->recv(buf, sizeof buf);
                                   if (n.ok() && *n > 0) received.append(buf, *n);
                                   if ((n.ok() && *n == 0) || received.size() == data.size()) {
                                     loop.unwatch_fd(server_watch);
                                     loop.stop();
                                   }
                                 });
  });
  event::WatchId client_watch = 0;
  client_watch = loop.watch_fd(client.fd(), client.poll_events(Stream::Op::kSend), [&](uint32_t) {
    auto n = client.send(data.data() + sent, data.size() - sent);
    if (n.ok()) sent += *n;
    else if (!n.error().would_block()) ADD_FAILURE() << n.error().to_string();
    if (sent == data.size()) loop.unwatch_fd(client_watch);
  });
  testing::run_until_stopped(loop, [&] { return sent + received.size(); });
  EXPECT_EQ(sent, data.size());
  EXPECT_TRUE(received == data);
}

}  // namespace
}  // namespace grebe::stream
