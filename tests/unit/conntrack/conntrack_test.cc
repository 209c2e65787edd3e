// Conntrack: state bits, TCP states, zones, mark/label, ICMP related,
// SNAT/DNAT with checksums verified, expiry, limits, dump text.  Time is
// passed in, so expiry needs no sleeping.
#include "grebe/conntrack/conntrack.h"

#include <gtest/gtest.h>
#include <linux/openvswitch.h>

#include <cstring>

#include "grebe/odp/odp_actions.h"
#include "grebe/packet/csum.h"
#include "grebe/packet/flow_compose.h"
#include "grebe/packet/flow_extract.h"

namespace grebe::conntrack {
namespace {

constexpr uint32_t kA = 0x0a000001, kB = 0x0a000002;  // 10.0.0.1, 10.0.0.2
constexpr uint16_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kRst = 0x04;

Packet tcp(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint16_t flags) {
  Flow f = make_flow();
  f.dl_type = 0x0800;
  f.nw_src = src;
  f.nw_dst = dst;
  f.nw_proto = 6;
  f.nw_ttl = 64;
  f.tp_src = sp;
  f.tp_dst = dp;
  f.tcp_flags = flags;
  auto bytes = flow_compose(f, nullptr, 20);
  return Packet::copy_of(bytes.data(), bytes.size());
}
Packet udp(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp) {
  Flow f = make_flow();
  f.dl_type = 0x0800;
  f.nw_src = src;
  f.nw_dst = dst;
  f.nw_proto = 17;
  f.nw_ttl = 64;
  f.tp_src = sp;
  f.tp_dst = dp;
  auto bytes = flow_compose(f, nullptr, 20);
  return Packet::copy_of(bytes.data(), bytes.size());
}
Packet icmp(uint32_t src, uint32_t dst, uint8_t type) {
  Flow f = make_flow();
  f.dl_type = 0x0800;
  f.nw_src = src;
  f.nw_dst = dst;
  f.nw_proto = 1;
  f.nw_ttl = 64;
  f.tp_src = type;
  auto bytes = flow_compose(f, nullptr, 20);
  return Packet::copy_of(bytes.data(), bytes.size());
}

// The nested payload of "ct(...)".
std::vector<uint8_t> ct_attrs(const std::string& action) {
  nl::AttrBuilder b;
  EXPECT_TRUE(odp::odp_actions_from_string(action, b).ok()) << action;
  std::vector<uint8_t> all = b.take();
  nl::AttrIterator it(nl::Bytes(all.data(), all.size()));
  EXPECT_TRUE(it.ok());
  EXPECT_EQ(it.attr().type(), OVS_ACTION_ATTR_CT);
  nl::Bytes p = it.attr().payload();
  return std::vector<uint8_t>(p.begin(), p.end());
}

// Full checksum verification of an IPv4 TCP/UDP/ICMP packet.
bool csums_ok(Packet& p) {
  p.extract();
  const PacketLayers& l = p.layers();
  const uint8_t* ip = p.data() + l.l3;
  if (csum(ip, 20) != 0) return false;
  size_t l4len = p.size() - size_t(l.l4);
  const uint8_t* l4 = p.data() + l.l4;
  if (ip[9] == 1) return csum(l4, l4len) == 0;
  uint32_t sum = 0;
  sum = csum_continue(sum, ip + 12, 8);
  uint8_t pr[4] = {0, ip[9], uint8_t(l4len >> 8), uint8_t(l4len)};
  sum = csum_continue(sum, pr, 4);
  sum = csum_continue(sum, l4, l4len);
  return csum_finish(sum) == 0;
}

class ConntrackTest : public ::testing::Test {
 protected:
  // Runs ct(`action`) on `p`; returns its ct_state.
  uint8_t run(Packet& p, const std::string& action, long long now = 1000) {
    md_ = make_flow();
    auto a = ct_attrs(action);
    Status st = ct_.execute(p, md_, nl::Bytes(a.data(), a.size()), now);
    EXPECT_TRUE(st.ok()) << action;
    return md_.ct_state;
  }
  uint8_t run(Packet&& p, const std::string& action, long long now = 1000) {
    return run(p, action, now);
  }
  Conntrack ct_;
  Flow md_;
};

constexpr uint8_t kTrk = kCsTracked;

TEST_F(ConntrackTest, TcpHandshakeAndStates) {
  EXPECT_EQ(run(tcp(kA, kB, 1234, 80, kSyn), "ct(commit)"), kTrk | kCsNew);
  EXPECT_EQ(md_.ct_nw_src, kA);
  EXPECT_EQ(md_.ct_tp_dst, 80);
  EXPECT_EQ(md_.ct_nw_proto, 6);
  EXPECT_EQ(run(tcp(kB, kA, 80, 1234, kSyn | kAck), "ct"), kTrk | kCsEstablished | kCsReplyDir);
  EXPECT_EQ(md_.ct_nw_src, kA) << "ct_nw_* is the original direction";
  EXPECT_EQ(run(tcp(kA, kB, 1234, 80, kAck), "ct"), kTrk | kCsEstablished);
  auto d = ct_.dump(std::nullopt, 1000);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(format_entry(d[0], false),
            "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,dport=80),"
            "reply=(src=10.0.0.2,dst=10.0.0.1,sport=80,dport=1234),"
            "protoinfo=(state=ESTABLISHED)");
  run(tcp(kA, kB, 1234, 80, kFin | kAck), "ct");
  EXPECT_EQ(ct_.dump(std::nullopt, 1000)[0].tcp_state, TcpState::kFinWait);
  run(tcp(kB, kA, 80, 1234, kFin | kAck), "ct");
  EXPECT_EQ(ct_.dump(std::nullopt, 1000)[0].tcp_state, TcpState::kTimeWait);
  // A new SYN on the old tuple starts over.
  EXPECT_EQ(run(tcp(kA, kB, 1234, 80, kSyn), "ct(commit)"), kTrk | kCsNew);
  EXPECT_EQ(ct_.dump(std::nullopt, 1000)[0].tcp_state, TcpState::kSynSent);
  run(tcp(kB, kA, 80, 1234, kRst), "ct");
  EXPECT_EQ(ct_.dump(std::nullopt, 1000)[0].tcp_state, TcpState::kClose);
  auto s = ct_.stats();
  EXPECT_EQ(s.n_conns, 1u);
  EXPECT_EQ(s.by_proto["TCP"], 1u);
}

TEST_F(ConntrackTest, TcpWithoutSynIsInvalidAndNotCommitted) {
  EXPECT_EQ(run(tcp(kA, kB, 1, 2, kAck), "ct(commit)"), kTrk | kCsInvalid);
  EXPECT_EQ(ct_.stats().n_conns, 0u);
}

TEST_F(ConntrackTest, UncommittedIsNotRemembered) {
  EXPECT_EQ(run(udp(kA, kB, 5, 53), "ct"), kTrk | kCsNew);
  EXPECT_EQ(run(udp(kB, kA, 53, 5), "ct"), kTrk | kCsNew);
  EXPECT_EQ(ct_.stats().n_conns, 0u);
  run(udp(kA, kB, 5, 53), "ct(commit)");
  EXPECT_EQ(run(udp(kA, kB, 5, 53), "ct"), kTrk | kCsNew) << "no reply seen yet";
  EXPECT_EQ(run(udp(kB, kA, 53, 5), "ct"), kTrk | kCsEstablished | kCsReplyDir);
  EXPECT_EQ(run(udp(kA, kB, 5, 53), "ct"), kTrk | kCsEstablished);
}

TEST_F(ConntrackTest, ZonesSeparateConnections) {
  run(udp(kA, kB, 5, 53), "ct(commit,zone=1)");
  EXPECT_EQ(md_.ct_zone, 1);
  EXPECT_EQ(run(udp(kB, kA, 53, 5), "ct(zone=2)"), kTrk | kCsNew);
  EXPECT_EQ(run(udp(kB, kA, 53, 5), "ct(zone=1)"), kTrk | kCsEstablished | kCsReplyDir);
  EXPECT_EQ(ct_.dump(uint16_t{2}, 1000).size(), 0u);
  EXPECT_EQ(ct_.dump(uint16_t{1}, 1000).size(), 1u);
  EXPECT_EQ(ct_.flush(uint16_t{2}), 0u);
  EXPECT_EQ(ct_.flush(uint16_t{1}), 1u);
  EXPECT_EQ(ct_.stats().n_conns, 0u);
}

TEST_F(ConntrackTest, MarkAndLabelSetOnCommit) {
  run(udp(kA, kB, 5, 53), "ct(commit,mark=0x5/0xff,label=0x10/0xff)");
  EXPECT_EQ(md_.ct_mark, 5u);
  EXPECT_EQ(md_.ct_label.lo, 0x10u);
  run(udp(kB, kA, 53, 5), "ct");
  EXPECT_EQ(md_.ct_mark, 5u);
  auto d = ct_.dump(std::nullopt, 1000);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(format_entry(d[0], true).find(",mark=5,labels=0x10"), std::string::npos)
      << format_entry(d[0], true);
}

TEST_F(ConntrackTest, IcmpEchoAndRelatedError) {
  EXPECT_EQ(run(icmp(kA, kB, 8), "ct(commit)"), kTrk | kCsNew);
  EXPECT_EQ(run(icmp(kB, kA, 0), "ct"), kTrk | kCsEstablished | kCsReplyDir);
  EXPECT_EQ(run(icmp(kB, kA, 0), "ct(zone=3)"), kTrk | kCsInvalid) << "a reply alone";
  // Port unreachable quoting a committed UDP packet A -> B.
  run(udp(kA, kB, 7, 9), "ct(commit)");
  Packet err = icmp(kB, kA, 3);
  Packet quoted = udp(kA, kB, 7, 9);
  size_t l4 = 14 + 20;
  err.resize(l4 + 8 + 28);
  std::memcpy(err.data() + l4 + 8, quoted.data() + 14, 28);
  // The error travels back towards A: the reply direction.
  EXPECT_EQ(run(err, "ct"), kTrk | kCsRelated | kCsReplyDir);
  EXPECT_EQ(md_.ct_nw_src, kA);
}

TEST_F(ConntrackTest, SnatRewritesBothDirectionsWithValidChecksums) {
  Packet p = tcp(kA, kB, 1234, 80, kSyn);
  uint8_t st = run(p, "ct(commit,nat(src=10.0.0.100))");
  EXPECT_EQ(st, kTrk | kCsNew | kCsSrcNat);
  Flow f = flow_extract(p.data(), p.size());
  EXPECT_EQ(f.nw_src, 0x0a000064u);
  EXPECT_EQ(f.tp_src, 1234);
  EXPECT_TRUE(csums_ok(p));
  // The reply comes to the translated address and goes back to A.
  Packet r = tcp(kB, 0x0a000064, 80, 1234, kSyn | kAck);
  EXPECT_EQ(run(r, "ct(nat)"), kTrk | kCsEstablished | kCsReplyDir | kCsSrcNat);
  f = flow_extract(r.data(), r.size());
  EXPECT_EQ(f.nw_dst, kA);
  EXPECT_TRUE(csums_ok(r));
  // Without nat in the action the packet is left alone.
  Packet q = tcp(kA, kB, 1234, 80, kAck);
  run(q, "ct");
  EXPECT_EQ(flow_extract(q.data(), q.size()).nw_src, kA);
}

TEST_F(ConntrackTest, SnatPortRangeKeepsRepliesUnique) {
  // Two hosts, same source port, one external address: ports differ.
  Packet p1 = udp(kA, kB, 4000, 53), p2 = udp(0x0a000003, kB, 4000, 53);
  run(p1, "ct(commit,nat(src=10.0.0.100:5000-5001))");
  run(p2, "ct(commit,nat(src=10.0.0.100:5000-5001))");
  Flow f1 = flow_extract(p1.data(), p1.size()), f2 = flow_extract(p2.data(), p2.size());
  EXPECT_EQ(f1.nw_src, 0x0a000064u);
  EXPECT_EQ(f2.nw_src, 0x0a000064u);
  EXPECT_NE(f1.tp_src, f2.tp_src);
  EXPECT_GE(f1.tp_src, 5000);
  EXPECT_LE(f2.tp_src, 5001);
  EXPECT_TRUE(csums_ok(p1));
  // The range is exhausted: a third connection cannot be translated.
  EXPECT_EQ(run(udp(0x0a000004, kB, 4000, 53), "ct(commit,nat(src=10.0.0.100:5000-5001))"),
            kTrk | kCsInvalid);
}

TEST_F(ConntrackTest, DnatToABackend) {
  Packet p = tcp(kA, 0x0a0000c8, 1234, 80, kSyn);  // to the VIP 10.0.0.200
  EXPECT_EQ(run(p, "ct(commit,nat(dst=10.0.0.2:8080))"), kTrk | kCsNew | kCsDstNat);
  Flow f = flow_extract(p.data(), p.size());
  EXPECT_EQ(f.nw_dst, kB);
  EXPECT_EQ(f.tp_dst, 8080);
  EXPECT_TRUE(csums_ok(p));
  Packet r = tcp(kB, kA, 8080, 1234, kSyn | kAck);
  run(r, "ct(nat)");
  f = flow_extract(r.data(), r.size());
  EXPECT_EQ(f.nw_src, 0x0a0000c8u);
  EXPECT_EQ(f.tp_src, 80);
  EXPECT_TRUE(csums_ok(r));
}

TEST_F(ConntrackTest, ExpiryAndLimits) {
  run(udp(kA, kB, 1, 2), "ct(commit)", 1000);
  EXPECT_EQ(ct_.sweep(1000 + 29000), 0u);
  EXPECT_EQ(ct_.sweep(1000 + 30000), 1u);
  // An expired connection is not found even before a sweep.
  run(udp(kA, kB, 1, 2), "ct(commit)", 100000);
  EXPECT_EQ(run(udp(kB, kA, 2, 1), "ct", 100000 + 31000), kTrk | kCsNew);

  ct_.flush(std::nullopt);
  ct_.set_zone_limit(7, 1);
  EXPECT_EQ(run(udp(kA, kB, 1, 2), "ct(commit,zone=7)"), kTrk | kCsNew);
  EXPECT_EQ(run(udp(kA, kB, 1, 3), "ct(commit,zone=7)"), kTrk | kCsInvalid);
  EXPECT_EQ(ct_.zone_count(7), 1u);
  ct_.set_max_conns(1);
  EXPECT_EQ(run(udp(kA, kB, 1, 4), "ct(commit)"), kTrk | kCsInvalid);
}

TEST_F(ConntrackTest, NonIpAndMalformed) {
  Flow f = make_flow();
  f.dl_type = 0x0806;
  auto arp = flow_compose(f);
  Packet p = Packet::copy_of(arp.data(), arp.size());
  EXPECT_EQ(run(p, "ct(commit)"), kTrk | kCsInvalid);
  uint8_t bad[] = {5, 0, 2, 0, 1};  // zone attribute with a 1-byte payload
  Packet q = udp(kA, kB, 1, 2);
  EXPECT_EQ(ct_.execute(q, md_, nl::Bytes(bad, sizeof bad), 0).error().code(), EINVAL);
}

}  // namespace
}  // namespace grebe::conntrack
