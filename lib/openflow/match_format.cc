// Match -> text in ovs-ofctl's order and spelling (OVS match_format()).
#include <cstring>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

// All tunnel flag bits OVS knows (oam, df, csum, key): the "exact" mask.
constexpr uint32_t kTunFlagsAll = 0xf;

struct Out {
  std::string s;
  void put(const std::string& x) { s += x; }
  void item(const char* name, const std::string& v) { s += std::string(name) + "=" + v + ","; }
};

void u32_masked(Out& o, const char* name, uint32_t v, uint32_t m) {
  if (!m) return;
  std::string t = strfmt("%#x", v);
  if (m != 0xffffffffu) t += strfmt("/%#x", m);
  o.item(name, t);
}

void u16_masked(Out& o, const char* name, uint16_t v, uint16_t m) {
  if (!m) return;
  o.item(name, m == 0xffff ? strfmt("%u", v) : strfmt("0x%x/0x%x", v, m));
}

void be32_masked(Out& o, const char* name, uint32_t v, uint32_t m) {
  if (!m) return;
  o.item(name, m == 0xffffffffu ? strfmt("%u", v) : strfmt("0x%08x/0x%08x", v, m));
}

void u64_masked(Out& o, const char* name, uint64_t v, uint64_t m) {
  if (!m) return;
  std::string t = strfmt("%#llx", static_cast<unsigned long long>(v));
  if (m != ~0ull) t += strfmt("/%#llx", static_cast<unsigned long long>(m));
  o.item(name, t);
}

void eth_masked(Out& o, const char* name, const EthAddr& v, const EthAddr& m) {
  if (m.is_zero()) return;
  std::string t = format_eth(v);
  if (!m.is_broadcast()) t += "/" + format_eth(m);
  o.item(name, t);
}

void ip_masked(Out& o, const char* name, uint32_t v, uint32_t m) {
  if (m) o.item(name, format_ip4_masked(v, m));
}

void ip6_masked(Out& o, const char* name, const In6Addr& v, const In6Addr& m) {
  if (!m.is_zero()) o.item(name, format_ip6_masked(v, m));
}

void format_tunnel(Out& o, const Flow& f, const Flow& m) {
  const FlowTnl &t = f.tunnel, &tm = m.tunnel;
  u64_masked(o, "tun_id", t.tun_id, tm.tun_id);
  ip_masked(o, "tun_src", t.ip_src, tm.ip_src);
  ip_masked(o, "tun_dst", t.ip_dst, tm.ip_dst);
  ip6_masked(o, "tun_ipv6_src", t.ipv6_src, tm.ipv6_src);
  ip6_masked(o, "tun_ipv6_dst", t.ipv6_dst, tm.ipv6_dst);
  if (tm.gbp_id) u16_masked(o, "tun_gbp_id", t.gbp_id, tm.gbp_id);
  if (tm.gbp_flags) o.put(strfmt("tun_gbp_flags=%#x,", t.gbp_flags));
  if (tm.ip_tos) o.put(strfmt("tun_tos=%x,", t.ip_tos));
  if (tm.ip_ttl) o.put(strfmt("tun_ttl=%u,", t.ip_ttl));
  if (tm.erspan_ver) o.put(strfmt("tun_erspan_ver=%u,", t.erspan_ver));
  if (tm.erspan_idx && t.erspan_ver == 1) o.put(strfmt("tun_erspan_idx=%#x,", t.erspan_idx));
  if (tm.erspan_dir && t.erspan_ver == 2) o.put(strfmt("tun_erspan_dir=%u,", t.erspan_dir));
  if (tm.erspan_hwid && t.erspan_ver == 2) o.put(strfmt("tun_erspan_hwid=%#x,", t.erspan_hwid));
  if (tm.gtpu_flags) o.put(strfmt("gtpu_flags=%#x,", t.gtpu_flags));
  if (tm.gtpu_msgtype) o.put(strfmt("gtpu_msgtype=%u,", t.gtpu_msgtype));
  if (tm.flags & kFlowTnlFOam)
    o.item("tun_flags", format_flags_masked(tun_flag_name, t.flags & kFlowTnlFOam,
                                            tm.flags & kFlowTnlFOam, kTunFlagsAll));
}

