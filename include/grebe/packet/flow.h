// struct Flow: everything a packet can be matched on, OVS's `struct flow`.
//
// Byte order: integer fields hold HOST-order values (flow.tp_dst == 80);
// Ethernet and IPv6 addresses are byte arrays in wire order.  (OVS keeps
// network order; the codecs in lib/openflow and lib/odp convert at the edge.)
//
// Layout: a POD of 64-bit words split into four STAGES in OVS's order
// (metadata, L2, L3, L4).  A classifier hashes and compares a prefix of the
// words stage by stage: kFlowStageEnd[i] is the word index where stage i
// ends.  Padding is always zero so the whole struct may be hashed and
// compared as words.  Fields are grouped so a field never straddles a stage.
//
// Thread-safety: plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "grebe/packet/headers.h"

namespace grebe {

inline constexpr int kFlowNumRegs = 16;    // reg0..reg15
inline constexpr int kFlowNumXregs = 8;    // xreg0..7 = pairs of regs
inline constexpr int kFlowNumXxregs = 4;   // xxreg0..3 = quads of regs
inline constexpr int kFlowMaxVlans = 2;    // outer, inner
inline constexpr int kFlowMaxMplsLabels = 3;

// nw_frag bits.
inline constexpr uint8_t kFlowNwFragAny = 1 << 0;    // part of a fragmented packet
inline constexpr uint8_t kFlowNwFragLater = 1 << 1;  // not the first fragment
inline constexpr uint8_t kFlowNwFragMask = kFlowNwFragAny | kFlowNwFragLater;

// ct_state bits (ovs-fields(7)).
inline constexpr uint8_t kCsNew = 1 << 0;
inline constexpr uint8_t kCsEstablished = 1 << 1;
inline constexpr uint8_t kCsRelated = 1 << 2;
inline constexpr uint8_t kCsReplyDir = 1 << 3;
inline constexpr uint8_t kCsInvalid = 1 << 4;
inline constexpr uint8_t kCsTracked = 1 << 5;
inline constexpr uint8_t kCsSrcNat = 1 << 6;
inline constexpr uint8_t kCsDstNat = 1 << 7;

// Tunnel flag bits (tun_flags).
inline constexpr uint16_t kFlowTnlFOam = 1 << 0;

// packet_type = (namespace << 16) | ns_type.  Ethernet is (0, 0).
constexpr uint32_t packet_type(uint16_t ns, uint16_t ns_type) {
  return (uint32_t{ns} << 16) | ns_type;
}
inline constexpr uint32_t kPacketTypeEthernet = 0;
inline constexpr uint16_t kOfpHtnOnf = 0;
inline constexpr uint16_t kOfpHtnEthertype = 1;

// OpenFlow port numbers in OVS's 16-bit space (ofp_port_t).
inline constexpr uint32_t kOfppMax = 0xff00;
inline constexpr uint32_t kOfppUnset = 0xfff7;
inline constexpr uint32_t kOfppInPort = 0xfff8;
inline constexpr uint32_t kOfppTable = 0xfff9;
inline constexpr uint32_t kOfppNormal = 0xfffa;
inline constexpr uint32_t kOfppFlood = 0xfffb;
inline constexpr uint32_t kOfppAll = 0xfffc;
inline constexpr uint32_t kOfppController = 0xfffd;
inline constexpr uint32_t kOfppLocal = 0xfffe;
inline constexpr uint32_t kOfppNone = 0xffff;

// A 128-bit value (ct_label, xxregs) as two host-order halves.
struct U128 {
  uint64_t hi;
  uint64_t lo;
  bool is_zero() const { return !(hi | lo); }
  friend bool operator==(const U128&, const U128&) = default;
};

struct FlowTnl {
  uint32_t ip_dst;
  uint32_t ip_src;
  In6Addr ipv6_dst;
  In6Addr ipv6_src;
  uint64_t tun_id;
  uint16_t flags;
  uint8_t ip_tos;
  uint8_t ip_ttl;
  uint16_t tp_src;
  uint16_t tp_dst;
  uint16_t gbp_id;
  uint8_t gbp_flags;
  uint8_t erspan_ver;
  uint32_t erspan_idx;
  uint8_t erspan_dir;
  uint8_t erspan_hwid;
  uint8_t gtpu_flags;
  uint8_t gtpu_msgtype;
  uint32_t pad;
};
static_assert(sizeof(FlowTnl) == 72);

struct FlowVlan {
  uint16_t tpid;  // 0x8100 or 0x88a8; 0 when absent
  uint16_t tci;   // kVlanCfi set when a header is present
};

struct Flow {
  // ---- Stage 0: metadata ----
  FlowTnl tunnel;
  uint64_t metadata;
  uint32_t regs[kFlowNumRegs];
  uint32_t skb_priority;
  uint32_t pkt_mark;
  uint32_t dp_hash;
  uint32_t in_port;  // OpenFlow port (ofp_port_t space)
  uint32_t recirc_id;
  uint8_t ct_state;
  uint8_t ct_nw_proto;
  uint16_t ct_zone;
  uint32_t ct_mark;
  uint32_t packet_type;
  U128 ct_label;
  uint32_t conj_id;
  uint32_t actset_output;

