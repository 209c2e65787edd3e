#include "grebe/vconn/vconn.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/vlog.h"
#include "vconn_test_util.h"

namespace grebe::vconn {
namespace {

using testing::accept_vconn;
using testing::listen_local;
using testing::raw_connect;
using testing::raw_recv_msg;
using testing::raw_send;
using testing::Server;
using testing::target_of;

std::vector<uint8_t> bytes(std::initializer_list<int> b) {
  return std::vector<uint8_t>(b.begin(), b.end());
}

// Connects a client with `client_versions` to a server with
// `server_versions`; returns both connect results and versions.
struct Pair {
  Status client_status, server_status;
  int client_version = -1, server_version = -1;
};
Pair negotiate(uint32_t client_versions, uint32_t server_versions) {
  Pair r;
  auto pv = listen_local(server_versions);
  auto client = Vconn::open(target_of(*pv), client_versions);
  EXPECT_TRUE(client.ok());
  auto server = accept_vconn(*pv);
  std::thread t([&] {
    r.server_status = server->connect_block(5000);
    r.server_version = server->version();
  });
  r.client_status = (*client)->connect_block(5000);
  r.client_version = (*client)->version();
  t.join();
  return r;
}

TEST(VconnVersions, BitmapText) {
  EXPECT_EQ(version_bitmap_to_string(0), "no versions");
  EXPECT_EQ(version_bitmap_to_string(1u << 4), "version 0x04");
  EXPECT_EQ(version_bitmap_to_string(0x7e), "version 0x06 and earlier");
  EXPECT_EQ(version_bitmap_to_string(0x1e), "version 0x04 and earlier");
  EXPECT_EQ(version_bitmap_to_string(0x12), "versions 0x01, 0x04");
  EXPECT_EQ(highest_version(0x12), 4);
  EXPECT_EQ(retval_to_string(kEof), "End of file");
}

TEST(VconnHello, DefaultsNegotiateOpenFlow15) {
  Pair p = negotiate(kDefaultVersions, kDefaultVersions);
  ASSERT_TRUE(p.client_status.ok()) << p.client_status.error().to_string();
  ASSERT_TRUE(p.server_status.ok());
  EXPECT_EQ(p.client_version, 6);
  EXPECT_EQ(p.server_version, 6);
}

TEST(VconnHello, BitmapIntersectionPicksHighestCommon) {
  // {1.0, 1.3} vs {1.0, 1.1, 1.3, 1.4}: 1.3.  A peer whose bitmap has holes
  // must be read from the bitmap element, not the header version.
  Pair p = negotiate((1u << 1) | (1u << 4), (1u << 1) | (1u << 2) | (1u << 4) | (1u << 5));
  ASSERT_TRUE(p.client_status.ok());
  EXPECT_EQ(p.client_version, 4);
  EXPECT_EQ(p.server_version, 4);
  p = negotiate((1u << 1) | (1u << 4), (1u << 1) | (1u << 3));
  ASSERT_TRUE(p.client_status.ok());
  EXPECT_EQ(p.client_version, 1);
  EXPECT_EQ(p.server_version, 1);
}

TEST(VconnHello, NoCommonVersionFailsOnBothSides) {
  Pair p = negotiate(1u << 1, 1u << 4);
  ASSERT_FALSE(p.client_status.ok());
  ASSERT_FALSE(p.server_status.ok());
  EXPECT_EQ(p.client_status.error().code(), EPROTO);
  EXPECT_EQ(p.server_status.error().code(), EPROTO);
}

TEST(VconnHello, SendsHelloFailedWithOvsText) {
  vlog::set_all_rate_limits(false);
  auto pv = listen_local(1u << 4);  // OpenFlow 1.3 only
  auto raw = raw_connect(*pv);
  auto server = accept_vconn(*pv);
  raw_send(*raw, bytes({0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07}));  // 1.0 hello
  ::testing::internal::CaptureStderr();
  Status s = server->connect_block(5000);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EPROTO);
  EXPECT_NE(log.find("version negotiation failed (we support version 0x04, peer supports "
                     "version 0x01)"),
            std::string::npos)
      << log;

