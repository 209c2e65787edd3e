// Software checksum completion and GSO segmentation.  See
// grebe/netdev/offload.h.
#include "grebe/netdev/offload.h"

#include <algorithm>
#include <cstring>

namespace grebe::netdev {

namespace {

constexpr uint8_t kIpprotoTcp = 6, kIpprotoUdp = 17;
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
uint32_t get32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

// Where the headers of a TCP or UDP frame are.
struct Layout {
  size_t l3 = 0;  // IP header offset
  bool ipv6 = false;
  size_t l4 = 0;  // TCP/UDP header offset
  uint8_t proto = 0;
  size_t l4_hlen = 0;  // TCP header with options, or 8 for UDP
};

Error bad(const char* why) { return Error(EINVAL, std::string("offload: ") + why); }

// Finds L4 behind IPv6 and the extension headers a sender may put before
// TCP/UDP (hop-by-hop, routing, destination options).  Fragments cannot be
// segmented.
Status parse_ipv6(const std::vector<uint8_t>& d, Layout& l) {
  if (d.size() < l.l3 + 40) return bad("truncated IPv6 header");
  uint8_t nh = d[l.l3 + 6];
  size_t off = l.l3 + 40;
  for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60); i++) {
    if (d.size() < off + 8) return bad("truncated IPv6 extension header");
    nh = d[off];
    off += (size_t(d[off + 1]) + 1) * 8;
  }
  l.proto = nh;
  l.l4 = off;
  return ok_status();
}

Status parse_ipv4(const std::vector<uint8_t>& d, Layout& l) {
  if (d.size() < l.l3 + 20) return bad("truncated IPv4 header");
  const uint8_t* ip = &d[l.l3];
  size_t ihl = size_t(ip[0] & 0x0f) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || d.size() < l.l3 + ihl) return bad("bad IPv4 header");
  if (get16(ip + 6) & 0x3fff) return bad("IPv4 fragment");
  l.proto = ip[9];
  l.l4 = l.l3 + ihl;
  return ok_status();
}

Result<Layout> parse(const std::vector<uint8_t>& d) {
  Layout l;
  size_t off = 12;
  if (d.size() < 14) return bad("truncated Ethernet header");
  uint16_t type = get16(&d[off]);
  while (type == 0x8100 || type == 0x88a8) {  // VLAN tags
    off += 4;
    if (d.size() < off + 2) return bad("truncated VLAN header");
    type = get16(&d[off]);
  }
  l.l3 = off + 2;
  if (type == 0x0800) {
    GREBE_TRY(parse_ipv4(d, l));
  } else if (type == 0x86dd) {
    l.ipv6 = true;
    GREBE_TRY(parse_ipv6(d, l));
  } else {
    return bad("not IP");
  }
  if (l.proto == kIpprotoTcp) {
    if (d.size() < l.l4 + 20) return bad("truncated TCP header");
    l.l4_hlen = size_t(d[l.l4 + 12] >> 4) * 4;
    if (l.l4_hlen < 20 || d.size() < l.l4 + l.l4_hlen) return bad("bad TCP header length");
  } else if (l.proto == kIpprotoUdp) {
    if (d.size() < l.l4 + 8) return bad("truncated UDP header");
    l.l4_hlen = 8;
  } else {
    return bad("not TCP or UDP");
  }
  return l;
}

// The pseudo-header sum (RFC 793 / RFC 8200 section 8.1) for `l4_len`
// bytes of L4.
uint32_t pseudo_sum(const std::vector<uint8_t>& d, const Layout& l, size_t l4_len) {
  uint32_t sum = l.ipv6 ? csum_add_bytes(0, &d[l.l3 + 8], 32) : csum_add_bytes(0, &d[l.l3 + 12], 8);
  sum += l.proto;
  sum += static_cast<uint32_t>(l4_len >> 16) + static_cast<uint32_t>(l4_len & 0xffff);
  return sum;
}

// Rewrites the lengths, IPv4 id/checksum and the full L4 checksum of one
// finished segment `d` (the `index`-th).
void fix_segment(std::vector<uint8_t>& d, const Layout& l, uint16_t index) {
  uint8_t* ip = &d[l.l3];
  if (l.ipv6) {
    put16(ip + 4, static_cast<uint16_t>(d.size() - l.l3 - 40));
  } else {
    put16(ip + 2, static_cast<uint16_t>(d.size() - l.l3));
    put16(ip + 4, static_cast<uint16_t>(get16(ip + 4) + index));
    put16(ip + 10, 0);
    put16(ip + 10, fold_csum(csum_add_bytes(0, ip, l.l4 - l.l3)));
  }
  size_t l4_len = d.size() - l.l4;
  size_t csum_field = l.l4 + (l.proto == kIpprotoTcp ? 16 : 6);
  if (l.proto == kIpprotoUdp) put16(&d[l.l4 + 4], static_cast<uint16_t>(l4_len));
  put16(&d[csum_field], 0);
  uint16_t csum = fold_csum(csum_add_bytes(pseudo_sum(d, l, l4_len), &d[l.l4], l4_len));
  if (csum == 0 && l.proto == kIpprotoUdp) csum = 0xffff;  // 0 means "none" in UDP
  put16(&d[csum_field], csum);
}

}  // namespace

