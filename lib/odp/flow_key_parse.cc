// OVS_KEY_ATTR_* key / mask attributes -> Flow / FlowWildcards, with OVS's
// "fitness" verdict.
#include <linux/openvswitch.h>

#include <cstring>

#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"
#include "grebe/util/byteorder.h"
#include "key_desc.h"
#include "text.h"

namespace grebe::odp {

namespace {

constexpr int kMaxType = kOvsKeyAttrMaxOvs31;
constexpr uint64_t bit(int type) { return uint64_t{1} << type; }

bool eth_type_vlan(uint16_t t) { return t == kEthTypeVlan8021Q || t == kEthTypeVlan8021AD; }
bool eth_type_mpls(uint16_t t) { return t == kEthTypeMpls || t == kEthTypeMplsMcast; }

struct KeyAttrs {
  nl::Attr a[kMaxType + 1];
  uint64_t present = 0;
  int out_of_range = 0;
  bool has(int type) const { return present & bit(type); }
};

// Records the first error only, as OVS's odp_parse_error().
void set_error(std::string* err, const std::string& msg) {
  if (err && err->empty()) *err = msg;
}

bool parse_flow_nlattrs(nl::Bytes key, KeyAttrs* out, std::string* err) {
  KeyAttrs k;
  nl::AttrIterator it(key);
  for (; it.ok(); it.next()) {
    nl::Attr a = it.attr();
    uint16_t type = a.type();
    int expected = odp_key_attr_len(type);
    if (expected >= 0 && a.size() != static_cast<size_t>(expected)) {
      set_error(err, "attribute " + ovs_key_attr_to_string(type) + " has length " +
                         std::to_string(a.size()) + " but should have length " +
                         std::to_string(expected));
      return false;
    }
    if (type > kMaxType) {
      k.out_of_range = type;
      continue;
    }
    if (k.has(type)) {
      set_error(err, "duplicate " + ovs_key_attr_to_string(type) + " attribute in flow key");
      return false;
    }
    k.present |= bit(type);
    k.a[type] = a;
  }
  if (it.left()) {
    set_error(err, "trailing garbage in flow key");
    return false;
  }
  *out = k;
  return true;
}

OdpKeyFitness check_expectations(const KeyAttrs& k, uint64_t expected) {
  if (expected & ~k.present) return OdpKeyFitness::kTooLittle;
  if ((k.present & ~expected) || k.out_of_range) return OdpKeyFitness::kTooMuch;
  return OdpKeyFitness::kPerfect;
}

uint8_t odp_to_ovs_frag(uint8_t frag, bool is_mask) {
  if (is_mask) return frag ? kFlowNwFragMask : 0;
  if (frag > OVS_FRAG_TYPE_LATER) return 0xff;  // invalid: caught by the caller
  return frag == OVS_FRAG_TYPE_NONE    ? 0
         : frag == OVS_FRAG_TYPE_FIRST ? kFlowNwFragAny
                                       : kFlowNwFragAny | kFlowNwFragLater;
}

bool parse_vxlan_opts(nl::Attr a, FlowTnl* t, std::string* err) {
  nl::Attr gbp = nl::find_attr(a.payload(), 1 /* OVS_VXLAN_EXT_GBP */);
  if (!nl::count_attrs(a.payload()).ok() || (gbp.valid() && gbp.size() != 4)) {
    set_error(err, "error parsing VXLAN options");
    return false;
  }
  if (gbp.valid()) {
    t->gbp_id = gbp.get_u32() & 0xffff;
    t->gbp_flags = (gbp.get_u32() >> 16) & 0xff;
  }
  return true;
}

// struct erspan_metadata; false if too short to hold one.
bool parse_erspan_opts(nl::Attr a, FlowTnl* t) {
  if (a.size() < 12) return false;
  int32_t ver;
  std::memcpy(&ver, a.data(), 4);
  t->erspan_ver = static_cast<uint8_t>(ver);
  if (ver == 1) {
    t->erspan_idx = load_be32(a.data() + 4);
  } else if (ver == 2) {
    t->erspan_dir = (a.data()[11] >> 3) & 1;
    t->erspan_hwid = static_cast<uint8_t>((a.data()[10] & 3) << 4 | a.data()[11] >> 4);
  }
  return true;
}

OdpKeyFitness parse_tunnel(nl::Attr attr, bool is_mask, FlowTnl* t, std::string* err) {
  bool ttl = false, unknown = false;
  for (nl::AttrIterator it(attr.payload()); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    int expected = odp_tun_key_attr_len(a.type());
    if (expected >= 0 && a.size() != static_cast<size_t>(expected)) {
      set_error(err, "tunnel key attribute " + std::to_string(a.type()) + " should have length " +
                         std::to_string(expected) + " but actually has " +
                         std::to_string(a.size()));
      return OdpKeyFitness::kError;
    }
    switch (a.type()) {
      case OVS_TUNNEL_KEY_ATTR_ID:
        t->tun_id = a.get_be64();
        t->flags |= text::kTnlFKey;
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
        t->ip_src = a.get_be32();
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
        t->ip_dst = a.get_be32();
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV6_SRC:
        std::memcpy(t->ipv6_src.b, a.data(), 16);
        break;
      case OVS_TUNNEL_KEY_ATTR_IPV6_DST:
        std::memcpy(t->ipv6_dst.b, a.data(), 16);
        break;
      case OVS_TUNNEL_KEY_ATTR_TOS:
        t->ip_tos = a.get_u8();
        break;
      case OVS_TUNNEL_KEY_ATTR_TTL:
        t->ip_ttl = a.get_u8();
        ttl = true;
        break;
      case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
        t->flags |= text::kTnlFDontFragment;
        break;
      case OVS_TUNNEL_KEY_ATTR_CSUM:
        t->flags |= text::kTnlFCsum;
        break;
      case OVS_TUNNEL_KEY_ATTR_TP_SRC:
        t->tp_src = a.get_be16();
        break;
      case OVS_TUNNEL_KEY_ATTR_TP_DST:
        t->tp_dst = a.get_be16();
        break;
      case OVS_TUNNEL_KEY_ATTR_OAM:
        t->flags |= text::kTnlFOam;
        break;
      case OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS:
        if (!parse_vxlan_opts(a, t, err)) return OdpKeyFitness::kError;
        break;
      case OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS:
        if (!parse_erspan_opts(a, t)) unknown = true;
        break;
      default:  // includes Geneve options, which Flow cannot hold yet
        unknown = true;
        break;
    }
  }
  (void)is_mask;
  if (!ttl) {
    set_error(err, "tunnel options missing TTL");
    return OdpKeyFitness::kError;
  }
  return unknown ? OdpKeyFitness::kTooMuch : OdpKeyFitness::kPerfect;
}

struct Ctx {
  KeyAttrs k;
  uint64_t expected = 0;
  Flow* flow;
  const Flow* src;  // == flow when parsing a key
  bool is_mask;
  std::string* err;
};

bool parse_ethertype(Ctx& c) {
  Flow& f = *c.flow;
  const Flow& src = *c.src;
  if (c.k.has(OVS_KEY_ATTR_ETHERTYPE)) {
    f.dl_type = c.k.a[OVS_KEY_ATTR_ETHERTYPE].get_be16();
    if (!c.is_mask && f.dl_type < kEthTypeMin) {
      set_error(c.err, "invalid Ethertype " + std::to_string(f.dl_type) + " in flow key");
      return false;
    }
    if (c.is_mask && src.dl_type < kEthTypeMin && f.dl_type != 0xffff) {
      char buf[128];
      std::snprintf(buf, sizeof buf,
                    "can't bitwise match non-Ethernet II \"Ethertype\" %#x (with mask %#x)",
                    src.dl_type, f.dl_type);
      set_error(c.err, buf);
      return false;
    }
    c.expected |= bit(OVS_KEY_ATTR_ETHERTYPE);
  } else if (!c.is_mask) {
    f.dl_type = c.k.has(OVS_KEY_ATTR_IPV4)   ? kEthTypeIp
                : c.k.has(OVS_KEY_ATTR_IPV6) ? kEthTypeIpv6
                : c.k.has(OVS_KEY_ATTR_MPLS) ? kEthTypeMpls
                                             : kEthTypeNone;
  } else if (src.packet_type != kPacketTypeEthernet) {
    f.dl_type = 0xffff;  // mandatory for non-Ethernet packets
  } else if (src.dl_type < kEthTypeMin) {
    set_error(c.err, "mask expected for non-Ethernet II frame");
    return false;
  }
  return true;
}

OdpKeyFitness parse_mpls(Ctx& c) {
  Flow& f = *c.flow;
  if (!c.is_mask || c.k.has(OVS_KEY_ATTR_MPLS)) c.expected |= bit(OVS_KEY_ATTR_MPLS);
  if (!c.k.has(OVS_KEY_ATTR_MPLS)) return OdpKeyFitness::kPerfect;
  nl::Attr a = c.k.a[OVS_KEY_ATTR_MPLS];
  size_t n = a.size() / 4;
  if (!a.size() || a.size() % 4) {
    set_error(c.err, "MPLS LSEs have invalid length " + std::to_string(a.size()));
    return OdpKeyFitness::kError;
  }
  if (f.mpls_lse[0] && f.dl_type != 0xffff) {
    set_error(c.err, "unexpected MPLS Ethertype mask");
    return OdpKeyFitness::kError;
  }
  for (size_t i = 0; i < n && i < kFlowMaxMplsLabels; i++)
    f.mpls_lse[i] = load_be32(a.data() + 4 * i);
  if (n > kFlowMaxMplsLabels) return OdpKeyFitness::kTooMuch;
  if (!c.is_mask) {
    for (size_t i = 0; i + 1 < n; i++) {
      if (f.mpls_lse[i] & 0x100) {
        set_error(c.err, "MPLS BOS set in non-innermost label");
        return OdpKeyFitness::kError;
      }
    }
    if (n < kFlowMaxMplsLabels && !(f.mpls_lse[n - 1] & 0x100)) return OdpKeyFitness::kTooLittle;
  }
  return OdpKeyFitness::kPerfect;
}

void put_l3_key(Ctx& c, uint16_t type, const uint8_t* p) {
  Flow& f = *c.flow;
  if (type == OVS_KEY_ATTR_IPV4) {
    f.nw_src = load_be32(p + offsetof(ovs_key_ipv4, ipv4_src));
    f.nw_dst = load_be32(p + offsetof(ovs_key_ipv4, ipv4_dst));
    f.nw_proto = p[offsetof(ovs_key_ipv4, ipv4_proto)];
    f.nw_tos = p[offsetof(ovs_key_ipv4, ipv4_tos)];
    f.nw_ttl = p[offsetof(ovs_key_ipv4, ipv4_ttl)];
    f.nw_frag = odp_to_ovs_frag(p[offsetof(ovs_key_ipv4, ipv4_frag)], c.is_mask);
  } else if (type == OVS_KEY_ATTR_IPV6) {
    std::memcpy(f.ipv6_src.b, p + offsetof(ovs_key_ipv6, ipv6_src), 16);
    std::memcpy(f.ipv6_dst.b, p + offsetof(ovs_key_ipv6, ipv6_dst), 16);
    f.ipv6_label = load_be32(p + offsetof(ovs_key_ipv6, ipv6_label));
    f.nw_proto = p[offsetof(ovs_key_ipv6, ipv6_proto)];
    f.nw_tos = p[offsetof(ovs_key_ipv6, ipv6_tclass)];
    f.nw_ttl = p[offsetof(ovs_key_ipv6, ipv6_hlimit)];
    f.nw_frag = odp_to_ovs_frag(p[offsetof(ovs_key_ipv6, ipv6_frag)], c.is_mask);
  } else {  // ARP
    f.nw_src = load_be32(p + offsetof(ovs_key_arp, arp_sip));
    f.nw_dst = load_be32(p + offsetof(ovs_key_arp, arp_tip));
    f.nw_proto = static_cast<uint8_t>(load_be16(p + offsetof(ovs_key_arp, arp_op)));
    std::memcpy(f.arp_sha.b, p + offsetof(ovs_key_arp, arp_sha), 6);
    std::memcpy(f.arp_tha.b, p + offsetof(ovs_key_arp, arp_tha), 6);
  }
}

// IPv4 / IPv6 / ARP.  Returns false on error.
bool parse_l3(Ctx& c, uint16_t type) {
  Flow& f = *c.flow;
  if (!c.is_mask) c.expected |= bit(type);
  if (!c.k.has(type)) return true;
  nl::Attr a = c.k.a[type];
  if (type == OVS_KEY_ATTR_ARP && !c.is_mask &&
      (load_be16(a.data() + offsetof(ovs_key_arp, arp_op)) & 0xff00)) {
    set_error(c.err, "unsupported ARP opcode " +
                         std::to_string(load_be16(a.data() + offsetof(ovs_key_arp, arp_op))) +
                         " in flow key");
    return false;
  }
  put_l3_key(c, type, a.data());
  if (f.nw_frag > kFlowNwFragMask) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "OVS_KEY_ATTR_%s has invalid nw_frag %#x",
                  type == OVS_KEY_ATTR_IPV4 ? "IPV4" : "IPV6", f.nw_frag);
    set_error(c.err, buf);
    return false;
  }
  if (c.is_mask) {
    if (!text::is_all_zeros(a.data(), a.size()) && f.dl_type != 0xffff) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "unexpected L3 matching with masked Ethertype %#x/%#x",
                    c.src->dl_type, f.dl_type);
      set_error(c.err, buf);
      return false;
    }
    c.expected |= bit(type);
  }
  return true;
}

