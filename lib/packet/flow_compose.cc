// Packet synthesis from a flow; see flow_compose.h.
#include "grebe/packet/flow_compose.h"

#include <cstring>

#include "grebe/packet/csum.h"
#include "grebe/util/byteorder.h"

namespace grebe {
namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put32(Bytes& b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
void put_l7(Bytes& b, const uint8_t* l7, size_t n) {
  for (size_t i = 0; i < n; ++i) b.push_back(l7 ? l7[i] : static_cast<uint8_t>(i));
}

// Appends the L4 header (and payload) for flow; returns nothing, the caller
// fixes checksums once the L3 header is final.
void compose_l4(Bytes& b, const Flow& f, const uint8_t* l7, size_t l7_len) {
  if ((f.nw_frag & kFlowNwFragAny) && (f.nw_frag & kFlowNwFragLater)) return;
  switch (f.nw_proto) {
    case kIpProtoTcp:
      put16(b, f.tp_src);
      put16(b, f.tp_dst);
      put32(b, 0);
      put32(b, 0);
      put16(b, static_cast<uint16_t>((5 << 12) | (f.tcp_flags & 0x0fff)));
      put16(b, 0);
      put32(b, 0);  // checksum + urgent pointer
      if (!(f.tcp_flags & (kTcpSyn | kTcpFin | kTcpRst))) put_l7(b, l7, l7_len);
      break;
    case kIpProtoUdp:
      put16(b, f.tp_src);
      put16(b, f.tp_dst);
      put16(b, static_cast<uint16_t>(8 + l7_len));
      put16(b, 0);
      put_l7(b, l7, l7_len);
      break;
    case kIpProtoSctp:
      put16(b, f.tp_src);
      put16(b, f.tp_dst);
      put32(b, 0);
      put32(b, 0);
      break;
    case kIpProtoIcmp: {
      size_t start = b.size();
      b.push_back(static_cast<uint8_t>(f.tp_src));
      b.push_back(static_cast<uint8_t>(f.tp_dst));
      put16(b, 0);
      put32(b, 0);
      if ((f.tp_src == 8 || f.tp_src == 0) && f.tp_dst == 0) put_l7(b, l7, l7_len);
      store_be16(&b[start + 2], csum(&b[start], b.size() - start));
      break;
    }
    case kIpProtoIgmp:
      b.push_back(static_cast<uint8_t>(f.tp_src));
      b.push_back(static_cast<uint8_t>(f.tp_dst));
      put16(b, 0);
      put32(b, f.igmp_group_ip4);
      break;
    case kIpProtoIcmpv6: {
      b.push_back(static_cast<uint8_t>(f.tp_src));
      b.push_back(static_cast<uint8_t>(f.tp_dst));
      put16(b, 0);
      put32(b, f.igmp_group_ip4);
      bool nd = f.tp_dst == 0 && (f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert);
      if (nd) {
        b.insert(b.end(), f.nd_target.b, f.nd_target.b + 16);
        for (auto [type, mac] : {std::pair{kNdOptSourceLinkAddr, &f.arp_sha},
                                 std::pair{kNdOptTargetLinkAddr, &f.arp_tha}}) {
          if (mac->is_zero()) continue;
          b.push_back(type);
          b.push_back(1);
          b.insert(b.end(), mac->b, mac->b + 6);
        }
      } else if ((f.tp_src == 128 || f.tp_src == 129) && f.tp_dst == 0) {
        put_l7(b, l7, l7_len);
      }
      break;
    }
  }
}

// L4 checksums that need the pseudo-header.
void fix_l4_csum(Bytes& b, size_t l4, const Flow& f, uint32_t pseudo) {
  size_t len = b.size() - l4;
  if (f.nw_frag & kFlowNwFragLater) return;
  if (f.nw_proto == kIpProtoTcp && len >= 20) {
    store_be16(&b[l4 + 16], csum_finish(csum_continue(pseudo, &b[l4], len)));
  } else if (f.nw_proto == kIpProtoUdp && len >= 8) {
    uint16_t c = csum_finish(csum_continue(pseudo, &b[l4], len));
    store_be16(&b[l4 + 6], c ? c : 0xffff);
  } else if (f.nw_proto == kIpProtoSctp && len >= 12) {
    uint32_t c = crc32c(&b[l4], len);
    std::memcpy(&b[l4 + 8], &c, 4);  // stored little-endian (RFC 3309)
  } else if (f.nw_proto == kIpProtoIcmpv6 && len >= 4) {
    store_be16(&b[l4 + 2], csum_finish(csum_continue(pseudo, &b[l4], len)));
  }
}

}  // namespace

std::vector<uint8_t> flow_compose(const Flow& f, const uint8_t* l7, size_t l7_len) {
  Bytes b(f.dl_dst.b, f.dl_dst.b + 6);
  b.insert(b.end(), f.dl_src.b, f.dl_src.b + 6);
  if (f.dl_type < kEthTypeMin) {
    put16(b, 14);  // an 802.3 length: just the header
    return b;
  }
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    if (!(f.vlans[i].tci & kVlanCfi)) continue;
    put16(b, f.vlans[i].tpid ? f.vlans[i].tpid : kEthTypeVlan8021Q);
    put16(b, f.vlans[i].tci & ~kVlanCfi);
  }
  put16(b, f.dl_type);
  size_t l3 = b.size();
  if (f.dl_type == kEthTypeIp) {
    b.insert(b.end(), 20, 0);
    b[l3] = 0x45;
    b[l3 + 1] = f.nw_tos;
    if (f.nw_frag & kFlowNwFragAny)
      store_be16(&b[l3 + 6], kIpMoreFragments | ((f.nw_frag & kFlowNwFragLater) ? 100 : 0));
    b[l3 + 8] = f.nw_ttl;
    b[l3 + 9] = f.nw_proto;
    store_be32(&b[l3 + 12], f.nw_src);
    store_be32(&b[l3 + 16], f.nw_dst);
    compose_l4(b, f, l7, l7_len);
    store_be16(&b[l3 + 2], static_cast<uint16_t>(b.size() - l3));
    store_be16(&b[l3 + 10], csum(&b[l3], 20));
    auto* ip = reinterpret_cast<const Ipv4Header*>(&b[l3]);
    fix_l4_csum(b, l3 + 20, f, packet_csum_pseudoheader(*ip, static_cast<uint16_t>(b.size() - l3 - 20)));
  } else if (f.dl_type == kEthTypeIpv6) {
    b.insert(b.end(), 40, 0);
    store_be32(&b[l3], (6u << 28) | (uint32_t{f.nw_tos} << 20) | (f.ipv6_label & kIpv6LabelMask));
    b[l3 + 6] = f.nw_proto;
    b[l3 + 7] = f.nw_ttl;
    std::memcpy(&b[l3 + 8], f.ipv6_src.b, 16);
    std::memcpy(&b[l3 + 24], f.ipv6_dst.b, 16);
    compose_l4(b, f, l7, l7_len);
    uint32_t plen = static_cast<uint32_t>(b.size() - l3 - 40);
    store_be16(&b[l3 + 4], static_cast<uint16_t>(plen));
    auto* ip6 = reinterpret_cast<const Ipv6Header*>(&b[l3]);
    fix_l4_csum(b, l3 + 40, f, packet_csum_pseudoheader6(*ip6, f.nw_proto, plen));
  } else if (f.dl_type == kEthTypeArp || f.dl_type == kEthTypeRarp) {
    put16(b, 1);
    put16(b, kEthTypeIp);
    b.push_back(6);
    b.push_back(4);
    put16(b, f.nw_proto);
    bool addrs = f.nw_proto == 1 || f.nw_proto == 2;
    EthAddr zero{};
    const EthAddr& sha = addrs ? f.arp_sha : zero;
    const EthAddr& tha = addrs ? f.arp_tha : zero;
    b.insert(b.end(), sha.b, sha.b + 6);
    put32(b, addrs ? f.nw_src : 0);
    b.insert(b.end(), tha.b, tha.b + 6);
    put32(b, addrs ? f.nw_dst : 0);
  } else if (f.dl_type == kEthTypeMpls || f.dl_type == kEthTypeMplsMcast) {
    for (int i = 0; i < kFlowMaxMplsLabels; ++i) {
      put32(b, f.mpls_lse[i]);
      if (f.mpls_lse[i] & kMplsBosMask) break;
    }
  }
  return b;
}

}  // namespace grebe
