// Wire layouts of the packet headers Grebe parses and builds.
//
// Every struct here is the exact on-the-wire layout (packed, byte-aligned),
// so it may be overlaid on any byte of a packet buffer after a length check.
// Multi-byte fields are big-endian on the wire: read them with the accessors
// (or load_be16/32 from grebe/util/byteorder.h), never directly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "grebe/util/byteorder.h"

namespace grebe {

// An Ethernet address, as six bytes in wire order.
struct EthAddr {
  uint8_t b[6];  // no initializer: keeps the type trivial; EthAddr{} is zero

  bool is_zero() const { return !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]); }
  bool is_multicast() const { return b[0] & 1; }
  bool is_broadcast() const {
    return (b[0] & b[1] & b[2] & b[3] & b[4] & b[5]) == 0xff;
  }
  static constexpr EthAddr broadcast() { return EthAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  friend bool operator==(const EthAddr&, const EthAddr&) = default;
};
static_assert(sizeof(EthAddr) == 6);

// An IPv6 address (or a 128-bit mask), 16 bytes in wire order.
struct In6Addr {
  uint8_t b[16];  // In6Addr{} is zero

  bool is_zero() const {
    for (uint8_t x : b)
      if (x) return false;
    return true;
  }
  friend bool operator==(const In6Addr&, const In6Addr&) = default;
};
static_assert(sizeof(In6Addr) == 16);

// Ethertypes (host order).
inline constexpr uint16_t kEthTypeIp = 0x0800;
inline constexpr uint16_t kEthTypeArp = 0x0806;
inline constexpr uint16_t kEthTypeRarp = 0x8035;
inline constexpr uint16_t kEthTypeVlan8021Q = 0x8100;
inline constexpr uint16_t kEthTypeVlan8021AD = 0x88a8;
inline constexpr uint16_t kEthTypeIpv6 = 0x86dd;
inline constexpr uint16_t kEthTypeMpls = 0x8847;
inline constexpr uint16_t kEthTypeMplsMcast = 0x8848;
inline constexpr uint16_t kEthTypeNsh = 0x894f;
inline constexpr uint16_t kEthTypeLacp = 0x8809;
// Ethertypes below this are 802.3 lengths (OVS matches them as 0x05ff).
inline constexpr uint16_t kEthTypeMin = 0x600;
inline constexpr uint16_t kEthTypeNone = 0x05ff;

// IP protocol numbers.
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoIgmp = 2;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoSctp = 132;
// IPv6 extension headers.
inline constexpr uint8_t kIpProtoHopOpts = 0;
inline constexpr uint8_t kIpProtoRouting = 43;
inline constexpr uint8_t kIpProtoFragment = 44;
inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr uint8_t kIpProtoEsp = 50;
inline constexpr uint8_t kIpProtoNone = 59;
inline constexpr uint8_t kIpProtoDstOpts = 60;

struct [[gnu::packed]] EthHeader {
  EthAddr dst;
  EthAddr src;
  uint8_t type_be[2];
  uint16_t type() const { return load_be16(type_be); }
};
static_assert(sizeof(EthHeader) == 14);

// The 802.1Q tag that follows the two MAC addresses: TPID then TCI.
struct [[gnu::packed]] VlanHeader {
  uint8_t tpid_be[2];
  uint8_t tci_be[2];
  uint16_t tpid() const { return load_be16(tpid_be); }
  uint16_t tci() const { return load_be16(tci_be); }
};
static_assert(sizeof(VlanHeader) == 4);

// TCI bits.  OVS reuses the CFI bit as "a VLAN header is present".
inline constexpr uint16_t kVlanVidMask = 0x0fff;
inline constexpr uint16_t kVlanCfi = 0x1000;
inline constexpr uint16_t kVlanPcpMask = 0xe000;
inline constexpr int kVlanPcpShift = 13;

// MPLS label stack entry (host-order value layout).
inline constexpr uint32_t kMplsLabelMask = 0xfffff000;
inline constexpr int kMplsLabelShift = 12;
inline constexpr uint32_t kMplsTcMask = 0x00000e00;
inline constexpr int kMplsTcShift = 9;
inline constexpr uint32_t kMplsBosMask = 0x00000100;
inline constexpr int kMplsBosShift = 8;
inline constexpr uint32_t kMplsTtlMask = 0x000000ff;

struct [[gnu::packed]] ArpEthHeader {
  uint8_t hrd_be[2];  // 1 = Ethernet
  uint8_t pro_be[2];  // 0x0800
  uint8_t hln;        // 6
  uint8_t pln;        // 4
  uint8_t op_be[2];
  EthAddr sha;
  uint8_t spa[4];
  EthAddr tha;
  uint8_t tpa[4];
};
static_assert(sizeof(ArpEthHeader) == 28);

