// daemon::CommonOptions, the SSL/--timeout/--db parser ovs-vsctl shares
// with the other OVSDB clients.
#include "grebe/daemon/client_options.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace grebe::daemon {
namespace {

TEST(CommonOptions, TimeoutValuesAndErrors) {
  CommonOptions o;
  EXPECT_EQ(o.timeout(), 0u);
  auto r = o.handle('t', "5");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(o.timeout(), 5u);
  for (const char* bad : {"0", "-1", "abc", "5s", ""}) {
    auto e = o.handle('t', bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().message(), std::string("value ") + bad + " on -t or --timeout is invalid");
  }
}

TEST(CommonOptions, TimeoutFromEnvironmentOnlyWhenAsked) {
  setenv("OVS_CTL_TIMEOUT", "7", 1);
  CommonOptions o;
  EXPECT_EQ(o.timeout(false), 0u);
  EXPECT_EQ(o.timeout(true), 7u);
  ASSERT_TRUE(o.handle('t', "3").ok());
  EXPECT_EQ(o.timeout(true), 3u);  // the option wins
  unsetenv("OVS_CTL_TIMEOUT");
}

TEST(CommonOptions, DbDefaultAndGroups) {
  setenv("OVS_RUNDIR", "/tmp/grebe-rundir", 1);
  CommonOptions o;
  EXPECT_EQ(o.db(), "unix:/tmp/grebe-rundir/db.sock");
  ASSERT_TRUE(o.handle(kOptDb, "tcp:127.0.0.1:6640").ok());
  EXPECT_EQ(o.db(), "tcp:127.0.0.1:6640");
  EXPECT_EQ(o.short_options(), "p:c:C:t:");
  EXPECT_EQ(o.long_options().size(), 9u);

  CommonOptions ssl_only(CommonOptions::kSsl);
  EXPECT_EQ(ssl_only.short_options(), "p:c:C:");
  EXPECT_EQ(ssl_only.long_options().size(), 7u);
  auto r = ssl_only.handle('t', "5");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);  // not one of its options
  auto unknown = o.handle('x', nullptr);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(*unknown);
  unsetenv("OVS_RUNDIR");
}

}  // namespace
}  // namespace grebe::daemon