bool parse_nd(Ctx& c) {
  Flow& f = *c.flow;
  if (!c.is_mask) c.expected |= bit(OVS_KEY_ATTR_ND);
  bool icmp_exact = f.tp_src == 0xff && f.tp_dst == 0xff;
  if (c.k.has(OVS_KEY_ATTR_ND)) {
    const uint8_t* p = c.k.a[OVS_KEY_ATTR_ND].data();
    std::memcpy(f.nd_target.b, p, 16);
    std::memcpy(f.arp_sha.b, p + 16, 6);
    std::memcpy(f.arp_tha.b, p + 22, 6);
    if (c.is_mask) {
      if (!text::is_all_zeros(p, sizeof(ovs_key_nd)) && !icmp_exact) {
        char buf[128];
        std::snprintf(buf, sizeof buf,
                      "ICMP (src,dst) masks should be (0xff,0xff) but are actually (%#x,%#x)",
                      f.tp_src, f.tp_dst);
        set_error(c.err, buf);
        return false;
      }
      c.expected |= bit(OVS_KEY_ATTR_ND);
    }
  }
  if (c.k.has(OVS_KEY_ATTR_ND_EXTENSIONS)) {
    const uint8_t* p = c.k.a[OVS_KEY_ATTR_ND_EXTENSIONS].data();
    f.igmp_group_ip4 = load_be32(p);
    f.tcp_flags = p[4];
    if (c.is_mask && !text::is_all_zeros(p, sizeof(OvsKeyNdExtensions)) && !icmp_exact) {
      return false;
    }
    c.expected |= bit(OVS_KEY_ATTR_ND_EXTENSIONS);
  }
  return true;
}

