#include "grebe/vconn/ofctl_target.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <thread>

#include "vconn_test_util.h"

namespace grebe::vconn {
namespace {

class OfctlTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grebe-vconn-XXXXXX";
    dir_ = mkdtemp(tmpl);
    setenv("OVS_RUNDIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("OVS_RUNDIR");
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  std::string dir_;
};

TEST_F(OfctlTargetTest, Candidates) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ofctl_target_candidates("tcp:1.2.3.4", OfctlTarget::kMgmt), V{"tcp:1.2.3.4"});
  EXPECT_EQ(ofctl_target_candidates("br0", OfctlTarget::kMgmt),
            (V{"unix:br0", "unix:" + dir_ + "/br0.mgmt", "unix:" + dir_ + "/br0.mgmt"}));
  EXPECT_EQ(
      ofctl_target_candidates("netdev@br1", OfctlTarget::kSnoop),
      (V{"unix:netdev@br1", "unix:" + dir_ + "/netdev@br1.snoop", "unix:" + dir_ + "/br1.snoop"}));
}

TEST_F(OfctlTargetTest, MissingBridgeMessage) {
  auto v = open_ofctl_target("br9", OfctlTarget::kMgmt, kDefaultVersions);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "br9 is not a bridge or a socket");
}

TEST_F(OfctlTargetTest, BadTypedNameMessage) {
  auto v = open_ofctl_target("foo:bar", OfctlTarget::kMgmt, kDefaultVersions);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "connecting to foo:bar");
  EXPECT_EQ(v.error().code(), EAFNOSUPPORT);
}

TEST_F(OfctlTargetTest, BridgeNameReachesMgmtSocket) {
  auto pv = PVconn::open("punix:" + dir_ + "/br0.mgmt");
  ASSERT_TRUE(pv.ok()) << pv.error().to_string();
  std::unique_ptr<Vconn> server;
  std::thread t([&] {
    server = testing::accept_vconn(**pv);
    if (server) {
      EXPECT_TRUE(server->connect_block(5000).ok());
    }
  });
  auto v = open_ofctl_target("br0", OfctlTarget::kMgmt, 1u << 4);
  t.join();
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ((*v)->name(), "unix:" + dir_ + "/br0.mgmt");
  EXPECT_EQ((*v)->version(), 4);
}

}  // namespace
}  // namespace grebe::vconn
