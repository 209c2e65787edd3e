// Ports on the wire; see port_msgs.h.
#include "grebe/openflow/port_msgs.h"

#include <cctype>
#include <cstring>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

uint32_t features_to_of10(uint32_t f) { return (f & 0x7f) | ((f & 0xf800) >> 4); }
uint32_t features_from_of10(uint32_t f) { return (f & 0x7f) | ((f & 0xf80) << 4); }

// Highest speed among the feature bits, in kbps (OVS netdev_features_to_bps).
uint32_t features_to_kbps(uint32_t f) {
  if (f & kPf1TbFd) return 1000000000u;
  if (f & kPf100GbFd) return 100000000u;
  if (f & kPf40GbFd) return 40000000u;
  if (f & kPf10GbFd) return 10000000u;
  if (f & (kPf1GbHd | kPf1GbFd)) return 1000000u;
  if (f & (kPf100MbHd | kPf100MbFd)) return 100000u;
  if (f & (kPf10MbHd | kPf10MbFd)) return 10000u;
  return 0;
}

void put_name(std::vector<uint8_t>& out, const std::string& name) {
  uint8_t b[16] = {};
  std::memcpy(b, name.data(), std::min<size_t>(name.size(), 15));
  out.insert(out.end(), b, b + 16);
}

std::string get_name(const uint8_t* p) {
  std::string s;
  for (int i = 0; i < 15 && isprint(p[i]); ++i) s += static_cast<char>(p[i]);
  return s;
}

void put32(std::vector<uint8_t>& o, uint32_t v) {
  uint8_t b[4];
  store_be32(b, v);
  o.insert(o.end(), b, b + 4);
}
void put16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v >> 8));
  o.push_back(static_cast<uint8_t>(v));
}

const char* feature_name(uint32_t bit) {
  static const char* kNames[] = {"10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD",
                                 "1GB-FD",  "10GB-FD", "40GB-FD",  "100GB-FD", "1TB-FD",
                                 "OTHER",   "COPPER",  "FIBER",    "AUTO_NEG", "AUTO_PAUSE",
                                 "AUTO_PAUSE_ASYM"};
  int i = __builtin_ctz(bit);
  return i < 16 ? kNames[i] : nullptr;
}
const char* config_name(uint32_t bit) {
  switch (bit) {
    case kPcPortDown: return "PORT_DOWN";
    case kPcNoStp: return "NO_STP";
    case kPcNoRecv: return "NO_RECV";
    case kPcNoRecvStp: return "NO_RECV_STP";
    case kPcNoFlood: return "NO_FLOOD";
    case kPcNoFwd: return "NO_FWD";
    case kPcNoPacketIn: return "NO_PACKET_IN";
  }
  return nullptr;
}
const char* state_name(uint32_t bit) {
  switch (bit) {
    case kPsLinkDown: return "LINK_DOWN";
    case kPsBlocked: return "BLOCKED";
    case kPsLive: return "LIVE";
  }
  return nullptr;
}

// OVS's ofp_print_bit_names() with ' ' between names; "0" when empty.
std::string bit_names(uint32_t bits, const char* (*namer)(uint32_t)) {
  if (!bits) return "0";
  std::string s;
  while (bits) {
    uint32_t bit = bits & -bits;
    const char* n = namer(bit);
    if (!s.empty()) s += ' ';
    s += n ? n : strfmt("0x%x", bit);
    bits &= ~bit;
  }
  return s;
}

}  // namespace

void encode_phy_port(std::vector<uint8_t>& out, const PhyPort& p, uint8_t version) {
  if (version == kOfp10) {
    put16(out, static_cast<uint16_t>(p.port_no));
    out.insert(out.end(), p.hw_addr.b, p.hw_addr.b + 6);
    put_name(out, p.name);
    put32(out, p.config);
    put32(out, p.state);
    for (uint32_t f : {p.curr, p.advertised, p.supported, p.peer}) put32(out, features_to_of10(f));
    return;
  }
  put32(out, port_to_ofp11(p.port_no));
  if (version >= kOfp14) {
    put16(out, 72);  // port + ethernet property
    put16(out, 0);
  } else {
    put32(out, 0);
  }
  out.insert(out.end(), p.hw_addr.b, p.hw_addr.b + 6);
  put16(out, 0);
  put_name(out, p.name);
  put32(out, p.config);
  put32(out, p.state);
  if (version >= kOfp14) {
    put16(out, 0);  // OFPPDPT_ETHERNET
    put16(out, 32);
    put32(out, 0);
  }
  for (uint32_t f : {p.curr, p.advertised, p.supported, p.peer, p.curr_speed, p.max_speed})
    put32(out, f);
}