// The L4 attribute expected for `src`, or 0.
uint16_t l4_attr_for(const Flow& src) {
  if (!src.is_ip() || (src.nw_frag & kFlowNwFragLater)) return 0;
  switch (src.nw_proto) {
    case kIpProtoTcp:
      return OVS_KEY_ATTR_TCP;
    case kIpProtoUdp:
      return OVS_KEY_ATTR_UDP;
    case kIpProtoSctp:
      return OVS_KEY_ATTR_SCTP;
    case kIpProtoIcmp:
      return src.dl_type == kEthTypeIp ? OVS_KEY_ATTR_ICMP : 0;
    case kIpProtoIcmpv6:
      return src.dl_type == kEthTypeIpv6 ? OVS_KEY_ATTR_ICMPV6 : 0;
    default:
      return 0;
  }
}

bool is_nd(const Flow& f) {
  return f.dl_type == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6 && f.tp_dst == 0 &&
         (f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert);
}

bool parse_l4(Ctx& c) {
  Flow& f = *c.flow;
  uint16_t type = l4_attr_for(*c.src);
  if (!type) return true;
  if (!c.is_mask) c.expected |= bit(type);
  bool found = c.k.has(type);
  if (found) {
    const uint8_t* p = c.k.a[type].data();
    if (type == OVS_KEY_ATTR_ICMP || type == OVS_KEY_ATTR_ICMPV6) {
      f.tp_src = p[0];
      f.tp_dst = p[1];
    } else {
      f.tp_src = load_be16(p);
      f.tp_dst = load_be16(p + 2);
    }
  }
  if (type == OVS_KEY_ATTR_TCP && c.k.has(OVS_KEY_ATTR_TCP_FLAGS)) {
    if (!c.is_mask) c.expected |= bit(OVS_KEY_ATTR_TCP_FLAGS);
    f.tcp_flags = c.k.a[OVS_KEY_ATTR_TCP_FLAGS].get_be16();
    if (c.is_mask) c.expected |= bit(OVS_KEY_ATTR_TCP_FLAGS);
  }
  if (type == OVS_KEY_ATTR_ICMPV6 && found && is_nd(*c.src) && !parse_nd(c)) return false;
  if (c.is_mask && found) {
    if ((f.tp_src || f.tp_dst) && f.nw_proto != 0xff) {
      set_error(c.err, "flow matches on L4 ports but does not define an L4 protocol");
      return false;
    }
    c.expected |= bit(type);
  }
  return true;
}

