// Packet-in/out codecs and packet text; see packet_msgs.h.
#include "grebe/openflow/packet_msgs.h"

#include <cstring>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/text_util.h"
#include "grebe/packet/flow_extract.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

template <typename T>
void mask_all(T& field) {
  std::memset(&field, 0xff, sizeof field);
}

// OVS's flow_wildcards_init_for_packet() + match_wc_init(): the fields a
// packet of this kind actually has.
FlowWildcards packet_wildcards(const Flow& f) {
  FlowWildcards wc;
  Flow& m = wc.masks;
  if (f.tunnel.ip_dst || !f.tunnel.ipv6_dst.is_zero()) {
    mask_all(m.tunnel);
    m.tunnel.pad = 0;
  } else if (f.tunnel.tun_id) {
    m.tunnel.tun_id = ~0ull;
  }
  mask_all(m.skb_priority);
  mask_all(m.pkt_mark);
  mask_all(m.ct_state);
  mask_all(m.ct_zone);
  mask_all(m.ct_mark);
  mask_all(m.ct_label);
  mask_all(m.recirc_id);
  mask_all(m.dp_hash);
  mask_all(m.in_port);
  mask_all(m.packet_type);
  mask_all(m.regs);
  mask_all(m.metadata);
  mask_all(m.dl_dst);
  mask_all(m.dl_src);
  mask_all(m.dl_type);
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    mask_all(m.vlans[i]);
    if (!f.vlans[i].tci) break;  // always show the first zero VLAN
  }
  uint16_t t = f.dl_type;
  if (t == kEthTypeIp) {
    mask_all(m.nw_src);
    mask_all(m.nw_dst);
    mask_all(m.ct_nw_src);
    mask_all(m.ct_nw_dst);
  } else if (t == kEthTypeIpv6) {
    mask_all(m.ipv6_src);
    mask_all(m.ipv6_dst);
    mask_all(m.ipv6_label);
    bool nd = f.nw_proto == kIpProtoIcmpv6 && f.tp_dst == 0 &&
              (f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert);
    if (nd) {
      mask_all(m.arp_sha);
      mask_all(m.arp_tha);
      mask_all(m.nd_target);
    } else {
      mask_all(m.ct_ipv6_src);
      mask_all(m.ct_ipv6_dst);
    }
  } else if (t == kEthTypeArp || t == kEthTypeRarp) {
    mask_all(m.nw_src);
    mask_all(m.nw_dst);
    mask_all(m.nw_proto);
    mask_all(m.arp_sha);
    mask_all(m.arp_tha);
    return wc;
  } else if (t == kEthTypeMpls || t == kEthTypeMplsMcast) {
    for (int i = 0; i < kFlowMaxMplsLabels; ++i) {
      mask_all(m.mpls_lse[i]);
      if (f.mpls_lse[i] & kMplsBosMask) break;
    }
    return wc;
  } else {
    return wc;
  }
  m.nw_frag = kFlowNwFragMask;
  mask_all(m.nw_tos);
  mask_all(m.nw_ttl);
  mask_all(m.nw_proto);
  mask_all(m.ct_nw_proto);
  mask_all(m.ct_tp_src);
  mask_all(m.ct_tp_dst);
  uint8_t p = f.nw_proto;
  if (!(f.nw_frag & kFlowNwFragLater) &&
      (p == kIpProtoIcmp || p == kIpProtoIcmpv6 || p == kIpProtoTcp || p == kIpProtoUdp ||
       p == kIpProtoSctp || p == kIpProtoIgmp)) {
    mask_all(m.tp_src);
    mask_all(m.tp_dst);
    if (p == kIpProtoTcp) mask_all(m.tcp_flags);
    if (p == kIpProtoIgmp) mask_all(m.igmp_group_ip4);
  }
  return wc;
}

}  // namespace

std::string format_flow(const Flow& flow, const PortMap* ports) {
  Match match;
  match.flow = flow;
  match.wc = packet_wildcards(flow);
  Flow& m = match.wc.masks;
  // Zero-valued context fields are left out, as OVS does for readability.
  if (!flow.in_port) m.in_port = 0;
  if (!flow.skb_priority) m.skb_priority = 0;
  if (!flow.pkt_mark) m.pkt_mark = 0;
  if (!flow.recirc_id) m.recirc_id = 0;
  if (!flow.dp_hash) m.dp_hash = 0;
  if (!flow.ct_state) m.ct_state = 0;
  if (!flow.ct_zone) m.ct_zone = 0;
  if (!flow.ct_mark) m.ct_mark = 0;
  if (flow.ct_label.is_zero()) m.ct_label = U128{};
  bool ct_valid = (flow.ct_state & kCsTracked) && !(flow.ct_state & kCsInvalid);
  if (!ct_valid || !flow.ct_nw_proto) {
    m.ct_nw_proto = 0;
    m.ct_tp_src = m.ct_tp_dst = 0;
    if (flow.dl_type == kEthTypeIp) m.ct_nw_src = m.ct_nw_dst = 0;
    if (flow.dl_type == kEthTypeIpv6) m.ct_ipv6_src = m.ct_ipv6_dst = In6Addr{};
  }
  for (int i = 0; i < kFlowNumRegs; ++i)
    if (!flow.regs[i]) m.regs[i] = 0;
  if (!flow.metadata) m.metadata = 0;
  match.normalize();
  return format_match(match, kDefaultPriority, ports);
}

