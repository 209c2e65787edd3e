// commit_odp_actions(): header changes -> set / set-masked / vlan actions.
#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>

#include "grebe/odp/odp_commit.h"
#include "grebe/odp/odp_put.h"
#include "grebe/util/byteorder.h"
#include "key_desc.h"
#include "odp_private.h"

namespace grebe::odp {

namespace {

// One field of a datapath key struct: where it is and how long.
struct Span {
  uint8_t off;
  uint8_t size;
};
using Spans = std::initializer_list<Span>;

constexpr uint8_t kIpEcnMask = 0x03;

// True if any field differs; zeroes the mask of each field that does not,
// since there is nothing to set there (OVS's keycmp_mask()).
bool keycmp_mask(const uint8_t* key, const uint8_t* base, Spans fields, uint8_t* mask) {
  bool differ = false;
  for (Span f : fields) {
    if (std::memcmp(key + f.off, base + f.off, f.size) == 0) {
      std::memset(mask + f.off, 0, f.size);
    } else {
      differ = true;
    }
  }
  return differ;
}

void or_masks(uint8_t* mask, const uint8_t* orig, Spans fields) {
  for (Span f : fields) {
    for (int i = 0; i < f.size; i++) mask[f.off + i] |= orig[f.off + i];
  }
}

// Emits the set for `attr` if key and base differ; copies key into base.
bool commit(uint16_t attr, bool use_masked, const uint8_t* key, uint8_t* base, uint8_t* mask,
            size_t size, Spans fields, nl::AttrBuilder& actions) {
  if (!keycmp_mask(key, base, fields, mask)) return false;
  bool fully_masked = odp_mask_is_constant(attr, mask, size, true);
  if (use_masked && !fully_masked) {
    odp_put_set_masked_action(attr, nl::Bytes(key, size), nl::Bytes(mask, size), actions);
  } else {
    if (!fully_masked) std::memset(mask, 0xff, size);
    odp_put_set_action(attr, nl::Bytes(key, size), actions);
  }
  std::memcpy(base, key, size);
  return true;
}

// Runs commit() on a header read from the flows by `get` and, if something
// changed, writes base and the widened mask back with `put`.
template <size_t N, typename Get, typename Put>
bool commit_header(uint16_t attr, bool use_masked, const Flow& flow, Flow* base_flow,
                   FlowWildcards* wc, Spans fields, nl::AttrBuilder& actions, Get get, Put put,
                   void (*adjust_mask)(const Flow&, const Flow&, uint8_t*) = nullptr) {
  uint8_t key[N] = {}, base[N] = {}, mask[N] = {}, orig[N] = {};
  get(flow, key, false);
  get(*base_flow, base, false);
  get(wc->masks, mask, true);
  std::memcpy(orig, mask, N);
  if (adjust_mask) adjust_mask(flow, *base_flow, mask);
  if (!commit(attr, use_masked, key, base, mask, N, fields, actions)) return false;
  put(base, base_flow, false);
  or_masks(mask, orig, fields);
  put(mask, &wc->masks, true);
  return true;
}

uint8_t to_odp_frag(uint8_t f, bool is_mask) {
  if (is_mask) return (f & kFlowNwFragAny) ? 0xff : 0;
  if (!(f & kFlowNwFragAny)) return OVS_FRAG_TYPE_NONE;
  return (f & kFlowNwFragLater) ? OVS_FRAG_TYPE_LATER : OVS_FRAG_TYPE_FIRST;
}
uint8_t from_odp_frag(uint8_t f, bool is_mask) {
  if (is_mask) return f ? kFlowNwFragMask : 0;
  return f == OVS_FRAG_TYPE_NONE    ? 0
         : f == OVS_FRAG_TYPE_FIRST ? kFlowNwFragAny
                                    : kFlowNwFragAny | kFlowNwFragLater;
}

#define OFF(T, F) static_cast<uint8_t>(offsetof(T, F))

void get_eth(const Flow& f, uint8_t* k, bool) {
  std::memcpy(k, f.dl_src.b, 6);
  std::memcpy(k + 6, f.dl_dst.b, 6);
}
void put_eth(const uint8_t* k, Flow* f, bool) {
  std::memcpy(f->dl_src.b, k, 6);
  std::memcpy(f->dl_dst.b, k + 6, 6);
}

void get_ipv4(const Flow& f, uint8_t* k, bool is_mask) {
  store_be32(k + OFF(ovs_key_ipv4, ipv4_src), f.nw_src);
  store_be32(k + OFF(ovs_key_ipv4, ipv4_dst), f.nw_dst);
  k[OFF(ovs_key_ipv4, ipv4_proto)] = f.nw_proto;
  k[OFF(ovs_key_ipv4, ipv4_tos)] = f.nw_tos;
  k[OFF(ovs_key_ipv4, ipv4_ttl)] = f.nw_ttl;
  k[OFF(ovs_key_ipv4, ipv4_frag)] = to_odp_frag(f.nw_frag, is_mask);
}
void put_ipv4(const uint8_t* k, Flow* f, bool is_mask) {
  f->nw_src = load_be32(k + OFF(ovs_key_ipv4, ipv4_src));
  f->nw_dst = load_be32(k + OFF(ovs_key_ipv4, ipv4_dst));
  f->nw_proto = k[OFF(ovs_key_ipv4, ipv4_proto)];
  f->nw_tos = k[OFF(ovs_key_ipv4, ipv4_tos)];
  f->nw_ttl = k[OFF(ovs_key_ipv4, ipv4_ttl)];
  f->nw_frag = from_odp_frag(k[OFF(ovs_key_ipv4, ipv4_frag)], is_mask);
}

void get_ipv6(const Flow& f, uint8_t* k, bool is_mask) {
  std::memcpy(k + OFF(ovs_key_ipv6, ipv6_src), f.ipv6_src.b, 16);
  std::memcpy(k + OFF(ovs_key_ipv6, ipv6_dst), f.ipv6_dst.b, 16);
  store_be32(k + OFF(ovs_key_ipv6, ipv6_label), f.ipv6_label);
  k[OFF(ovs_key_ipv6, ipv6_proto)] = f.nw_proto;
  k[OFF(ovs_key_ipv6, ipv6_tclass)] = f.nw_tos;
  k[OFF(ovs_key_ipv6, ipv6_hlimit)] = f.nw_ttl;
  k[OFF(ovs_key_ipv6, ipv6_frag)] = to_odp_frag(f.nw_frag, is_mask);
}
void put_ipv6(const uint8_t* k, Flow* f, bool is_mask) {
  std::memcpy(f->ipv6_src.b, k + OFF(ovs_key_ipv6, ipv6_src), 16);
  std::memcpy(f->ipv6_dst.b, k + OFF(ovs_key_ipv6, ipv6_dst), 16);
  f->ipv6_label = load_be32(k + OFF(ovs_key_ipv6, ipv6_label));
  f->nw_proto = k[OFF(ovs_key_ipv6, ipv6_proto)];
  f->nw_tos = k[OFF(ovs_key_ipv6, ipv6_tclass)];
  f->nw_ttl = k[OFF(ovs_key_ipv6, ipv6_hlimit)];
  f->nw_frag = from_odp_frag(k[OFF(ovs_key_ipv6, ipv6_frag)], is_mask);
}

void get_arp(const Flow& f, uint8_t* k, bool) {
  store_be32(k + OFF(ovs_key_arp, arp_sip), f.nw_src);
  store_be32(k + OFF(ovs_key_arp, arp_tip), f.nw_dst);
  // An exact 8-bit opcode mask stands for an exact 16-bit one.
  store_be16(k + OFF(ovs_key_arp, arp_op), f.nw_proto == 0xff ? 0xffff : f.nw_proto);
  std::memcpy(k + OFF(ovs_key_arp, arp_sha), f.arp_sha.b, 6);
  std::memcpy(k + OFF(ovs_key_arp, arp_tha), f.arp_tha.b, 6);
}
void put_arp(const uint8_t* k, Flow* f, bool) {
  f->nw_src = load_be32(k + OFF(ovs_key_arp, arp_sip));
  f->nw_dst = load_be32(k + OFF(ovs_key_arp, arp_tip));
  f->nw_proto = static_cast<uint8_t>(load_be16(k + OFF(ovs_key_arp, arp_op)));
  std::memcpy(f->arp_sha.b, k + OFF(ovs_key_arp, arp_sha), 6);
  std::memcpy(f->arp_tha.b, k + OFF(ovs_key_arp, arp_tha), 6);
}

void get_nd(const Flow& f, uint8_t* k, bool) {
  std::memcpy(k, f.nd_target.b, 16);
  std::memcpy(k + 16, f.arp_sha.b, 6);
  std::memcpy(k + 22, f.arp_tha.b, 6);
}
void put_nd(const uint8_t* k, Flow* f, bool) {
  std::memcpy(f->nd_target.b, k, 16);
  std::memcpy(f->arp_sha.b, k + 16, 6);
  std::memcpy(f->arp_tha.b, k + 22, 6);
}

void get_tp(const Flow& f, uint8_t* k, bool) {
  store_be16(k, f.tp_src);
  store_be16(k + 2, f.tp_dst);
}
void put_tp(const uint8_t* k, Flow* f, bool) {
  f->tp_src = load_be16(k);
  f->tp_dst = load_be16(k + 2);
}

void get_icmp(const Flow& f, uint8_t* k, bool) {
  k[0] = static_cast<uint8_t>(f.tp_src);
  k[1] = static_cast<uint8_t>(f.tp_dst);
}
void put_icmp(const uint8_t* k, Flow* f, bool) {
  f->tp_src = k[0];
  f->tp_dst = k[1];
}

void get_u32_priority(const Flow& f, uint8_t* k, bool) { std::memcpy(k, &f.skb_priority, 4); }
void put_u32_priority(const uint8_t* k, Flow* f, bool) { std::memcpy(&f->skb_priority, k, 4); }
void get_u32_mark(const Flow& f, uint8_t* k, bool) { std::memcpy(k, &f.pkt_mark, 4); }
void put_u32_mark(const uint8_t* k, Flow* f, bool) { std::memcpy(&f->pkt_mark, k, 4); }

// IP proto and frag are not writable; ECN is left alone on tunnelled
// packets whose ECN is unchanged (the tunnel decap owns it).
void adjust_ipv4_mask(const Flow& flow, const Flow& base, uint8_t* m) {
  m[OFF(ovs_key_ipv4, ipv4_proto)] = 0;
  m[OFF(ovs_key_ipv4, ipv4_frag)] = 0;
  if ((base.tunnel.ip_dst || !base.tunnel.ipv6_dst.is_zero()) &&
      !((base.nw_tos ^ flow.nw_tos) & kIpEcnMask)) {
    m[OFF(ovs_key_ipv4, ipv4_tos)] &= ~kIpEcnMask;
  }
}
void adjust_ipv6_mask(const Flow& flow, const Flow& base, uint8_t* m) {
  m[OFF(ovs_key_ipv6, ipv6_proto)] = 0;
  m[OFF(ovs_key_ipv6, ipv6_frag)] = 0;
  uint8_t* label = m + OFF(ovs_key_ipv6, ipv6_label);
  store_be32(label, load_be32(label) & 0xfffff);
  if ((base.tunnel.ip_dst || !base.tunnel.ipv6_dst.is_zero()) &&
      !((base.nw_tos ^ flow.nw_tos) & kIpEcnMask)) {
    m[OFF(ovs_key_ipv6, ipv6_tclass)] &= ~kIpEcnMask;
  }
}

constexpr Spans kEthSpans = {{0, 6}, {6, 6}};
constexpr Spans kIpv4Spans = {
    {OFF(ovs_key_ipv4, ipv4_src), 4},   {OFF(ovs_key_ipv4, ipv4_dst), 4},
    {OFF(ovs_key_ipv4, ipv4_proto), 1}, {OFF(ovs_key_ipv4, ipv4_tos), 1},
    {OFF(ovs_key_ipv4, ipv4_ttl), 1},   {OFF(ovs_key_ipv4, ipv4_frag), 1}};
constexpr Spans kIpv6Spans = {
    {OFF(ovs_key_ipv6, ipv6_src), 16},   {OFF(ovs_key_ipv6, ipv6_dst), 16},
    {OFF(ovs_key_ipv6, ipv6_label), 4},  {OFF(ovs_key_ipv6, ipv6_proto), 1},
    {OFF(ovs_key_ipv6, ipv6_tclass), 1}, {OFF(ovs_key_ipv6, ipv6_hlimit), 1},
    {OFF(ovs_key_ipv6, ipv6_frag), 1}};
constexpr Spans kArpSpans = {{OFF(ovs_key_arp, arp_sip), 4},
                             {OFF(ovs_key_arp, arp_tip), 4},
                             {OFF(ovs_key_arp, arp_op), 2},
                             {OFF(ovs_key_arp, arp_sha), 6},
                             {OFF(ovs_key_arp, arp_tha), 6}};
constexpr Spans kNdSpans = {{0, 16}, {16, 6}, {22, 6}};
constexpr Spans kTpSpans = {{0, 2}, {2, 2}};
constexpr Spans kIcmpSpans = {{0, 1}, {1, 1}};
constexpr Spans kU32Spans = {{0, 4}};

#undef OFF

bool is_nd(const Flow& f) {
  return f.dl_type == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6 && f.tp_dst == 0 &&
         (f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert);
}

uint32_t commit_nw(const Flow& flow, Flow* base, nl::AttrBuilder& a, FlowWildcards* wc,
                   bool masked) {
  if (!flow.nw_proto) return 0;  // no L3 header to modify
  switch (base->dl_type) {
    case kEthTypeIp:
      commit_header<sizeof(ovs_key_ipv4)>(OVS_KEY_ATTR_IPV4, masked, flow, base, wc, kIpv4Spans, a,
                                          get_ipv4, put_ipv4, adjust_ipv4_mask);
      return 0;
    case kEthTypeIpv6:
      commit_header<sizeof(ovs_key_ipv6)>(OVS_KEY_ATTR_IPV6, masked, flow, base, wc, kIpv6Spans, a,
                                          get_ipv6, put_ipv6, adjust_ipv6_mask);
      if (base->nw_proto == kIpProtoIcmpv6 && is_nd(*base) &&
          commit_header<sizeof(ovs_key_nd)>(OVS_KEY_ATTR_ND, masked, flow, base, wc, kNdSpans, a,
                                            get_nd, put_nd)) {
        return uint32_t{kSlowAction};
      }
      return 0;
    case kEthTypeArp:
      return commit_header<sizeof(ovs_key_arp)>(OVS_KEY_ATTR_ARP, true, flow, base, wc, kArpSpans,
                                                a, get_arp, put_arp)
                 ? uint32_t{kSlowAction}
                 : 0;
    default:
      return 0;
  }
}

void commit_ports(const Flow& flow, Flow* base, nl::AttrBuilder& a, FlowWildcards* wc,
                  bool masked) {
  if (!flow.nw_proto || !base->is_ip()) return;
  uint16_t type = flow.nw_proto == kIpProtoTcp    ? OVS_KEY_ATTR_TCP
                  : flow.nw_proto == kIpProtoUdp  ? OVS_KEY_ATTR_UDP
                  : flow.nw_proto == kIpProtoSctp ? OVS_KEY_ATTR_SCTP
                                                  : 0;
  if (type) commit_header<4>(type, masked, flow, base, wc, kTpSpans, a, get_tp, put_tp);
}

uint32_t commit_icmp(const Flow& flow, Flow* base, nl::AttrBuilder& a, FlowWildcards* wc) {
  uint16_t type = 0;
  if (flow.dl_type == kEthTypeIp && flow.nw_proto == kIpProtoIcmp) type = OVS_KEY_ATTR_ICMP;
  if (flow.dl_type == kEthTypeIpv6 && flow.nw_proto == kIpProtoIcmpv6) {
    type = OVS_KEY_ATTR_ICMPV6;
  }
  if (!type) return 0;
  return commit_header<2>(type, false, flow, base, wc, kIcmpSpans, a, get_icmp, put_icmp)
             ? uint32_t{kSlowAction}
             : 0;
}

int count_mpls(const Flow& f) {
  if (f.dl_type != kEthTypeMpls && f.dl_type != kEthTypeMplsMcast) return 0;
  int n = 0;
  for (int i = 0; i < kFlowMaxMplsLabels; i++) {
    if (f.mpls_lse[i] & 0x100) return i + 1;  // bottom of stack
    if (f.mpls_lse[i]) n++;
  }
  return n;
}

// Label stack entries the two stacks share, counted from the bottom.
int count_common_mpls(const Flow& a, int an, const Flow& b, int bn) {
  int common = 0;
  for (int i = 0; i < std::min(an, bn); i++) {
    if (a.mpls_lse[an - 1 - i] != b.mpls_lse[bn - 1 - i]) break;
    common++;
  }
  return common;
}

bool is_mpls_type(uint16_t t) { return t == kEthTypeMpls || t == kEthTypeMplsMcast; }

// Pops, rewrites and pushes label stack entries so base's stack becomes
// flow's (OVS's commit_mpls_action(); wildcarding happened in xlate).
void commit_mpls(const Flow& flow, Flow* base, nl::AttrBuilder& a) {
  int base_n = count_mpls(*base), flow_n = count_mpls(flow);
  int common = count_common_mpls(flow, flow_n, *base, base_n);
  while (base_n > common) {
    if (base_n - 1 == common && flow_n > common) {
      // One extra entry on each side: rewrite the top one in place.
      uint8_t lse[4];
      store_be32(lse, flow.mpls_lse[flow_n - base_n]);
      odp_put_set_action(OVS_KEY_ATTR_MPLS, nl::Bytes(lse, 4), a);
      base->mpls_lse[0] = flow.mpls_lse[flow_n - base_n];
      common++;
      continue;
    }
    // POP_MPLS needs an MPLS ethertype unless this pop empties the stack.
    uint16_t dl_type = (!is_mpls_type(flow.dl_type) && base_n > 1) ? kEthTypeMpls : flow.dl_type;
    odp_put_pop_mpls_action(dl_type, a);
    for (int i = 1; i < base_n; i++) base->mpls_lse[i - 1] = base->mpls_lse[i];
    base->mpls_lse[base_n - 1] = 0;
    if (base_n == 1) base->dl_type = flow.dl_type;
    base_n--;
  }
  while (base_n < flow_n) {
    uint32_t lse = flow.mpls_lse[flow_n - base_n - 1];
    odp_put_push_mpls_action(lse, flow.dl_type, a);
    for (int i = base_n; i >= 1; i--) base->mpls_lse[i] = base->mpls_lse[i - 1];
    base->mpls_lse[0] = lse;
    base->dl_type = flow.dl_type;
    base_n++;
  }
}

int count_vlans(const Flow& f) {
  int i = 0;
  while (i < kFlowMaxVlans && (f.vlans[i].tci & kVlanCfi)) i++;
  return i;
}

// Pops base's VLANs that differ from flow's and pushes flow's.
void commit_vlans(const Flow& flow, Flow* base, nl::AttrBuilder& a, FlowWildcards* wc) {
  int bn = count_vlans(*base) - 1, fn = count_vlans(flow) - 1;
  // Skip the innermost headers the two have in common.
  while (bn >= 0 && fn >= 0 && base->vlans[bn].tpid == flow.vlans[fn].tpid &&
         base->vlans[bn].tci == flow.vlans[fn].tci) {
    bn--;
    fn--;
  }
  for (; bn >= 0; bn--) {
    a.put_flag(OVS_ACTION_ATTR_POP_VLAN);
    wc->masks.vlans[bn].tpid = 0xffff;
    wc->masks.vlans[bn].tci = 0xffff;
  }
  for (; fn >= 0; fn--) odp_put_push_vlan_action(flow.vlans[fn].tpid, flow.vlans[fn].tci, a);
  std::memcpy(base->vlans, flow.vlans, sizeof base->vlans);
}

}  // namespace

void commit_odp_tunnel_action(const Flow& flow, Flow* base, nl::AttrBuilder& actions) {
  // A valid tunnel has a destination.
  if (!flow.tunnel.ip_dst && flow.tunnel.ipv6_dst.is_zero()) return;
  if (std::memcmp(&base->tunnel, &flow.tunnel, sizeof flow.tunnel) == 0) return;
  base->tunnel = flow.tunnel;
  odp_put_tunnel_action(base->tunnel, actions);
}

uint32_t commit_odp_actions(const Flow& flow, Flow* base, nl::AttrBuilder& actions,
                            FlowWildcards* wc, bool use_masked) {
  if (flow.packet_type == kPacketTypeEthernet && base->packet_type == kPacketTypeEthernet) {
    commit_header<12>(OVS_KEY_ATTR_ETHERNET, use_masked, flow, base, wc, kEthSpans, actions,
                      get_eth, put_eth);
  }
  // Make the packet non-MPLS before L3/L4 sets, which would do nothing on
  // an MPLS packet.
  bool mpls_done = false;
  if (is_mpls_type(base->dl_type) && !is_mpls_type(flow.dl_type)) {
    commit_mpls(flow, base, actions);
    mpls_done = true;
  }
  uint32_t slow1 = commit_nw(flow, base, actions, wc, use_masked);
  commit_ports(flow, base, actions, wc, use_masked);
  uint32_t slow2 = commit_icmp(flow, base, actions, wc);
  if (!mpls_done) commit_mpls(flow, base, actions);
  commit_vlans(flow, base, actions, wc);
  commit_header<4>(OVS_KEY_ATTR_PRIORITY, use_masked, flow, base, wc, kU32Spans, actions,
                   get_u32_priority, put_u32_priority);
  commit_header<4>(OVS_KEY_ATTR_SKB_MARK, use_masked, flow, base, wc, kU32Spans, actions,
                   get_u32_mark, put_u32_mark);
  return slow1 ? slow1 : slow2;
}

}  // namespace grebe::odp
