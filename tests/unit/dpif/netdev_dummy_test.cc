// The dummy netdev: packet argument parsing, rx/tx queues, admin state,
// pcap capture.
#include "grebe/dpif/netdev_dummy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "grebe/dpif/netdev_dummy_commands.h"
#include "grebe/packet/flow_extract.h"
#include "test_packets.h"

namespace grebe::netdev {
namespace {

TEST(NetdevDummy, ParsePacketHex) {
  auto f = DummyNetdev::parse_packet("50540000000a5054000000090800");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size(), 14u);
  EXPECT_EQ((*f)[5], 0x0a);
  EXPECT_FALSE(DummyNetdev::parse_packet("5054zz").ok());
  EXPECT_FALSE(DummyNetdev::parse_packet("").ok());
}

TEST(NetdevDummy, ParsePacketFromFlow) {
  auto f = DummyNetdev::parse_packet(
      "in_port(1),eth(src=50:54:00:00:00:09,dst=50:54:00:00:00:0a),eth_type(0x0800),"
      "ipv4(src=10.0.0.2,dst=10.0.0.1,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=9)");
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  Flow flow = flow_extract(f->data(), f->size());
  EXPECT_EQ(flow.dl_type, kEthTypeIp);
  EXPECT_EQ(flow.nw_src, 0x0a000002u);
  EXPECT_EQ(flow.tp_src, 8);
  EXPECT_EQ(flow.tp_dst, 9);
  EXPECT_EQ(flow.dl_src.b[5], 9);
  EXPECT_TRUE(dpif::test::ipv4_csum_ok(*f));
  EXPECT_TRUE(dpif::test::l4_csum_ok(*f));
  auto bad = DummyNetdev::parse_packet("in_port(1),eth(src=zz)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
}

TEST(NetdevDummy, ReceiveQueueAndAdminState) {
  auto d = DummyNetdev::create("d0");
  EXPECT_EQ(DummyNetdev::lookup("d0"), d.get());
  PacketBatch batch;
  EXPECT_EQ(d->rx_recv(batch).error().code(), EAGAIN);
  ASSERT_TRUE(d->receive(dpif::test::udp4(1, 2)).ok());
  ASSERT_EQ(*d->rx_recv(batch), 1u);
  EXPECT_EQ(batch[0].data, dpif::test::udp4(1, 2));

  d->set_admin_state(false);
  EXPECT_EQ(d->receive(dpif::test::udp4(1, 2)).error().code(), ENETDOWN);
  EXPECT_FALSE(*d->get_carrier());
  EXPECT_EQ(d->get_stats()->rx_dropped, 1u);
  d->set_admin_state(true);
  EXPECT_TRUE(*d->get_flags() & kUp);

  // The queue is bounded: the overflow is dropped and counted.
  for (size_t i = 0; i < DummyNetdev::kMaxRxQueue + 1; i++) {
    (void)d->receive(dpif::test::udp4(1, 2));
  }
  EXPECT_EQ(d->get_stats()->rx_dropped, 2u);
  d.reset();
  EXPECT_EQ(DummyNetdev::lookup("d0"), nullptr);
}

TEST(NetdevDummy, SendRecordsAndWritesPcap) {
  auto d = DummyNetdev::create("d1");
  std::string path = "/tmp/grebe-netdev-dummy-" + std::to_string(::getpid()) + ".pcap";
  ASSERT_TRUE(d->set_config({{"tx_pcap", path}}).ok());
  PacketBatch batch{{dpif::test::tcp4(1, 2), {}}, {dpif::test::udp4(3, 4), {}}};
  EXPECT_EQ(*d->send(batch), 2u);
  auto sent = d->take_sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1], dpif::test::udp4(3, 4));
  EXPECT_EQ(d->n_sent(), 0u);
  EXPECT_EQ(d->get_stats()->tx_packets, 2u);

  ASSERT_TRUE(d->set_config({}).ok());  // closes the file
  auto reader = PcapReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  auto r1 = reader->next();
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->data, dpif::test::tcp4(1, 2));
  ASSERT_TRUE(reader->next().ok());
  EXPECT_FALSE(reader->next().ok());
  ::unlink(path.c_str());
  EXPECT_FALSE(d->set_config({{"pcap", "/nonexistent-dir/x.pcap"}}).ok());
}

}  // namespace
}  // namespace grebe::netdev

namespace grebe::netdev {
namespace {

TEST(NetdevDummyCommands, Receive) {
  auto d = DummyNetdev::create("cmd0");
  auto r = netdev_dummy_receive_command(
      {"cmd0", "50540000000a5054000000090800",
       "in_port(1),eth(src=50:54:00:00:00:09,dst=50:54:00:00:00:0a),eth_type(0x0800),"
       "ipv4(src=10.0.0.2,dst=10.0.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=8,dst=9)",
       "--len", "200"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  PacketBatch batch;
  ASSERT_EQ(*d->rx_recv(batch), 2u);
  EXPECT_EQ(batch[0].data.size(), 14u);
  EXPECT_EQ(batch[1].data.size(), 200u);
  EXPECT_TRUE(dpif::test::ipv4_csum_ok(batch[1].data));
  EXPECT_TRUE(dpif::test::l4_csum_ok(batch[1].data));

  EXPECT_EQ(netdev_dummy_receive_command({"nope", "00"}).error().message(), "no such dummy netdev");
  EXPECT_EQ(netdev_dummy_receive_command({"cmd0", "in_port(1)", "--len", "10"}).error().message(),
            "too small packet len");
  EXPECT_FALSE(netdev_dummy_receive_command({"cmd0", "garbage((("}).ok());
}

TEST(NetdevDummyCommands, SetAdminState) {
  auto a = DummyNetdev::create("cmd1");
  auto b = DummyNetdev::create("cmd2");
  EXPECT_EQ(*netdev_dummy_set_admin_state_command({"cmd1", "down"}), "OK");
  EXPECT_FALSE(*a->get_flags() & kUp);
  EXPECT_TRUE(*b->get_flags() & kUp);
  EXPECT_EQ(*netdev_dummy_set_admin_state_command({"down"}), "OK");
  EXPECT_FALSE(*b->get_flags() & kUp);
  EXPECT_EQ(*netdev_dummy_set_admin_state_command({"UP"}), "OK");
  EXPECT_TRUE(*a->get_flags() & kUp);
  EXPECT_EQ(netdev_dummy_set_admin_state_command({"cmd1", "sideways"}).error().message(),
            "Invalid Admin State");
  EXPECT_EQ(netdev_dummy_set_admin_state_command({"nope", "up"}).error().message(),
            "Unknown Dummy Interface");
}

}  // namespace
}  // namespace grebe::netdev
