// Packet bytes -> Flow.  Mirrors OVS's miniflow_extract() semantics: each
// layer is parsed only if its header is complete and sane; otherwise the
// deeper fields stay zero and extraction stops there.
#include "grebe/packet/flow_extract.h"

#include "grebe/util/byteorder.h"
#include "grebe/util/coverage.h"

COVERAGE_DEFINE(flow_extract);

namespace grebe {
namespace {

// A read cursor over the packet; every pull is bounds-checked.
struct Cursor {
  const uint8_t* base;
  size_t size;  // bytes remaining from `pos`
  size_t pos = 0;

  const uint8_t* at() const { return base + pos; }
  bool has(size_t n) const { return size >= n; }
  const uint8_t* pull(size_t n) {
    if (size < n) return nullptr;
    const uint8_t* p = base + pos;
    pos += n;
    size -= n;
    return p;
  }
};

uint32_t load_ip4(const uint8_t* p) { return load_be32(p); }

// Reads the Ethertype at the cursor, handling 802.2 LLC/SNAP as OVS does:
// a length field yields 0x05ff unless an LLC/SNAP header supplies a type.
uint16_t parse_ethertype(Cursor& c) {
  const uint8_t* t = c.pull(2);
  if (!t) return 0;
  uint16_t type = load_be16(t);
  if (type >= kEthTypeMin) return type;
  if (!c.has(8)) return kEthTypeNone;
  const uint8_t* llc = c.at();
  if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] || llc[4] || llc[5])
    return kEthTypeNone;
  uint16_t snap_type = load_be16(llc + 6);
  c.pull(8);
  return snap_type >= kEthTypeMin ? snap_type : kEthTypeNone;
}

void parse_vlans(Cursor& c, Flow& f) {
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    if (!c.has(4 + 2)) return;  // a tag plus the Ethertype after it
    uint16_t tpid = load_be16(c.at());
    if (tpid != kEthTypeVlan8021Q && tpid != kEthTypeVlan8021AD) return;
    const uint8_t* tag = c.pull(4);
    f.vlans[i].tpid = tpid;
    f.vlans[i].tci = load_be16(tag + 2) | kVlanCfi;
  }
}

void parse_mpls(Cursor& c, Flow& f) {
  for (int i = 0; i < kFlowMaxMplsLabels; ++i) {
    const uint8_t* lse = c.pull(4);
    if (!lse) return;
    f.mpls_lse[i] = load_be32(lse);
    if (f.mpls_lse[i] & kMplsBosMask) return;
  }
}

void parse_arp(Cursor& c, Flow& f) {
  if (!c.has(sizeof(ArpEthHeader))) return;
  auto* arp = reinterpret_cast<const ArpEthHeader*>(c.at());
  if (load_be16(arp->hrd_be) != 1 || load_be16(arp->pro_be) != kEthTypeIp ||
      arp->hln != 6 || arp->pln != 4)
    return;
  uint16_t op = load_be16(arp->op_be);
  if (op <= 0xff) f.nw_proto = static_cast<uint8_t>(op);
  f.nw_src = load_ip4(arp->spa);
  f.nw_dst = load_ip4(arp->tpa);
  f.arp_sha = arp->sha;
  f.arp_tha = arp->tha;
}

// Returns false if the IPv4 header is malformed (no L3 fields then).
bool parse_ipv4(Cursor& c, Flow& f) {
  if (!c.has(sizeof(Ipv4Header))) return false;
  auto* ip = reinterpret_cast<const Ipv4Header*>(c.at());
  size_t ip_len = ip->ihl() * 4;
  size_t tot_len = load_be16(ip->tot_len_be);
  if (ip->version() != 4 || ip_len < sizeof(Ipv4Header) || c.size < ip_len ||
      tot_len < ip_len || tot_len > c.size)
    return false;
  c.size = tot_len;  // drop Ethernet padding
  f.nw_src = load_ip4(ip->src);
  f.nw_dst = load_ip4(ip->dst);
  f.nw_tos = ip->tos;
  f.nw_ttl = ip->ttl;
  f.nw_proto = ip->proto;
  uint16_t frag = load_be16(ip->frag_off_be);
  if (frag & (kIpMoreFragments | kIpFragOffMask)) {
    f.nw_frag = kFlowNwFragAny;
    if (frag & kIpFragOffMask) f.nw_frag |= kFlowNwFragLater;
  }
  c.pull(ip_len);
  return true;
}

