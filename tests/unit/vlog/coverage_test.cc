#include <gtest/gtest.h>

#include <cctype>

#include "grebe/util/coverage.h"

COVERAGE_DEFINE(test_alpha);
COVERAGE_DEFINE(test_beta);
COVERAGE_DEFINE(test_never);

namespace grebe::coverage {
namespace {

std::string line_for(const std::string& show, const std::string& name) {
  size_t p = show.find("\n" + name + " ");
  if (p == std::string::npos) return {};
  size_t e = show.find('\n', p + 1);
  return show.substr(p + 1, e - p - 1);
}

TEST(Coverage, ShowFormatAndWindows) {
  long long now = 10'000'000;
  run(now);  // arms the first interval
  COVERAGE_ADD(test_alpha, 50);
  now += 5000;
  run(now);
  std::string s = show(now);
  const std::string prefix =
      "Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=";
  ASSERT_EQ(s.rfind(prefix, 0), 0u) << s;
  for (size_t i = 0; i < 8; i++) EXPECT_TRUE(std::isxdigit(s[prefix.size() + i])) << s;
  EXPECT_EQ(s.substr(prefix.size() + 8, 2), ":\n");
  EXPECT_EQ(line_for(s, "test_alpha"),
            "test_alpha                10.0/sec     0.833/sec        0.0139/sec   total: 50");
  EXPECT_EQ(line_for(s, "test_never"), "");
  size_t tail = s.rfind('\n', s.size() - 2);
  std::string last = s.substr(tail + 1);
  EXPECT_TRUE(std::isdigit(last[0])) << s;
  EXPECT_EQ(last.substr(last.find(' ')), " events never hit\n");

  // A late run spreads growth over the missed slots: 120 over 3 slots = 40.
  COVERAGE_ADD(test_beta, 120);
  now += 15000;
  run(now);
  s = show(now);
  EXPECT_EQ(line_for(s, "test_beta"),
            "test_beta                  8.0/sec     2.000/sec        0.0333/sec   total: 120");
  EXPECT_EQ(line_for(s, "test_alpha"),
            "test_alpha                 0.0/sec     0.833/sec        0.0139/sec   total: 50");

  // After a minute of silence the minute average is 0 but the hour keeps it.
  now += 60000;
  run(now);
  s = show(now);
  EXPECT_EQ(line_for(s, "test_alpha"),
            "test_alpha                 0.0/sec     0.000/sec        0.0139/sec   total: 50");
}

TEST(Coverage, HashDependsOnActivityShape) {
  std::string a = show(0);
  auto hash = [](const std::string& s) { return s.substr(s.find("hash="), 13); };
  std::string h1 = hash(a);
  EXPECT_EQ(h1, hash(show(0)));
  COVERAGE_INC(test_never);
  EXPECT_NE(h1, hash(show(0)));
  EXPECT_NE(find_counter("test_never"), nullptr);
  EXPECT_EQ(find_counter("test_never")->total(), 1u);
  EXPECT_EQ(find_counter("no_such_counter"), nullptr);
}

}  // namespace
}  // namespace grebe::coverage