  std::vector<uint8_t> hello = raw_recv_msg(*raw);
  ASSERT_GE(hello.size(), 8u);
  EXPECT_EQ(hello[0], 0x04);
  EXPECT_EQ(hello[1], openflow::kOfptHello);
  std::vector<uint8_t> err = raw_recv_msg(*raw);
  ASSERT_GE(err.size(), 12u);
  EXPECT_EQ(err[0], 0x01);  // the peer's (highest) version
  EXPECT_EQ(err[1], openflow::kOfptError);
  EXPECT_EQ(load_be16(err.data() + 8), 0);   // OFPET_HELLO_FAILED
  EXPECT_EQ(load_be16(err.data() + 10), 0);  // OFPHFC_INCOMPATIBLE
  std::string text(err.begin() + 12, err.end());
  EXPECT_EQ(text, "We support version 0x04, you support version 0x01, no common versions.");
}

TEST(VconnHello, FutureVersionHelloNegotiatesOurHighest) {
  auto pv = listen_local();
  auto raw = raw_connect(*pv);
  auto server = accept_vconn(*pv);
  raw_send(*raw, bytes({0x09, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01}));
  Status s = server->connect_block(5000);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(server->version(), 6);
  EXPECT_EQ(server->peer_versions(), 0x3feu);

  // With a bitmap element offering 1.3 and "1.9": 1.3.
  raw = raw_connect(*pv);
  server = accept_vconn(*pv);
  raw_send(*raw, bytes({0x09, 0x00, 0x00, 0x10, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00,
                        0x02, 0x10}));
  ASSERT_TRUE(server->connect_block(5000).ok());
  EXPECT_EQ(server->version(), 4);
  EXPECT_EQ(server->peer_versions(), 0x210u);
}

TEST(VconnHello, NonHelloFirstMessageIsProtocolError) {
  auto pv = listen_local();
  auto raw = raw_connect(*pv);
  auto server = accept_vconn(*pv);
  raw_send(*raw, bytes({0x04, 0x02, 0x00, 0x08, 0, 0, 0, 1}));  // echo request
  Status s = server->connect_block(5000);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EPROTO);
}

TEST(VconnHello, PeerClosingBeforeHelloIsReset) {
  auto pv = listen_local();
  auto raw = raw_connect(*pv);
  auto server = accept_vconn(*pv);
  raw.reset();
  Status s = server->connect_block(5000);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ECONNRESET);
}

// A raw peer that has completed the hello exchange at OpenFlow 1.3.
struct RawPeer {
  std::unique_ptr<PVconn> pv;
  std::unique_ptr<stream::Stream> raw;
  std::unique_ptr<Vconn> server;
};
RawPeer raw_peer() {
  RawPeer p;
  p.pv = listen_local();
  p.raw = raw_connect(*p.pv);
  p.server = accept_vconn(*p.pv);
  raw_send(*p.raw, openflow::encode_hello(1u << 4, 1));
  EXPECT_TRUE(p.server->connect_block(5000).ok());
  EXPECT_EQ(p.server->version(), 4);
  EXPECT_EQ(raw_recv_msg(*p.raw)[1], openflow::kOfptHello);
  return p;
}

TEST(VconnFraming, SplitAndCoalescedReads) {
  RawPeer p = raw_peer();
  std::vector<uint8_t> a = openflow::encode_echo(false, 4, 0x11, {1, 2, 3, 4, 5});
  a[1] = openflow::kOfptFeaturesRequest;  // any body-carrying message
  std::vector<uint8_t> b = openflow::encode_barrier(false, 4, 0x22);
  // Byte by byte, with the receiver polling in between.
  for (uint8_t byte : a) {
    raw_send(*p.raw, {byte});
    usleep(1000);
    auto r = p.server->recv();
    if (r.ok()) {
      EXPECT_EQ(*r, a);
      break;
    }
    ASSERT_TRUE(r.error().would_block());
  }
  // Two messages in one write come out as two.
  std::vector<uint8_t> both = b;
  both.insert(both.end(), a.begin(), a.end());
  raw_send(*p.raw, both);
  auto r1 = p.server->recv_block();
  auto r2 = p.server->recv_block();
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(*r1, b);
  EXPECT_EQ(*r2, a);
}

