// Tables describing OVS_KEY_ATTR_* and OVS_TUNNEL_KEY_ATTR_* payloads.
#include "key_desc.h"

#include <cstring>
#include <string>

#include "grebe/odp/odp_key.h"
#include "grebe/util/byteorder.h"
#include "text.h"

namespace grebe::odp {

namespace {

using FT = FieldType;

#define OFF(TYPE, FIELD) static_cast<uint8_t>(offsetof(TYPE, FIELD))

constexpr StructDesc kStructs[] = {
    {OVS_KEY_ATTR_ETHERNET,
     sizeof(ovs_key_ethernet),
     2,
     {{"src", nullptr, OFF(ovs_key_ethernet, eth_src), FT::kEth},
      {"dst", nullptr, OFF(ovs_key_ethernet, eth_dst), FT::kEth}}},
    {OVS_KEY_ATTR_IPV4,
     sizeof(ovs_key_ipv4),
     6,
     {{"src", nullptr, OFF(ovs_key_ipv4, ipv4_src), FT::kIpv4},
      {"dst", nullptr, OFF(ovs_key_ipv4, ipv4_dst), FT::kIpv4},
      {"proto", nullptr, OFF(ovs_key_ipv4, ipv4_proto), FT::kU8u},
      {"tos", nullptr, OFF(ovs_key_ipv4, ipv4_tos), FT::kU8x},
      {"ttl", nullptr, OFF(ovs_key_ipv4, ipv4_ttl), FT::kU8u},
      {"frag", nullptr, OFF(ovs_key_ipv4, ipv4_frag), FT::kFrag}}},
    {OVS_KEY_ATTR_IPV6,
     sizeof(ovs_key_ipv6),
     7,
     {{"src", nullptr, OFF(ovs_key_ipv6, ipv6_src), FT::kIn6},
      {"dst", nullptr, OFF(ovs_key_ipv6, ipv6_dst), FT::kIn6},
      {"label", nullptr, OFF(ovs_key_ipv6, ipv6_label), FT::kIpv6Label},
      {"proto", nullptr, OFF(ovs_key_ipv6, ipv6_proto), FT::kU8u},
      {"tclass", nullptr, OFF(ovs_key_ipv6, ipv6_tclass), FT::kU8x},
      {"hlimit", nullptr, OFF(ovs_key_ipv6, ipv6_hlimit), FT::kU8u},
      {"frag", nullptr, OFF(ovs_key_ipv6, ipv6_frag), FT::kFrag}}},
    {OVS_KEY_ATTR_TCP,
     sizeof(ovs_key_tcp),
     2,
     {{"src", nullptr, OFF(ovs_key_tcp, tcp_src), FT::kBe16},
      {"dst", nullptr, OFF(ovs_key_tcp, tcp_dst), FT::kBe16}}},
    {OVS_KEY_ATTR_UDP,
     sizeof(ovs_key_udp),
     2,
     {{"src", nullptr, OFF(ovs_key_udp, udp_src), FT::kBe16},
      {"dst", nullptr, OFF(ovs_key_udp, udp_dst), FT::kBe16}}},
    {OVS_KEY_ATTR_SCTP,
     sizeof(ovs_key_sctp),
     2,
     {{"src", nullptr, OFF(ovs_key_sctp, sctp_src), FT::kBe16},
      {"dst", nullptr, OFF(ovs_key_sctp, sctp_dst), FT::kBe16}}},
    {OVS_KEY_ATTR_ICMP,
     sizeof(ovs_key_icmp),
     2,
     {{"type", nullptr, OFF(ovs_key_icmp, icmp_type), FT::kU8u},
      {"code", nullptr, OFF(ovs_key_icmp, icmp_code), FT::kU8u}}},
    {OVS_KEY_ATTR_ICMPV6,
     sizeof(ovs_key_icmpv6),
     2,
     {{"type", nullptr, OFF(ovs_key_icmpv6, icmpv6_type), FT::kU8u},
      {"code", nullptr, OFF(ovs_key_icmpv6, icmpv6_code), FT::kU8u}}},
    {OVS_KEY_ATTR_ARP,
     sizeof(ovs_key_arp),
     5,
     {{"sip", nullptr, OFF(ovs_key_arp, arp_sip), FT::kIpv4},
      {"tip", nullptr, OFF(ovs_key_arp, arp_tip), FT::kIpv4},
      {"op", nullptr, OFF(ovs_key_arp, arp_op), FT::kBe16},
      {"sha", nullptr, OFF(ovs_key_arp, arp_sha), FT::kEth},
      {"tha", nullptr, OFF(ovs_key_arp, arp_tha), FT::kEth}}},
    {OVS_KEY_ATTR_ND,
     sizeof(ovs_key_nd),
     3,
     {{"target", nullptr, OFF(ovs_key_nd, nd_target), FT::kIn6},
      {"sll", nullptr, OFF(ovs_key_nd, nd_sll), FT::kEth},
      {"tll", nullptr, OFF(ovs_key_nd, nd_tll), FT::kEth}}},
    {kOvsKeyAttrNdExtensions,
     sizeof(OvsKeyNdExtensions),
     2,
     {{"nd_reserved", nullptr, OFF(OvsKeyNdExtensions, nd_reserved), FT::kBe32Hex0x},
      {"nd_options_type", nullptr, OFF(OvsKeyNdExtensions, nd_options_type), FT::kU8u}}},
    {OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4,
     sizeof(ovs_key_ct_tuple_ipv4),
     5,
     {{"src", nullptr, OFF(ovs_key_ct_tuple_ipv4, ipv4_src), FT::kIpv4},
      {"dst", nullptr, OFF(ovs_key_ct_tuple_ipv4, ipv4_dst), FT::kIpv4},
      {"proto", nullptr, OFF(ovs_key_ct_tuple_ipv4, ipv4_proto), FT::kU8u},
      {"tp_src", nullptr, OFF(ovs_key_ct_tuple_ipv4, src_port), FT::kBe16},
      {"tp_dst", nullptr, OFF(ovs_key_ct_tuple_ipv4, dst_port), FT::kBe16}}},
    // OVS prints src_port/dst_port here but parses tp_src/tp_dst.
    {OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6,
     sizeof(ovs_key_ct_tuple_ipv6),
     5,
     {{"src", nullptr, OFF(ovs_key_ct_tuple_ipv6, ipv6_src), FT::kIn6},
      {"dst", nullptr, OFF(ovs_key_ct_tuple_ipv6, ipv6_dst), FT::kIn6},
      {"proto", nullptr, OFF(ovs_key_ct_tuple_ipv6, ipv6_proto), FT::kU8u},
      {"src_port", "tp_src", OFF(ovs_key_ct_tuple_ipv6, src_port), FT::kBe16},
      {"dst_port", "tp_dst", OFF(ovs_key_ct_tuple_ipv6, dst_port), FT::kBe16}}},
};

#undef OFF

constexpr int kLenNested = kAttrLenNested;
constexpr int kLenVar = kAttrLenVariable;

int key_len_table(uint16_t type) {
  switch (type) {
    case OVS_KEY_ATTR_ENCAP:
      return kLenNested;
    case OVS_KEY_ATTR_PRIORITY:
    case OVS_KEY_ATTR_SKB_MARK:
    case OVS_KEY_ATTR_DP_HASH:
    case OVS_KEY_ATTR_RECIRC_ID:
    case OVS_KEY_ATTR_IN_PORT:
    case OVS_KEY_ATTR_CT_STATE:
    case OVS_KEY_ATTR_CT_MARK:
    case OVS_KEY_ATTR_PACKET_TYPE:
      return 4;
    case OVS_KEY_ATTR_TUNNEL:
      return kLenNested;
    case OVS_KEY_ATTR_ETHERNET:
      return sizeof(ovs_key_ethernet);
    case OVS_KEY_ATTR_VLAN:
    case OVS_KEY_ATTR_ETHERTYPE:
    case OVS_KEY_ATTR_TCP_FLAGS:
    case OVS_KEY_ATTR_CT_ZONE:
      return 2;
    case OVS_KEY_ATTR_MPLS:
      return kLenVar;
    case OVS_KEY_ATTR_IPV4:
      return sizeof(ovs_key_ipv4);
    case OVS_KEY_ATTR_IPV6:
      return sizeof(ovs_key_ipv6);
    case OVS_KEY_ATTR_TCP:
      return sizeof(ovs_key_tcp);
    case OVS_KEY_ATTR_UDP:
      return sizeof(ovs_key_udp);
    case OVS_KEY_ATTR_SCTP:
      return sizeof(ovs_key_sctp);
    case OVS_KEY_ATTR_ICMP:
      return sizeof(ovs_key_icmp);
    case OVS_KEY_ATTR_ICMPV6:
      return sizeof(ovs_key_icmpv6);
    case OVS_KEY_ATTR_ARP:
      return sizeof(ovs_key_arp);
    case OVS_KEY_ATTR_ND:
      return sizeof(ovs_key_nd);
    case OVS_KEY_ATTR_ND_EXTENSIONS:
      return sizeof(OvsKeyNdExtensions);
    case OVS_KEY_ATTR_CT_LABELS:
      return sizeof(ovs_key_ct_labels);
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4:
      return sizeof(ovs_key_ct_tuple_ipv4);
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6:
      return sizeof(ovs_key_ct_tuple_ipv6);
    case OVS_KEY_ATTR_NSH:
      return kLenNested;
    default:
      return type <= kOvsKeyAttrMaxOvs31 ? 0 : kAttrLenInvalid;
  }
}

}  // namespace

const StructDesc* find_struct_desc(uint16_t attr) {
  for (const StructDesc& d : kStructs) {
    if (d.attr == attr) return &d;
  }
  return nullptr;
}

size_t field_size(FieldType type) {
  switch (type) {
    case FT::kEth:
      return 6;
    case FT::kIpv4:
      return 4;
    case FT::kIn6:
      return 16;
    case FT::kBe16:
    case FT::kBe16x:
      return 2;
    case FT::kBe32Hex0x:
    case FT::kIpv6Label:
      return 4;
    default:
      return 1;
  }
}

int odp_key_attr_len(uint16_t type) { return key_len_table(type); }

int odp_tun_key_attr_len(uint16_t type) {
  switch (type) {
    case OVS_TUNNEL_KEY_ATTR_ID:
      return 8;
    case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
    case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
      return 4;
    case OVS_TUNNEL_KEY_ATTR_TOS:
    case OVS_TUNNEL_KEY_ATTR_TTL:
      return 1;
    case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
    case OVS_TUNNEL_KEY_ATTR_CSUM:
    case OVS_TUNNEL_KEY_ATTR_OAM:
      return 0;
    case OVS_TUNNEL_KEY_ATTR_TP_SRC:
    case OVS_TUNNEL_KEY_ATTR_TP_DST:
      return 2;
    case OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS:
      return kLenVar;
    case OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS:
      return kLenNested;
    case OVS_TUNNEL_KEY_ATTR_IPV6_SRC:
    case OVS_TUNNEL_KEY_ATTR_IPV6_DST:
      return 16;
    case OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS:
      return kLenVar;
    case 16:
      return kLenVar;  // OVS's userspace-only GTPU_OPTS
    case OVS_TUNNEL_KEY_ATTR_PAD:
      return 0;
    default:
      return kAttrLenInvalid;
  }
}

std::string ovs_key_attr_to_string(uint16_t type) {
  switch (type) {
    case OVS_KEY_ATTR_UNSPEC:
      return "unspec";
    case OVS_KEY_ATTR_ENCAP:
      return "encap";
    case OVS_KEY_ATTR_PRIORITY:
      return "skb_priority";
    case OVS_KEY_ATTR_SKB_MARK:
      return "skb_mark";
    case OVS_KEY_ATTR_CT_STATE:
      return "ct_state";
    case OVS_KEY_ATTR_CT_ZONE:
      return "ct_zone";
    case OVS_KEY_ATTR_CT_MARK:
      return "ct_mark";
    case OVS_KEY_ATTR_CT_LABELS:
      return "ct_label";
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4:
      return "ct_tuple4";
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6:
      return "ct_tuple6";
    case OVS_KEY_ATTR_TUNNEL:
      return "tunnel";
    case OVS_KEY_ATTR_IN_PORT:
      return "in_port";
    case OVS_KEY_ATTR_ETHERNET:
      return "eth";
    case OVS_KEY_ATTR_VLAN:
      return "vlan";
    case OVS_KEY_ATTR_ETHERTYPE:
      return "eth_type";
    case OVS_KEY_ATTR_IPV4:
      return "ipv4";
    case OVS_KEY_ATTR_IPV6:
      return "ipv6";
    case OVS_KEY_ATTR_TCP:
      return "tcp";
    case OVS_KEY_ATTR_TCP_FLAGS:
      return "tcp_flags";
    case OVS_KEY_ATTR_UDP:
      return "udp";
    case OVS_KEY_ATTR_SCTP:
      return "sctp";
    case OVS_KEY_ATTR_ICMP:
      return "icmp";
    case OVS_KEY_ATTR_ICMPV6:
      return "icmpv6";
    case OVS_KEY_ATTR_ARP:
      return "arp";
    case OVS_KEY_ATTR_ND:
      return "nd";
    case OVS_KEY_ATTR_ND_EXTENSIONS:
      return "nd_ext";
    case OVS_KEY_ATTR_MPLS:
      return "mpls";
    case OVS_KEY_ATTR_DP_HASH:
      return "dp_hash";
    case OVS_KEY_ATTR_RECIRC_ID:
      return "recirc_id";
    case OVS_KEY_ATTR_PACKET_TYPE:
      return "packet_type";
    case OVS_KEY_ATTR_NSH:
      return "nsh";
    case OVS_KEY_ATTR_TUNNEL_INFO:
      return "<error: kernel-only tunnel_info>";
    default:
      return "key" + std::to_string(type);
  }
}

bool odp_mask_is_constant(uint16_t attr, const uint8_t* mask, size_t size, bool ones) {
  uint8_t byte = ones ? 0xff : 0;
  auto all = [&](size_t n) {
    for (size_t i = 0; i < n && i < size; i++)
      if (mask[i] != byte) return false;
    return true;
  };
  switch (attr) {
    case OVS_KEY_ATTR_TCP_FLAGS:
      return size >= 2 && (load_be16(mask) & 0x0fff) == (ones ? 0x0fff : 0);
    case OVS_KEY_ATTR_IPV6: {
      if (size < sizeof(ovs_key_ipv6)) return false;
      uint32_t label = load_be32(mask + offsetof(ovs_key_ipv6, ipv6_label)) & 0xfffff;
      if (label != (ones ? 0xfffffu : 0u)) return false;
      for (size_t i = 0; i < offsetof(ovs_key_ipv6, ipv6_label); i++)
        if (mask[i] != byte) return false;
      for (size_t i = offsetof(ovs_key_ipv6, ipv6_proto); i < sizeof(ovs_key_ipv6); i++)
        if (mask[i] != byte) return false;
      return true;
    }
    case OVS_KEY_ATTR_ARP:
      return all(offsetof(ovs_key_arp, arp_tha) + 6);
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4:
      return all(offsetof(ovs_key_ct_tuple_ipv4, ipv4_proto) + 1);
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6:
      return all(offsetof(ovs_key_ct_tuple_ipv6, ipv6_proto) + 1);
    case OVS_KEY_ATTR_UNSPEC:
    case OVS_KEY_ATTR_ENCAP:
      return false;
    default:
      if (attr > kOvsKeyAttrMaxOvs31 || attr == OVS_KEY_ATTR_TUNNEL_INFO) return false;
      return all(size);
  }
}

}  // namespace grebe::odp