std::string format_packet(const uint8_t* data, size_t size) {
  PacketLayers layers;
  Flow flow = flow_extract(data, size, nullptr, &layers);
  std::string s = format_flow(flow);
  size_t l4_size = layers.l4 >= 0 ? size - layers.l4 : 0;
  // The L3 length may be shorter than the frame (Ethernet padding); OVS
  // measures L4 from the parsed IP length, which flow_extract honours via
  // l7 when the header parsed.
  const uint8_t* l4 = layers.l4 >= 0 ? data + layers.l4 : nullptr;
  switch (flow.nw_proto) {
    case kIpProtoTcp:
      if (l4 && l4_size >= 20) s += strfmt(" tcp_csum:%x", load_be16(l4 + 16));
      break;
    case kIpProtoUdp:
      if (l4 && l4_size >= 8) s += strfmt(" udp_csum:%x", load_be16(l4 + 6));
      break;
    case kIpProtoSctp:
      if (l4 && l4_size >= 12) s += strfmt(" sctp_csum:%x", load_be32(l4 + 8));
      break;
    case kIpProtoIcmp:
      if (l4 && l4_size >= 8 && flow.dl_type == kEthTypeIp)
        s += strfmt(" icmp_csum:%x", load_be16(l4 + 2));
      break;
    case kIpProtoIcmpv6:
      if (l4 && l4_size >= 4 && flow.dl_type == kEthTypeIpv6)
        s += strfmt(" icmp6_csum:%x", load_be16(l4 + 2));
      break;
  }
  return s + "\n";
}

const char* packet_in_reason_name(uint8_t reason) {
  static const char* kNames[] = {"no_match", "action", "invalid_ttl", "action_set", "group",
                                 "packet_out"};
  return reason < 6 ? kNames[reason] : "?";
}

Result<std::vector<uint8_t>> encode_packet_in(const PacketIn& pin, uint8_t version, uint32_t xid) {
  uint16_t total = pin.total_len ? pin.total_len : static_cast<uint16_t>(pin.packet.size());
  if (version == kOfp10) {
    OfpBuf b(version, kOfptPacketIn, xid);
    b.put32(pin.buffer_id);
    b.put16(total);
    b.put16(static_cast<uint16_t>(pin.flow_metadata.flow.in_port));
    b.put8(pin.reason);
    b.put8(0);
    b.put_bytes(pin.packet.data(), pin.packet.size());
    return b.finish();
  }
  if (version < kOfp12) return Error(EINVAL, "OpenFlow 1.1 packet-in not supported");
  OfpBuf b(version, kOfptPacketIn, xid);
  b.put32(pin.buffer_id);
  b.put16(total);
  b.put8(pin.reason);
  b.put8(pin.table_id);
  if (version >= kOfp13) b.put64(pin.cookie);
  size_t match_start = b.size();
  b.put16(1);
  b.put16(0);
  size_t n = nx_put_match(b.bytes(), pin.flow_metadata, true, version);
  store_be16(&b.bytes()[match_start + 2], static_cast<uint16_t>(4 + n));
  b.pad_to(8);
  b.put_zeros(2);
  b.put_bytes(pin.packet.data(), pin.packet.size());
  return b.finish();
}

Result<PacketIn> decode_packet_in(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->type != kOfptPacketIn) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  PacketIn pin;
  size_t len = h->length;
  if (h->version == kOfp10) {
    if (len < 18) return Error(EINVAL, "OFPBRC_BAD_LEN");
    pin.buffer_id = load_be32(data + 8);
    pin.total_len = load_be16(data + 12);
    pin.flow_metadata.set_in_port(load_be16(data + 14));
    pin.reason = data[16];
    pin.packet.assign(data + 18, data + len);
    return pin;
  }
  if (h->version < kOfp12) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  size_t fixed = h->version >= kOfp13 ? 24 : 16;
  if (len < fixed + 4) return Error(EINVAL, "OFPBRC_BAD_LEN");
  pin.buffer_id = load_be32(data + 8);
  pin.total_len = load_be16(data + 12);
  pin.reason = data[14];
  pin.table_id = data[15];
  if (h->version >= kOfp13) pin.cookie = load_be64(data + 16);
  const uint8_t* mp = data + fixed;
  if (load_be16(mp) != 1) return Error(EINVAL, "OFPBMC_BAD_TYPE");
  size_t mlen = load_be16(mp + 2);
  size_t padded = (mlen + 7) / 8 * 8;
  if (mlen < 4 || fixed + padded + 2 > len) return Error(EINVAL, "OFPBMC_BAD_LEN");
  auto m = nx_pull_match(mp + 4, mlen - 4);
  if (!m.ok()) return m.error();
  pin.flow_metadata = *m;
  pin.packet.assign(data + fixed + padded + 2, data + len);
  return pin;
}

