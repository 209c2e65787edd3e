// OVS-compatible flow hashes.
#include "xlate/xlate_hash.h"

#include <arpa/inet.h>

#include <cstring>

#include "grebe/util/hash.h"

namespace grebe::xlate {

namespace {

constexpr uint32_t rot(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

void jmix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= c, a ^= rot(c, 4), c += b;
  b -= a, b ^= rot(a, 6), a += c;
  c -= b, c ^= rot(b, 8), b += a;
  a -= c, a ^= rot(c, 16), c += b;
  b -= a, b ^= rot(a, 19), a += c;
  c -= b, c ^= rot(b, 4), b += a;
}

void jfinal(uint32_t& a, uint32_t& b, uint32_t& c) {
  c ^= b, c -= rot(b, 14);
  a ^= c, a -= rot(c, 11);
  b ^= a, b -= rot(a, 25);
  c ^= b, c -= rot(b, 16);
  a ^= c, a -= rot(c, 4);
  b ^= a, b -= rot(a, 14);
  c ^= b, c -= rot(b, 24);
}

}  // namespace

uint32_t ovs_jhash_bytes(const void* p_, size_t n, uint32_t basis) {
  const uint8_t* p = static_cast<const uint8_t*>(p_);
  uint32_t a, b, c;
  a = b = c = 0xdeadbeef + static_cast<uint32_t>(n) + basis;
  while (n >= 12) {
    uint32_t w[3];
    std::memcpy(w, p, 12);
    a += w[0], b += w[1], c += w[2];
    jmix(a, b, c);
    n -= 12;
    p += 12;
  }
  if (n) {
    uint32_t w[3] = {0, 0, 0};
    std::memcpy(w, p, n);
    a += w[0], b += w[1], c += w[2];
    jfinal(a, b, c);
  }
  return c;
}

uint32_t ovs_hash_2words(uint32_t x, uint32_t y) {
  return hash_finish(hash_add(hash_add(x, 0), y), 8);
}

namespace {

bool is_tcp_or_sctp(uint8_t p) { return p == kIpProtoTcp || p == kIpProtoSctp; }

uint32_t symmetric_l4(const Flow& f, uint32_t basis) {
  // OVS's layout: address union, eth_type, vlan_tci, tp_port, eth_addr,
  // ip_proto, all in network order, padded to 32 bytes.
  struct Fields {
    uint8_t addr[16];
    uint16_t eth_type;
    uint16_t vlan_tci;
    uint16_t tp_port;
    uint8_t eth_addr[6];
    uint8_t ip_proto;
    uint8_t pad[3];
  } x;
  static_assert(sizeof(Fields) == 32);
  std::memset(&x, 0, sizeof x);
  for (int i = 0; i < 6; ++i) x.eth_addr[i] = f.dl_src.b[i] ^ f.dl_dst.b[i];
  uint16_t tci = 0;
  for (const FlowVlan& v : f.vlans) tci ^= v.tci & kVlanVidMask;
  x.vlan_tci = htons(tci);
  x.eth_type = htons(f.dl_type);
  if (f.dl_type == kEthTypeIp) {
    uint32_t a = htonl(f.nw_src ^ f.nw_dst);
    std::memcpy(x.addr, &a, 4);
  } else if (f.dl_type == kEthTypeIpv6) {
    for (int i = 0; i < 16; ++i) x.addr[i] = f.ipv6_src.b[i] ^ f.ipv6_dst.b[i];
  }
  if (f.is_ip()) {
    x.ip_proto = f.nw_proto;
    if (is_tcp_or_sctp(f.nw_proto)) x.tp_port = htons(f.tp_src ^ f.tp_dst);
  }
  return ovs_jhash_bytes(&x, sizeof x, basis);
}

uint32_t symmetric_l3(const Flow& f, uint32_t basis) {
  struct Fields {
    uint8_t addr[16];
    uint16_t eth_type;
    uint16_t pad;
  } x;
  std::memset(&x, 0, sizeof x);
  x.eth_type = htons(f.dl_type);
  if (f.dl_type == kEthTypeIp) {
    uint32_t a = htonl(f.nw_src ^ f.nw_dst);
    std::memcpy(x.addr, &a, 4);
  } else if (f.dl_type == kEthTypeIpv6) {
    for (int i = 0; i < 16; ++i) x.addr[i] = f.ipv6_src.b[i] ^ f.ipv6_dst.b[i];
  }
  return ovs_jhash_bytes(&x, sizeof x, basis);
}

uint32_t symmetric_l3l4(const Flow& f, uint32_t basis, bool udp) {
  uint32_t h = basis;
  if (f.dl_type == kEthTypeIp) {
    h = hash_add(h, htonl(f.nw_src ^ f.nw_dst));
  } else if (f.dl_type == kEthTypeIpv6) {
    for (int i = 0; i < 2; ++i) {
      uint64_t a, b;
      std::memcpy(&a, f.ipv6_src.b + 8 * i, 8);
      std::memcpy(&b, f.ipv6_dst.b + 8 * i, 8);
      h = hash_add64(h, a ^ b);
    }
  } else {
    return symmetric_l4(f, basis);  // L2 only (OVS hashes L2 here too)
  }
  h = hash_add(h, f.nw_proto);
  if (!(f.nw_frag & kFlowNwFragMask) &&
      (is_tcp_or_sctp(f.nw_proto) || (udp && f.nw_proto == kIpProtoUdp)))
    h = hash_add(h, htons(static_cast<uint16_t>(f.tp_src ^ f.tp_dst)));
  return hash_finish(h, basis);
}

void ones(EthAddr& e) { std::memset(e.b, 0xff, 6); }
void ones(In6Addr& a) { std::memset(a.b, 0xff, 16); }

}  // namespace

uint32_t flow_hash_fields(const Flow& f, std::string_view fields, uint16_t basis) {
  if (fields == "eth_src") return ovs_jhash_bytes(f.dl_src.b, 6, basis);
  if (fields == "symmetric_l3l4") return symmetric_l3l4(f, basis, false);
  if (fields == "symmetric_l3l4+udp") return symmetric_l3l4(f, basis, true);
  if (fields == "symmetric_l3") return symmetric_l3(f, basis);
  if (fields == "nw_src" || fields == "nw_dst") {
    bool src = fields == "nw_src";
    if (f.dl_type == kEthTypeIp) {
      uint32_t a = htonl(src ? f.nw_src : f.nw_dst);
      return ovs_jhash_bytes(&a, 4, basis);
    }
    if (f.dl_type == kEthTypeIpv6) return ovs_jhash_bytes((src ? f.ipv6_src : f.ipv6_dst).b, 16, basis);
    return basis;
  }
  return symmetric_l4(f, basis);
}

void flow_mask_hash_fields(const Flow& f, FlowWildcards& wc, std::string_view fields) {
  Flow& m = wc.masks;
  bool v4 = f.dl_type == kEthTypeIp, v6 = f.dl_type == kEthTypeIpv6;
  auto l3_src = [&] { v4 ? void(m.nw_src = ~0u) : v6 ? ones(m.ipv6_src) : void(); };
  auto l3_dst = [&] { v4 ? void(m.nw_dst = ~0u) : v6 ? ones(m.ipv6_dst) : void(); };
  if (fields == "eth_src") {
    ones(m.dl_src);
  } else if (fields == "nw_src") {
    l3_src();
  } else if (fields == "nw_dst") {
    l3_dst();
  } else if (fields == "symmetric_l3") {
    l3_src(), l3_dst();
  } else if (fields == "symmetric_l3l4" || fields == "symmetric_l3l4+udp") {
    if (!v4 && !v6) return;
    l3_src(), l3_dst();
    m.nw_proto = 0xff;
    bool frag = f.nw_frag & kFlowNwFragMask;
    bool ports = is_tcp_or_sctp(f.nw_proto) ||
                 (fields == "symmetric_l3l4+udp" && f.nw_proto == kIpProtoUdp);
    if (ports && !frag) m.tp_src = m.tp_dst = 0xffff;
  } else {  // symmetric_l4
    ones(m.dl_src), ones(m.dl_dst);
    l3_src(), l3_dst();
    if (f.is_ip()) {
      m.nw_proto = 0xff;
      if (f.nw_proto == kIpProtoIcmp)
        m.tp_src = m.tp_dst = 0xff;
      else if (f.nw_proto != kIpProtoUdp)
        m.tp_src = m.tp_dst = 0xffff;
    }
    for (FlowVlan& v : m.vlans) v.tci |= kVlanVidMask | kVlanCfi;
  }
}

}  // namespace grebe::xlate
