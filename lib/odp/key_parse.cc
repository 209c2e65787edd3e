// Datapath flow text -> flow key (+ mask) attributes.
#include <linux/openvswitch.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "grebe/odp/odp_key.h"
#include "grebe/util/byteorder.h"
#include "key_desc.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

Error syntax_error() { return Error(EINVAL, "syntax error"); }

constexpr size_t kScanError = SIZE_MAX;

// OVS's field-list loop: `field(p)` returns characters consumed, 0 if no
// field matched at p, or kScanError.  Fields are separated by ',' and the
// list ends with ')'.  Returns characters consumed including ')', or 0.
template <typename F>
size_t scan_field_list(const char* s, F&& field) {
  const char* p = s;
  size_t len;
  do {
    len = field(p);
    if (len == kScanError) return 0;
    p += len;
  } while (*p++ == ',' && len != 0);
  return p[-1] == ')' ? static_cast<size_t>(p - s) : 0;
}

// Puts a key attribute and, if wanted, its mask.
void put_pair(nl::AttrBuilder& key, nl::AttrBuilder* mask, uint16_t type, const void* k,
              const void* m, size_t len) {
  key.put_unspec(type, k, len);
  if (mask) mask->put_unspec(type, m, len);
}

size_t scan_ipv6_label(const char* s, uint8_t* key, uint8_t* mask) {
  unsigned long long v;
  size_t n = scan_uint(s, &v);
  if (!n || (v & ~0xfffffull)) return 0;
  store_be32(key, static_cast<uint32_t>(v));
  size_t m;
  if (s[n] == '/' && (m = scan_uint(s + n + 1, &v)) && !(v & ~0xfffffull)) {
    store_be32(mask, static_cast<uint32_t>(v));
    return n + 1 + m;
  }
  store_be32(mask, 0xfffff);
  return n;
}

size_t scan_frag(const char* s, uint8_t* key, uint8_t* mask) {
  size_t n = 0;
  while (n < 7 && s[n] >= 'a' && s[n] <= 'z') n++;
  std::string word(s, n);
  if (word == "no") {
    *key = OVS_FRAG_TYPE_NONE;
  } else if (word == "first") {
    *key = OVS_FRAG_TYPE_FIRST;
  } else if (word == "later") {
    *key = OVS_FRAG_TYPE_LATER;
  } else {
    return 0;
  }
  *mask = 0xff;
  return n;
}

size_t scan_field(const FieldDesc& f, const char* s, uint8_t* key, uint8_t* mask) {
  uint8_t* k = key + f.offset;
  uint8_t* m = mask + f.offset;
  switch (f.type) {
    case FieldType::kEth:
      return scan_eth(s, k, m);
    case FieldType::kIpv4:
      return scan_ipv4(s, k, m);
    case FieldType::kIn6:
      return scan_in6(s, k, m);
    case FieldType::kU8u:
    case FieldType::kU8x:
      return scan_u8(s, k, m);
    case FieldType::kBe16:
    case FieldType::kBe16x:
      return scan_be16(s, k, m);
    case FieldType::kBe32Hex0x:
      return scan_be32(s, k, m);
    case FieldType::kIpv6Label:
      return scan_ipv6_label(s, k, m);
    case FieldType::kFrag:
      return scan_frag(s, k, m);
  }
  return 0;
}

// "name(field=..,field=..)" for a fixed-layout struct.  Returns characters
// consumed after the "name(" prefix, or 0 on a syntax error.
size_t parse_struct(const StructDesc& d, const char* s, nl::AttrBuilder& key,
                    nl::AttrBuilder* mask) {
  uint8_t k[64] = {}, m[64] = {};
  size_t n = scan_field_list(s, [&](const char* p) -> size_t {
    for (int i = 0; i < d.n_fields; i++) {
      const FieldDesc& f = d.fields[i];
      size_t pre = match(p, f.scan_name ? f.scan_name : f.name);
      if (!pre || p[pre] != '=') continue;
      size_t len = scan_field(f, p + pre + 1, k, m);
      return len ? pre + 1 + len : kScanError;
    }
    return 0;
  });
  if (!n) return 0;
  put_pair(key, mask, d.attr, k, m, d.size);
  return n;
}

// "vid=..,pcp=..,cfi=.." into a TCI whose CFI bit starts set in key and mask.
size_t scan_tci_bits(const char* s, uint16_t* key, uint16_t* mask, int bits, int shift) {
  unsigned long long v;
  size_t n = scan_uint(s, &v);
  if (!n || (v >> bits)) return 0;
  uint16_t field = static_cast<uint16_t>(((1u << bits) - 1) << shift);
  *key = static_cast<uint16_t>((*key & ~field) | (v << shift));
  size_t m;
  if (s[n] == '/' && (m = scan_uint(s + n + 1, &v))) {
    if (v >> bits) return 0;
    *mask = static_cast<uint16_t>((*mask & ~field) | (v << shift));
    return n + 1 + m;
  }
  *mask |= field;
  return n;
}