OdpKeyFitness parse_l2_5_onward(Ctx& c, bool need_check) {
  const Flow& src = *c.src;
  if (eth_type_mpls(src.dl_type)) {
    OdpKeyFitness f = parse_mpls(c);
    if (f != OdpKeyFitness::kPerfect) return f;
  } else if (src.dl_type == kEthTypeIp || src.dl_type == kEthTypeIpv6 ||
             src.dl_type == kEthTypeArp || src.dl_type == kEthTypeRarp) {
    uint16_t type = src.dl_type == kEthTypeIp     ? OVS_KEY_ATTR_IPV4
                    : src.dl_type == kEthTypeIpv6 ? OVS_KEY_ATTR_IPV6
                                                  : OVS_KEY_ATTR_ARP;
    if (!parse_l3(c, type) || !parse_l4(c)) return OdpKeyFitness::kError;
  }
  return need_check ? check_expectations(c.k, c.expected) : OdpKeyFitness::kPerfect;
}

OdpKeyFitness parse_8021q_onward(Ctx& c) {
  Flow& f = *c.flow;
  const Flow& src = *c.src;
  OdpKeyFitness fitness = OdpKeyFitness::kError;
  for (int i = 0; i < kFlowMaxVlans &&
                  (c.is_mask ? (src.vlans[i].tci & kVlanCfi) != 0 : eth_type_vlan(f.dl_type));
       i++) {
    nl::Attr encap = c.k.has(OVS_KEY_ATTR_ENCAP) ? c.k.a[OVS_KEY_ATTR_ENCAP] : nl::Attr();
    if (!c.is_mask) {
      c.expected |= bit(OVS_KEY_ATTR_VLAN) | bit(OVS_KEY_ATTR_ENCAP);
    } else {
      c.expected |= c.k.present & (bit(OVS_KEY_ATTR_VLAN) | bit(OVS_KEY_ATTR_ENCAP));
    }
    fitness = check_expectations(c.k, c.expected);
    f.vlans[i].tpid = f.dl_type;
    f.dl_type = 0;
    f.vlans[i].tci = c.k.has(OVS_KEY_ATTR_VLAN) ? c.k.a[OVS_KEY_ATTR_VLAN].get_be16() : 0;
    if (!c.is_mask) {
      if (!c.k.has(OVS_KEY_ATTR_VLAN) || !c.k.has(OVS_KEY_ATTR_ENCAP)) {
        return OdpKeyFitness::kTooLittle;
      }
      if (f.vlans[i].tci == 0) {
        if (fitness == OdpKeyFitness::kPerfect && encap.size()) return OdpKeyFitness::kTooMuch;
        return fitness;
      }
      if (!(f.vlans[i].tci & kVlanCfi)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "OVS_KEY_ATTR_VLAN 0x%04x is nonzero but CFI bit is not set",
                      f.vlans[i].tci);
        set_error(c.err, buf);
        return OdpKeyFitness::kError;
      }
    } else if (!c.k.has(OVS_KEY_ATTR_ENCAP)) {
      return fitness;
    }
    if (!parse_flow_nlattrs(encap.payload(), &c.k, c.err)) return OdpKeyFitness::kError;
    c.expected = 0;
    c.k.out_of_range = 0;
    if (!parse_ethertype(c)) return OdpKeyFitness::kError;
    OdpKeyFitness inner = parse_l2_5_onward(c, false);
    if (inner != OdpKeyFitness::kPerfect) return inner;
  }
  return check_expectations(c.k, c.expected);
}

