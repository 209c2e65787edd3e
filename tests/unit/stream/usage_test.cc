#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "grebe/stream/ssl.h"
#include "grebe/stream/stream.h"

namespace grebe::stream {
namespace {

std::string run(const char* cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd, "r"), pclose);
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p.get())) > 0) out.append(buf.data(), n);
  return out;
}

TEST(StreamUsage, MatchesStockOvsText) {
  std::string ours = stream_usage("SERVER", true, true, true);
  EXPECT_EQ(ours.substr(0, 33), "\nActive SERVER connection methods");
  // Compare with the real ovsdb-client --help when it is installed.
  std::string help = run("ovsdb-client --help 2>/dev/null");
  if (help.empty()) GTEST_SKIP() << "stock ovsdb-client not installed";
  EXPECT_NE(help.find(ours), std::string::npos) << ours;
}

TEST(StreamUsage, ActiveOnlyWithoutBootstrap) {
  std::string u = stream_usage("database", true, false, false);
  EXPECT_NE(u.find("Active database connection methods:\n"), std::string::npos);
  EXPECT_EQ(u.find("Passive"), std::string::npos);
  EXPECT_EQ(u.find("bootstrap"), std::string::npos);
}

TEST(SslOptions, HandledByLongName) {
  ssl_reset();
  Status s;
  EXPECT_FALSE(ssl_handle_option("pidfile", "x", &s));
  EXPECT_TRUE(ssl_handle_option("ssl-protocols", "TLSv1.2", &s));
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(ssl_handle_option("ssl-protocols", "bogus", &s));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(ssl_handle_option("ca-cert", "none", &s));
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(ssl_is_configured());
  ssl_reset();
  EXPECT_FALSE(ssl_is_configured());
}

TEST(Content, GuessAndName) {
  EXPECT_EQ(guess_content("{\"method\":1}", 12), ContentType::kJsonRpc);
  const unsigned char tls[] = {0x16, 0x03, 0x01};
  EXPECT_EQ(guess_content(tls, sizeof tls), ContentType::kSsl);
  const unsigned char hello[] = {0x01, 0x00, 0x00, 0x08};
  EXPECT_EQ(guess_content(hello, sizeof hello), ContentType::kOpenFlow);
  EXPECT_EQ(guess_content("x", 1), ContentType::kUnknown);
  EXPECT_STREQ(content_type_name(ContentType::kJsonRpc), "JSON-RPC");
  EXPECT_STREQ(content_type_name(ContentType::kUnknown), "unknown");
  report_content(tls, sizeof tls, ContentType::kJsonRpc, "unix#1");  // logs a warning
}

}  // namespace
}  // namespace grebe::stream
