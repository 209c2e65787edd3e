#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "grebe/stream/inet.h"
#include "grebe/util/vlog.h"

namespace grebe::stream {
namespace {

std::string active(std::string_view s, int default_port = -1) {
  auto r = inet_parse_active(s, default_port);
  if (!r.ok()) return "error: " + r.error().message();
  return ss_format_address(*r) + " port " + std::to_string(ss_get_port(*r));
}

std::string passive(std::string_view s, int default_port = -1) {
  auto r = inet_parse_passive(s, default_port);
  if (!r.ok()) return "error: " + r.error().message();
  return ss_format_address(*r) + " port " + std::to_string(ss_get_port(*r));
}

TEST(InetParse, Active) {
  EXPECT_EQ(active("1.2.3.4:6653"), "1.2.3.4 port 6653");
  EXPECT_EQ(active("[::1]:6653"), "[::1] port 6653");
  EXPECT_EQ(active("[fe80::1%2]:80"), "[fe80::1%2] port 80");
  EXPECT_EQ(active("1.2.3.4", 6640), "1.2.3.4 port 6640");
  EXPECT_EQ(active("[::1]", 6640), "[::1] port 6640");
  // Unbracketed: the whole string is a host.
  EXPECT_EQ(active("::1:2:3:4:80", 6653), "[::1:2:3:4:80] port 6653");
}

TEST(InetParse, ActiveErrorsInOvsWords) {
  EXPECT_EQ(active("1.2.3.4"), "error: 1.2.3.4: port must be specified");
  EXPECT_EQ(active("1.2.3.4:99999"), "error: 1.2.3.4:99999: bad port number \"99999\"");
  EXPECT_EQ(active("1.2.3.4:-1"), "error: 1.2.3.4:-1: bad port number \"-1\"");
  EXPECT_EQ(active("1.2.3.4:x"), "error: 1.2.3.4:x: bad port number \"x\"");
  EXPECT_EQ(active("example.com:80"), "error: example.com:80: bad IP address \"example.com\"");
  EXPECT_EQ(active("1.2.3:80"), "error: 1.2.3:80: bad IP address \"1.2.3\"");
  EXPECT_EQ(active("[::g]:80").substr(0, 7), "error: ");
  EXPECT_EQ(inet_parse_active("1.2.3.4", -1).error().code(), EAFNOSUPPORT);
}

TEST(InetParse, Passive) {
  EXPECT_EQ(passive("6653"), "0.0.0.0 port 6653");
  EXPECT_EQ(passive("0:127.0.0.1"), "127.0.0.1 port 0");
  EXPECT_EQ(passive("6653:[::1]"), "[::1] port 6653");
  EXPECT_EQ(passive(":127.0.0.1", 6640), "127.0.0.1 port 6640");
  EXPECT_EQ(passive("", 6640), "0.0.0.0 port 6640");
  EXPECT_EQ(passive("6653:::"), "error: 6653:::: port must be specified");
  EXPECT_EQ(passive("::1", 6653), "[::1] port 6653");
}

TEST(InetParse, PassiveErrors) {
  EXPECT_EQ(passive("70000"), "error: 70000: bad port number \"70000\"");
  EXPECT_EQ(passive("1:1.2.3.400"), "error: 1:1.2.3.400: bad IP address \"1.2.3.400\"");
}

TEST(InetParse, RandomInputNeverCrashes) {
  (void)vlog::set_levels_from_string("socket_util:off");
  const char alphabet[] = ":[]%0123456789abcdef.-x ";
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245 + 12345; };
  int ok = 0;
  for (int i = 0; i < 20000; i++) {
    std::string s;
    for (size_t n = next() % 24; n > 0; n--) s += alphabet[(next() >> 8) % (sizeof alphabet - 1)];
    auto a = inet_parse_active(s, (next() & 1) ? -1 : 6653);
    auto p = inet_parse_passive(s, (next() & 1) ? -1 : 0);
    for (auto* r : {&a, &p}) {
      if (r->ok()) {
        ok++;
        EXPECT_TRUE((*r)->ss_family == AF_INET || (*r)->ss_family == AF_INET6) << s;
      } else {
        EXPECT_EQ(r->error().code(), EAFNOSUPPORT) << s;
      }
    }
  }
  EXPECT_GT(ok, 0);
  (void)vlog::set_levels_from_string("socket_util:info");
}

TEST(InetFormat, IpWithoutBrackets) {
  auto r = inet_parse_active("[2001:db8::5]:1", -1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ss_format_ip(*r), "2001:db8::5");
  EXPECT_EQ(ss_length(*r), sizeof(sockaddr_in6));
}

}  // namespace
}  // namespace grebe::stream
