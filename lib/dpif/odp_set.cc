// set(...) / set_masked(...) on packet headers and metadata.  See
// grebe/dpif/odp_execute.h.  Checksums are fixed incrementally (RFC 1624)
// so a rewrite costs the same whatever the packet length.
#include <cstddef>
#include <linux/openvswitch.h>

#include <cstring>

#include "grebe/dpif/odp_execute.h"
#include "grebe/packet/csum.h"
#include "grebe/packet/headers.h"
#include "grebe/util/byteorder.h"

namespace grebe::dpif {
namespace {

// dst = (key & mask) | (dst & ~mask), byte by byte; mask == nullptr is exact.
void masked_copy(uint8_t* dst, const uint8_t* key, const uint8_t* mask, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t m = mask ? mask[i] : 0xff;
    dst[i] = static_cast<uint8_t>((key[i] & m) | (dst[i] & ~m));
  }
}

template <typename T>
T masked_value(T old_value, T key, T mask) {
  return static_cast<T>((key & mask) | (old_value & ~mask));
}

Status bad_len(const char* what) {
  return Error(EINVAL, std::string("bad length for set ") + what);
}

// Where the L4 checksum lives (nullptr if none applies), given the
// extracted layers: TCP always, UDP unless it carries no checksum.
uint8_t* l4_csum_ptr(Packet& pkt, uint8_t proto) {
  int l4 = pkt.layers().l4;
  if (l4 < 0) return nullptr;
  size_t avail = pkt.size() - static_cast<size_t>(l4);
  uint8_t* p = pkt.data() + l4;
  if (proto == kIpProtoTcp && avail >= sizeof(TcpHeader)) {
    return reinterpret_cast<TcpHeader*>(p)->csum_be;
  }
  if (proto == kIpProtoUdp && avail >= sizeof(UdpHeader)) {
    auto* udp = reinterpret_cast<UdpHeader*>(p);
    return load_be16(udp->csum_be) ? udp->csum_be : nullptr;
  }
  if ((proto == kIpProtoIcmpv6) && avail >= sizeof(IcmpHeader)) {
    return reinterpret_cast<IcmpHeader*>(p)->csum_be;
  }
  return nullptr;
}

void fix_csum16(uint8_t* csum_be, uint16_t old_v, uint16_t new_v, bool udp) {
  if (!csum_be) return;
  uint16_t c = recalc_csum16(load_be16(csum_be), old_v, new_v);
  store_be16(csum_be, (udp && c == 0) ? 0xffff : c);
}
void fix_csum32(uint8_t* csum_be, uint32_t old_v, uint32_t new_v, bool udp) {
  if (!csum_be) return;
  uint16_t c = recalc_csum32(load_be16(csum_be), old_v, new_v);
  store_be16(csum_be, (udp && c == 0) ? 0xffff : c);
}

Status set_ethernet(Packet& pkt, const uint8_t* key, const uint8_t* mask, size_t len) {
  if (len != sizeof(ovs_key_ethernet)) return bad_len("eth");
  if (pkt.size() < sizeof(EthHeader)) return ok_status();
  auto* eth = reinterpret_cast<EthHeader*>(pkt.data());
  masked_copy(eth->src.b, key, mask, 6);
  masked_copy(eth->dst.b, key + 6, mask ? mask + 6 : nullptr, 6);
  return ok_status();
}

void set_ipv4_addr(Packet& pkt, Ipv4Header* ip, uint8_t* field, uint32_t new_v) {
  uint32_t old_v = load_be32(field);
  if (old_v == new_v) return;
  bool later_frag = load_be16(ip->frag_off_be) & kIpFragOffMask;
  if (!later_frag) fix_csum32(l4_csum_ptr(pkt, ip->proto), old_v, new_v, ip->proto == kIpProtoUdp);
  fix_csum32(ip->csum_be, old_v, new_v, false);
  store_be32(field, new_v);
}

Status set_ipv4(Packet& pkt, const uint8_t* key_p, const uint8_t* mask_p, size_t len) {
  if (len != sizeof(ovs_key_ipv4)) return bad_len("ipv4");
  int l3 = pkt.layers().l3;
  if (l3 < 0 || pkt.size() < static_cast<size_t>(l3) + sizeof(Ipv4Header)) return ok_status();
  auto* ip = reinterpret_cast<Ipv4Header*>(pkt.data() + l3);
  ovs_key_ipv4 key, mask;
  std::memcpy(&key, key_p, sizeof key);
  if (mask_p) {
    std::memcpy(&mask, mask_p, sizeof mask);
  } else {
    std::memset(&mask, 0xff, sizeof mask);
  }
  set_ipv4_addr(
      pkt, ip, ip->src,
      masked_value(load_be32(ip->src), load_be32(&key.ipv4_src), load_be32(&mask.ipv4_src)));
  set_ipv4_addr(
      pkt, ip, ip->dst,
      masked_value(load_be32(ip->dst), load_be32(&key.ipv4_dst), load_be32(&mask.ipv4_dst)));
  uint8_t tos = masked_value(ip->tos, key.ipv4_tos, mask.ipv4_tos);
  if (tos != ip->tos) {
    fix_csum16(ip->csum_be, static_cast<uint16_t>(ip->ihl_ver << 8 | ip->tos),
               static_cast<uint16_t>(ip->ihl_ver << 8 | tos), false);
    ip->tos = tos;
  }
  uint8_t ttl = masked_value(ip->ttl, key.ipv4_ttl, mask.ipv4_ttl);
  if (ttl != ip->ttl) {
    fix_csum16(ip->csum_be, static_cast<uint16_t>(ip->ttl << 8 | ip->proto),
               static_cast<uint16_t>(ttl << 8 | ip->proto), false);
    ip->ttl = ttl;
  }
  return ok_status();
}

void set_ipv6_addr(Packet& pkt, uint8_t proto, In6Addr* addr, const uint8_t* key,
                   const uint8_t* mask) {
  In6Addr new_addr = *addr;
  masked_copy(new_addr.b, key, mask, 16);
  if (new_addr == *addr) return;
  uint8_t* csum_be = l4_csum_ptr(pkt, proto);
  if (csum_be) {
    uint16_t c = recalc_csum128(load_be16(csum_be), *addr, new_addr);
    store_be16(csum_be, (proto == kIpProtoUdp && c == 0) ? 0xffff : c);
  }
  *addr = new_addr;
}

Status set_ipv6(Packet& pkt, const uint8_t* key_p, const uint8_t* mask_p, size_t len) {
  if (len != sizeof(ovs_key_ipv6)) return bad_len("ipv6");
  int l3 = pkt.layers().l3;
  if (l3 < 0 || pkt.size() < static_cast<size_t>(l3) + sizeof(Ipv6Header)) return ok_status();
  auto* ip6 = reinterpret_cast<Ipv6Header*>(pkt.data() + l3);
  ovs_key_ipv6 key, mask;
  std::memcpy(&key, key_p, sizeof key);
  if (mask_p) {
    std::memcpy(&mask, mask_p, sizeof mask);
  } else {
    std::memset(&mask, 0xff, sizeof mask);
  }
  // The upper-layer protocol decides which checksum covers the addresses.
  uint8_t proto = key.ipv6_proto;
  if (pkt.layers().l4 >= 0) {
    Flow f = flow_extract(pkt.data(), pkt.size());
    proto = f.nw_proto;
  }
  auto* ksrc = reinterpret_cast<const uint8_t*>(key.ipv6_src);
  auto* msrc = reinterpret_cast<const uint8_t*>(mask.ipv6_src);
  auto* kdst = reinterpret_cast<const uint8_t*>(key.ipv6_dst);
  auto* mdst = reinterpret_cast<const uint8_t*>(mask.ipv6_dst);
  set_ipv6_addr(pkt, proto, &ip6->src, ksrc, msrc);
  set_ipv6_addr(pkt, proto, &ip6->dst, kdst, mdst);
  uint32_t vtc = load_be32(ip6->vtc_flow_be);
  uint32_t tc_mask = uint32_t{mask.ipv6_tclass} << 20;
  uint32_t label_mask = load_be32(&mask.ipv6_label) & kIpv6LabelMask;
  uint32_t new_bits =
      (uint32_t{key.ipv6_tclass} << 20) | (load_be32(&key.ipv6_label) & kIpv6LabelMask);
  vtc = masked_value(vtc, new_bits, tc_mask | label_mask);
  store_be32(ip6->vtc_flow_be, vtc);
  ip6->hlim = masked_value(ip6->hlim, key.ipv6_hlimit, mask.ipv6_hlimit);
  return ok_status();
}

// TCP / UDP / SCTP ports: the first four bytes of each header.
Status set_ports(Packet& pkt, uint8_t proto, const uint8_t* key, const uint8_t* mask, size_t len) {
  if (len != 4) return bad_len("l4 ports");
  int l4 = pkt.layers().l4;
  Flow f = flow_extract(pkt.data(), pkt.size());
  if (l4 < 0 || f.nw_proto != proto) return ok_status();
  size_t need = proto == kIpProtoTcp   ? sizeof(TcpHeader)
                : proto == kIpProtoUdp ? sizeof(UdpHeader)
                                       : sizeof(SctpHeader);
  if (pkt.size() < static_cast<size_t>(l4) + need) return ok_status();
  uint8_t* h = pkt.data() + l4;
  if (proto == kIpProtoSctp) {
    masked_copy(h, key, mask, 4);
    auto* sctp = reinterpret_cast<SctpHeader*>(h);
    std::memset(sctp->csum_be, 0, 4);
    uint32_t crc = crc32c(h, pkt.size() - static_cast<size_t>(l4));
    for (int i = 0; i < 4; i++) sctp->csum_be[i] = static_cast<uint8_t>(crc >> (8 * i));
    return ok_status();
  }
  uint8_t* csum_be = l4_csum_ptr(pkt, proto);
  for (int i = 0; i < 4; i += 2) {
    uint16_t old_v = load_be16(h + i);
    uint16_t new_v =
        masked_value(old_v, load_be16(key + i), mask ? load_be16(mask + i) : uint16_t{0xffff});
    fix_csum16(csum_be, old_v, new_v, proto == kIpProtoUdp);
    store_be16(h + i, new_v);
  }
  return ok_status();
}

Status set_icmp(Packet& pkt, const uint8_t* key, const uint8_t* mask, size_t len) {
  if (len != sizeof(ovs_key_icmp)) return bad_len("icmp");
  int l4 = pkt.layers().l4;
  Flow f = flow_extract(pkt.data(), pkt.size());
  if (l4 < 0 || f.dl_type != kEthTypeIp || f.nw_proto != kIpProtoIcmp ||
      pkt.size() < static_cast<size_t>(l4) + sizeof(IcmpHeader)) {
    return ok_status();
  }
  auto* icmp = reinterpret_cast<IcmpHeader*>(pkt.data() + l4);
  uint16_t old_v = static_cast<uint16_t>(icmp->type << 8 | icmp->code);
  // type and code are the header's first two bytes; address them through the
  // packet buffer, not the one-byte `type` member.
  static_assert(offsetof(IcmpHeader, type) == 0 && offsetof(IcmpHeader, code) == 1);
  masked_copy(pkt.data() + l4, key, mask, 2);
  fix_csum16(icmp->csum_be, old_v, static_cast<uint16_t>(icmp->type << 8 | icmp->code), false);
  return ok_status();
}

Status set_arp(Packet& pkt, const uint8_t* key_p, const uint8_t* mask_p, size_t len) {
  if (len != sizeof(ovs_key_arp)) return bad_len("arp");
  int l3 = pkt.layers().l3;
  Flow f = flow_extract(pkt.data(), pkt.size());
  if (l3 < 0 || (f.dl_type != kEthTypeArp && f.dl_type != kEthTypeRarp) ||
      pkt.size() < static_cast<size_t>(l3) + sizeof(ArpEthHeader)) {
    return ok_status();
  }
  auto* arp = reinterpret_cast<ArpEthHeader*>(pkt.data() + l3);
  auto at = [&](size_t off) { return mask_p ? mask_p + off : nullptr; };
  masked_copy(arp->spa, key_p + offsetof(ovs_key_arp, arp_sip), at(offsetof(ovs_key_arp, arp_sip)),
              4);
  masked_copy(arp->tpa, key_p + offsetof(ovs_key_arp, arp_tip), at(offsetof(ovs_key_arp, arp_tip)),
              4);
  masked_copy(arp->op_be, key_p + offsetof(ovs_key_arp, arp_op), at(offsetof(ovs_key_arp, arp_op)),
              2);
  masked_copy(arp->sha.b, key_p + offsetof(ovs_key_arp, arp_sha),
              at(offsetof(ovs_key_arp, arp_sha)), 6);
  masked_copy(arp->tha.b, key_p + offsetof(ovs_key_arp, arp_tha),
              at(offsetof(ovs_key_arp, arp_tha)), 6);
  return ok_status();
}

// ND: target address in the NS/NA body, link-layer address in the first
// matching option.  The ICMPv6 checksum covers all of it.
Status set_nd(Packet& pkt, const uint8_t* key_p, const uint8_t* mask_p, size_t len) {
  if (len != sizeof(ovs_key_nd)) return bad_len("nd");
  int l4 = pkt.layers().l4;
  Flow f = flow_extract(pkt.data(), pkt.size());
  if (l4 < 0 || f.nw_proto != kIpProtoIcmpv6 ||
      (f.tp_src != kNdNeighborSolicit && f.tp_src != kNdNeighborAdvert)) {
    return ok_status();
  }
  size_t off = static_cast<size_t>(l4);
  if (pkt.size() < off + 4 + sizeof(NdMsgBody)) return ok_status();
  uint8_t* csum_be = pkt.data() + off + 2;
  auto* body = reinterpret_cast<NdMsgBody*>(pkt.data() + off + 4);
  In6Addr old_t = body->target;
  masked_copy(body->target.b, key_p, mask_p, 16);
  store_be16(csum_be, recalc_csum128(load_be16(csum_be), old_t, body->target));
  uint8_t want = f.tp_src == kNdNeighborSolicit ? kNdOptSourceLinkAddr : kNdOptTargetLinkAddr;
  const uint8_t* lla_key = key_p + (want == kNdOptSourceLinkAddr ? 16 : 22);
  const uint8_t* lla_mask = mask_p ? mask_p + (want == kNdOptSourceLinkAddr ? 16 : 22) : nullptr;
  for (size_t o = off + 4 + sizeof(NdMsgBody); o + 8 <= pkt.size();) {
    uint8_t* opt = pkt.data() + o;
    if (opt[1] == 0) break;
    if (opt[0] == want && opt[1] == 1) {
      for (int i = 0; i < 6; i += 2) {
        uint16_t old_v = load_be16(opt + 2 + i);
        masked_copy(opt + 2 + i, lla_key + i, lla_mask ? lla_mask + i : nullptr, 2);
        fix_csum16(csum_be, old_v, load_be16(opt + 2 + i), false);
      }
      break;
    }
    o += size_t{opt[1]} * 8;
  }
  return ok_status();
}

Status set_mpls(Packet& pkt, const uint8_t* key, const uint8_t* mask, size_t len) {
  if (len != 4) return bad_len("mpls");
  int l25 = pkt.layers().l2_5;
  if (l25 < 0 || pkt.size() < static_cast<size_t>(l25) + 4) return ok_status();
  masked_copy(pkt.data() + l25, key, mask, 4);
  return ok_status();
}

template <typename T>
Status set_meta(T& field, const uint8_t* key, const uint8_t* mask, size_t len) {
  if (len != sizeof(T)) return bad_len("metadata");
  T k, m;
  std::memcpy(&k, key, sizeof k);
  if (mask) {
    std::memcpy(&m, mask, sizeof m);
  } else {
    m = static_cast<T>(~T{0});
  }
  field = masked_value(field, k, m);
  return ok_status();
}

FlowTnl parse_tunnel(const uint8_t* key, size_t len) {
  FlowTnl tnl{};
  for (nl::AttrIterator it(nl::Bytes(key, len)); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    switch (a.type()) {
      case OVS_TUNNEL_KEY_ATTR_ID:
        tnl.tun_id = a.size() == 8 ? a.get_be64() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
        tnl.ip_src = a.size() == 4 ? a.get_be32() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
        tnl.ip_dst = a.size() == 4 ? a.get_be32() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_TOS:
        tnl.ip_tos = a.size() == 1 ? a.get_u8() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_TTL:
        tnl.ip_ttl = a.size() == 1 ? a.get_u8() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_TP_SRC:
        tnl.tp_src = a.size() == 2 ? a.get_be16() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_TP_DST:
        tnl.tp_dst = a.size() == 2 ? a.get_be16() : 0;
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV6_SRC:
        if (a.size() == 16) std::memcpy(tnl.ipv6_src.b, a.data(), 16);
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV6_DST:
        if (a.size() == 16) std::memcpy(tnl.ipv6_dst.b, a.data(), 16);
        break;
      case OVS_TUNNEL_KEY_ATTR_OAM:
        tnl.flags |= kFlowTnlFOam;
        break;
      default:
        break;  // DF/CSUM flags and options: not tracked in Flow
    }
  }
  return tnl;
}

// set(tunnel(...)) replaces the tunnel metadata; set_masked merges the
// key's bits under the mask (both halves are nested attribute lists).
Status set_tunnel(Flow& md, const uint8_t* key, const uint8_t* mask, size_t len) {
  FlowTnl k = parse_tunnel(key, len);
  if (!mask) {
    md.tunnel = k;
    return ok_status();
  }
  FlowTnl m = parse_tunnel(mask, len);
  masked_copy(reinterpret_cast<uint8_t*>(&md.tunnel), reinterpret_cast<const uint8_t*>(&k),
              reinterpret_cast<const uint8_t*>(&m), sizeof(FlowTnl));
  return ok_status();
}

}  // namespace