TEST(VconnFraming, TooShortLengthClosesConnection) {
  RawPeer p = raw_peer();
  vlog::set_all_rate_limits(false);
  raw_send(*p.raw, bytes({0x04, 0x0a, 0x00, 0x04, 0, 0, 0, 1}));
  ::testing::internal::CaptureStderr();
  auto r = p.server->recv_block();
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EPROTO);
  EXPECT_EQ(p.server->status(), EPROTO);
  EXPECT_NE(log.find("received too-short ofp_header (4 bytes)"), std::string::npos) << log;
  // Dead for good: later calls report the same error.
  EXPECT_EQ(p.server->recv().error().code(), EPROTO);
}

TEST(VconnFraming, OversizedMessageClosesConnection) {
  RawPeer p = raw_peer();
  p.server->set_max_msg_len(1024);
  raw_send(*p.raw, bytes({0x04, 0x0a, 0x08, 0x00, 0, 0, 0, 1}));  // 2048 bytes
  auto r = p.server->recv_block();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EPROTO);
}

TEST(VconnFraming, EofMidMessageIsProtocolError) {
  RawPeer p = raw_peer();
  raw_send(*p.raw, bytes({0x04, 0x0a, 0x00, 0x20, 0, 0, 0, 1, 9, 9}));
  p.raw.reset();
  auto r = p.server->recv_block();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EPROTO);
}

TEST(VconnFraming, OrderlyCloseIsEof) {
  RawPeer p = raw_peer();
  p.raw.reset();
  auto r = p.server->recv_block();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), kEof);
}

// Random bytes after a valid hello: every outcome is a message, EAGAIN, or
// a clean error -- never a crash, a hang or an oversized read.
TEST(VconnFraming, RandomGarbageNeverCrashes) {
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245 + 12345;
    return static_cast<uint8_t>(seed >> 16);
  };
  for (int round = 0; round < 60; round++) {
    RawPeer p = raw_peer();
    std::vector<uint8_t> junk(1 + next() % 200);
    for (auto& b : junk) b = next();
    if (round % 3 == 0) junk[0] = 0x04;  // look like OpenFlow 1.3 sometimes
    raw_send(*p.raw, junk);
    p.raw.reset();
    int messages = 0;
    for (;;) {
      auto r = p.server->recv_block();
      if (!r.ok()) {
        int code = r.error().code();
        EXPECT_TRUE(code == EPROTO || code == kEof || code == ECONNRESET) << code;
        break;
      }
      EXPECT_GE(r->size(), 8u);
      EXPECT_LT(++messages, 100);
    }
  }
}

TEST(VconnRecv, WrongVersionAnsweredWithBadVersionAndDropped) {
  RawPeer p = raw_peer();
  raw_send(*p.raw, openflow::encode_barrier(false, 1, 0x55));  // OF1.0 on a 1.3 conn
  raw_send(*p.raw, openflow::encode_barrier(false, 4, 0x56));
  auto r = p.server->recv_block();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(load_be32(r->data() + 4), 0x56u);  // the 1.0 message was dropped
  std::vector<uint8_t> err = raw_recv_msg(*p.raw);
  ASSERT_GE(err.size(), 12u);
  EXPECT_EQ(err[1], openflow::kOfptError);
  EXPECT_EQ(load_be32(err.data() + 4), 0x55u);
  EXPECT_EQ(load_be16(err.data() + 8), 1);   // OFPET_BAD_REQUEST
  EXPECT_EQ(load_be16(err.data() + 10), 0);  // OFPBRC_BAD_VERSION
}

TEST(VconnEcho, RequestsAreAnsweredAutomatically) {
  auto pv = listen_local();
  auto client = Vconn::open(target_of(*pv));
  ASSERT_TRUE(client.ok());
  Server server(accept_vconn(*pv), nullptr);
  ASSERT_TRUE((*client)->connect_block(5000).ok());
  auto reply = (*client)->transact(openflow::encode_echo(false, 6, 0x1234, {7, 8, 9}));
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(*reply, openflow::encode_echo(true, 6, 0x1234, {7, 8, 9}));
  client->reset();
  server.join();
  EXPECT_TRUE(server.received().empty());  // the request never surfaced
  EXPECT_EQ(server.end_error(), kEof);
}

// The server answers barriers; for a features request it first sends an
// unrelated message, then an error with the request's xid.
void answer(Vconn& v, const OfpMsg& m) {
  uint32_t xid = load_be32(m.data() + 4);
  if (m[1] == openflow::ofpt_barrier_request(m[0])) {
    (void)v.send_block(openflow::encode_barrier(true, m[0], xid));
  } else if (m[1] == openflow::kOfptFeaturesRequest) {
    (void)v.send_block(openflow::encode_echo(true, m[0], xid + 1000));
    auto err = openflow::encode_error(m[0], "OFPBRC_BAD_TYPE", xid, m);
    (void)v.send_block(std::move(*err));
  }
}