// Skips IPv6 extension headers; leaves f.nw_proto at the upper protocol.
// Returns false if a header is truncated.
bool parse_ipv6_ext(Cursor& c, Flow& f) {
  for (;;) {
    uint8_t nxt = f.nw_proto;
    if (nxt == kIpProtoHopOpts || nxt == kIpProtoRouting || nxt == kIpProtoDstOpts ||
        nxt == kIpProtoAh) {
      if (!c.has(8)) return false;
      auto* ext = reinterpret_cast<const Ipv6ExtHeader*>(c.at());
      size_t len = nxt == kIpProtoAh ? (ext->len + 2u) * 4 : (ext->len + 1u) * 8;
      if (!c.has(len)) return false;
      f.nw_proto = ext->nxt;
      c.pull(len);
    } else if (nxt == kIpProtoFragment) {
      if (!c.has(sizeof(Ipv6FragHeader))) return false;
      auto* frag = reinterpret_cast<const Ipv6FragHeader*>(c.at());
      uint16_t off = load_be16(frag->off_be);
      f.nw_proto = frag->nxt;
      f.nw_frag = kFlowNwFragAny;
      c.pull(sizeof(Ipv6FragHeader));
      if (off & 0xfff8) {
        f.nw_frag |= kFlowNwFragLater;
        return true;  // later fragments carry no further headers
      }
    } else {
      return true;
    }
  }
}

bool parse_ipv6(Cursor& c, Flow& f) {
  if (!c.has(sizeof(Ipv6Header))) return false;
  auto* ip6 = reinterpret_cast<const Ipv6Header*>(c.at());
  uint32_t vtc_flow = load_be32(ip6->vtc_flow_be);
  size_t plen = load_be16(ip6->plen_be);
  if ((vtc_flow >> 28) != 6 || plen > c.size - sizeof(Ipv6Header)) return false;
  c.pull(sizeof(Ipv6Header));
  c.size = plen;
  f.ipv6_src = ip6->src;
  f.ipv6_dst = ip6->dst;
  f.ipv6_label = vtc_flow & kIpv6LabelMask;
  f.nw_tos = static_cast<uint8_t>(vtc_flow >> 20);
  f.nw_ttl = ip6->hlim;
  f.nw_proto = ip6->nxt;
  if (!parse_ipv6_ext(c, f)) {
    // OVS keeps the addresses but nothing after them when an extension
    // header is cut off.
    f.nw_proto = f.nw_tos = f.nw_ttl = f.nw_frag = 0;
    return false;
  }
  return true;
}

// ND options: source/target link-layer addresses.  A malformed option makes
// the whole ND parse invalid, as in OVS.
void parse_nd(Cursor& c, Flow& f, uint8_t type) {
  if (!c.has(sizeof(NdMsgBody))) return;
  auto* nd = reinterpret_cast<const NdMsgBody*>(c.pull(sizeof(NdMsgBody)));
  f.nd_target = nd->target;
  f.igmp_group_ip4 = load_be32(nd->reserved_be);  // OVS's nd_reserved
  bool first = true;
  while (c.has(8)) {
    const uint8_t* opt = c.at();
    size_t opt_len = opt[1] * 8u;
    if (opt_len == 0 || opt_len > c.size) goto invalid;
    if (first) f.tcp_flags = opt[0];  // OVS's nd_options_type
    first = false;
    if (opt[0] == kNdOptSourceLinkAddr && opt_len == 8 && type == kNdNeighborSolicit) {
      if (!f.arp_sha.is_zero()) goto invalid;
      std::memcpy(f.arp_sha.b, opt + 2, 6);
    } else if (opt[0] == kNdOptTargetLinkAddr && opt_len == 8 &&
               type == kNdNeighborAdvert) {
      if (!f.arp_tha.is_zero()) goto invalid;
      std::memcpy(f.arp_tha.b, opt + 2, 6);
    }
    c.pull(opt_len);
  }
  return;
invalid:
  f.nd_target = In6Addr{};
  f.arp_sha = EthAddr{};
  f.arp_tha = EthAddr{};
}