void parse_metadata(Ctx& c) {
  Flow& f = *c.flow;
  const KeyAttrs& k = c.k;
  auto take_u32 = [&](int type, uint32_t* field) {
    if (k.has(type)) {
      *field = k.a[type].get_u32();
      c.expected |= bit(type);
    }
  };
  if (!k.has(OVS_KEY_ATTR_RECIRC_ID) && c.is_mask) f.recirc_id = UINT32_MAX;
  take_u32(OVS_KEY_ATTR_RECIRC_ID, &f.recirc_id);
  take_u32(OVS_KEY_ATTR_DP_HASH, &f.dp_hash);
  take_u32(OVS_KEY_ATTR_PRIORITY, &f.skb_priority);
  take_u32(OVS_KEY_ATTR_SKB_MARK, &f.pkt_mark);
  take_u32(OVS_KEY_ATTR_CT_MARK, &f.ct_mark);
  if (k.has(OVS_KEY_ATTR_CT_STATE)) {
    f.ct_state = static_cast<uint8_t>(k.a[OVS_KEY_ATTR_CT_STATE].get_u32());
    c.expected |= bit(OVS_KEY_ATTR_CT_STATE);
  }
  if (k.has(OVS_KEY_ATTR_CT_ZONE)) {
    f.ct_zone = k.a[OVS_KEY_ATTR_CT_ZONE].get_u16();
    c.expected |= bit(OVS_KEY_ATTR_CT_ZONE);
  }
  if (k.has(OVS_KEY_ATTR_CT_LABELS)) {
    std::memcpy(&f.ct_label.lo, k.a[OVS_KEY_ATTR_CT_LABELS].data(), 8);
    std::memcpy(&f.ct_label.hi, k.a[OVS_KEY_ATTR_CT_LABELS].data() + 8, 8);
    c.expected |= bit(OVS_KEY_ATTR_CT_LABELS);
  }
  if (k.has(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4)) {
    const uint8_t* p = k.a[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4].data();
    f.ct_nw_src = load_be32(p + offsetof(ovs_key_ct_tuple_ipv4, ipv4_src));
    f.ct_nw_dst = load_be32(p + offsetof(ovs_key_ct_tuple_ipv4, ipv4_dst));
    f.ct_nw_proto = p[offsetof(ovs_key_ct_tuple_ipv4, ipv4_proto)];
    f.ct_tp_src = load_be16(p + offsetof(ovs_key_ct_tuple_ipv4, src_port));
    f.ct_tp_dst = load_be16(p + offsetof(ovs_key_ct_tuple_ipv4, dst_port));
    c.expected |= bit(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4);
  }
  if (k.has(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6)) {
    const uint8_t* p = k.a[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6].data();
    std::memcpy(f.ct_ipv6_src.b, p + offsetof(ovs_key_ct_tuple_ipv6, ipv6_src), 16);
    std::memcpy(f.ct_ipv6_dst.b, p + offsetof(ovs_key_ct_tuple_ipv6, ipv6_dst), 16);
    f.ct_nw_proto = p[offsetof(ovs_key_ct_tuple_ipv6, ipv6_proto)];
    f.ct_tp_src = load_be16(p + offsetof(ovs_key_ct_tuple_ipv6, src_port));
    f.ct_tp_dst = load_be16(p + offsetof(ovs_key_ct_tuple_ipv6, dst_port));
    c.expected |= bit(OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6);
  }
}