Status odp_set_field(Packet& pkt, Flow& md, uint16_t type, const uint8_t* key, const uint8_t* mask,
                     size_t len) {
  pkt.extract();  // the setters below find headers through pkt.layers()
  switch (type) {
    case OVS_KEY_ATTR_PRIORITY:
      return set_meta(md.skb_priority, key, mask, len);
    case OVS_KEY_ATTR_SKB_MARK:
      return set_meta(md.pkt_mark, key, mask, len);
    case OVS_KEY_ATTR_DP_HASH:
      return set_meta(md.dp_hash, key, mask, len);
    case OVS_KEY_ATTR_RECIRC_ID:
      return set_meta(md.recirc_id, key, mask, len);
    case OVS_KEY_ATTR_CT_MARK:
      return set_meta(md.ct_mark, key, mask, len);
    case OVS_KEY_ATTR_TUNNEL:
      return set_tunnel(md, key, mask, len);
    case OVS_KEY_ATTR_ETHERNET:
      return set_ethernet(pkt, key, mask, len);
    case OVS_KEY_ATTR_IPV4:
      return set_ipv4(pkt, key, mask, len);
    case OVS_KEY_ATTR_IPV6:
      return set_ipv6(pkt, key, mask, len);
    case OVS_KEY_ATTR_TCP:
      return set_ports(pkt, kIpProtoTcp, key, mask, len);
    case OVS_KEY_ATTR_UDP:
      return set_ports(pkt, kIpProtoUdp, key, mask, len);
    case OVS_KEY_ATTR_SCTP:
      return set_ports(pkt, kIpProtoSctp, key, mask, len);
    case OVS_KEY_ATTR_ICMP:
      return set_icmp(pkt, key, mask, len);
    case OVS_KEY_ATTR_ARP:
      return set_arp(pkt, key, mask, len);
    case OVS_KEY_ATTR_ND:
      return set_nd(pkt, key, mask, len);
    case OVS_KEY_ATTR_MPLS:
      return set_mpls(pkt, key, mask, len);
    default:
      return Error(EOPNOTSUPP, "cannot set key attribute " + std::to_string(type));
  }
}

}  // namespace grebe::dpif