void format_metadata_stage(Out& o, const Flow& f, const Flow& m) {
  u32_masked(o, "pkt_mark", f.pkt_mark, m.pkt_mark);
  if (m.recirc_id) u32_masked(o, "recirc_id", f.recirc_id, m.recirc_id);
  if (m.dp_hash) u32_masked(o, "dp_hash", f.dp_hash, m.dp_hash);
  if (m.conj_id) o.put(strfmt("conj_id=%u,", f.conj_id));
  if (m.skb_priority) o.put(strfmt("skb_priority=%#x,", f.skb_priority));
  if (m.actset_output) o.item("actset_output", format_port(f.actset_output, nullptr));
  if (m.ct_state) {
    o.item("ct_state", m.ct_state == 0xff
                           ? format_flags(ct_state_flag_name, f.ct_state, '|')
                           : format_flags_masked(ct_state_flag_name, f.ct_state, m.ct_state, 0xff));
  }
  if (m.ct_zone) u16_masked(o, "ct_zone", f.ct_zone, m.ct_zone);
  if (m.ct_mark) u32_masked(o, "ct_mark", f.ct_mark, m.ct_mark);
  if (!m.ct_label.is_zero()) {
    uint8_t v[16], k[16];
    store_be64(v, f.ct_label.hi);
    store_be64(v + 8, f.ct_label.lo);
    store_be64(k, m.ct_label.hi);
    store_be64(k + 8, m.ct_label.lo);
    std::string t = format_hex(v, 16);
    if (!(m.ct_label.hi == ~0ull && m.ct_label.lo == ~0ull)) t += "/" + format_hex(k, 16);
    o.item("ct_label", t);
  }
  ip_masked(o, "ct_nw_src", f.ct_nw_src, m.ct_nw_src);
  ip6_masked(o, "ct_ipv6_src", f.ct_ipv6_src, m.ct_ipv6_src);
  ip_masked(o, "ct_nw_dst", f.ct_nw_dst, m.ct_nw_dst);
  ip6_masked(o, "ct_ipv6_dst", f.ct_ipv6_dst, m.ct_ipv6_dst);
  if (m.ct_nw_proto) {
    o.put(strfmt("ct_nw_proto=%u,", f.ct_nw_proto));
    u16_masked(o, "ct_tp_src", f.ct_tp_src, m.ct_tp_src);
    u16_masked(o, "ct_tp_dst", f.ct_tp_dst, m.ct_tp_dst);
  }
}

// The protocol keyword ("tcp", "ipv6", ...) standing for dl_type/nw_proto.
const char* proto_keyword(const Flow& f, const Flow& m, uint16_t dl_type, bool* skip_proto) {
  *skip_proto = false;
  if (dl_type == kEthTypeIp || dl_type == kEthTypeIpv6) {
    bool v6 = dl_type == kEthTypeIpv6;
    if (m.nw_proto) {
      *skip_proto = true;
      switch (f.nw_proto) {
        case kIpProtoIcmp: if (!v6) return "icmp"; break;
        case kIpProtoIcmpv6: if (v6) return "icmp6"; break;
        case kIpProtoTcp: return v6 ? "tcp6" : "tcp";
        case kIpProtoUdp: return v6 ? "udp6" : "udp";
        case kIpProtoSctp: return v6 ? "sctp6" : "sctp";
      }
      *skip_proto = false;
    }
    return v6 ? "ipv6" : "ip";
  }
  switch (dl_type) {
    case kEthTypeArp: return "arp";
    case kEthTypeRarp: return "rarp";
    case kEthTypeMpls: return "mpls";
    case kEthTypeMplsMcast: return "mplsm";
  }
  return nullptr;
}

