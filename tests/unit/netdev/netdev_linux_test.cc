// The "system" netdev over a veth pair in a private network namespace
// (unshare(CLONE_NEWNET)): needs root; skips with a message otherwise.
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>

#include <cstdlib>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {
namespace {

// Enters a fresh namespace once per process and creates gv0 <-> gv1.
// Returns an empty string on success, else why the tests must skip.
const std::string& veth_setup() {
  static const std::string why = []() -> std::string {
    if (unshare(CLONE_NEWNET) != 0) {
      return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) +
             " (needs root; veth tests skipped)";
    }
    if (std::system("ip link add gv0 type veth peer name gv1 >/dev/null 2>&1 && "
                    "ip link set gv0 up && ip link set gv1 up") != 0) {
      return "cannot create a veth pair with ip(8); veth tests skipped";
    }
    return "";
  }();
  return why;
}

class NetdevLinuxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!veth_setup().empty()) GTEST_SKIP() << veth_setup();
  }
  std::unique_ptr<Netdev> open(const char* name) {
    auto n = Netdev::open(name, "system");
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? std::move(*n) : nullptr;
  }
  // Receives frames of ethertype `type` until `want` arrived or about
  // `polls` * 10 ms passed.
  PacketBatch receive(Netdev& dev, uint16_t type, size_t want, int polls = 200) {
    PacketBatch got;
    for (int i = 0; i < polls && got.size() < want; i++) {
      PacketBatch batch;
      auto r = dev.rx_recv(batch);
      if (!r.ok()) {
        EXPECT_EQ(r.error().code(), EAGAIN);
        pollfd pfd{dev.rx_fd(), POLLIN, 0};
        ::poll(&pfd, 1, 10);
        continue;
      }
      EXPECT_LE(*r, kMaxBurst);
      EXPECT_EQ(batch.size(), *r);
      for (auto& p : batch) {
        if (p.data.size() >= 14 && ((p.data[12] << 8) | p.data[13]) == type) {
          got.push_back(std::move(p));
        }
      }
    }
    return got;
  }
};

Packet frame(uint16_t type, uint8_t seq, size_t len = 64) {
  Packet p;
  p.data.assign(len, seq);
  for (int i = 0; i < 6; i++) p.data[i] = 0xff;  // broadcast
  uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x42};
  std::copy(src, src + 6, p.data.begin() + 6);
  p.data[12] = uint8_t(type >> 8);
  p.data[13] = uint8_t(type);
  return p;
}

TEST(NetdevRegistry, UnknownTypeAndMacText) {
  auto n = Netdev::open("lo", "frobnicate");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code(), EAFNOSUPPORT);
  EXPECT_EQ(Netdev::types(), (std::vector<std::string>{"internal", "system", "tap"}));
  auto mac = EthAddr::from_string("02:0a:0B:00:ff:01");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(mac->to_string(), "02:0a:0b:00:ff:01");
  EXPECT_FALSE(EthAddr::from_string("02:0a:0b:00:ff").ok());
  EXPECT_FALSE(EthAddr::from_string("02:0a:0b:00:ff:100").ok());
}

TEST(NetdevRegistry, RegisteredTypeOpensThroughFactory) {
  std::string opened;
  auto factory = [&opened](std::string_view name) -> Result<std::unique_ptr<Netdev>> {
    opened = std::string(name);
    return Error(ENODEV, "test factory");
  };
  ASSERT_TRUE(Netdev::register_type("testtype", factory).ok());
  EXPECT_EQ(Netdev::register_type("testtype", factory).error().code(), EEXIST);
  EXPECT_EQ(Netdev::register_type("system", factory).error().code(), EEXIST);
  EXPECT_EQ(Netdev::register_type("internal", factory).error().code(), EEXIST);
  EXPECT_EQ(Netdev::types(), (std::vector<std::string>{"internal", "system", "tap", "testtype"}));
  auto n = Netdev::open("p0", "testtype");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message(), "test factory");
  EXPECT_EQ(opened, "p0");
}

TEST_F(NetdevLinuxTest, MissingDevice) {
  auto n = Netdev::open("nosuchdev0", "system");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code(), ENODEV);
}

