// Flow / megaflow mask -> OVS_KEY_ATTR_* key and mask attributes.
#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>

#include "grebe/odp/odp_flow.h"
#include "grebe/util/byteorder.h"
#include "key_desc.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

namespace {

bool eth_type_vlan(uint16_t t) { return t == kEthTypeVlan8021Q || t == kEthTypeVlan8021AD; }
bool eth_type_mpls(uint16_t t) { return t == kEthTypeMpls || t == kEthTypeMplsMcast; }

bool is_nd(const Flow& f) {
  return f.dl_type == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6 && f.tp_dst == 0 &&
         (f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert);
}

uint8_t ovs_to_odp_frag(uint8_t nw_frag, bool is_mask) {
  if (is_mask) return (nw_frag & kFlowNwFragAny) ? 0xff : 0;
  if (!(nw_frag & kFlowNwFragAny)) return OVS_FRAG_TYPE_NONE;
  return (nw_frag & kFlowNwFragLater) ? OVS_FRAG_TYPE_LATER : OVS_FRAG_TYPE_FIRST;
}

// Label stack entries up to bottom-of-stack; without BOS, the nonzero ones.
int count_mpls_labels(const Flow& f) {
  int n = 0;
  for (int i = 0; i < kFlowMaxMplsLabels; i++) {
    if (f.mpls_lse[i] & 0x100) return i + 1;
    if (f.mpls_lse[i]) n++;
  }
  return n;
}

}  // namespace

