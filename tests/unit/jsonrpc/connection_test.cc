#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"

namespace grebe::jsonrpc {
namespace {

// A connected unix stream pair through a temporary punix listener.
struct Pair {
  std::string dir;
  std::unique_ptr<stream::PassiveStream> listener;
  std::unique_ptr<stream::Stream> client, server;
  Pair() {
    char t[] = "/tmp/jsonrpctestXXXXXX";
    dir = mkdtemp(t);
    listener = std::move(*stream::PassiveStream::open("punix:" + dir + "/s"));
    client = std::move(*stream::Stream::open_block("unix:" + dir + "/s", 5000));
    EXPECT_TRUE(stream::wait_blocking(*listener, 5000).ok());
    server = std::move(*listener->accept());
  }
  ~Pair() { std::system(("rm -rf " + dir).c_str()); }
};

Status write_raw(stream::Stream& s, std::string_view text) {
  while (!text.empty()) {
    auto n = s.send(text.data(), text.size());
    if (!n.ok()) return n.error();
    text.remove_prefix(*n);
  }
  return ok_status();
}

TEST(Connection, TransactBlockAnswersEchoAndMatchesId) {
  Pair p;
  Connection client(std::move(p.client));
  Message req = Message::request("version", Json::array(), 42);
  // The server speaks first with an echo request, then replies in two pieces.
  std::string text = Message::request("echo", Json::array({"hi"}), "e1").to_string() +
                     R"({"id":41,"result":"stale","error":null})" + R"({"id":42,"res)";
  ASSERT_TRUE(write_raw(*p.server, text).ok());
  ASSERT_TRUE(write_raw(*p.server, R"(ult":"3.1.0\n","error":null})").ok());
  auto reply = client.transact_block(req, 5000);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(reply->result, "3.1.0\n");

  Connection server(std::move(p.server));
  auto got = server.recv_block(5000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->method, "version");  // the request arrived intact
  auto echo = server.recv_block(5000);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->type, Message::Type::kReply);
  EXPECT_EQ(echo->id, "e1");
  EXPECT_EQ(echo->result, Json::array({"hi"}));
}

TEST(Connection, EofGarbageAndTimeout) {
  {
    Pair p;
    Connection c(std::move(p.client));
    auto r = c.recv_block(50);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ETIMEDOUT);
    p.server.reset();
    r = c.recv_block(5000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), kEof);
    EXPECT_FALSE(c.send(Message::notify("x", Json::array())).ok());  // dead stays dead
  }
  {
    Pair p;
    Connection c(std::move(p.client));
    // A good message ahead of the garbage is still delivered, then the error.
    ASSERT_TRUE(write_raw(*p.server, R"({"method":"a","params":[],"id":1}GET / HTTP/1.0\r\n\r\n)").ok());
    auto first = c.recv_block(5000);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->method, "a");
    auto r = c.recv_block(5000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), EPROTO);
    EXPECT_EQ(r.error().message(), "line 0, column 33, byte 33: syntax error at beginning of input");
  }
  {
    Pair p;
    Connection c(std::move(p.client));
    ASSERT_TRUE(write_raw(*p.server, R"({"method":"x","params":[],"id":1,"bogus":1})").ok());
    auto r = c.recv_block(5000);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(), "message has unexpected member \"bogus\"");
  }
}

TEST(Connection, BacklogAccounting) {
  Pair p;
  Connection c(std::move(p.client));
  // Fill the socket buffers: the remainder stays queued and is counted.
  std::string big(1 << 20, 'x');
  for (int i = 0; i < 8; i++) ASSERT_TRUE(c.send(Message::notify("bulk", Json::array({big}))).ok());
  EXPECT_GT(c.backlog(), 0u);
  EXPECT_NE(c.wanted_events() & 0x004, 0u);
  Connection server(std::move(p.server));
  size_t seen = 0;
  while (seen < 8) {
    ASSERT_TRUE(c.run().ok());
    auto m = server.recv();
    ASSERT_TRUE(m.ok());
    if (m->has_value()) seen++;
  }
  EXPECT_EQ(c.backlog(), 0u);
}

}  // namespace
}  // namespace grebe::jsonrpc