void parse_l4(Cursor& c, Flow& f, PacketLayers& layers) {
  layers.l4 = static_cast<int>(c.pos);
  const uint8_t* h = c.at();
  switch (f.nw_proto) {
    case kIpProtoTcp: {
      if (!c.has(sizeof(TcpHeader))) return;
      auto* tcp = reinterpret_cast<const TcpHeader*>(h);
      size_t hlen = tcp->data_offset() * 4u;
      if (hlen < sizeof(TcpHeader) || hlen > c.size) return;
      f.tp_src = load_be16(tcp->src_be);
      f.tp_dst = load_be16(tcp->dst_be);
      f.tcp_flags = tcp->flags();
      c.pull(hlen);
      break;
    }
    case kIpProtoUdp:
      if (!c.pull(sizeof(UdpHeader))) return;
      f.tp_src = load_be16(h);
      f.tp_dst = load_be16(h + 2);
      break;
    case kIpProtoSctp:
      if (!c.pull(sizeof(SctpHeader))) return;
      f.tp_src = load_be16(h);
      f.tp_dst = load_be16(h + 2);
      break;
    case kIpProtoIcmp:
      if (f.dl_type != kEthTypeIp || !c.pull(sizeof(IcmpHeader))) return;
      f.tp_src = h[0];
      f.tp_dst = h[1];
      break;
    case kIpProtoIgmp:
      if (f.dl_type != kEthTypeIp || !c.pull(sizeof(IgmpHeader))) return;
      f.tp_src = h[0];
      f.tp_dst = h[1];
      f.igmp_group_ip4 = load_be32(h + 4);
      break;
    case kIpProtoIcmpv6:
      if (f.dl_type != kEthTypeIpv6 || !c.pull(4)) return;
      f.tp_src = h[0];
      f.tp_dst = h[1];
      if (h[1] == 0 && (h[0] == kNdNeighborSolicit || h[0] == kNdNeighborAdvert))
        parse_nd(c, f, h[0]);
      break;
    default:
      return;
  }
  layers.l7 = static_cast<int>(c.pos);
}

}  // namespace

Flow flow_extract(const uint8_t* data, size_t size, const Flow* metadata,
                  PacketLayers* layers_out) noexcept {
  COVERAGE_INC(flow_extract);
  Flow f = make_flow();
  if (metadata)
    std::memcpy(&f, metadata, kFlowStageMetadataEnd * 8);
  PacketLayers layers;
  Cursor c{data, data ? size : 0};
  if (f.packet_type == kPacketTypeEthernet) {
    const uint8_t* eth = c.pull(12);
    if (!eth || !c.has(2)) {
      if (layers_out) *layers_out = layers;
      return f;
    }
    layers.l2 = 0;
    std::memcpy(f.dl_dst.b, eth, 6);
    std::memcpy(f.dl_src.b, eth + 6, 6);
    parse_vlans(c, f);
    f.dl_type = parse_ethertype(c);
  } else if ((f.packet_type >> 16) == kOfpHtnEthertype) {
    f.dl_type = static_cast<uint16_t>(f.packet_type);
  }

  if (f.dl_type == kEthTypeMpls || f.dl_type == kEthTypeMplsMcast) {
    layers.l2_5 = static_cast<int>(c.pos);
    parse_mpls(c, f);
  } else if (f.dl_type == kEthTypeArp || f.dl_type == kEthTypeRarp) {
    layers.l3 = static_cast<int>(c.pos);
    parse_arp(c, f);
  } else if (f.dl_type == kEthTypeIp || f.dl_type == kEthTypeIpv6) {
    layers.l3 = static_cast<int>(c.pos);
    bool ok = f.dl_type == kEthTypeIp ? parse_ipv4(c, f) : parse_ipv6(c, f);
    if (ok && !(f.nw_frag & kFlowNwFragLater)) parse_l4(c, f, layers);
  }
  if (layers_out) *layers_out = layers;
  return f;
}

}  // namespace grebe