uint32_t csum_add_bytes(uint32_t sum, const uint8_t* data, size_t len) {
  // 64-bit accumulator: no carry is lost even for 64 kB frames.
  uint64_t acc = sum;
  size_t i = 0;
  for (; i + 1 < len; i += 2) acc += get16(data + i);
  if (i < len) acc += uint32_t(data[i]) << 8;
  while (acc >> 32) acc = (acc & 0xffffffff) + (acc >> 32);
  return static_cast<uint32_t>(acc);
}

uint16_t fold_csum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Status complete_csum(Packet& p) {
  if (!(p.vnet.flags & VnetHdr::kNeedsCsum)) return ok_status();
  size_t start = p.vnet.csum_start;
  size_t field = start + p.vnet.csum_offset;
  if (start >= p.data.size() || field + 2 > p.data.size()) {
    return bad("checksum offsets beyond the frame");
  }
  // The field holds the pseudo-header sum, so summing through it gives
  // the whole checksum.  A computed 0 is sent as 0xffff, as Linux does
  // (equivalent for TCP, mandatory for UDP).
  uint16_t csum = fold_csum(csum_add_bytes(0, &p.data[start], p.data.size() - start));
  put16(&p.data[field], csum ? csum : 0xffff);
  p.vnet.flags &= static_cast<uint8_t>(~VnetHdr::kNeedsCsum);
  return ok_status();
}

Status segment(const Packet& p, PacketBatch& out) {
  uint8_t gso = p.vnet.gso_type & static_cast<uint8_t>(~VnetHdr::kGsoEcn);
  if (gso == VnetHdr::kGsoNone) {
    Packet copy = p;
    GREBE_TRY(complete_csum(copy));
    out.push_back(std::move(copy));
    return ok_status();
  }
  if (gso == VnetHdr::kGsoUdp) return Error(EOPNOTSUPP, "offload: UDP fragmentation offload");
  auto parsed = parse(p.data);
  if (!parsed.ok()) return parsed.take_error();
  const Layout& l = *parsed;
  bool want_tcp = gso == VnetHdr::kGsoTcpv4 || gso == VnetHdr::kGsoTcpv6;
  if (gso != VnetHdr::kGsoUdpL4 && !want_tcp) return bad("unknown GSO type");
  if (want_tcp != (l.proto == kIpprotoTcp)) return bad("GSO type does not match L4 protocol");
  if (p.vnet.gso_size == 0) return bad("GSO size 0");

  size_t hlen = l.l4 + l.l4_hlen;
  size_t payload = p.data.size() - hlen;
  size_t mss = p.vnet.gso_size;
  size_t n = std::max<size_t>(1, (payload + mss - 1) / mss);
  uint32_t seq = l.proto == kIpprotoTcp ? get32(&p.data[l.l4 + 4]) : 0;
  for (size_t i = 0; i < n; i++) {
    size_t off = i * mss;
    size_t chunk = std::min(mss, payload - off);
    Packet seg;
    seg.data.reserve(hlen + chunk);
    seg.data.assign(p.data.begin(), p.data.begin() + static_cast<ptrdiff_t>(hlen));
    seg.data.insert(seg.data.end(), p.data.begin() + static_cast<ptrdiff_t>(hlen + off),
                    p.data.begin() + static_cast<ptrdiff_t>(hlen + off + chunk));
    if (l.proto == kIpprotoTcp) {
      put32(&seg.data[l.l4 + 4], seq + static_cast<uint32_t>(off));
      uint8_t& flags = seg.data[l.l4 + 13];
      if (i + 1 < n) flags &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
      if (i > 0) flags &= static_cast<uint8_t>(~kTcpCwr);
    }
    fix_segment(seg.data, l, static_cast<uint16_t>(i));
    out.push_back(std::move(seg));
  }
  return ok_status();
}

Status prepare_tx(Packet&& p, const OffloadInfo& info, TxOffloadPolicy policy, PacketBatch& out) {
  bool hw = policy == TxOffloadPolicy::kAuto && info.vnet_hdr;
  bool gso = (p.vnet.gso_type & static_cast<uint8_t>(~VnetHdr::kGsoEcn)) != VnetHdr::kGsoNone;
  if (gso) {
    if (hw && info.tso && info.tx_csum) {
      out.push_back(std::move(p));
      return ok_status();
    }
    return segment(p, out);
  }
  if ((p.vnet.flags & VnetHdr::kNeedsCsum) && !(hw && info.tx_csum)) {
    GREBE_TRY(complete_csum(p));
  }
  if (!hw) p.vnet = VnetHdr{};
  out.push_back(std::move(p));
  return ok_status();
}

}  // namespace grebe::netdev