void put_tunnel_key(nl::AttrBuilder& b, const FlowTnl& t) {
  size_t nest = b.start_nested(OVS_KEY_ATTR_TUNNEL);
  if (t.tun_id || (t.flags & text::kTnlFKey)) b.put_be64(OVS_TUNNEL_KEY_ATTR_ID, t.tun_id);
  if (t.ip_src) b.put_be32(OVS_TUNNEL_KEY_ATTR_IPV4_SRC, t.ip_src);
  if (t.ip_dst) b.put_be32(OVS_TUNNEL_KEY_ATTR_IPV4_DST, t.ip_dst);
  if (!t.ipv6_src.is_zero()) b.put_unspec(OVS_TUNNEL_KEY_ATTR_IPV6_SRC, t.ipv6_src.b, 16);
  if (!t.ipv6_dst.is_zero()) b.put_unspec(OVS_TUNNEL_KEY_ATTR_IPV6_DST, t.ipv6_dst.b, 16);
  if (t.ip_tos) b.put_u8(OVS_TUNNEL_KEY_ATTR_TOS, t.ip_tos);
  b.put_u8(OVS_TUNNEL_KEY_ATTR_TTL, t.ip_ttl);
  if (t.flags & text::kTnlFDontFragment) b.put_flag(OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
  if (t.flags & text::kTnlFCsum) b.put_flag(OVS_TUNNEL_KEY_ATTR_CSUM);
  if (t.tp_src) b.put_be16(OVS_TUNNEL_KEY_ATTR_TP_SRC, t.tp_src);
  if (t.tp_dst) b.put_be16(OVS_TUNNEL_KEY_ATTR_TP_DST, t.tp_dst);
  if (t.flags & text::kTnlFOam) b.put_flag(OVS_TUNNEL_KEY_ATTR_OAM);
  if (t.gbp_flags || t.gbp_id) {
    size_t vx = b.start_nested(OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
    b.put_u32(1 /* OVS_VXLAN_EXT_GBP */, uint32_t{t.gbp_flags} << 16 | t.gbp_id);
    b.end_nested(vx);
  }
  if (t.erspan_ver == 1 || t.erspan_ver == 2) {
    uint8_t md[12] = {};
    int32_t ver = t.erspan_ver;
    std::memcpy(md, &ver, 4);
    if (ver == 1) {
      store_be32(md + 4, t.erspan_idx);
    } else {
      // erspan_md2: hwid_upper:2 in byte 10; dir:1 and hwid:4 in byte 11.
      md[10] = static_cast<uint8_t>((t.erspan_hwid >> 4) & 0x3);
      md[11] = static_cast<uint8_t>((t.erspan_dir & 1) << 3 | (t.erspan_hwid & 0xf) << 4);
    }
    b.put_unspec(OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS, md, sizeof md);
  }
  b.end_nested(nest);
}

namespace {

void put_ipv4(nl::AttrBuilder& b, const Flow& d, bool is_mask) {
  ovs_key_ipv4 k{};
  uint8_t* p = reinterpret_cast<uint8_t*>(&k);
  store_be32(p + offsetof(ovs_key_ipv4, ipv4_src), d.nw_src);
  store_be32(p + offsetof(ovs_key_ipv4, ipv4_dst), d.nw_dst);
  k.ipv4_proto = d.nw_proto;
  k.ipv4_tos = d.nw_tos;
  k.ipv4_ttl = d.nw_ttl;
  k.ipv4_frag = ovs_to_odp_frag(d.nw_frag, is_mask);
  b.put_unspec(OVS_KEY_ATTR_IPV4, &k, sizeof k);
}

void put_ipv6(nl::AttrBuilder& b, const Flow& d, bool is_mask) {
  ovs_key_ipv6 k{};
  std::memcpy(&k.ipv6_src, d.ipv6_src.b, 16);
  std::memcpy(&k.ipv6_dst, d.ipv6_dst.b, 16);
  store_be32(reinterpret_cast<uint8_t*>(&k) + offsetof(ovs_key_ipv6, ipv6_label), d.ipv6_label);
  k.ipv6_proto = d.nw_proto;
  k.ipv6_tclass = d.nw_tos;
  k.ipv6_hlimit = d.nw_ttl;
  k.ipv6_frag = ovs_to_odp_frag(d.nw_frag, is_mask);
  b.put_unspec(OVS_KEY_ATTR_IPV6, &k, sizeof k);
}

void put_arp(nl::AttrBuilder& b, const Flow& d) {
  uint8_t k[sizeof(ovs_key_arp)] = {};
  store_be32(k + offsetof(ovs_key_arp, arp_sip), d.nw_src);
  store_be32(k + offsetof(ovs_key_arp, arp_tip), d.nw_dst);
  store_be16(k + offsetof(ovs_key_arp, arp_op), d.nw_proto);
  std::memcpy(k + offsetof(ovs_key_arp, arp_sha), d.arp_sha.b, 6);
  std::memcpy(k + offsetof(ovs_key_arp, arp_tha), d.arp_tha.b, 6);
  b.put_unspec(OVS_KEY_ATTR_ARP, k, sizeof k);
}

void put_ports(nl::AttrBuilder& b, uint16_t type, const Flow& d) {
  uint8_t k[4];
  store_be16(k, d.tp_src);
  store_be16(k + 2, d.tp_dst);
  b.put_unspec(type, k, sizeof k);
}

void put_icmp(nl::AttrBuilder& b, uint16_t type, const Flow& d) {
  uint8_t k[2] = {static_cast<uint8_t>(d.tp_src), static_cast<uint8_t>(d.tp_dst)};
  b.put_unspec(type, k, sizeof k);
}

void put_nd(nl::AttrBuilder& b, const Flow& d, const OdpSupport& support) {
  uint8_t k[sizeof(ovs_key_nd)];
  std::memcpy(k, d.nd_target.b, 16);
  std::memcpy(k + 16, d.arp_sha.b, 6);
  std::memcpy(k + 22, d.arp_tha.b, 6);
  b.put_unspec(OVS_KEY_ATTR_ND, k, sizeof k);
  // ND extensions reuse igmp_group_ip4 (reserved) and tcp_flags (options).
  if (support.nd_ext && (d.igmp_group_ip4 || d.tcp_flags)) {
    uint8_t e[sizeof(OvsKeyNdExtensions)] = {};
    store_be32(e, d.igmp_group_ip4);
    e[4] = static_cast<uint8_t>(d.tcp_flags);
    b.put_unspec(OVS_KEY_ATTR_ND_EXTENSIONS, e, sizeof e);
  }
}

void put_ct_tuple(nl::AttrBuilder& b, const Flow& flow, const Flow& d, const OdpSupport& s) {
  if (!flow.ct_nw_proto) return;
  if (s.ct_orig_tuple && flow.dl_type == kEthTypeIp) {
    uint8_t k[sizeof(ovs_key_ct_tuple_ipv4)] = {};
    store_be32(k + offsetof(ovs_key_ct_tuple_ipv4, ipv4_src), d.ct_nw_src);
    store_be32(k + offsetof(ovs_key_ct_tuple_ipv4, ipv4_dst), d.ct_nw_dst);
    store_be16(k + offsetof(ovs_key_ct_tuple_ipv4, src_port), d.ct_tp_src);
    store_be16(k + offsetof(ovs_key_ct_tuple_ipv4, dst_port), d.ct_tp_dst);
    k[offsetof(ovs_key_ct_tuple_ipv4, ipv4_proto)] = d.ct_nw_proto;
    b.put_unspec(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4, k, sizeof k);
  } else if (s.ct_orig_tuple6 && flow.dl_type == kEthTypeIpv6) {
    uint8_t k[sizeof(ovs_key_ct_tuple_ipv6)] = {};
    std::memcpy(k + offsetof(ovs_key_ct_tuple_ipv6, ipv6_src), d.ct_ipv6_src.b, 16);
    std::memcpy(k + offsetof(ovs_key_ct_tuple_ipv6, ipv6_dst), d.ct_ipv6_dst.b, 16);
    store_be16(k + offsetof(ovs_key_ct_tuple_ipv6, src_port), d.ct_tp_src);
    store_be16(k + offsetof(ovs_key_ct_tuple_ipv6, dst_port), d.ct_tp_dst);
    k[offsetof(ovs_key_ct_tuple_ipv6, ipv6_proto)] = d.ct_nw_proto;
    b.put_unspec(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6, k, sizeof k);
  }
}

void put_metadata(nl::AttrBuilder& b, const OdpFlowKeyParms& parms, const Flow& d,
                  bool export_mask) {
  const Flow& flow = *parms.flow;
  const OdpSupport& s = parms.support;
  b.put_u32(OVS_KEY_ATTR_PRIORITY, d.skb_priority);
  if (flow.tunnel.ip_dst || flow.tunnel.ip_src || !flow.tunnel.ipv6_dst.is_zero() ||
      !flow.tunnel.ipv6_src.is_zero() || export_mask) {
    put_tunnel_key(b, d.tunnel);
  }
  b.put_u32(OVS_KEY_ATTR_SKB_MARK, d.pkt_mark);
  if (s.ct_state) b.put_u32(OVS_KEY_ATTR_CT_STATE, d.ct_state);  // CS_* == OVS_CS_F_*
  if (s.ct_zone) b.put_u16(OVS_KEY_ATTR_CT_ZONE, d.ct_zone);
  if (s.ct_mark) b.put_u32(OVS_KEY_ATTR_CT_MARK, d.ct_mark);
  if (s.ct_label) {
    uint64_t u[2] = {d.ct_label.lo, d.ct_label.hi};  // OVS's host-order u128
    b.put_unspec(OVS_KEY_ATTR_CT_LABELS, u, sizeof u);
  }
  put_ct_tuple(b, flow, d, s);
  if (s.recirc) {
    b.put_u32(OVS_KEY_ATTR_RECIRC_ID, d.recirc_id);
    b.put_u32(OVS_KEY_ATTR_DP_HASH, d.dp_hash);
  }
  if (export_mask) {
    // Datapaths match in_port exactly or not at all; a 16-bit OpenFlow-style
    // exact mask (0xffff) must not become a partial 32-bit one.
    b.put_u32(OVS_KEY_ATTR_IN_PORT, d.in_port ? UINT32_MAX : 0);
  } else if (flow.in_port != kOdppNone) {
    b.put_u32(OVS_KEY_ATTR_IN_PORT, d.in_port);
  }
  b.put_be32(OVS_KEY_ATTR_PACKET_TYPE, d.packet_type);
}

void put_l4(nl::AttrBuilder& b, const OdpFlowKeyParms& parms, const Flow& d, bool export_mask) {
  const Flow& flow = *parms.flow;
  if (!flow.is_ip() || (flow.nw_frag & kFlowNwFragLater)) return;
  switch (flow.nw_proto) {
    case kIpProtoTcp:
      put_ports(b, OVS_KEY_ATTR_TCP, d);
      if (d.tcp_flags || (parms.mask && parms.mask->tcp_flags)) {
        b.put_be16(OVS_KEY_ATTR_TCP_FLAGS, d.tcp_flags);
      }
      return;
    case kIpProtoUdp:
      put_ports(b, OVS_KEY_ATTR_UDP, d);
      return;
    case kIpProtoSctp:
      put_ports(b, OVS_KEY_ATTR_SCTP, d);
      return;
    case kIpProtoIcmp:
      if (flow.dl_type == kEthTypeIp) put_icmp(b, OVS_KEY_ATTR_ICMP, d);
      return;
    case kIpProtoIcmpv6:
      if (flow.dl_type != kEthTypeIpv6) return;
      put_icmp(b, OVS_KEY_ATTR_ICMPV6, d);
      // ICMP type/code are 8 bits: an exact mask is 0xff, not 0xffff.
      if (is_nd(flow) && (!export_mask || (d.tp_src == 0xff && d.tp_dst == 0xff))) {
        put_nd(b, d, parms.support);
      }
      return;
    default:
      return;
  }
}

void put_l3(nl::AttrBuilder& b, const OdpFlowKeyParms& parms, const Flow& d, bool export_mask) {
  const Flow& flow = *parms.flow;
  if (flow.dl_type == kEthTypeIp) {
    put_ipv4(b, d, export_mask);
  } else if (flow.dl_type == kEthTypeIpv6) {
    put_ipv6(b, d, export_mask);
  } else if (flow.dl_type == kEthTypeArp || flow.dl_type == kEthTypeRarp) {
    put_arp(b, d);
  } else if (eth_type_mpls(flow.dl_type)) {
    int n = count_mpls_labels(flow);
    if (export_mask) n = std::min<int>(n, static_cast<int>(parms.support.max_mpls_depth));
    uint8_t k[4 * kFlowMaxMplsLabels];
    for (int i = 0; i < n; i++) store_be32(k + 4 * i, d.mpls_lse[i]);
    b.put_unspec(OVS_KEY_ATTR_MPLS, k, 4 * n);
  }
  put_l4(b, parms, d, export_mask);
}

void key_from_flow(const OdpFlowKeyParms& parms, bool export_mask, nl::AttrBuilder& b) {
  const Flow& flow = *parms.flow;
  const Flow& d = export_mask ? *parms.mask : flow;
  put_metadata(b, parms, d, export_mask);
  size_t encap[kFlowMaxVlans] = {};
  int n_encap = 0;
  size_t max_vlans =
      parms.probe ? kFlowMaxVlans : std::min<size_t>(parms.support.max_vlan_headers, kFlowMaxVlans);
  bool done = false;
  if (flow.packet_type == kPacketTypeEthernet) {
    uint8_t eth[12];
    std::memcpy(eth, d.dl_src.b, 6);
    std::memcpy(eth + 6, d.dl_dst.b, 6);
    b.put_unspec(OVS_KEY_ATTR_ETHERNET, eth, sizeof eth);
    for (size_t i = 0; i < max_vlans; i++) {
      uint16_t tpid = flow.vlans[i].tpid;
      if (flow.vlans[i].tci == 0) {
        if (!eth_type_vlan(flow.dl_type)) break;
        tpid = flow.dl_type;  // a truncated VLAN header: tpid is in dl_type
      }
      b.put_be16(OVS_KEY_ATTR_ETHERTYPE, export_mask ? 0xffff : tpid);
      b.put_be16(OVS_KEY_ATTR_VLAN, d.vlans[i].tci);
      encap[n_encap++] = b.start_nested(OVS_KEY_ATTR_ENCAP);
      if (flow.vlans[i].tci == 0) {
        done = true;
        break;
      }
    }
  }
  if (!done) {
    if (flow.dl_type < kEthTypeMin) {
      // 802.3 frames: no ethertype in the key, an exact one in the mask.
      if (export_mask) b.put_be16(OVS_KEY_ATTR_ETHERTYPE, 0xffff);
    } else {
      b.put_be16(OVS_KEY_ATTR_ETHERTYPE, d.dl_type);
      if (!eth_type_vlan(flow.dl_type)) put_l3(b, parms, d, export_mask);
    }
  }
  while (n_encap > 0) b.end_nested(encap[--n_encap]);
}

}  // namespace

void odp_flow_key_from_flow(const OdpFlowKeyParms& parms, nl::AttrBuilder& key) {
  key_from_flow(parms, false, key);
}

void odp_flow_key_from_mask(const OdpFlowKeyParms& parms, nl::AttrBuilder& mask) {
  key_from_flow(parms, true, mask);
}

const char* odp_key_fitness_to_string(OdpKeyFitness f) {
  switch (f) {
    case OdpKeyFitness::kPerfect:
      return "OK";
    case OdpKeyFitness::kTooMuch:
      return "too_much";
    case OdpKeyFitness::kTooLittle:
      return "too_little";
    case OdpKeyFitness::kError:
      return "error";
  }
  return "<unknown>";
}

}  // namespace grebe::odp