// Packet type, in_port and Ethernet; OVS's order.
void parse_l2_head(Ctx& c) {
  Flow& f = *c.flow;
  const KeyAttrs& k = c.k;
  if (k.has(OVS_KEY_ATTR_IN_PORT)) {
    f.in_port = k.a[OVS_KEY_ATTR_IN_PORT].get_u32();
    c.expected |= bit(OVS_KEY_ATTR_IN_PORT);
  } else if (!c.is_mask) {
    f.in_port = kOdppNone;
  }
  if (k.has(OVS_KEY_ATTR_PACKET_TYPE)) {
    f.packet_type = k.a[OVS_KEY_ATTR_PACKET_TYPE].get_be32();
    c.expected |= bit(OVS_KEY_ATTR_PACKET_TYPE);
    if ((c.src->packet_type >> 16) == kOfpHtnEthertype) f.dl_type = f.packet_type & 0xffff;
  } else if (!c.is_mask) {
    f.packet_type = kPacketTypeEthernet;
  }
  if (k.has(OVS_KEY_ATTR_ETHERNET)) {
    const uint8_t* p = k.a[OVS_KEY_ATTR_ETHERNET].data();
    std::memcpy(f.dl_src.b, p, 6);
    std::memcpy(f.dl_dst.b, p + 6, 6);
    if (!c.is_mask) f.packet_type = kPacketTypeEthernet;
    c.expected |= bit(OVS_KEY_ATTR_ETHERNET);
  } else if (k.has(OVS_KEY_ATTR_ETHERTYPE)) {
    if (!c.is_mask) {
      f.packet_type = packet_type(kOfpHtnEthertype, k.a[OVS_KEY_ATTR_ETHERTYPE].get_be16());
    }
    c.expected |= bit(OVS_KEY_ATTR_ETHERTYPE);
  }
}

