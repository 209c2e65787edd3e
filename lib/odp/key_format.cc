// Flow key (+ mask) attributes -> datapath flow text.
#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "grebe/odp/odp_key.h"
#include "grebe/util/byteorder.h"
#include "key_desc.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

// Payload bytes of `a`, zero-padded to `n` so fixed-layout reads stay in
// bounds even when the caller skipped the length check.
std::vector<uint8_t> padded(nl::Attr a, size_t n) {
  std::vector<uint8_t> v(std::max(n, a.size()), 0);
  std::memcpy(v.data(), a.data(), a.size());
  return v;
}

void format_field(std::string& out, const FieldDesc& f, const uint8_t* key, const uint8_t* mask,
                  bool verbose) {
  const uint8_t* k = key + f.offset;
  const uint8_t* m = mask ? mask + f.offset : nullptr;
  switch (f.type) {
    case FieldType::kEth:
      format_eth(out, f.name, k, m, verbose);
      break;
    case FieldType::kIpv4:
      format_ipv4(out, f.name, k, m, verbose);
      break;
    case FieldType::kIn6:
      format_in6(out, f.name, k, m, verbose);
      break;
    case FieldType::kU8u:
      format_u8u(out, f.name, *k, m, verbose);
      break;
    case FieldType::kU8x:
      format_u8x(out, f.name, *k, m, verbose);
      break;
    case FieldType::kBe16:
      format_be16(out, f.name, k, m, verbose);
      break;
    case FieldType::kBe16x:
      format_be16x(out, f.name, k, m, verbose);
      break;
    case FieldType::kIpv6Label:
      format_ipv6_label(out, f.name, k, m, verbose);
      break;
    case FieldType::kFrag:
      format_frag(out, f.name, *k, m);
      break;
    case FieldType::kBe32Hex0x:
      // OVS prints nd_reserved unconditionally, ignoring its mask.
      appendf(out, "%s=0x%x,", f.name, load_be32(k));
      break;
  }
}

void format_struct(std::string& out, const StructDesc& d, nl::Attr a, nl::Attr ma, bool verbose) {
  std::vector<uint8_t> key = padded(a, d.size);
  std::vector<uint8_t> mask;
  if (ma.valid()) mask = padded(ma, d.size);
  for (int i = 0; i < d.n_fields; i++) {
    format_field(out, d.fields[i], key.data(), ma.valid() ? mask.data() : nullptr, verbose);
  }
  chomp(out, ',');
}

bool mask_empty(nl::Attr ma) { return !ma.valid() || is_all_zeros(ma.data(), ma.size()); }

void format_mpls(std::string& out, nl::Attr a, nl::Attr ma, bool exact) {
  size_t size = a.size();
  if (!size || size % 4) {
    appendf(out, "(bad key length %zu)", size);
    return;
  }
  if (!exact && ma.size() != size) {
    appendf(out, "(key length %zu != mask length %zu)", size, ma.size());
    return;
  }
  for (size_t i = 0; i < size / 4; i++) {
    uint32_t k = load_be32(a.data() + 4 * i);
    if (exact) {
      format_mpls_lse(out, k);
    } else {
      uint32_t m = load_be32(ma.data() + 4 * i);
      appendf(out, "label=%u/0x%x,tc=%u/%x,ttl=%u/0x%x,bos=%u/%x", k >> 12, m >> 12, (k >> 9) & 7,
              (m >> 9) & 7, k & 0xff, m & 0xff, (k >> 8) & 1, (m >> 8) & 1);
    }
    out += ',';
  }
  chomp(out, ',');
}

void format_u32_attr(std::string& out, nl::Attr a, nl::Attr ma, bool exact) {
  appendf(out, "%#x", a.get_u32());
  if (!exact) appendf(out, "/%#x", ma.get_u32());
}

void format_packet_type(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  uint8_t v[4], m[4];
  std::memcpy(v, a.data(), 4);
  if (ma.valid()) {
    std::memcpy(m, ma.data(), 4);
  } else {
    std::memset(m, 0xff, 4);
  }
  format_be16(out, "ns", v, m, verbose);
  format_be16x(out, "id", v + 2, m + 2, verbose);
  chomp(out, ',');
}

// ct_mark / ct_state / ct_zone: printed only when matched (or verbose).
void format_ct_key(std::string& out, nl::Attr a, nl::Attr ma, bool exact, bool verbose) {
  switch (a.type()) {
    case OVS_KEY_ATTR_CT_MARK:
      if (verbose || !mask_empty(ma)) format_u32_attr(out, a, ma, exact);
      break;
    case OVS_KEY_ATTR_CT_STATE:
      if (verbose) {
        appendf(out, "%#x", a.get_u32());
        if (!exact) appendf(out, "/%#x", mask_empty(ma) ? 0 : ma.get_u32());
      } else if (!exact) {
        format_flags_masked(out, ct_state_to_string, a.get_u32(), mask_empty(ma) ? 0 : ma.get_u32(),
                            UINT32_MAX);
      } else {
        format_flags(out, ct_state_to_string, a.get_u32(), '|');
      }
      break;
    case OVS_KEY_ATTR_CT_ZONE:
      if (verbose || !mask_empty(ma)) {
        appendf(out, "%#x", a.get_u16());
        if (!exact) appendf(out, "/%#x", ma.get_u16());
      }
      break;
    default:
      break;
  }
}