void format_vlans(Out& o, const Flow& f, const Flow& m) {
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    uint16_t mask = m.vlans[i].tci, tci = f.vlans[i].tci;
    if (!mask) break;
    std::string sfx = i ? std::to_string(i) : "";
    uint16_t vid_mask = mask & kVlanVidMask, pcp_mask = mask & kVlanPcpMask;
    if ((mask & kVlanCfi) && (tci & kVlanCfi) && (!vid_mask || vid_mask == kVlanVidMask) &&
        (!pcp_mask || pcp_mask == kVlanPcpMask) && (vid_mask || pcp_mask)) {
      if (vid_mask) o.put(strfmt("dl_vlan%s=%u,", sfx.c_str(), tci & kVlanVidMask));
      if (pcp_mask) o.put(strfmt("dl_vlan_pcp%s=%d,", sfx.c_str(), tci >> kVlanPcpShift));
    } else if (mask == 0xffff) {
      o.put(strfmt("vlan_tci%s=0x%04x,", sfx.c_str(), tci));
    } else {
      o.put(strfmt("vlan_tci%s=0x%04x/0x%04x,", sfx.c_str(), tci, mask));
    }
  }
}

void format_l3(Out& o, const Flow& f, const Flow& m, uint16_t dl_type, bool skip_proto) {
  bool arp = dl_type == kEthTypeArp || dl_type == kEthTypeRarp;
  if (dl_type == kEthTypeIpv6) {
    ip6_masked(o, "ipv6_src", f.ipv6_src, m.ipv6_src);
    ip6_masked(o, "ipv6_dst", f.ipv6_dst, m.ipv6_dst);
    if (m.ipv6_label) {
      o.put(m.ipv6_label == 0xffffffffu
                ? strfmt("ipv6_label=0x%05x,", f.ipv6_label)
                : strfmt("ipv6_label=0x%05x/0x%05x,", f.ipv6_label, m.ipv6_label));
    }
  } else if (arp) {
    ip_masked(o, "arp_spa", f.nw_src, m.nw_src);
    ip_masked(o, "arp_tpa", f.nw_dst, m.nw_dst);
  } else {
    ip_masked(o, "nw_src", f.nw_src, m.nw_src);
    ip_masked(o, "nw_dst", f.nw_dst, m.nw_dst);
  }
  if (!skip_proto && m.nw_proto) o.put(strfmt(arp ? "arp_op=%u," : "nw_proto=%u,", f.nw_proto));
  if (arp) {
    eth_masked(o, "arp_sha", f.arp_sha, m.arp_sha);
    eth_masked(o, "arp_tha", f.arp_tha, m.arp_tha);
  }
  if (m.nw_tos & 0xfc) o.put(strfmt("nw_tos=%d,", f.nw_tos & 0xfc));
  if (m.nw_tos & 0x03) o.put(strfmt("nw_ecn=%d,", f.nw_tos & 0x03));
  if (m.nw_ttl) o.put(strfmt("nw_ttl=%d,", f.nw_ttl));
  uint32_t lse = f.mpls_lse[0], lm = m.mpls_lse[0];
  if (lm & kMplsLabelMask) o.put(strfmt("mpls_label=%u,", lse >> kMplsLabelShift));
  if (lm & kMplsTcMask) o.put(strfmt("mpls_tc=%u,", (lse & kMplsTcMask) >> kMplsTcShift));
  if (lm & kMplsTtlMask) o.put(strfmt("mpls_ttl=%u,", lse & kMplsTtlMask));
  if (lm & kMplsBosMask) o.put(strfmt("mpls_bos=%u,", (lse & kMplsBosMask) >> kMplsBosShift));
  be32_masked(o, "mpls_lse1", f.mpls_lse[1], m.mpls_lse[1]);
  be32_masked(o, "mpls_lse2", f.mpls_lse[2], m.mpls_lse[2]);
  uint8_t fa = f.nw_frag & kFlowNwFragAny, fl = f.nw_frag & kFlowNwFragLater;
  switch (m.nw_frag & kFlowNwFragMask) {
    case kFlowNwFragAny | kFlowNwFragLater:
      o.put(strfmt("nw_frag=%s,", fa ? (fl ? "later" : "first") : (fl ? "<error>" : "no")));
      break;
    case kFlowNwFragAny:
      o.put(strfmt("nw_frag=%s,", fa ? "yes" : "no"));
      break;
    case kFlowNwFragLater:
      o.put(strfmt("nw_frag=%s,", fl ? "later" : "not_later"));
      break;
  }
}