Result<std::vector<uint8_t>> encode_packet_out(const PacketOut& po, uint8_t version, uint32_t xid) {
  Match none;
  auto acts = encode_actions(actions_for_version(po.actions, none, version), version);
  if (!acts.ok()) return acts.error();
  OfpBuf b(version, kOfptPacketOut, xid);
  b.put32(po.buffer_id);
  if (version == kOfp10) {
    b.put16(static_cast<uint16_t>(po.in_port));
    b.put16(static_cast<uint16_t>(acts->size()));
  } else if (version <= kOfp14) {
    b.put32(port_to_ofp11(po.in_port));
    b.put16(static_cast<uint16_t>(acts->size()));
    b.put_zeros(6);
  } else {
    b.put16(static_cast<uint16_t>(acts->size()));
    b.put_zeros(2);
    Match md;
    md.set_in_port(po.in_port);
    size_t match_start = b.size();
    b.put16(1);
    b.put16(0);
    size_t n = nx_put_match(b.bytes(), md, true, version);
    store_be16(&b.bytes()[match_start + 2], static_cast<uint16_t>(4 + n));
    b.pad_to(8);
  }
  b.put_bytes(acts->data(), acts->size());
  b.put_bytes(po.packet.data(), po.packet.size());
  return b.finish();
}

Result<PacketOut> decode_packet_out(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->type != kOfptPacketOut) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  PacketOut po;
  size_t len = h->length, pos;
  size_t actions_len;
  po.buffer_id = load_be32(data + 8);
  if (h->version == kOfp10) {
    if (len < 16) return Error(EINVAL, "OFPBRC_BAD_LEN");
    po.in_port = load_be16(data + 12);
    actions_len = load_be16(data + 14);
    pos = 16;
  } else if (h->version <= kOfp14) {
    if (len < 24) return Error(EINVAL, "OFPBRC_BAD_LEN");
    auto port = port_from_ofp11(load_be32(data + 12));
    if (!port) return Error(EINVAL, "OFPBRC_BAD_PORT");
    po.in_port = *port;
    actions_len = load_be16(data + 16);
    pos = 24;
  } else {
    if (len < 24) return Error(EINVAL, "OFPBRC_BAD_LEN");
    actions_len = load_be16(data + 12);
    size_t mlen = load_be16(data + 18);
    size_t padded = (mlen + 7) / 8 * 8;
    if (load_be16(data + 16) != 1 || mlen < 4 || 16 + padded > len)
      return Error(EINVAL, "OFPBMC_BAD_LEN");
    auto m = nx_pull_match(data + 20, mlen - 4);
    if (!m.ok()) return m.error();
    po.in_port = m->flow.in_port;
    pos = 16 + padded;
  }
  if (pos + actions_len > len) return Error(EINVAL, "OFPBRC_BAD_LEN");
  auto acts = decode_actions(data + pos, actions_len, h->version);
  if (!acts.ok()) return acts.error();
  po.actions = std::move(*acts);
  po.packet.assign(data + pos + actions_len, data + len);
  return po;
}

std::string format_packet_in_body(const PacketIn& pin, int verbosity, const PortMap* ports) {
  std::string s;
  if (pin.table_id) s += strfmt(" table_id=%u", pin.table_id);
  if (pin.cookie != ~0ull) s += strfmt(" cookie=0x%llx", static_cast<unsigned long long>(pin.cookie));
  size_t total = pin.total_len;
  s += strfmt(" total_len=%zu ", total);
  s += format_match(pin.flow_metadata, kDefaultPriority, ports);
  s += strfmt(" (via %s)", packet_in_reason_name(pin.reason));
  s += strfmt(" data_len=%zu", pin.packet.size());
  if (pin.buffer_id == 0xffffffff) {
    s += " (unbuffered)";
    if (total != pin.packet.size()) s += " (***total_len != data_len***)";
  } else {
    s += strfmt(" buffer=0x%08x", pin.buffer_id);
    if (total < pin.packet.size()) s += " (***total_len < data_len***)";
  }
  s += '\n';
  if (verbosity > 0) s += format_packet(pin.packet.data(), pin.packet.size());
  if (verbosity > 2) s += hex_dump(pin.packet.data(), pin.packet.size(), 0, false);
  return s;
}

std::string format_packet_out_body(const PacketOut& po, uint8_t version, int verbosity,
                                   const PortMap* ports) {
  Match md;
  md.set_in_port(po.in_port);
  std::string s = " " + format_match(md, kDefaultPriority, ports);
  Match none;
  s += " actions=" + format_actions(actions_for_version(po.actions, none, version), ports);
  if (po.buffer_id == 0xffffffff) {
    s += strfmt(" data_len=%zu", po.packet.size());
    if (verbosity > 0 && !po.packet.empty())
      s += "\n" + format_packet(po.packet.data(), po.packet.size());
    if (verbosity > 2) s += hex_dump(po.packet.data(), po.packet.size(), 0, false);
  } else {
    s += strfmt(" buffer=0x%08x", po.buffer_id);
  }
  return s;
}

}  // namespace grebe::openflow
