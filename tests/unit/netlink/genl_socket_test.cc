#include "grebe/netlink/genl_socket.h"

#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace grebe::nl {
namespace {

// Opening a socket needs netlink; skip instead of failing in odd sandboxes.
std::unique_ptr<GenlSocket> open_or_skip() {
  auto sock = GenlSocket::open();
  if (!sock.ok()) return nullptr;
  return std::move(*sock);
}

TEST(GenlSocket, ResolvesNlctrl) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  auto id = sock->resolve_family("nlctrl");
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(*id, GENL_ID_CTRL);
  auto grp = sock->resolve_mcgroup("nlctrl", "notify");
  ASSERT_TRUE(grp.ok()) << grp.error().to_string();
  EXPECT_GT(*grp, 0u);
}

TEST(GenlSocket, MissingFamilyIsClearError) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  auto probe = sock->resolve_family("ovs_datapath");
  if (probe.ok()) GTEST_SKIP() << "this host has an OVS datapath";
  EXPECT_EQ(probe.error().code(), ENOENT);
  EXPECT_EQ(probe.error().message(), "Generic Netlink family 'ovs_datapath' not found");
}

TEST(GenlSocket, TransactGetFamily) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  AttrBuilder req;
  req.put_string(CTRL_ATTR_FAMILY_NAME, "nlctrl");
  auto replies = sock->transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, req.bytes());
  ASSERT_TRUE(replies.ok()) << replies.error().to_string();
  ASSERT_EQ(replies->size(), 1u);
  const GenlMessage& m = (*replies)[0];
  EXPECT_EQ(m.cmd, CTRL_CMD_NEWFAMILY);
  Attr name = find_attr(m.attrs(), CTRL_ATTR_FAMILY_NAME);
  ASSERT_TRUE(name.valid());
  EXPECT_EQ(name.get_string(), "nlctrl");
  EXPECT_EQ(find_attr(m.attrs(), CTRL_ATTR_FAMILY_ID).get_u16(), GENL_ID_CTRL);
}

TEST(GenlSocket, DumpFamilies) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  auto replies = sock->dump(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, {});
  ASSERT_TRUE(replies.ok()) << replies.error().to_string();
  bool found = false;
  for (const auto& m : *replies) {
    Attr name = find_attr(m.attrs(), CTRL_ATTR_FAMILY_NAME);
    if (name.valid() && name.get_string() == "nlctrl") found = true;
  }
  EXPECT_TRUE(found);
}

TEST(GenlSocket, KernelErrorBecomesErrno) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  AttrBuilder req;
  req.put_string(CTRL_ATTR_FAMILY_NAME, "nosuchfam");
  auto replies = sock->transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, req.bytes());
  ASSERT_FALSE(replies.ok());
  EXPECT_EQ(replies.error().code(), ENOENT);
}

TEST(GenlSocket, JoinMulticastAndBuffer) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  auto grp = sock->resolve_mcgroup("nlctrl", "notify");
  ASSERT_TRUE(grp.ok());
  ASSERT_TRUE(sock->join_mcgroup(*grp).ok());
  EXPECT_TRUE(sock->set_recv_buffer_size(1 << 20).ok());
  int size = 0;
  socklen_t len = sizeof size;
  ASSERT_EQ(getsockopt(sock->fd(), SOL_SOCKET, SO_RCVBUF, &size, &len), 0);
  if (geteuid() == 0) {
    EXPECT_GE(size, 1 << 20);  // others are capped by rmem_max
  }
  EXPECT_GT(sock->local_port(), 0u);
  auto missing = sock->resolve_mcgroup("nlctrl", "no_such_group");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
}

TEST(GenlSocket, NonBlockingRecvWouldBlock) {
  auto sock = open_or_skip();
  if (!sock) GTEST_SKIP() << "no netlink";
  auto r = sock->recv(false);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().would_block());
}

std::vector<uint8_t> make_msg(uint16_t type, uint32_t seq, std::vector<uint8_t> body) {
  std::vector<uint8_t> out(NLMSG_HDRLEN);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + body.size());
  h.nlmsg_type = type;
  h.nlmsg_seq = seq;
  std::memcpy(out.data(), &h, sizeof h);
  out.insert(out.end(), body.begin(), body.end());
  out.resize(NLMSG_ALIGN(out.size()));
  return out;
}

TEST(SplitGenlDatagram, ParsesMessagesAndErrors) {
  auto a = make_msg(0x20, 7, {3, 1, 0, 0, 8, 0, 1, 0, 1, 2, 3, 4});
  auto b = make_msg(NLMSG_DONE, 7, {0, 0, 0, 0});
  std::vector<uint8_t> dgram = a;
  dgram.insert(dgram.end(), b.begin(), b.end());
  auto msgs = split_genl_datagram(dgram);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].cmd, 3);
  EXPECT_EQ((*msgs)[0].version, 1);
  EXPECT_EQ(find_attr((*msgs)[0].attrs(), 1).get_u32(), 0x04030201u);
  EXPECT_EQ((*msgs)[1].nlmsg_type, NLMSG_DONE);

  int32_t err = -EPERM;
  std::vector<uint8_t> eb(20, 0);
  std::memcpy(eb.data(), &err, 4);
  auto e = split_genl_datagram(make_msg(NLMSG_ERROR, 1, eb));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), EPERM);

  auto bad = make_msg(0x20, 1, {1, 1, 0, 0});
  bad[0] = 200;  // length past the datagram
  EXPECT_FALSE(split_genl_datagram(bad).ok());
  auto shortgenl = make_msg(0x20, 1, {1});
  EXPECT_FALSE(split_genl_datagram(shortgenl).ok());
}

}  // namespace
}  // namespace grebe::nl
