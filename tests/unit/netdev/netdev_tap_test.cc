// The "internal" and "tap" providers, run in a private named network
// namespace entered by one thread (setns), so nothing touches the host.
// Needs root, ip(8) and /dev/net/tun; skips otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {
namespace {

constexpr uint16_t kType = 0x88b5;  // IEEE local experimental ethertype

class NetdevTapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
      GTEST_SKIP() << "needs root and /dev/net/tun";
    }
    ns_ = "grebe-tap" + std::to_string(getpid());
    if (std::system(("ip netns add " + ns_ + " >/dev/null 2>&1").c_str()) != 0) {
      GTEST_SKIP() << "ip netns add failed";
    }
  }
  void TearDown() override {
    if (!ns_.empty()) (void)std::system(("ip netns del " + ns_ + " >/dev/null 2>&1").c_str());
  }
  // Runs `body` on a thread inside the test namespace.
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
  std::string ns_;
};

std::vector<uint8_t> frame(const EthAddr& dst, uint8_t tag) {
  std::vector<uint8_t> f(dst.octets.begin(), dst.octets.end());
  f.insert(f.end(), {0x02, 0, 0, 0, 0, 0x99, kType >> 8, kType & 0xff});
  for (int i = 0; i < 100; i++) f.push_back(uint8_t(tag + i));
  return f;
}

// A kernel-side AF_PACKET socket on `ifindex`.
int raw_socket(int ifindex) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(kType));
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(kType);
  sll.sll_ifindex = ifindex;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(NetdevTapTest, InternalPortConfigAndTrafficBothWays) {
  in_netns([] {
    auto dev = Netdev::open("gint0", "internal");
    ASSERT_TRUE(dev.ok()) << dev.error().to_string();
    Netdev& n = **dev;
    EXPECT_EQ(n.type(), "internal");
    auto flags = n.get_flags();
    ASSERT_TRUE(flags.ok());
    EXPECT_TRUE(*flags & kUp);
    EthAddr mac = *EthAddr::from_string("02:00:00:00:00:42");
    ASSERT_TRUE(n.set_etheraddr(mac).ok());
    EXPECT_EQ(n.get_etheraddr()->to_string(), "02:00:00:00:00:42");
    ASSERT_TRUE(n.set_mtu(1400).ok());
    EXPECT_EQ(*n.get_mtu(), 1400);
    EXPECT_TRUE(n.offload_info().vnet_hdr);

    // The name is ours alone: a second instance cannot take it.
    auto again = Netdev::open("gint0", "internal");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code(), EEXIST);

    int raw = raw_socket(*n.get_ifindex());
    ASSERT_GE(raw, 0);
    // Switch -> kernel.
    PacketBatch out(1);
    out[0].data = frame(mac, 1);
    ASSERT_EQ(*n.send(out), 1u);
    std::vector<uint8_t> buf(2048);
    ssize_t got = -1;
    for (int i = 0; i < 100 && got < 0; i++) {
      pollfd pfd{raw, POLLIN, 0};
      poll(&pfd, 1, 10);
      got = recv(raw, buf.data(), buf.size(), 0);
    }
    ASSERT_EQ(got, ssize_t(out[0].data.size()));
    buf.resize(size_t(got));
    EXPECT_EQ(buf, out[0].data);

    // Kernel -> switch.
    std::vector<uint8_t> in = frame(*EthAddr::from_string("02:00:00:00:00:07"), 9);
    ASSERT_EQ(send(raw, in.data(), in.size(), 0), ssize_t(in.size()));
    PacketBatch rx;
    for (int i = 0; i < 100 && rx.empty(); i++) {
      PacketBatch b;
      if (!n.rx_recv(b).ok()) {
        pollfd pfd{n.rx_fd(), POLLIN, 0};
        poll(&pfd, 1, 10);
        continue;
      }
      for (auto& p : b) {
        if (p.data.size() >= 14 && p.data[12] == (kType >> 8) && p.data[13] == (kType & 0xff)) {
          rx.push_back(std::move(p));
        }
      }
    }
    ASSERT_EQ(rx.size(), 1u);
    EXPECT_EQ(rx[0].data, in);
    close(raw);

    // Statistics are the switch's view (the kernel's swapped).
    auto st = n.get_stats();
    ASSERT_TRUE(st.ok());
    EXPECT_GE(st->tx_packets, 1u);
    EXPECT_GE(st->rx_packets, 1u);

    dev->reset();  // the internal device goes away with its netdev
    EXPECT_EQ(if_nametoindex("gint0"), 0u);
  });
}

TEST_F(NetdevTapTest, TapOpensByNameAndBadNamesFail) {
  in_netns([] {
    ASSERT_EQ(std::system("ip tuntap add dev gtap0 mode tap >/dev/null 2>&1"), 0);
    auto dev = Netdev::open("gtap0", "tap");
    ASSERT_TRUE(dev.ok()) << dev.error().to_string();
    EXPECT_EQ((*dev)->type(), "tap");
    EXPECT_EQ(*(*dev)->get_ifindex(), int(if_nametoindex("gtap0")));
    EXPECT_FALSE(Netdev::open("", "internal").ok());
    EXPECT_FALSE(Netdev::open("a-name-much-too-long-for-linux", "tap").ok());
    // An existing non-tap device cannot be taken over.
    if (std::system("ip link add gdum0 type dummy >/dev/null 2>&1") == 0) {
      EXPECT_FALSE(Netdev::open("gdum0", "tap").ok());
    }
  });
}

}  // namespace
}  // namespace grebe::netdev