  // ---- Stage 1: L2 ----
  EthAddr dl_dst;
  EthAddr dl_src;
  uint16_t dl_type;
  uint16_t pad1;
  FlowVlan vlans[kFlowMaxVlans];
  uint32_t mpls_lse[4];  // 3 used, 1 pad

  // ---- Stage 2: L3 ----
  uint32_t nw_src;  // IPv4 source or ARP SPA
  uint32_t nw_dst;  // IPv4 destination or ARP TPA
  uint32_t ct_nw_src;
  uint32_t ct_nw_dst;
  In6Addr ipv6_src;
  In6Addr ipv6_dst;
  In6Addr ct_ipv6_src;
  In6Addr ct_ipv6_dst;
  uint32_t ipv6_label;
  uint8_t nw_frag;
  uint8_t nw_tos;  // DSCP in the high 6 bits, ECN in the low 2
  uint8_t nw_ttl;
  uint8_t nw_proto;  // IP protocol, or low 8 bits of the ARP opcode

  // ---- Stage 3: L4 ----
  In6Addr nd_target;
  EthAddr arp_sha;  // ARP SHA or ND source link-layer address
  EthAddr arp_tha;  // ARP THA or ND target link-layer address
  uint16_t tcp_flags;
  uint16_t pad2;
  uint16_t tp_src;  // TCP/UDP/SCTP port, or ICMP type
  uint16_t tp_dst;  // TCP/UDP/SCTP port, or ICMP code
  uint16_t ct_tp_src;
  uint16_t ct_tp_dst;
  uint32_t igmp_group_ip4;
  uint32_t pad3;

  // Convenience: the outer VLAN TCI (OVS's flow->vlans[0].tci).
  uint16_t vlan_tci() const { return vlans[0].tci; }
  bool is_ip() const { return dl_type == kEthTypeIp || dl_type == kEthTypeIpv6; }

  const uint64_t* words() const { return reinterpret_cast<const uint64_t*>(this); }
  uint64_t* words() { return reinterpret_cast<uint64_t*>(this); }

  // Field-by-field equality (padding is kept zero, so memcmp is exact).
  friend bool operator==(const Flow& a, const Flow& b) {
    return std::memcmp(&a, &b, sizeof(Flow)) == 0;
  }
};

static_assert(std::is_trivially_copyable_v<Flow> && std::is_standard_layout_v<Flow>);
static_assert(sizeof(Flow) % 8 == 0);
inline constexpr size_t kFlowU64s = sizeof(Flow) / 8;

// Stage boundaries in 64-bit words: stage i covers words
// [i == 0 ? 0 : kFlowStageEnd[i-1], kFlowStageEnd[i]).
inline constexpr size_t kFlowStageMetadataEnd = offsetof(Flow, dl_dst) / 8;
inline constexpr size_t kFlowStageL2End = offsetof(Flow, nw_src) / 8;
inline constexpr size_t kFlowStageL3End = offsetof(Flow, nd_target) / 8;
inline constexpr size_t kFlowStageL4End = kFlowU64s;
inline constexpr int kFlowNumStages = 4;
inline constexpr size_t kFlowStageEnd[kFlowNumStages] = {
    kFlowStageMetadataEnd, kFlowStageL2End, kFlowStageL3End, kFlowStageL4End};
static_assert(offsetof(Flow, dl_dst) % 8 == 0 && offsetof(Flow, nw_src) % 8 == 0 &&
              offsetof(Flow, nd_target) % 8 == 0 && offsetof(Flow, ct_label) % 8 == 0);
static_assert(kFlowStageMetadataEnd == 25 && kFlowStageL2End == 30 &&
              kFlowStageL3End == 41 && kFlowU64s == 47,
              "Flow layout changed: update users of the stage boundaries");

// A zero-initialized Flow (value-init zeroes padding too).
inline Flow make_flow() {
  Flow f;
  std::memset(&f, 0, sizeof f);
  return f;
}

// Hash of the first `n_u64` words of `flow`.
uint32_t flow_hash_words(const Flow& flow, size_t n_u64, uint32_t basis);
// Hash of the whole flow.
uint32_t flow_hash(const Flow& flow, uint32_t basis);

}  // namespace grebe