size_t parse_vlan(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  uint16_t k = 0x1000, m = 0x1000;  // CFI set: an 802.1Q header is present
  size_t n = scan_field_list(s, [&](const char* p) -> size_t {
    static constexpr struct {
      const char* name;
      int bits, shift;
    } kFields[] = {{"vid=", 12, 0}, {"pcp=", 3, 13}, {"cfi=", 1, 12}};
    for (const auto& f : kFields) {
      size_t pre = match(p, f.name);
      if (!pre) continue;
      size_t len = scan_tci_bits(p + pre, &k, &m, f.bits, f.shift);
      return len ? pre + len : kScanError;
    }
    return 0;
  });
  if (!n) return 0;
  uint8_t kb[2], mb[2];
  store_be16(kb, k);
  store_be16(mb, m);
  put_pair(key, mask, OVS_KEY_ATTR_VLAN, kb, mb, 2);
  return n;
}

size_t scan_lse_bits(const char* s, uint32_t* key, uint32_t* mask, int bits, int shift) {
  unsigned long long v;
  size_t n = scan_uint(s, &v);
  if (!n || (v >> bits)) return 0;
  uint32_t field = ((1u << bits) - 1) << shift;
  *key = static_cast<uint32_t>((*key & ~field) | (v << shift));
  size_t m;
  if (s[n] == '/' && (m = scan_uint(s + n + 1, &v))) {
    if (v >> bits) return 0;
    *mask = static_cast<uint32_t>((*mask & ~field) | (v << shift));
    return n + 1 + m;
  }
  *mask |= field;
  return n;
}

// mpls(label=..,tc=..,ttl=..,bos=..[,label=..]) up to 3 label stack entries.
size_t parse_mpls(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  constexpr int kMaxLabels = 3;
  struct Field {
    const char* name;
    int bits, shift;
  };
  static constexpr Field kFields[] = {
      {"label=", 20, 12}, {"tc=", 3, 9}, {"ttl=", 8, 0}, {"bos=", 1, 8}};
  uint32_t k[kMaxLabels] = {}, m[kMaxLabels] = {};
  int idx = 0;
  unsigned seen = 0;
  size_t n = scan_field_list(s, [&](const char* p) -> size_t {
    for (int f = 0; f < 4; f++) {
      size_t pre = match(p, kFields[f].name);
      if (!pre) continue;
      if (seen & (1u << f)) {  // a repeated field starts the next entry
        seen = 0;
        if (++idx == kMaxLabels) return kScanError;
      }
      size_t len = scan_lse_bits(p + pre, &k[idx], &m[idx], kFields[f].bits, kFields[f].shift);
      if (!len) return kScanError;
      seen |= 1u << f;
      return pre + len;
    }
    return 0;
  });
  if (!n) return 0;
  uint8_t kb[4 * kMaxLabels], mb[4 * kMaxLabels];
  for (int i = 0; i <= idx; i++) {
    store_be32(kb + 4 * i, k[i]);
    store_be32(mb + 4 * i, m[i]);
  }
  put_pair(key, mask, OVS_KEY_ATTR_MPLS, kb, mb, 4 * (idx + 1));
  return n;
}

size_t parse_packet_type(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  uint8_t k[4] = {}, m[4] = {};
  size_t n = scan_field_list(s, [&](const char* p) -> size_t {
    size_t pre, len;
    if ((pre = match(p, "ns="))) {
      len = scan_be16(p + pre, k, m);
    } else if ((pre = match(p, "id="))) {
      len = scan_be16(p + pre, k + 2, m + 2);
    } else {
      return 0;
    }
    return len ? pre + len : kScanError;
  });
  if (!n) return 0;
  put_pair(key, mask, OVS_KEY_ATTR_PACKET_TYPE, k, m, 4);
  return n;
}

