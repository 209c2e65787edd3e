// rtnetlink link notifications and IFLA_STATS64 counters, in a private
// named namespace entered by one thread.  Needs root; skips otherwise.
#include "grebe/netdev/link_monitor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace grebe::netdev {
namespace {

class LinkMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    ns_ = "grebe-lm" + std::to_string(getpid());
    if (std::system(("ip netns add " + ns_ + " >/dev/null 2>&1").c_str()) != 0) {
      GTEST_SKIP() << "ip netns add failed";
    }
  }
  void TearDown() override {
    if (!ns_.empty()) (void)std::system(("ip netns del " + ns_ + " >/dev/null 2>&1").c_str());
  }
  template <class F>
  void in_netns(F body) {
    std::thread t([&] {
      int fd = open(("/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
      close(fd);
      body();
    });
    t.join();
  }
  // Runs `cmd` inside the namespace (ip -n) and returns its exit status.
  int ip(const std::string& args) {
    return std::system(("ip -n " + ns_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  std::string ns_;
};

// Collects events from `m` for up to ~1 s until `done` says enough.
template <class Pred>
std::vector<LinkChange> collect(LinkMonitor& m, Pred done) {
  std::vector<LinkChange> got;
  for (int i = 0; i < 100 && !done(got); i++) {
    pollfd pfd{m.fd(), POLLIN, 0};
    poll(&pfd, 1, 10);
    auto r = m.run([&](const LinkChange& c) { got.push_back(c); });
    EXPECT_TRUE(r.ok());
  }
  return got;
}

TEST_F(LinkMonitorTest, ReportsCreationCarrierAndRemoval) {
  in_netns([this] {
    auto mon = LinkMonitor::open();
    ASSERT_TRUE(mon.ok()) << mon.error().to_string();
    LinkMonitor& m = **mon;
    uint64_t seq0 = m.seq();
    ASSERT_EQ(ip("link add glm0 type veth peer name glm1"), 0);
    auto has = [](const std::vector<LinkChange>& v, auto pred) {
      for (const auto& c : v) {
        if (pred(c)) return true;
      }
      return false;
    };
    auto created = collect(m, [&](const auto& v) {
      return has(v, [](const LinkChange& c) { return c.name == "glm0" && !c.removed; });
    });
    EXPECT_TRUE(has(created, [](const LinkChange& c) { return c.name == "glm0" && !c.up; }));
    EXPECT_GT(m.seq(), seq0);

    // Both ends up: glm0 gets carrier.
    ASSERT_EQ(ip("link set glm1 up"), 0);
    ASSERT_EQ(ip("link set glm0 up"), 0);
    auto up = collect(m, [&](const auto& v) {
      return has(v, [](const LinkChange& c) { return c.name == "glm0" && c.up && c.carrier; });
    });
    EXPECT_TRUE(has(up, [](const LinkChange& c) { return c.name == "glm0" && c.carrier; }));

    // Peer down: glm0 loses carrier but stays administratively up.
    ASSERT_EQ(ip("link set glm1 down"), 0);
    auto lost = collect(m, [&](const auto& v) {
      return has(v, [](const LinkChange& c) { return c.name == "glm0" && c.up && !c.carrier; });
    });
    EXPECT_TRUE(has(lost, [](const LinkChange& c) { return c.name == "glm0" && !c.carrier; }));

    int ifindex = int(if_nametoindex("glm0"));
    ASSERT_EQ(ip("link del glm0"), 0);
    auto gone = collect(m, [&](const auto& v) {
      return has(v, [&](const LinkChange& c) { return c.ifindex == ifindex && c.removed; });
    });
    EXPECT_TRUE(has(gone, [&](const LinkChange& c) { return c.ifindex == ifindex && c.removed; }));
  });
}

TEST_F(LinkMonitorTest, Stats64CountTraffic) {
  in_netns([this] {
    ASSERT_EQ(ip("link set lo up"), 0);
    int lo = int(if_nametoindex("lo"));
    auto before = rtnl_get_stats(lo);
    ASSERT_TRUE(before.ok()) << before.error().to_string();
    ASSERT_EQ(
        std::system(
            ("ip netns exec " + ns_ + " ping -c 3 -i 0.2 -q 127.0.0.1 >/dev/null 2>&1").c_str()),
        0);
    auto after = rtnl_get_stats(lo);
    ASSERT_TRUE(after.ok());
    EXPECT_GE(after->rx_packets - before->rx_packets, 6u);  // 3 requests + 3 replies
    EXPECT_GE(after->tx_packets - before->tx_packets, 6u);
    EXPECT_GT(after->rx_bytes, before->rx_bytes);

    auto none = rtnl_get_stats(999999);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code(), ENODEV);
  });
}

}  // namespace
}  // namespace grebe::netdev