OdpKeyFitness key_to_flow(nl::Bytes key, Flow* flow, const Flow* src, std::string* err) {
  *flow = make_flow();
  Ctx c{KeyAttrs(), 0, flow, src ? src : flow, src != nullptr, err};
  if (!parse_flow_nlattrs(key, &c.k, err)) return OdpKeyFitness::kError;
  c.k.out_of_range = 0;  // unknown top-level attributes are tolerated, as OVS does
  parse_metadata(c);
  if (c.k.has(OVS_KEY_ATTR_TUNNEL)) {
    OdpKeyFitness t = parse_tunnel(c.k.a[OVS_KEY_ATTR_TUNNEL], c.is_mask, &flow->tunnel, err);
    if (t == OdpKeyFitness::kError) return t;
    if (t == OdpKeyFitness::kPerfect) c.expected |= bit(OVS_KEY_ATTR_TUNNEL);
  }
  parse_l2_head(c);
  if (!parse_ethertype(c)) return OdpKeyFitness::kError;
  if (c.is_mask ? (c.src->vlans[0].tci & kVlanCfi) != 0 : eth_type_vlan(c.src->dl_type)) {
    return parse_8021q_onward(c);
  }
  if (c.is_mask) {
    flow->vlans[0].tpid = 0xffff;
    flow->vlans[0].tci = 0xffff;
    if (c.k.has(OVS_KEY_ATTR_VLAN)) {
      flow->vlans[0].tci = c.k.a[OVS_KEY_ATTR_VLAN].get_be16();
      c.expected |= bit(OVS_KEY_ATTR_VLAN);
    }
  }
  return parse_l2_5_onward(c, true);
}

