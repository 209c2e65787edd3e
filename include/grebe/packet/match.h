// FlowWildcards (a Flow-shaped mask) and Match (flow + wildcards).
//
// A 1-bit in a wildcards mask means "this bit of the flow is matched"; a
// 0-bit means "don't care".  A Match keeps the invariant flow & mask == flow
// (every setter maintains it; normalize() restores it after direct edits),
// so two matches are equal iff their flows and masks are equal byte-wise.
//
// Thread-safety: plain value types.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grebe/packet/flow.h"

namespace grebe {

struct FlowWildcards {
  Flow masks = make_flow();

  // All bits wildcarded / all bits exact.
  static FlowWildcards catchall() { return FlowWildcards{}; }
  static FlowWildcards exact();

  bool is_catchall() const;
  // Bitwise AND / OR of two masks (the result matches fewer / more bits).
  static FlowWildcards intersect(const FlowWildcards& a, const FlowWildcards& b);
  static FlowWildcards unite(const FlowWildcards& a, const FlowWildcards& b);
  // True if every bit matched by `other` is also matched by this mask.
  bool has_all_of(const FlowWildcards& other) const;

  friend bool operator==(const FlowWildcards& a, const FlowWildcards& b) {
    return a.masks == b.masks;
  }
  uint32_t hash(uint32_t basis) const { return flow_hash(masks, basis); }
};

// Returns flow & mask, word by word.
Flow flow_apply_mask(const Flow& flow, const FlowWildcards& wc);
// True if `a` and `b` agree on every bit set in `wc`.
bool flow_equal_except(const Flow& a, const Flow& b, const FlowWildcards& wc);

class Match {
 public:
  Flow flow = make_flow();
  FlowWildcards wc;

  // Zeroes every flow bit that the mask does not cover.
  void normalize();
  bool is_catchall() const { return wc.is_catchall(); }
  // True if `flow` (a packet's flow) matches this rule.
  bool matches(const Flow& packet) const { return flow_equal_except(packet, flow, wc); }
  uint32_t hash(uint32_t basis) const;
  friend bool operator==(const Match& a, const Match& b) {
    return a.flow == b.flow && a.wc == b.wc;
  }

  // Generic setter for an integral, EthAddr or In6Addr member of Flow:
  // matches the bits of `mask`, storing value & mask.
  template <typename T>
  void set_masked(T Flow::*member, const T& value, const T& mask) {
    (wc.masks.*member) = mask;
    (flow.*member) = and_bits(value, mask);
  }
  template <typename T>
  void set_exact(T Flow::*member, const T& value) {
    set_masked(member, value, all_ones<T>());
  }

  // ---- Metadata ----
  void set_in_port(uint32_t ofp_port) { set_exact(&Flow::in_port, ofp_port); }
  void set_metadata_masked(uint64_t v, uint64_t m) { set_masked(&Flow::metadata, v, m); }
  void set_reg_masked(int idx, uint32_t v, uint32_t m);
  void set_xreg_masked(int idx, uint64_t v, uint64_t m);
  void set_xxreg_masked(int idx, U128 v, U128 m);
  void set_tun_id_masked(uint64_t v, uint64_t m);
  void set_tun_src_masked(uint32_t v, uint32_t m);
  void set_tun_dst_masked(uint32_t v, uint32_t m);
  void set_tun_flags_masked(uint16_t v, uint16_t m);
  void set_pkt_mark_masked(uint32_t v, uint32_t m) { set_masked(&Flow::pkt_mark, v, m); }
  void set_skb_priority(uint32_t v) { set_exact(&Flow::skb_priority, v); }
  void set_dp_hash_masked(uint32_t v, uint32_t m) { set_masked(&Flow::dp_hash, v, m); }
  void set_recirc_id(uint32_t v) { set_exact(&Flow::recirc_id, v); }
  void set_conj_id(uint32_t v) { set_exact(&Flow::conj_id, v); }
  void set_actset_output(uint32_t v) { set_exact(&Flow::actset_output, v); }
  void set_packet_type(uint32_t v) { set_exact(&Flow::packet_type, v); }
  void set_ct_state_masked(uint8_t v, uint8_t m) { set_masked(&Flow::ct_state, v, m); }
  void set_ct_zone(uint16_t v) { set_exact(&Flow::ct_zone, v); }
  void set_ct_mark_masked(uint32_t v, uint32_t m) { set_masked(&Flow::ct_mark, v, m); }
  void set_ct_label_masked(U128 v, U128 m) { set_masked(&Flow::ct_label, v, m); }