struct [[gnu::packed]] Ipv4Header {
  uint8_t ihl_ver;  // version (4) in the high nibble, length in words low
  uint8_t tos;
  uint8_t tot_len_be[2];
  uint8_t id_be[2];
  uint8_t frag_off_be[2];
  uint8_t ttl;
  uint8_t proto;
  uint8_t csum_be[2];
  uint8_t src[4];
  uint8_t dst[4];
  unsigned ihl() const { return ihl_ver & 0x0f; }
  unsigned version() const { return ihl_ver >> 4; }
};
static_assert(sizeof(Ipv4Header) == 20);
inline constexpr uint16_t kIpMoreFragments = 0x2000;
inline constexpr uint16_t kIpFragOffMask = 0x1fff;

struct [[gnu::packed]] Ipv6Header {
  uint8_t vtc_flow_be[4];  // version 4 bits, traffic class 8, flow label 20
  uint8_t plen_be[2];
  uint8_t nxt;
  uint8_t hlim;
  In6Addr src;
  In6Addr dst;
};
static_assert(sizeof(Ipv6Header) == 40);
inline constexpr uint32_t kIpv6LabelMask = 0x000fffff;

// Generic IPv6 extension header prefix (hop-by-hop, routing, dest options).
struct [[gnu::packed]] Ipv6ExtHeader {
  uint8_t nxt;
  uint8_t len;  // in 8-octet units, not counting the first 8
};

struct [[gnu::packed]] Ipv6FragHeader {
  uint8_t nxt;
  uint8_t reserved;
  uint8_t off_be[2];  // offset in the high 13 bits, M flag in bit 0
  uint8_t id_be[4];
};
static_assert(sizeof(Ipv6FragHeader) == 8);

struct [[gnu::packed]] TcpHeader {
  uint8_t src_be[2];
  uint8_t dst_be[2];
  uint8_t seq_be[4];
  uint8_t ack_be[4];
  uint8_t ctl_be[2];  // data offset (4 bits), reserved (3), flags (9)
  uint8_t winsz_be[2];
  uint8_t csum_be[2];
  uint8_t urg_be[2];
  unsigned data_offset() const { return ctl_be[0] >> 4; }
  uint16_t flags() const { return load_be16(ctl_be) & 0x0fff; }
};
static_assert(sizeof(TcpHeader) == 20);

struct [[gnu::packed]] UdpHeader {
  uint8_t src_be[2];
  uint8_t dst_be[2];
  uint8_t len_be[2];
  uint8_t csum_be[2];
};
static_assert(sizeof(UdpHeader) == 8);

struct [[gnu::packed]] SctpHeader {
  uint8_t src_be[2];
  uint8_t dst_be[2];
  uint8_t vtag_be[4];
  uint8_t csum_be[4];
};
static_assert(sizeof(SctpHeader) == 12);

struct [[gnu::packed]] IcmpHeader {
  uint8_t type;
  uint8_t code;
  uint8_t csum_be[2];
  uint8_t rest[4];
};
static_assert(sizeof(IcmpHeader) == 8);

struct [[gnu::packed]] IgmpHeader {
  uint8_t type;
  uint8_t code;
  uint8_t csum_be[2];
  uint8_t group[4];
};
static_assert(sizeof(IgmpHeader) == 8);

// ICMPv6 types that carry neighbour discovery.
inline constexpr uint8_t kNdRouterSolicit = 133;
inline constexpr uint8_t kNdRouterAdvert = 134;
inline constexpr uint8_t kNdNeighborSolicit = 135;
inline constexpr uint8_t kNdNeighborAdvert = 136;
inline constexpr uint8_t kNdOptSourceLinkAddr = 1;
inline constexpr uint8_t kNdOptTargetLinkAddr = 2;

// Neighbour solicitation/advertisement after the 4-byte ICMPv6 header.
struct [[gnu::packed]] NdMsgBody {
  uint8_t reserved_be[4];  // NA flags live in the top 3 bits
  In6Addr target;
};
static_assert(sizeof(NdMsgBody) == 20);

// TCP flags (host order, 12 bits as OVS matches them).
inline constexpr uint16_t kTcpFin = 0x001;
inline constexpr uint16_t kTcpSyn = 0x002;
inline constexpr uint16_t kTcpRst = 0x004;
inline constexpr uint16_t kTcpPsh = 0x008;
inline constexpr uint16_t kTcpAck = 0x010;
inline constexpr uint16_t kTcpUrg = 0x020;
inline constexpr uint16_t kTcpEce = 0x040;
inline constexpr uint16_t kTcpCwr = 0x080;
inline constexpr uint16_t kTcpNs = 0x100;

}  // namespace grebe
