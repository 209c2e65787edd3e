// Software checksum completion and GSO segmentation on frames built byte
// by byte.  Checksums are verified with an independent, deliberately
// naive implementation (byte-pair loop over a copied pseudo-header).
#include "grebe/netdev/offload.h"

#include <gtest/gtest.h>

#include <numeric>

namespace grebe::netdev {
namespace {

using Bytes = std::vector<uint8_t>;

uint16_t rd16(const Bytes& d, size_t o) { return uint16_t(d[o] << 8 | d[o + 1]); }
uint32_t rd32(const Bytes& d, size_t o) { return uint32_t(rd16(d, o)) << 16 | rd16(d, o + 2); }
void wr16(Bytes& d, size_t o, uint16_t v) {
  d[o] = uint8_t(v >> 8);
  d[o + 1] = uint8_t(v);
}

// Naive RFC 1071 sum over a byte string (odd length padded), folded.
uint16_t naive_sum(const Bytes& b) {
  uint64_t s = 0;
  for (size_t i = 0; i < b.size(); i += 2) {
    s += uint64_t(b[i]) * 256 + (i + 1 < b.size() ? b[i + 1] : 0);
  }
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return uint16_t(s);
}

// The pseudo-header for the L4 part of `d` as bytes (RFC 793 / 8200).
Bytes pseudo(const Bytes& d, size_t l3, bool v6, uint8_t proto, size_t l4_len) {
  Bytes p;
  if (v6) {
    p.assign(d.begin() + long(l3 + 8), d.begin() + long(l3 + 40));
    p.insert(p.end(), {uint8_t(l4_len >> 24), uint8_t(l4_len >> 16), uint8_t(l4_len >> 8),
                       uint8_t(l4_len), 0, 0, 0, proto});
  } else {
    p.assign(d.begin() + long(l3 + 12), d.begin() + long(l3 + 20));
    p.insert(p.end(), {0, proto, uint8_t(l4_len >> 8), uint8_t(l4_len)});
  }
  return p;
}

// True if the L4 checksum of `d` (L4 at `l4`) verifies.
bool l4_csum_ok(const Bytes& d, size_t l3, size_t l4, bool v6, uint8_t proto) {
  Bytes all = pseudo(d, l3, v6, proto, d.size() - l4);
  all.insert(all.end(), d.begin() + long(l4), d.end());
  return naive_sum(all) == 0xffff;
}
bool ipv4_csum_ok(const Bytes& d, size_t l3) {
  Bytes h(d.begin() + long(l3), d.begin() + long(l3 + 20));
  return naive_sum(h) == 0xffff;
}

Bytes payload_of(size_t n) {
  Bytes p(n);
  for (size_t i = 0; i < n; i++) p[i] = uint8_t(i * 7 + i / 251);
  return p;
}

// Ethernet (+ optional VLAN tag) + IPv4 or IPv6 + TCP (20 bytes, flags
// `tcp_flags`, seq 0x11223344) or UDP + payload.  Checksums left 0.
Bytes build(bool v6, uint8_t proto, const Bytes& payload, uint8_t tcp_flags = 0x18,
            bool vlan = false) {
  Bytes d = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  if (vlan) d.insert(d.end(), {0x81, 0x00, 0x00, 0x0a});
  d.insert(d.end(), {uint8_t(v6 ? 0x86 : 0x08), uint8_t(v6 ? 0xdd : 0x00)});
  size_t l3 = d.size();
  size_t l4_len = (proto == 6 ? 20 : 8) + payload.size();
  if (v6) {
    d.insert(d.end(), {0x60, 0, 0, 0, uint8_t(l4_len >> 8), uint8_t(l4_len), proto, 64});
    for (int i = 0; i < 16; i++) d.push_back(i == 0 ? 0xfd : i == 15 ? 1 : 0);
    for (int i = 0; i < 16; i++) d.push_back(i == 0 ? 0xfd : i == 15 ? 2 : 0);
  } else {
    size_t tot = 20 + l4_len;
    d.insert(d.end(), {0x45,
                       0,
                       uint8_t(tot >> 8),
                       uint8_t(tot),
                       0x12,
                       0x34,
                       0x40,
                       0,
                       64,
                       proto,
                       0,
                       0,
                       10,
                       0,
                       0,
                       1,
                       10,
                       0,
                       0,
                       2});
    Bytes h(d.begin() + long(l3), d.end());
    wr16(d, l3 + 10, uint16_t(~naive_sum(h)));
  }
  if (proto == 6) {
    d.insert(d.end(), {0x9c, 0x40, 0x14, 0x51,      0x11, 0x22, 0x33, 0x44, 0, 0,
                       0,    9,    0x50, tcp_flags, 0xff, 0xff, 0,    0,    0, 0});
  } else {
    d.insert(d.end(), {0x9c, 0x40, 0x14, 0x51, uint8_t(l4_len >> 8), uint8_t(l4_len), 0, 0});
  }
  d.insert(d.end(), payload.begin(), payload.end());
  return d;
}

// Puts the pseudo-header sum in the L4 checksum field, as a sender's stack
// does for CHECKSUM_PARTIAL, and sets the vnet header to match.
Packet make_partial(Bytes d, size_t l3, bool v6, uint8_t proto) {
  size_t l4 = l3 + (v6 ? 40 : 20);
  size_t field = proto == 6 ? 16 : 6;
  uint16_t ps = naive_sum(pseudo(d, l3, v6, proto, d.size() - l4));
  wr16(d, l4 + field, ps);
  Packet p;
  p.data = std::move(d);
  p.vnet.flags = VnetHdr::kNeedsCsum;
  p.vnet.csum_start = uint16_t(l4);
  p.vnet.csum_offset = uint16_t(field);
  return p;
}

TEST(Offload, CompletesTcpV4PartialChecksum) {
  Packet p = make_partial(build(false, 6, payload_of(1001)), 14, false, 6);
  EXPECT_FALSE(l4_csum_ok(p.data, 14, 34, false, 6));
  ASSERT_TRUE(complete_csum(p).ok());
  EXPECT_TRUE(l4_csum_ok(p.data, 14, 34, false, 6));
  EXPECT_EQ(p.vnet.flags & VnetHdr::kNeedsCsum, 0);
}

TEST(Offload, CompletesUdpV6PartialChecksum) {
  Packet p = make_partial(build(true, 17, payload_of(333)), 14, true, 17);
  ASSERT_TRUE(complete_csum(p).ok());
  EXPECT_TRUE(l4_csum_ok(p.data, 14, 54, true, 17));
  EXPECT_NE(rd16(p.data, 54 + 6), 0);  // never "no checksum" for UDP
}

TEST(Offload, CompleteChecksumRejectsOffsetsOutsideFrame) {
  Packet p = make_partial(build(false, 6, payload_of(10)), 14, false, 6);
  Bytes before = p.data;
  p.vnet.csum_offset = 5000;
  EXPECT_EQ(complete_csum(p).error().code(), EINVAL);
  p.vnet.csum_start = uint16_t(p.data.size());
  p.vnet.csum_offset = 0;
  EXPECT_EQ(complete_csum(p).error().code(), EINVAL);
  EXPECT_EQ(p.data, before);
}

// Checks a TCP segmentation result against the original super-frame.
void check_tcp_segments(const PacketBatch& segs, const Bytes& payload, size_t mss, bool v6,
                        size_t l3) {
  size_t l4 = l3 + (v6 ? 40 : 20);
  size_t hlen = l4 + 20;
  ASSERT_EQ(segs.size(), (payload.size() + mss - 1) / mss);
  Bytes joined;
  for (size_t i = 0; i < segs.size(); i++) {
    const Bytes& d = segs[i].data;
    size_t chunk = std::min(mss, payload.size() - i * mss);
    ASSERT_EQ(d.size(), hlen + chunk) << "segment " << i;
    if (v6) {
      EXPECT_EQ(rd16(d, l3 + 4), 20 + chunk);
    } else {
      EXPECT_EQ(rd16(d, l3 + 2), 40 + chunk);
      EXPECT_EQ(rd16(d, l3 + 4), uint16_t(0x1234 + i));
      EXPECT_TRUE(ipv4_csum_ok(d, l3)) << "segment " << i;
    }
    EXPECT_EQ(rd32(d, l4 + 4), 0x11223344u + i * mss);
    uint8_t flags = d[l4 + 13];
    bool last = i + 1 == segs.size();
    EXPECT_EQ((flags & 0x01) != 0, last) << "FIN, segment " << i;
    EXPECT_EQ((flags & 0x08) != 0, last) << "PSH, segment " << i;
    EXPECT_EQ((flags & 0x80) != 0, i == 0) << "CWR, segment " << i;
    EXPECT_TRUE(flags & 0x10);  // ACK everywhere
    EXPECT_TRUE(l4_csum_ok(d, l3, l4, v6, 6)) << "segment " << i;
    EXPECT_EQ(segs[i].vnet.gso_type, VnetHdr::kGsoNone);
    EXPECT_EQ(segs[i].vnet.flags, 0);
    joined.insert(joined.end(), d.begin() + long(hlen), d.end());
  }
  EXPECT_EQ(joined, payload);
}

TEST(Offload, Segments64kTso4Frame) {
  Bytes payload = payload_of(65495);  // the largest IPv4 TCP payload
  Packet p = make_partial(build(false, 6, payload, 0x99), 14, false, 6);  // CWR|ACK|PSH|FIN
  p.vnet.gso_type = VnetHdr::kGsoTcpv4;
  p.vnet.gso_size = 1448;
  p.vnet.hdr_len = 54;
  PacketBatch out;
  ASSERT_TRUE(segment(p, out).ok());
  check_tcp_segments(out, payload, 1448, false, 14);
}

TEST(Offload, SegmentsTso6FrameBehindVlanTag) {
  Bytes payload = payload_of(20000);
  Packet p = make_partial(build(true, 6, payload, 0x99, true), 18, true, 6);
  p.vnet.gso_type = VnetHdr::kGsoTcpv6 | VnetHdr::kGsoEcn;
  p.vnet.gso_size = 1428;
  PacketBatch out;
  ASSERT_TRUE(segment(p, out).ok());
  check_tcp_segments(out, payload, 1428, true, 18);
  EXPECT_EQ(rd16(out[0].data, 12), 0x8100);
}

TEST(Offload, SegmentsUdpL4) {
  Bytes payload = payload_of(4000);
  Packet p = make_partial(build(false, 17, payload), 14, false, 17);
  p.vnet.gso_type = VnetHdr::kGsoUdpL4;
  p.vnet.gso_size = 1400;
  PacketBatch out;
  ASSERT_TRUE(segment(p, out).ok());
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < out.size(); i++) {
    const Bytes& d = out[i].data;
    size_t chunk = i < 2 ? 1400 : 1200;
    ASSERT_EQ(d.size(), 42 + chunk);
    EXPECT_EQ(rd16(d, 34 + 4), 8 + chunk);
    EXPECT_EQ(rd16(d, 16), 28 + chunk);
    EXPECT_TRUE(ipv4_csum_ok(d, 14));
    EXPECT_TRUE(l4_csum_ok(d, 14, 34, false, 17));
    EXPECT_TRUE(std::equal(d.begin() + 42, d.end(), payload.begin() + long(i * 1400)));
  }
}

TEST(Offload, MalformedGsoFramesAreErrorsNotCrashes) {
  Packet p = make_partial(build(false, 6, payload_of(3000)), 14, false, 6);
  p.vnet.gso_type = VnetHdr::kGsoTcpv4;
  PacketBatch out;
  p.vnet.gso_size = 0;
  EXPECT_EQ(segment(p, out).error().code(), EINVAL);
  p.vnet.gso_size = 1000;
  p.vnet.gso_type = VnetHdr::kGsoUdpL4;  // but it is TCP
  EXPECT_EQ(segment(p, out).error().code(), EINVAL);
  p.vnet.gso_type = VnetHdr::kGsoUdp;
  EXPECT_EQ(segment(p, out).error().code(), EOPNOTSUPP);
  p.vnet.gso_type = VnetHdr::kGsoTcpv4;
  for (size_t len : {0, 13, 20, 33, 40, 53}) {
    Packet t = p;
    t.data.resize(len);
    EXPECT_EQ(segment(t, out).error().code(), EINVAL) << len;
  }
  Packet bad_doff = p;
  bad_doff.data[34 + 12] = 0x20;  // data offset 8 bytes
  EXPECT_EQ(segment(bad_doff, out).error().code(), EINVAL);
  EXPECT_TRUE(out.empty());
}

TEST(Offload, PolicyPassesThroughOrFinishesInSoftware) {
  Packet p = make_partial(build(false, 6, payload_of(9000), 0x99), 14, false, 6);
  p.vnet.gso_type = VnetHdr::kGsoTcpv4;
  p.vnet.gso_size = 1448;
  OffloadInfo vnet{true, true, true}, plain{};

  PacketBatch out;
  ASSERT_TRUE(prepare_tx(Packet(p), vnet, TxOffloadPolicy::kAuto, out).ok());
  ASSERT_EQ(out.size(), 1u);  // untouched super-frame
  EXPECT_EQ(out[0].data, p.data);
  EXPECT_EQ(out[0].vnet.gso_size, 1448);

  out.clear();
  ASSERT_TRUE(prepare_tx(Packet(p), vnet, TxOffloadPolicy::kSoftware, out).ok());
  check_tcp_segments(out, payload_of(9000), 1448, false, 14);

  out.clear();
  ASSERT_TRUE(prepare_tx(Packet(p), plain, TxOffloadPolicy::kAuto, out).ok());
  check_tcp_segments(out, payload_of(9000), 1448, false, 14);

  // A partial checksum alone: passed through, or completed.
  Packet c = make_partial(build(false, 6, payload_of(100)), 14, false, 6);
  out.clear();
  ASSERT_TRUE(prepare_tx(Packet(c), vnet, TxOffloadPolicy::kAuto, out).ok());
  EXPECT_EQ(out[0].vnet.flags, VnetHdr::kNeedsCsum);
  out.clear();
  ASSERT_TRUE(prepare_tx(Packet(c), plain, TxOffloadPolicy::kAuto, out).ok());
  EXPECT_EQ(out[0].vnet.flags, 0);
  EXPECT_TRUE(l4_csum_ok(out[0].data, 14, 34, false, 6));
}

TEST(Offload, CsumHelpersMatchRfc1071Example) {
  // RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
  const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(fold_csum(csum_add_bytes(0, b, sizeof b)), uint16_t(~0xddf2));
}

}  // namespace
}  // namespace grebe::netdev