// The body of one attribute (inside "name(...)").  Lengths were checked.
void format_key_body(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  uint16_t type = a.type();
  bool exact = ma.valid() ? odp_mask_is_constant(type, ma.data(), ma.size(), true) : true;
  if (const StructDesc* d = find_struct_desc(type)) {
    format_struct(out, *d, a, ma, verbose);
    return;
  }
  switch (type) {
    case OVS_KEY_ATTR_ENCAP:
      if (ma.valid() && ma.size() && a.size()) {
        out += odp_flow_format(a.payload(), ma.payload(), verbose);
      } else if (a.size()) {
        out += odp_flow_format(a.payload(), {}, verbose);
      }
      break;
    case OVS_KEY_ATTR_PRIORITY:
    case OVS_KEY_ATTR_SKB_MARK:
    case OVS_KEY_ATTR_DP_HASH:
    case OVS_KEY_ATTR_RECIRC_ID:
      format_u32_attr(out, a, ma, exact);
      break;
    case OVS_KEY_ATTR_CT_MARK:
    case OVS_KEY_ATTR_CT_STATE:
    case OVS_KEY_ATTR_CT_ZONE:
      format_ct_key(out, a, ma, exact, verbose);
      break;
    case OVS_KEY_ATTR_CT_LABELS:
      format_u128(out, a.data(), ma.valid() ? ma.data() : nullptr, verbose);
      break;
    case OVS_KEY_ATTR_TUNNEL:
      format_odp_tun_attr(out, a, ma, verbose);
      break;
    case OVS_KEY_ATTR_NSH:
      format_odp_nsh_attr(out, a, ma);
      break;
    case OVS_KEY_ATTR_IN_PORT:
      if (exact) {
        format_odp_port(out, a.get_u32());
      } else {
        appendf(out, "%u/%#x", a.get_u32(), ma.get_u32());
      }
      break;
    case OVS_KEY_ATTR_PACKET_TYPE:
      format_packet_type(out, a, ma, verbose);
      break;
    case OVS_KEY_ATTR_VLAN:
      format_vlan_tci(out, a.get_be16(), ma.valid() ? ma.get_be16() : 0xffff, verbose);
      break;
    case OVS_KEY_ATTR_MPLS:
      format_mpls(out, a, ma, exact);
      break;
    case OVS_KEY_ATTR_ETHERTYPE:
      appendf(out, "0x%04x", a.get_be16());
      if (!exact) appendf(out, "/0x%04x", ma.get_be16());
      break;
    case OVS_KEY_ATTR_TCP_FLAGS:
      if (!exact) {
        format_flags_masked(out, tcp_flag_to_string, a.get_be16(), ma.get_be16() & 0x0fff, 0x0fff);
      } else {
        format_flags(out, tcp_flag_to_string, a.get_be16(), '|');
      }
      break;
    default:
      format_generic_odp_key(out, a);
      if (!exact) {
        out += '/';
        format_generic_odp_key(out, ma);
      }
      break;
  }
}

void format_key_attr(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  out += ovs_key_attr_to_string(a.type());
  out += '(';
  format_key_body(out, a, ma, verbose);
  out += ')';
}

// A zero mask shaped like `key` (nested attributes recursively), as OVS's
// generate_all_wildcard_mask(): lets a wildcarded nest print its inner
// fields as wildcarded.
void build_wildcard_mask(nl::AttrBuilder& b, nl::Attr key, AttrLenFn len_of) {
  if (len_of(key.type()) != kAttrLenNested) {
    b.put_uninit(key.type(), key.size());
    return;
  }
  AttrLenFn inner = key.type() == OVS_KEY_ATTR_TUNNEL ? odp_tun_key_attr_len
                    : key.type() == OVS_KEY_ATTR_NSH  ? odp_nsh_key_attr_len
                                                      : len_of;
  size_t nest = b.start_nested(key.type());
  for (nl::AttrIterator it(key.payload()); it.ok(); it.next()) {
    build_wildcard_mask(b, it.attr(), inner);
  }
  b.end_nested(nest);
}

}  // namespace

void format_generic_odp_key(std::string& out, nl::Attr a) {
  for (size_t i = 0; i < a.size(); i++) {
    if (i) out += ' ';
    appendf(out, "%02x", a.data()[i]);
  }
}

bool check_attr_len(std::string& out, nl::Attr a, nl::Attr ma, AttrLenFn len_of, bool need_key) {
  int expected = len_of(a.type());
  if (expected < 0) return true;  // unknown, variable or nested
  bool bad_key = a.size() != static_cast<size_t>(expected);
  bool bad_mask = ma.valid() && ma.size() != static_cast<size_t>(expected);
  if (!bad_key && !bad_mask) return true;
  if (need_key) appendf(out, "key%u", a.type());
  if (bad_key) appendf(out, "(bad key length %zu, expected %d)(", a.size(), expected);
  format_generic_odp_key(out, a);
  if (ma.valid()) {
    out += '/';
    if (bad_mask) appendf(out, "(bad mask length %zu, expected %d)(", ma.size(), expected);
    format_generic_odp_key(out, ma);
  }
  out += ')';
  return false;
}