void format_l4(Out& o, const Flow& f, const Flow& m, uint16_t dl_type) {
  if (dl_type == kEthTypeIp && f.nw_proto == kIpProtoIcmp) {
    u16_masked(o, "icmp_type", f.tp_src, m.tp_src);
    u16_masked(o, "icmp_code", f.tp_dst, m.tp_dst);
  } else if (dl_type == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6) {
    u16_masked(o, "icmp_type", f.tp_src, m.tp_src);
    u16_masked(o, "icmp_code", f.tp_dst, m.tp_dst);
    ip6_masked(o, "nd_target", f.nd_target, m.nd_target);
    eth_masked(o, "nd_sll", f.arp_sha, m.arp_sha);
    eth_masked(o, "nd_tll", f.arp_tha, m.arp_tha);
    if (m.igmp_group_ip4) be32_masked(o, "nd_reserved", f.igmp_group_ip4, m.igmp_group_ip4);
    if (m.tcp_flags) u16_masked(o, "nd_options_type", f.tcp_flags, m.tcp_flags);
  } else {
    u16_masked(o, "tp_src", f.tp_src, m.tp_src);
    u16_masked(o, "tp_dst", f.tp_dst, m.tp_dst);
  }
  if ((dl_type == kEthTypeIp || dl_type == kEthTypeIpv6) && f.nw_proto == kIpProtoTcp &&
      m.tcp_flags) {
    o.item("tcp_flags",
           format_flags_masked(tcp_flag_name, f.tcp_flags, m.tcp_flags & 0x0fff, 0x0fff));
  }
}

}  // namespace

std::string format_match(const Match& match, int priority, const PortMap* ports) {
  const Flow& f = match.flow;
  const Flow& m = match.wc.masks;
  Out o;
  if (priority != kDefaultPriority) o.put(strfmt("priority=%d,", priority));
  format_metadata_stage(o, f, m);
  uint16_t dl_type = f.dl_type;
  bool default_pt = f.packet_type == kPacketTypeEthernet;
  if (m.packet_type && (!default_pt || m.recirc_id)) {
    o.put(mf_format(mf_field(MfId::kPacketType),
                    MfValue::from_u64(mf_field(MfId::kPacketType), f.packet_type),
                    nullptr) + ",");
    if ((f.packet_type >> 16) == kOfpHtnEthertype) dl_type = f.packet_type & 0xffff;
  }
  bool skip_type = false, skip_proto = false;
  if (m.dl_type) {
    if (const char* kw = proto_keyword(f, m, dl_type, &skip_proto)) {
      o.put(std::string(kw) + ",");
      skip_type = true;
    }
  }
  for (int i = 0; i < kFlowNumRegs; ++i)
    u32_masked(o, ("reg" + std::to_string(i)).c_str(), f.regs[i], m.regs[i]);
  format_tunnel(o, f, m);
  u64_masked(o, "metadata", f.metadata, m.metadata);
  if (m.in_port) o.item("in_port", format_port(f.in_port, ports));
  format_vlans(o, f, m);
  eth_masked(o, "dl_src", f.dl_src, m.dl_src);
  eth_masked(o, "dl_dst", f.dl_dst, m.dl_dst);
  if (!skip_type && m.dl_type) o.put(strfmt("dl_type=0x%04x,", dl_type));
  format_l3(o, f, m, dl_type, skip_proto);
  format_l4(o, f, m, dl_type);
  if (!o.s.empty() && o.s.back() == ',') o.s.pop_back();
  return o.s;
}

}  // namespace grebe::openflow
