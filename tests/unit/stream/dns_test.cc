#include <gtest/gtest.h>
#include <unistd.h>

#include "grebe/stream/dns.h"
#include "grebe/stream/inet.h"
#include "grebe/stream/stream.h"
#include "stream_test_util.h"

namespace grebe::stream {
namespace {

class Dns : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_resolve_init(false);
    dns_flush_cache();
  }
  void TearDown() override {
    dns_resolve_init(false);
    dns_flush_cache();
  }
};

TEST_F(Dns, SynchronousLookupPrefersIPv4) {
  auto a = dns_resolve("localhost");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(*a, "127.0.0.1");
  // (No negative lookup here: without network it may wait for resolver
  // timeouts.)
}

TEST_F(Dns, DaemonLookupRunsInBackground) {
  dns_resolve_init(true);
  bool in_progress = false;
  auto first = dns_resolve("localhost", &in_progress);
  if (!first) {
    EXPECT_TRUE(in_progress);
    for (int i = 0; i < 500 && !first; i++) {
      usleep(10'000);
      first = dns_resolve("localhost", &in_progress);
    }
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "127.0.0.1");
}

TEST_F(Dns, ParsingResolvesOnlyWhenAsked) {
  EXPECT_FALSE(inet_parse_active("localhost:80", -1).ok());
  auto r = inet_parse_active("localhost:80", -1, true);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(ss_format_address(*r), "127.0.0.1");
  EXPECT_EQ(ss_get_port(*r), 80);
}

TEST_F(Dns, TcpStreamToHostName) {
  auto ps = PassiveStream::open("ptcp:0:localhost");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  EXPECT_EQ((*ps)->name(), "ptcp:" + std::to_string((*ps)->bound_port()) + ":127.0.0.1");
  auto c = Stream::open_block("tcp:localhost:" + std::to_string((*ps)->bound_port()), 5000);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto server = testing::accept_block(**ps);
  ASSERT_TRUE(server);
  testing::send_all(**c, "hi");
  EXPECT_EQ(testing::recv_n(*server, 2), "hi");
}

}  // namespace
}  // namespace grebe::stream