void format_vlan_tci(std::string& out, uint16_t tci, uint16_t mask, bool verbose) {
  uint16_t vid = tci & 0xfff, vid_mask = mask & 0xfff;
  uint16_t pcp = tci >> 13, pcp_mask = mask >> 13;
  if (verbose || vid || vid_mask) {
    appendf(out, "vid=%u", vid);
    if (vid_mask != 0xfff) appendf(out, "/0x%x", vid_mask);
    out += ',';
  }
  if (verbose || pcp || pcp_mask) {
    appendf(out, "pcp=%u", pcp);
    if (pcp_mask != 7) appendf(out, "/0x%x", pcp_mask);
    out += ',';
  }
  if (!(tci & 0x1000)) out += "cfi=0,";
  chomp(out, ',');
}

void format_mpls_lse(std::string& out, uint32_t lse) {
  appendf(out, "label=%u,tc=%u,ttl=%u,bos=%u", lse >> 12, (lse >> 9) & 7, lse & 0xff,
          (lse >> 8) & 1);
}

void format_u128(std::string& out, const uint8_t* key, const uint8_t* mask, bool verbose) {
  // The attribute holds a host-order (little-endian) u128; print big-endian.
  uint8_t k[16], m[16];
  std::reverse_copy(key, key + 16, k);
  if (mask) std::reverse_copy(mask, mask + 16, m);
  if (verbose || (mask && !is_all_zeros(m, 16))) {
    put_hex(out, k, 16);
    if (mask && !is_all_ones(m, 16)) {
      out += '/';
      put_hex(out, m, 16);
    }
  }
}

void format_odp_key_attr(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  if (check_attr_len(out, a, ma, odp_key_attr_len, false)) {
    format_key_attr(out, a, ma, verbose);
  }
}

void format_odp_port(std::string& out, uint32_t port) {
  const PortNoNames* names = PortNamesScope::current();
  if (names) {
    auto it = names->find(port);
    if (it != names->end()) {
      out += it->second;
      return;
    }
  }
  appendf(out, "%u", port);
}

std::string odp_flow_format(nl::Bytes key, nl::Bytes mask, bool verbose,
                            const PortNoNames* port_names) {
  PortNamesScope names_scope(port_names);
  std::string out;
  FormatDepthGuard guard;
  if (guard.too_deep()) return "...";
  if (key.empty()) return "<empty>";
  bool has_ethtype = false, has_packet_type = false, first = true;
  nl::AttrIterator it(key);
  for (; it.ok(); it.next()) {
    nl::Attr a = it.attr();
    uint16_t type = a.type();
    nl::Attr ma = mask.empty() ? nl::Attr() : nl::find_attr(mask, type);
    if (!check_attr_len(out, a, ma, odp_key_attr_len, false)) continue;
    if (type == OVS_KEY_ATTR_ETHERTYPE) has_ethtype = true;
    if (type == OVS_KEY_ATTR_PACKET_TYPE) has_packet_type = true;
    bool nested = odp_key_attr_len(type) == kAttrLenNested;
    bool wildcard = false;
    if (!mask.empty()) {
      wildcard = ma.valid() ? odp_mask_is_constant(type, ma.data(), ma.size(), false) : true;
    }
    if (verbose || !wildcard || nested) {
      nl::AttrBuilder generated;
      if (wildcard && !ma.valid()) {
        build_wildcard_mask(generated, a, odp_key_attr_len);
        ma = nl::Attr(generated.data().data());
      }
      if (!first) out += ',';
      format_key_attr(out, a, ma, verbose);
      first = false;
    } else if (type == OVS_KEY_ATTR_ETHERNET && !has_packet_type) {
      // A wildcarded eth() still tells the kernel datapath this is an
      // Ethernet packet, so OVS prints it.
      if (!first) out += ',';
      out += "eth()";
    } else if (type == OVS_KEY_ATTR_PACKET_TYPE && wildcard) {
      has_packet_type = false;
    }
  }
  if (it.left()) {
    if (it.left() == key.size()) out += "<empty>";
    appendf(out, ",***%zu leftover bytes*** (", it.left());
    for (size_t i = key.size() - it.left(); i < key.size(); i++) appendf(out, "%02x", key[i]);
    out += ')';
  }
  if (!has_ethtype && !mask.empty()) {
    nl::Attr ma = nl::find_attr(mask, OVS_KEY_ATTR_ETHERTYPE);
    if (ma.valid() && ma.size() >= 2) appendf(out, ",eth_type(0/0x%04x)", ma.get_be16());
  }
  return out;
}

std::string odp_flow_key_format(nl::Bytes key) { return odp_flow_format(key, {}, true); }

}  // namespace grebe::odp