// "NAME(value[/mask])" for single-value attributes.
struct Single {
  const char* name;
  uint16_t type;
  enum Kind : uint8_t { kU32, kU32Exact, kU16, kBe16, kCtState, kTcpFlags, kU128 } kind;
};
constexpr Single kSingles[] = {
    {"skb_priority(", OVS_KEY_ATTR_PRIORITY, Single::kU32},
    {"skb_mark(", OVS_KEY_ATTR_SKB_MARK, Single::kU32},
    {"recirc_id(", OVS_KEY_ATTR_RECIRC_ID, Single::kU32Exact},
    {"dp_hash(", OVS_KEY_ATTR_DP_HASH, Single::kU32},
    {"ct_state(", OVS_KEY_ATTR_CT_STATE, Single::kCtState},
    {"ct_zone(", OVS_KEY_ATTR_CT_ZONE, Single::kU16},
    {"ct_mark(", OVS_KEY_ATTR_CT_MARK, Single::kU32},
    {"ct_label(", OVS_KEY_ATTR_CT_LABELS, Single::kU128},
    {"eth_type(", OVS_KEY_ATTR_ETHERTYPE, Single::kBe16},
    {"tcp_flags(", OVS_KEY_ATTR_TCP_FLAGS, Single::kTcpFlags},
};

size_t parse_single(const Single& d, const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  uint8_t k[16] = {}, m[16] = {};
  size_t n = 0, len = 0;
  switch (d.kind) {
    case Single::kU32: {
      uint32_t kv, mv;
      if ((n = scan_u32(s, &kv, &mv))) {
        std::memcpy(k, &kv, 4);
        std::memcpy(m, &mv, 4);
      }
      len = 4;
      break;
    }
    case Single::kU32Exact: {
      uint32_t kv;
      if ((n = scan_u32(s, &kv, nullptr))) std::memcpy(k, &kv, 4);
      std::memset(m, 0xff, 4);
      len = 4;
      break;
    }
    case Single::kU16: {
      uint16_t kv, mv;
      if ((n = scan_u16(s, &kv, &mv))) {
        std::memcpy(k, &kv, 2);
        std::memcpy(m, &mv, 2);
      }
      len = 2;
      break;
    }
    case Single::kBe16:
      n = scan_be16(s, k, m);
      len = 2;
      break;
    case Single::kCtState:
    case Single::kTcpFlags: {
      bool ct = d.kind == Single::kCtState;
      uint32_t f, fm;
      int r = parse_flags(s, ct ? ct_state_to_string : tcp_flag_to_string, ')',
                          ct ? 0xffu : 0x0fffu, &f, &fm);
      if (r < 0) return 0;
      n = static_cast<size_t>(r);
      if (ct) {
        std::memcpy(k, &f, 4);
        std::memcpy(m, &fm, 4);
        len = 4;
      } else {
        store_be16(k, static_cast<uint16_t>(f));
        store_be16(m, static_cast<uint16_t>(fm));
        len = 2;
      }
      break;
    }
    case Single::kU128:
      n = scan_u128(s, k, m);
      len = 16;
      break;
  }
  if (!n) return 0;
  if (s[n] != ')') return 0;
  put_pair(key, mask, d.type, k, m, len);
  return n + 1;
}

size_t parse_in_port(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                     const PortNameMap* names) {
  uint32_t k, m;
  size_t n = scan_u32(s, &k, &m);
  if (!n && names) {
    n = std::strcspn(s, ")");
    auto it = names->find(std::string_view(s, n));
    if (it == names->end()) return 0;
    k = it->second;
    m = UINT32_MAX;
  }
  if (!n || s[n] != ')') return 0;
  put_pair(key, mask, OVS_KEY_ATTR_IN_PORT, &k, &m, 4);
  return n + 1;
}

Result<size_t> parse_encap(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                           const PortNameMap* names, int depth) {
  size_t knest = key.start_nested(OVS_KEY_ATTR_ENCAP);
  size_t mnest = mask ? mask->start_nested(OVS_KEY_ATTR_ENCAP) : 0;
  const char* p = s;
  for (;;) {
    p += std::strspn(p, kDelimiters);
    if (!*p) return syntax_error();
    if (*p == ')') break;
    auto r = parse_odp_key_mask_attr(p, key, mask, names, depth);
    if (!r.ok()) return r;
    if (key.size() - knest - nl::kAttrHdrLen > nl::kAttrMaxLen - nl::kAttrHdrLen) {
      // The nest's payload no longer fits a netlink attribute.
      return Error(E2BIG, "syntax error");
    }
    p += *r;
  }
  key.end_nested(knest);
  if (mask) mask->end_nested(mnest);
  return static_cast<size_t>(p + 1 - s);
}

}  // namespace