  // ---- L2 ----
  void set_dl_type(uint16_t v) { set_exact(&Flow::dl_type, v); }
  void set_dl_src_masked(EthAddr v, EthAddr m) { set_masked(&Flow::dl_src, v, m); }
  void set_dl_dst_masked(EthAddr v, EthAddr m) { set_masked(&Flow::dl_dst, v, m); }
  void set_dl_src(EthAddr v) { set_exact(&Flow::dl_src, v); }
  void set_dl_dst(EthAddr v) { set_exact(&Flow::dl_dst, v); }
  // The outer TCI, OVS semantics (kVlanCfi = "VLAN present").
  void set_dl_tci_masked(uint16_t tci, uint16_t mask);
  // Matches packets with a VLAN header whose VID is `vid` (dl_vlan=).
  // vid 0xffff (OFP10_VLAN_NONE) matches packets without a VLAN header.
  void set_dl_vlan(uint16_t vid);
  // OXM vlan_vid: 13 bits, 0x1000 = "present" (OFPVID_PRESENT).
  void set_vlan_vid_masked(uint16_t vid, uint16_t mask);
  // Matches the PCP of a VLAN-tagged packet (dl_vlan_pcp=).
  void set_dl_vlan_pcp(uint8_t pcp);
  // MPLS fields of the outermost label stack entry.
  void set_mpls_label(uint32_t label);
  void set_mpls_tc(uint8_t tc);
  void set_mpls_bos(uint8_t bos);
  void set_mpls_ttl(uint8_t ttl);

  // ---- L3 ----
  void set_nw_src_masked(uint32_t v, uint32_t m) { set_masked(&Flow::nw_src, v, m); }
  void set_nw_dst_masked(uint32_t v, uint32_t m) { set_masked(&Flow::nw_dst, v, m); }
  void set_ipv6_src_masked(In6Addr v, In6Addr m) { set_masked(&Flow::ipv6_src, v, m); }
  void set_ipv6_dst_masked(In6Addr v, In6Addr m) { set_masked(&Flow::ipv6_dst, v, m); }
  void set_ipv6_label_masked(uint32_t v, uint32_t m);
  void set_nw_proto(uint8_t v) { set_exact(&Flow::nw_proto, v); }
  void set_nw_tos_masked(uint8_t v, uint8_t m) { set_masked(&Flow::nw_tos, v, m); }
  // DSCP given as the 6-bit value (ip_dscp=); ECN as the 2-bit value.
  void set_nw_dscp(uint8_t dscp);
  void set_nw_ecn(uint8_t ecn);
  void set_nw_ttl(uint8_t v) { set_exact(&Flow::nw_ttl, v); }
  void set_nw_frag_masked(uint8_t v, uint8_t m);
  void set_arp_opcode(uint16_t op) { set_nw_proto(static_cast<uint8_t>(op)); }

  // ---- L4 ----
  void set_tp_src_masked(uint16_t v, uint16_t m) { set_masked(&Flow::tp_src, v, m); }
  void set_tp_dst_masked(uint16_t v, uint16_t m) { set_masked(&Flow::tp_dst, v, m); }
  void set_tcp_flags_masked(uint16_t v, uint16_t m);
  void set_arp_sha_masked(EthAddr v, EthAddr m) { set_masked(&Flow::arp_sha, v, m); }
  void set_arp_tha_masked(EthAddr v, EthAddr m) { set_masked(&Flow::arp_tha, v, m); }
  void set_nd_target_masked(In6Addr v, In6Addr m) { set_masked(&Flow::nd_target, v, m); }

  template <typename T>
  static T all_ones() {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(~T{0});
    } else {
      T t;
      std::memset(&t, 0xff, sizeof t);
      return t;
    }
  }
  template <typename T>
  static T and_bits(const T& a, const T& b) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(a & b);
    } else {
      T r;
      auto* pr = reinterpret_cast<uint8_t*>(&r);
      auto* pa = reinterpret_cast<const uint8_t*>(&a);
      auto* pb = reinterpret_cast<const uint8_t*>(&b);
      for (size_t i = 0; i < sizeof(T); ++i) pr[i] = pa[i] & pb[i];
      return r;
    }
  }
};

}  // namespace grebe
