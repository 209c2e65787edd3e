// FlowWildcards and Match operations; see match.h.
#include "grebe/packet/match.h"

#include "grebe/util/hash.h"

namespace grebe {

uint32_t flow_hash_words(const Flow& flow, size_t n_u64, uint32_t basis) {
  return hash_words64(flow.words(), n_u64, basis);
}

uint32_t flow_hash(const Flow& flow, uint32_t basis) {
  return flow_hash_words(flow, kFlowU64s, basis);
}

FlowWildcards FlowWildcards::exact() {
  FlowWildcards wc;
  std::memset(&wc.masks, 0xff, sizeof wc.masks);
  // Padding must stay zero so hashing and comparison see only real fields.
  wc.masks.tunnel.pad = 0;
  wc.masks.pad1 = 0;
  wc.masks.mpls_lse[3] = 0;
  wc.masks.pad2 = 0;
  wc.masks.pad3 = 0;
  return wc;
}

bool FlowWildcards::is_catchall() const {
  const uint64_t* w = masks.words();
  for (size_t i = 0; i < kFlowU64s; ++i)
    if (w[i]) return false;
  return true;
}

FlowWildcards FlowWildcards::intersect(const FlowWildcards& a, const FlowWildcards& b) {
  FlowWildcards r;
  for (size_t i = 0; i < kFlowU64s; ++i)
    r.masks.words()[i] = a.masks.words()[i] & b.masks.words()[i];
  return r;
}

FlowWildcards FlowWildcards::unite(const FlowWildcards& a, const FlowWildcards& b) {
  FlowWildcards r;
  for (size_t i = 0; i < kFlowU64s; ++i)
    r.masks.words()[i] = a.masks.words()[i] | b.masks.words()[i];
  return r;
}

bool FlowWildcards::has_all_of(const FlowWildcards& other) const {
  for (size_t i = 0; i < kFlowU64s; ++i)
    if (other.masks.words()[i] & ~masks.words()[i]) return false;
  return true;
}

Flow flow_apply_mask(const Flow& flow, const FlowWildcards& wc) {
  Flow r;
  for (size_t i = 0; i < kFlowU64s; ++i)
    r.words()[i] = flow.words()[i] & wc.masks.words()[i];
  return r;
}

bool flow_equal_except(const Flow& a, const Flow& b, const FlowWildcards& wc) {
  for (size_t i = 0; i < kFlowU64s; ++i)
    if ((a.words()[i] ^ b.words()[i]) & wc.masks.words()[i]) return false;
  return true;
}

void Match::normalize() { flow = flow_apply_mask(flow, wc); }

uint32_t Match::hash(uint32_t basis) const {
  return flow_hash(flow, wc.hash(basis));
}

void Match::set_reg_masked(int idx, uint32_t v, uint32_t m) {
  if (idx < 0 || idx >= kFlowNumRegs) return;
  wc.masks.regs[idx] = m;
  flow.regs[idx] = v & m;
}

void Match::set_xreg_masked(int idx, uint64_t v, uint64_t m) {
  if (idx < 0 || idx >= kFlowNumXregs) return;
  // xregN is regs[2N] (high half) : regs[2N+1] (low half), as in OVS.
  set_reg_masked(2 * idx, static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(m >> 32));
  set_reg_masked(2 * idx + 1, static_cast<uint32_t>(v), static_cast<uint32_t>(m));
}

void Match::set_xxreg_masked(int idx, U128 v, U128 m) {
  if (idx < 0 || idx >= kFlowNumXxregs) return;
  set_xreg_masked(2 * idx, v.hi, m.hi);
  set_xreg_masked(2 * idx + 1, v.lo, m.lo);
}

void Match::set_tun_id_masked(uint64_t v, uint64_t m) {
  wc.masks.tunnel.tun_id = m;
  flow.tunnel.tun_id = v & m;
}

void Match::set_tun_src_masked(uint32_t v, uint32_t m) {
  wc.masks.tunnel.ip_src = m;
  flow.tunnel.ip_src = v & m;
}

void Match::set_tun_dst_masked(uint32_t v, uint32_t m) {
  wc.masks.tunnel.ip_dst = m;
  flow.tunnel.ip_dst = v & m;
}

void Match::set_tun_flags_masked(uint16_t v, uint16_t m) {
  wc.masks.tunnel.flags = m;
  flow.tunnel.flags = v & m;
}

void Match::set_dl_tci_masked(uint16_t tci, uint16_t mask) {
  wc.masks.vlans[0].tci = mask;
  flow.vlans[0].tci = tci & mask;
}

void Match::set_dl_vlan(uint16_t vid) {
  if (vid == 0xffff) {  // OFP10_VLAN_NONE: no VLAN header at all
    set_dl_tci_masked(0, 0xffff);
    return;
  }
  uint16_t mask = wc.masks.vlans[0].tci | kVlanVidMask | kVlanCfi;
  uint16_t tci = (flow.vlans[0].tci & ~kVlanVidMask) | (vid & kVlanVidMask) | kVlanCfi;
  set_dl_tci_masked(tci, mask);
}

void Match::set_vlan_vid_masked(uint16_t vid, uint16_t mask) {
  // 13 bits: the VID plus OFPVID_PRESENT, which is our CFI bit.
  constexpr uint16_t kBits = kVlanVidMask | kVlanCfi;
  mask &= kBits;
  uint16_t m = (wc.masks.vlans[0].tci & ~kBits) | mask;
  uint16_t t = (flow.vlans[0].tci & ~kBits) | (vid & mask);
  set_dl_tci_masked(t, m);
}

void Match::set_dl_vlan_pcp(uint8_t pcp) {
  uint16_t mask = wc.masks.vlans[0].tci | kVlanPcpMask | kVlanCfi;
  uint16_t tci = (flow.vlans[0].tci & ~kVlanPcpMask) |
                 static_cast<uint16_t>((pcp & 7) << kVlanPcpShift) | kVlanCfi;
  set_dl_tci_masked(tci, mask);
}

namespace {
void set_lse_bits(Match& m, uint32_t bits_mask, uint32_t value) {
  m.wc.masks.mpls_lse[0] |= bits_mask;
  m.flow.mpls_lse[0] = (m.flow.mpls_lse[0] & ~bits_mask) | (value & bits_mask);
}
}  // namespace

void Match::set_mpls_label(uint32_t label) {
  set_lse_bits(*this, kMplsLabelMask, label << kMplsLabelShift);
}
void Match::set_mpls_tc(uint8_t tc) {
  set_lse_bits(*this, kMplsTcMask, uint32_t{tc} << kMplsTcShift);
}
void Match::set_mpls_bos(uint8_t bos) {
  set_lse_bits(*this, kMplsBosMask, uint32_t{bos} << kMplsBosShift);
}
void Match::set_mpls_ttl(uint8_t ttl) { set_lse_bits(*this, kMplsTtlMask, ttl); }

void Match::set_ipv6_label_masked(uint32_t v, uint32_t m) {
  m &= kIpv6LabelMask;
  set_masked(&Flow::ipv6_label, v, m);
}

void Match::set_nw_dscp(uint8_t dscp) {
  wc.masks.nw_tos |= 0xfc;
  flow.nw_tos = static_cast<uint8_t>((flow.nw_tos & 0x03) | ((dscp << 2) & 0xfc));
}

void Match::set_nw_ecn(uint8_t ecn) {
  wc.masks.nw_tos |= 0x03;
  flow.nw_tos = static_cast<uint8_t>((flow.nw_tos & 0xfc) | (ecn & 0x03));
}

void Match::set_nw_frag_masked(uint8_t v, uint8_t m) {
  m &= kFlowNwFragMask;
  set_masked(&Flow::nw_frag, v, m);
}

void Match::set_tcp_flags_masked(uint16_t v, uint16_t m) {
  m &= 0x0fff;
  set_masked(&Flow::tcp_flags, v, m);
}

}  // namespace grebe