Result<size_t> parse_odp_key_mask_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                                       const PortNameMap* names, int depth) {
  if (depth + 1 >= kMaxOdpNested) return syntax_error();
  size_t pre, n = 0;
  for (const Single& d : kSingles) {
    if ((pre = match(s, d.name))) {
      n = parse_single(d, s + pre, key, mask);
      return n ? Result<size_t>(pre + n) : syntax_error();
    }
  }
  static constexpr struct {
    const char* name;
    uint16_t attr;
  } kStructNames[] = {
      {"ct_tuple4(", OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4},
      {"ct_tuple6(", OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6},
      {"eth(", OVS_KEY_ATTR_ETHERNET},
      {"ipv4(", OVS_KEY_ATTR_IPV4},
      {"ipv6(", OVS_KEY_ATTR_IPV6},
      {"tcp(", OVS_KEY_ATTR_TCP},
      {"udp(", OVS_KEY_ATTR_UDP},
      {"sctp(", OVS_KEY_ATTR_SCTP},
      {"icmp(", OVS_KEY_ATTR_ICMP},
      {"icmpv6(", OVS_KEY_ATTR_ICMPV6},
      {"arp(", OVS_KEY_ATTR_ARP},
      {"nd(", OVS_KEY_ATTR_ND},
      {"nd_ext(", kOvsKeyAttrNdExtensions},
  };
  for (const auto& sn : kStructNames) {
    if ((pre = match(s, sn.name))) {
      n = parse_struct(*find_struct_desc(sn.attr), s + pre, key, mask);
      return n ? Result<size_t>(pre + n) : syntax_error();
    }
  }
  if ((pre = match(s, "tunnel("))) {
    size_t knest = key.start_nested(OVS_KEY_ATTR_TUNNEL);
    size_t mnest = mask ? mask->start_nested(OVS_KEY_ATTR_TUNNEL) : 0;
    n = parse_odp_tun_attr(s + pre, key, mask);
    if (!n) return syntax_error();
    key.end_nested(knest);
    if (mask) mask->end_nested(mnest);
  } else if ((pre = match(s, "in_port("))) {
    n = parse_in_port(s + pre, key, mask, names);
  } else if ((pre = match(s, "vlan("))) {
    n = parse_vlan(s + pre, key, mask);
  } else if ((pre = match(s, "mpls("))) {
    n = parse_mpls(s + pre, key, mask);
  } else if ((pre = match(s, "nsh("))) {
    n = parse_odp_nsh_attr(s + pre, key, mask);
  } else if ((pre = match(s, "packet_type("))) {
    n = parse_packet_type(s + pre, key, mask);
  } else if ((pre = match(s, "encap("))) {
    auto r = parse_encap(s + pre, key, mask, names, depth + 1);
    if (!r.ok()) return r;
    n = *r;
  } else {
    return syntax_error();
  }
  if (!n) return syntax_error();
  return pre + n;
}

Status odp_flow_from_string(std::string_view input, nl::AttrBuilder& key, nl::AttrBuilder* mask,
                            const PortNameMap* names) {
  if (input.find('\0') != std::string_view::npos) {
    return Error(EINVAL, "syntax error at " + std::string(input.substr(0, input.find('\0'))));
  }
  std::string copy(input);
  const char* s = copy.c_str();
  size_t key_size = key.size(), mask_size = mask ? mask->size() : 0;
  auto fail = [&](int code, const char* at) {
    key.truncate(key_size);
    if (mask) mask->truncate(mask_size);
    return Error(code, std::string("syntax error at ") + at);
  };
  for (;;) {
    s += std::strspn(s, kDelimiters);
    if (!*s) return ok_status();
    Ufid ufid;
    auto u = odp_ufid_from_string(s, &ufid);
    if (!u.ok()) return fail(EINVAL, s);
    if (*u) {
      s += *u;
      if (*s == ' ') s++;
    }
    auto r = parse_odp_key_mask_attr(s, key, mask, names, 0);
    int code = r.ok() ? 0 : r.error().code();
    // As OVS: the whole key must fit in one netlink attribute.
    if (r.ok() && (key.size() - key_size > nl::kAttrMaxLen ||
                   (mask && mask->size() - mask_size > nl::kAttrMaxLen))) {
      code = E2BIG;
    }
    if (code) return fail(code, s);
    s += *r;
  }
}

size_t scan_u128(const char* s, uint8_t* key, uint8_t* mask) {
  uint8_t be[16];
  size_t n = scan_int_string(s, be, 16);
  if (!n) return 0;
  std::reverse_copy(be, be + 16, key);
  if (mask) {
    if (s[n] == '/') {
      size_t m = scan_int_string(s + n + 1, be, 16);
      if (!m) return 0;
      std::reverse_copy(be, be + 16, mask);
      n += 1 + m;
    } else {
      std::memset(mask, 0xff, 16);
    }
  }
  return n;
}

}  // namespace grebe::odp