Result<PhyPort> decode_phy_port(const uint8_t* b, size_t len, uint8_t version, size_t* used) {
  PhyPort p;
  if (version == kOfp10) {
    if (len < 48) return Error(EINVAL, "OFPBRC_BAD_LEN");
    p.port_no = load_be16(b);
    std::memcpy(p.hw_addr.b, b + 2, 6);
    p.name = get_name(b + 8);
    p.config = load_be32(b + 24) & 0x7f;
    p.state = load_be32(b + 28) & (kPsLinkDown | kPsStpMask);
    p.curr = features_from_of10(load_be32(b + 32));
    p.advertised = features_from_of10(load_be32(b + 36));
    p.supported = features_from_of10(load_be32(b + 40));
    p.peer = features_from_of10(load_be32(b + 44));
    p.curr_speed = features_to_kbps(p.curr);
    p.max_speed = features_to_kbps(p.supported);
    *used = 48;
    return p;
  }
  size_t fixed = version >= kOfp14 ? 40 : 64;
  if (len < fixed) return Error(EINVAL, "OFPBRC_BAD_LEN");
  auto port = port_from_ofp11(load_be32(b));
  if (!port) return Error(EINVAL, "OFPBRC_BAD_PORT");
  p.port_no = *port;
  std::memcpy(p.hw_addr.b, b + 8, 6);
  p.name = get_name(b + 16);
  // OF1.1+ has no STP state or STP config bits.
  p.config = load_be32(b + 32) & (kPcPortDown | kPcNoRecv | kPcNoFwd | kPcNoPacketIn);
  p.state = load_be32(b + 36) & (kPsLinkDown | kPsBlocked | kPsLive);
  const uint8_t* f = b + 40;
  size_t total = 64;
  if (version >= kOfp14) {
    total = load_be16(b + 4);
    if (total < 40 || total > len) return Error(EINVAL, "OFPBRC_BAD_LEN");
    // Walk properties for the Ethernet one.
    f = nullptr;
    for (size_t off = 40; off + 4 <= total;) {
      uint16_t type = load_be16(b + off), plen = load_be16(b + off + 2);
      if (plen < 4 || off + plen > total) return Error(EINVAL, "OFPBPC_BAD_LEN");
      if (type == 0 && plen >= 32) f = b + off + 8;
      off += (plen + 7u) / 8 * 8;
    }
  }
  if (f) {
    p.curr = load_be32(f);
    p.advertised = load_be32(f + 4);
    p.supported = load_be32(f + 8);
    p.peer = load_be32(f + 12);
    p.curr_speed = load_be32(f + 16);
    p.max_speed = load_be32(f + 20);
  }
  *used = total;
  return p;
}

std::string format_phy_port(const PhyPort& p) {
  std::string s = " " + format_port(p.port_no, nullptr) + "(" + p.name + "): addr:" +
                  format_eth(p.hw_addr) + "\n";
  s += "     config:     " + bit_names(p.config, config_name) + "\n";
  s += "     state:      ";
  uint32_t stp = p.state & kPsStpMask, rest = p.state & ~kPsStpMask;
  if (stp) {
    s += stp == (1u << 8) ? "STP_LEARN" : stp == (2u << 8) ? "STP_FORWARD" : "STP_BLOCK";
    if (rest) s += bit_names(rest, state_name);
  } else {
    s += bit_names(rest, state_name);
  }
  s += "\n";
  if (p.curr) s += "     current:    " + bit_names(p.curr, feature_name) + "\n";
  if (p.advertised) s += "     advertised: " + bit_names(p.advertised, feature_name) + "\n";
  if (p.supported) s += "     supported:  " + bit_names(p.supported, feature_name) + "\n";
  if (p.peer) s += "     peer:       " + bit_names(p.peer, feature_name) + "\n";
  s += strfmt("     speed: %u Mbps now, %u Mbps max\n", p.curr_speed / 1000, p.max_speed / 1000);
  return s;
}

std::vector<uint8_t> encode_port_status(uint8_t reason, const PhyPort& port, uint8_t version,
                                        uint32_t xid) {
  OfpBuf b(version, kOfptPortStatus, xid);
  b.put8(reason);
  b.put_zeros(7);
  encode_phy_port(b.bytes(), port, version);
  return b.finish();
}

Result<PortStatus> decode_port_status(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->type != kOfptPortStatus || h->length < 16) return Error(EINVAL, "OFPBRC_BAD_LEN");
  PortStatus ps;
  ps.reason = data[8];
  size_t used = 0;
  auto port = decode_phy_port(data + 16, h->length - 16, h->version, &used);
  if (!port.ok()) return port.error();
  ps.port = *port;
  return ps;
}

std::vector<uint8_t> encode_port_desc_reply(const std::vector<PhyPort>& ports, uint8_t version,
                                            uint32_t xid) {
  OfpBuf b(version, version == kOfp10 ? 17 : 19, xid);
  b.put16(13);  // OFPMP_PORT_DESC
  b.put16(0);
  if (version != kOfp10) b.put_zeros(4);
  for (const PhyPort& p : ports) encode_phy_port(b.bytes(), p, version);
  return b.finish();
}

Result<std::vector<PhyPort>> decode_port_desc_reply(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  size_t pos = h->version == kOfp10 ? 12 : 16;
  if (h->length < pos || load_be16(data + 8) != 13) return Error(EINVAL, "OFPBRC_BAD_STAT");
  std::vector<PhyPort> ports;
  while (pos < h->length) {
    size_t used = 0;
    auto p = decode_phy_port(data + pos, h->length - pos, h->version, &used);
    if (!p.ok()) return p.error();
    ports.push_back(*p);
    pos += used;
  }
  return ports;
}

}  // namespace grebe::openflow