TEST_F(NetdevLinuxTest, MtuMacFlagsCarrier) {
  auto a = open("gv0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type(), "system");
  ASSERT_TRUE(a->set_mtu(1400).ok());
  EXPECT_EQ(*a->get_mtu(), 1400);
  ASSERT_TRUE(a->set_mtu(1500).ok());
  EXPECT_FALSE(a->set_mtu(10).ok());  // below veth's minimum

  auto mac = EthAddr::from_string("02:00:00:00:aa:01");
  ASSERT_TRUE(a->set_etheraddr(*mac).ok());
  EXPECT_EQ(a->get_etheraddr()->to_string(), "02:00:00:00:aa:01");

  auto old = a->update_flags(kUp, 0);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(*old & kUp);
  EXPECT_FALSE(*a->get_flags() & kUp);
  EXPECT_FALSE(*a->get_carrier());
  ASSERT_TRUE(a->update_flags(0, kUp | kPromisc).ok());
  EXPECT_EQ(*a->get_flags() & (kUp | kPromisc), kUp | kPromisc);
  ASSERT_TRUE(a->update_flags(kPromisc, 0).ok());
  bool carrier = false;
  for (int i = 0; i < 100 && !carrier; i++) {
    carrier = *a->get_carrier();
    if (!carrier) usleep(10000);
  }
  EXPECT_TRUE(carrier);
  EXPECT_GT(*a->get_ifindex(), 0);
}

TEST_F(NetdevLinuxTest, BatchSendReceiveAndStats) {
  auto a = open("gv0");
  auto b = open("gv1");
  ASSERT_TRUE(a && b);
  auto a_before = a->get_stats();
  auto b_before = b->get_stats();
  ASSERT_TRUE(a_before.ok() && b_before.ok());

  PacketBatch out;
  for (uint8_t i = 0; i < 40; i++) out.push_back(frame(0x88b5, i, 60 + i));
  auto sent = a->send(out);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 40u);

  PacketBatch got = receive(*b, 0x88b5, 40);
  ASSERT_EQ(got.size(), 40u);  // more than one burst: the ring keeps its place
  for (uint8_t i = 0; i < 40; i++) EXPECT_EQ(got[i].data, out[i].data) << int(i);
  // The sender does not see its own frames.
  EXPECT_TRUE(receive(*a, 0x88b5, 1, 20).empty());

  auto a_after = a->get_stats();
  auto b_after = b->get_stats();
  EXPECT_GE(a_after->tx_packets - a_before->tx_packets, 40u);
  EXPECT_GE(b_after->rx_packets - b_before->rx_packets, 40u);
  EXPECT_GE(b_after->rx_bytes - b_before->rx_bytes, 40u * 60);
}

TEST_F(NetdevLinuxTest, OversizedFrameIsDroppedNotFatal) {
  auto a = open("gv0");
  auto b = open("gv1");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->set_mtu(1500).ok());
  uint64_t dropped_before = a->get_stats()->tx_dropped;
  PacketBatch out = {frame(0x88b7, 1), frame(0x88b7, 2, 4000), frame(0x88b7, 3)};
  auto sent = a->send(out);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 2u);
  EXPECT_EQ(a->get_stats()->tx_dropped - dropped_before, 1u);
  PacketBatch got = receive(*b, 0x88b7, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data, out[0].data);
  EXPECT_EQ(got[1].data, out[2].data);
}

TEST_F(NetdevLinuxTest, VlanTagSurvivesTheRing) {
  auto a = open("gv0");
  auto b = open("gv1");
  ASSERT_TRUE(a && b);
  Packet p = frame(0x8100, 7, 68);
  p.data[14] = 0x20;  // PCP 1, VID 100
  p.data[15] = 100;
  p.data[16] = 0x88;
  p.data[17] = 0xb6;
  ASSERT_EQ(*a->send({p}), 1u);
  PacketBatch got = receive(*b, 0x8100, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, p.data);
}

TEST_F(NetdevLinuxTest, VnetHeaderChecksumOffload) {
  auto a = open("gv0");
  auto b = open("gv1");
  ASSERT_TRUE(a && b);
  if (!a->offload_info().vnet_hdr) GTEST_SKIP() << "kernel refused PACKET_VNET_HDR with TPACKET_V3";
  // IPv4/UDP with the checksum left to the device: csum_start = 14 + 20.
  Packet p = frame(0x0800, 0, 14 + 20 + 8 + 16);
  uint8_t ip[20] = {0x45, 0, 0, 44, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  std::copy(ip, ip + 20, p.data.begin() + 14);
  uint8_t udp[8] = {0x30, 0x39, 0x30, 0x3a, 0, 24, 0, 0};
  std::copy(udp, udp + 8, p.data.begin() + 34);
  p.vnet.flags = VnetHdr::kNeedsCsum;
  p.vnet.csum_start = 34;
  p.vnet.csum_offset = 6;
  ASSERT_EQ(*a->send({p}), 1u);
  PacketBatch got = receive(*b, 0x0800, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].vnet.gso_type, VnetHdr::kGsoNone);
  if (got[0].vnet.flags & VnetHdr::kNeedsCsum) {
    // Still partial: the offsets travel with it.
    EXPECT_EQ(got[0].vnet.csum_start, 34);
    EXPECT_EQ(got[0].vnet.csum_offset, 6);
  }
  EXPECT_EQ(got[0].data.size(), p.data.size());
}

}  // namespace
}  // namespace grebe::netdev