TEST(VconnBlocking, TransactNoreplyAndBarrier) {
  auto pv = listen_local();
  std::unique_ptr<Vconn> client;
  std::thread t([&] {
    auto c = Vconn::open_block(target_of(*pv), kDefaultVersions, 48, 5000);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    client = std::move(*c);
  });
  Server server(accept_vconn(*pv), answer);
  t.join();
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->barrier().ok());

  // set_config draws no reply: only the barrier reply comes back.
  auto none = client->transact_noreply(openflow::encode_set_config(6, 77, {}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto err = client->transact_multiple_noreply(
      {openflow::encode_set_config(6, 80, {}), openflow::encode_features_request(6, 81)});
  ASSERT_TRUE(err.ok());
  ASSERT_TRUE(err->has_value());
  EXPECT_EQ((**err)[1], openflow::kOfptError);
  EXPECT_EQ(load_be32((**err).data() + 4), 81u);

  auto reply = client->transact(openflow::encode_features_request(6, 90));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ((*reply)[1], openflow::kOfptError);  // the unrelated echo reply was skipped
  client.reset();
}

// Answers a multipart request (OF1.3 type 18) with three parts, the first
// two flagged "more", after an unrelated message.
void answer_multipart(Vconn& v, const OfpMsg& m) {
  if (m[1] != 18) return;
  uint32_t xid = load_be32(m.data() + 4);
  (void)v.send_block(openflow::encode_echo(true, m[0], xid + 1));
  for (int i = 0; i < 3; i++) {
    openflow::OfpBuf b(m[0], 19, xid);
    b.put16(load_be16(m.data() + 8));
    b.put16(i < 2 ? 1 : 0);
    b.put32(0);
    b.put32(static_cast<uint32_t>(i));
    (void)v.send_block(b.finish());
  }
}

TEST(VconnBlocking, TransactMultipartCollectsAllParts) {
  auto pv = listen_local(1u << 4);
  std::unique_ptr<Vconn> client;
  std::thread t([&] {
    auto c = Vconn::open_block(target_of(*pv), 1u << 4, 48, 5000);
    ASSERT_TRUE(c.ok());
    client = std::move(*c);
  });
  Server server(accept_vconn(*pv), answer_multipart);
  t.join();
  ASSERT_TRUE(client);
  openflow::OfpBuf req(4, 18, 0x99);
  req.put16(1);  // OFPMP_FLOW... any type
  req.put16(0);
  req.put32(0);
  auto parts = client->transact_multipart(req.finish());
  ASSERT_TRUE(parts.ok()) << parts.error().to_string();
  ASSERT_EQ(parts->size(), 3u);
  for (uint32_t i = 0; i < 3; i++) EXPECT_EQ(load_be32((*parts)[i].data() + 16), i);
  client.reset();
}

TEST(VconnOpen, BadNamesFail) {
  auto v = Vconn::open("foo:bar");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), EAFNOSUPPORT);
  EXPECT_TRUE(vconn_name_is_valid("tcp:1.2.3.4"));
  EXPECT_FALSE(vconn_name_is_valid("ptcp:1"));
  EXPECT_TRUE(pvconn_name_is_valid("punix:/x"));
}

TEST(VconnOpen, TcpDefaultPortIs6653) {
  auto pv = PVconn::open("ptcp:6653:127.0.0.1");
  if (!pv.ok() && pv.error().code() == EADDRINUSE) GTEST_SKIP() << "port 6653 is in use";
  ASSERT_TRUE(pv.ok()) << pv.error().to_string();
  EXPECT_EQ((*pv)->bound_port(), 6653);
  std::thread t([&] {
    auto server = accept_vconn(**pv);
    if (server) {
      EXPECT_TRUE(server->connect_block(5000).ok());
    }
  });
  auto v = Vconn::open_block("tcp:127.0.0.1", kDefaultVersions, 48, 5000);
  t.join();
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ((*v)->name(), "tcp:127.0.0.1");
  EXPECT_EQ((*v)->peer_port(), 6653);
}

}  // namespace
}  // namespace grebe::vconn