// The exact-match mask for a packet like `flow`: every field the packet
// actually has (OVS's flow_wildcards_init_for_packet(), without Geneve
// metadata and NSH, which Flow does not carry).  Used when a datapath
// returns a flow without a mask.
FlowWildcards wildcards_for_packet(const Flow& flow) {
  FlowWildcards wc;
  Flow& m = wc.masks;
  const FlowTnl& t = flow.tunnel;
  if (t.ip_dst || !t.ipv6_dst.is_zero()) {
    FlowTnl& mt = m.tunnel;
    std::memset(&mt, 0xff, sizeof mt);
    mt.pad = 0;
    if (!(t.flags & text::kTnlFKey)) mt.tun_id = 0;
  } else if (t.tun_id) {
    m.tunnel.tun_id = UINT64_MAX;
  }
  m.skb_priority = m.pkt_mark = m.ct_mark = m.recirc_id = m.dp_hash = m.in_port = UINT32_MAX;
  m.ct_state = 0xff;
  m.ct_zone = 0xffff;
  m.ct_label = U128{UINT64_MAX, UINT64_MAX};
  m.packet_type = UINT32_MAX;
  uint16_t dl_type;
  if (flow.packet_type == kPacketTypeEthernet) {
    m.dl_dst = m.dl_src = EthAddr::broadcast();
    m.dl_type = 0xffff;
    for (int i = 0; i < kFlowMaxVlans; i++) {
      m.vlans[i] = {0xffff, 0xffff};  // always show the first zero VLAN
      if (flow.vlans[i].tci == 0) break;
    }
    dl_type = flow.dl_type;
  } else {
    dl_type = flow.packet_type & 0xffff;
  }
  const In6Addr ones = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                         0xff, 0xff, 0xff, 0xff}};
  if (dl_type == kEthTypeIp) {
    m.nw_src = m.nw_dst = m.ct_nw_src = m.ct_nw_dst = UINT32_MAX;
  } else if (dl_type == kEthTypeIpv6) {
    m.ipv6_src = m.ipv6_dst = ones;
    m.ipv6_label = UINT32_MAX;
    if (flow.nw_proto == kIpProtoIcmpv6 && flow.tp_dst == 0 &&
        (flow.tp_src == kNdNeighborSolicit || flow.tp_src == kNdNeighborAdvert)) {
      m.arp_sha = m.arp_tha = EthAddr::broadcast();
      m.nd_target = ones;
    } else {
      m.ct_ipv6_src = m.ct_ipv6_dst = ones;
    }
  } else if (dl_type == kEthTypeArp || dl_type == kEthTypeRarp) {
    m.nw_src = m.nw_dst = UINT32_MAX;
    m.nw_proto = 0xff;
    m.arp_sha = m.arp_tha = EthAddr::broadcast();
    return wc;
  } else if (eth_type_mpls(dl_type)) {
    for (int i = 0; i < kFlowMaxMplsLabels; i++) {
      m.mpls_lse[i] = UINT32_MAX;
      if (flow.mpls_lse[i] & 0x100) break;
    }
    return wc;
  } else {
    return wc;  // unknown ethertype: nothing above L2
  }
  m.nw_frag = kFlowNwFragMask;
  m.nw_tos = m.nw_ttl = m.nw_proto = m.ct_nw_proto = 0xff;
  m.ct_tp_src = m.ct_tp_dst = 0xffff;
  uint8_t p = flow.nw_proto;
  if (!(flow.nw_frag & kFlowNwFragLater) &&
      (p == kIpProtoIcmp || p == kIpProtoIcmpv6 || p == kIpProtoTcp || p == kIpProtoUdp ||
       p == kIpProtoSctp || p == kIpProtoIgmp)) {
    m.tp_src = m.tp_dst = 0xffff;
    if (p == kIpProtoTcp) m.tcp_flags = 0xffff;
    if (p == kIpProtoIgmp) m.igmp_group_ip4 = UINT32_MAX;
  }
  return wc;
}

}  // namespace

OdpKeyFitness odp_flow_key_to_flow(nl::Bytes key, Flow* flow, std::string* error) {
  std::string err;
  OdpKeyFitness f = key_to_flow(key, flow, nullptr, &err);
  if (f == OdpKeyFitness::kError && error) {
    *error = err + "; the flow key in error is: " + odp_flow_key_format(key);
  }
  return f;
}

OdpKeyFitness odp_flow_key_to_mask(nl::Bytes mask, FlowWildcards* wc, const Flow& flow,
                                   std::string* error) {
  if (mask.empty()) {
    // No mask: the datapath flow is exact for what the packet has.
    *wc = wildcards_for_packet(flow);
    return OdpKeyFitness::kPerfect;
  }
  std::string err;
  OdpKeyFitness f = key_to_flow(mask, &wc->masks, &flow, &err);
  if (f == OdpKeyFitness::kError && error) {
    *error = err + "; the flow mask in error is: " + odp_flow_key_format(mask);
  }
  return f;
}

}  // namespace grebe::odp
