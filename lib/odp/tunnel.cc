// tunnel(...) key attribute: OVS_TUNNEL_KEY_ATTR_* <-> text.
#include <linux/openvswitch.h>

#include <cstring>
#include <vector>

#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

// struct erspan_metadata: int version; union { be32 index; erspan_md2 } u.
constexpr size_t kErspanLen = 12;
constexpr size_t kErspanMd2Byte = 4 + 7;  // holds o:1 gra:2 dir:1 hwid:4 (LSB first)
constexpr uint16_t kVxlanExtGbp = 1;      // OVS_VXLAN_EXT_GBP
constexpr size_t kGeneveMaxLen = 252;
// OVS's userspace-only OVS_TUNNEL_KEY_ATTR_GTPU_OPTS (struct gtpu_metadata:
// u8 flags, u8 msgtype); the kernel uses 16 for IPV4_INFO_BRIDGE instead.
constexpr uint16_t kTunnelKeyAttrGtpuOpts = 16;  // 63 four-byte words

void format_vxlan_opts(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  for (nl::AttrIterator it(a.payload()); it.ok(); it.next()) {
    nl::Attr o = it.attr();
    nl::Attr mo;
    nl::AttrBuilder gen;
    if (ma.valid()) {
      mo = nl::find_attr(ma.payload(), o.type());
      if (!mo.valid()) {
        gen.put_uninit(o.type(), o.size());
        mo = nl::Attr(gen.data().data());
      }
    }
    auto len_of = [](uint16_t t) { return t == kVxlanExtGbp ? 4 : kAttrLenInvalid; };
    if (!check_attr_len(out, o, mo, len_of, true)) continue;
    if (o.type() == kVxlanExtGbp) {
      uint32_t key = o.get_u32();
      uint8_t id[2], id_mask[2];
      store_be16(id, key & 0xffff);
      uint8_t flags = (key >> 16) & 0xff, flags_mask = 0;
      if (mo.valid()) {
        store_be16(id_mask, mo.get_u32() & 0xffff);
        flags_mask = (mo.get_u32() >> 16) & 0xff;
      }
      out += "gbp(";
      format_be16(out, "id", id, mo.valid() ? id_mask : nullptr, verbose);
      format_u8x(out, "flags", flags, mo.valid() ? &flags_mask : nullptr, verbose);
      chomp(out, ',');
      out += "),";
    } else {
      appendf(out, "key%u(", o.type());
      format_generic_odp_key(out, o);
      if (mo.valid() && !is_all_ones(mo.data(), mo.size())) {
        out += '/';
        format_generic_odp_key(out, mo);
      }
      out += "),";
    }
  }
  chomp(out, ',');
}

void format_erspan(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  if (a.size() < kErspanLen || (ma.valid() && ma.size() < kErspanLen)) {
    format_generic_odp_key(out, a);
    return;
  }
  const uint8_t* k = a.data();
  const uint8_t* m = ma.valid() ? ma.data() : nullptr;
  int32_t version;
  std::memcpy(&version, k, 4);
  uint8_t ver_mask = m ? m[0] : 0xff;  // low byte of a host-order int
  format_u8u(out, "ver", static_cast<uint8_t>(version), m ? &ver_mask : nullptr, verbose);
  if (version == 1) {
    if (m) {
      appendf(out, "idx=%#x/%#x,", load_be32(k + 4), load_be32(m + 4));
    } else {
      appendf(out, "idx=%#x,", load_be32(k + 4));
    }
  } else if (version == 2) {
    uint8_t dir = (k[kErspanMd2Byte] >> 3) & 1, hwid = k[kErspanMd2Byte] >> 4;
    uint8_t dir_mask = m ? (m[kErspanMd2Byte] >> 3) & 1 : 0;
    uint8_t hwid_mask = m ? m[kErspanMd2Byte] >> 4 : 0;
    format_u8u(out, "dir", dir, m ? &dir_mask : nullptr, verbose);
    format_u8x(out, "hwid", hwid, m ? &hwid_mask : nullptr, verbose);
  }
  chomp(out, ',');
}

void format_geneve(std::string& out, nl::Attr a, nl::Attr ma, bool verbose) {
  if (ma.valid() && a.size() != ma.size()) {
    appendf(out, "value len %zu different from mask len %zu", a.size(), ma.size());
    return;
  }
  format_geneve_opts(out, a.data(), ma.valid() ? ma.data() : nullptr, a.size(), verbose);
}

// Formats one sub-attribute; returns tunnel flag bits it implies.
uint32_t format_tun_sub(std::string& out, nl::Attr a, nl::Attr ma, bool verbose,
                        uint32_t* mask_flags) {
  const uint8_t* m = ma.valid() ? ma.data() : nullptr;
  switch (a.type()) {
    case OVS_TUNNEL_KEY_ATTR_ID:
      format_be64(out, "tun_id", a.data(), m, verbose);
      if (ma.valid()) *mask_flags |= kTnlFKey;
      return kTnlFKey;
    case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
      format_ipv4(out, "src", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
      format_ipv4(out, "dst", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_IPV6_SRC:
      format_in6(out, "ipv6_src", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_IPV6_DST:
      format_in6(out, "ipv6_dst", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_TOS:
      format_u8x(out, "tos", a.get_u8(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_TTL:
      format_u8u(out, "ttl", a.get_u8(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
      return kTnlFDontFragment;
    case OVS_TUNNEL_KEY_ATTR_CSUM:
      return kTnlFCsum;
    case OVS_TUNNEL_KEY_ATTR_OAM:
      return kTnlFOam;
    case OVS_TUNNEL_KEY_ATTR_TP_SRC:
      format_be16(out, "tp_src", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_TP_DST:
      format_be16(out, "tp_dst", a.data(), m, verbose);
      break;
    case OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS:
      out += "vxlan(";
      format_vxlan_opts(out, a, ma, verbose);
      out += "),";
      break;
    case OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS:
      out += "geneve(";
      format_geneve(out, a, ma, verbose);
      out += "),";
      break;
    case OVS_TUNNEL_KEY_ATTR_PAD:
      break;
    case OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS:
      out += "erspan(";
      format_erspan(out, a, ma, verbose);
      out += "),";
      break;
    case kTunnelKeyAttrGtpuOpts:
      if (a.size() < 2 || (m && ma.size() < 2)) {
        format_generic_odp_key(out, a);
        break;
      }
      out += "gtpu(";
      format_u8x(out, "flags", a.data()[0], m, verbose);
      format_u8u(out, "msgtype", a.data()[1], m ? m + 1 : nullptr, verbose);
      chomp(out, ',');
      out += "),";
      break;
    default:
      appendf(out, "key%u(", a.type());
      format_generic_odp_key(out, a);
      if (ma.valid() && !is_all_ones(ma.data(), ma.size())) {
        out += '/';
        format_generic_odp_key(out, ma);
      }
      out += "),";
      break;
  }
  return 0;
}

}  // namespace

void format_geneve_opts(std::string& out, const uint8_t* k, const uint8_t* m, size_t left,
                        bool verbose) {
  while (left > 0) {
    if (left < 4) {
      appendf(out, "opt len %zu less than minimum 4", left);
      return;
    }
    uint8_t data_len = (k[3] & 0x1f) * 4;
    uint8_t len_mask = 0;
    if (m) len_mask = (m[3] & 0x1f) == 0x1f ? 0xff : (m[3] & 0x1f);
    size_t len = 4 + data_len;
    if (len > left) {
      appendf(out, "opt len %zu greater than remaining %zu", len, left);
      return;
    }
    out += '{';
    format_be16x(out, "class", k, m, verbose);
    format_u8x(out, "type", k[2], m ? &m[2] : nullptr, verbose);
    format_u8u(out, "len", data_len, m ? &len_mask : nullptr, verbose);
    if (data_len && (verbose || !m || !is_all_zeros(m + 4, data_len))) {
      put_hex(out, k + 4, data_len);
      if (m && !is_all_ones(m + 4, data_len)) {
        out += '/';
        put_hex(out, m + 4, data_len);
      }
    } else {
      chomp(out, ',');
    }
    out += '}';
    k += len;
    if (m) m += len;
    left -= len;
  }
}

void format_odp_tun_attr(std::string& out, nl::Attr attr, nl::Attr mask_attr, bool verbose) {
  uint32_t flags = 0, mask_flags = 0;
  for (nl::AttrIterator it(attr.payload()); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    nl::Attr ma;
    nl::AttrBuilder gen;
    if (mask_attr.valid()) {
      ma = nl::find_attr(mask_attr.payload(), a.type());
      if (!ma.valid()) {
        // Build a zero mask of the same shape (a zero nest for vxlan opts).
        if (a.type() == OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS) {
          size_t nest = gen.start_nested(a.type());
          for (nl::AttrIterator in(a.payload()); in.ok(); in.next()) {
            gen.put_uninit(in.attr().type(), in.attr().size());
          }
          gen.end_nested(nest);
        } else {
          gen.put_uninit(a.type(), a.size());
        }
        ma = nl::Attr(gen.data().data());
      }
    }
    if (!check_attr_len(out, a, ma, odp_tun_key_attr_len, true)) continue;
    flags |= format_tun_sub(out, a, ma, verbose, &mask_flags);
  }
  // Flags can be masked even when absent from the key.
  if (mask_attr.valid()) {
    for (nl::AttrIterator it(mask_attr.payload()); it.ok(); it.next()) {
      switch (it.attr().type()) {
        case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
          mask_flags |= kTnlFDontFragment;
          break;
        case OVS_TUNNEL_KEY_ATTR_CSUM:
          mask_flags |= kTnlFCsum;
          break;
        case OVS_TUNNEL_KEY_ATTR_OAM:
          mask_flags |= kTnlFOam;
          break;
        default:
          break;
      }
    }
  }
  if (verbose || !mask_attr.valid() || mask_flags) {
    out += "flags(";
    if (mask_attr.valid()) {
      format_flags_masked(out, tun_flag_to_string, flags, mask_flags & kTnlFMask, kTnlFMask);
    } else {
      format_flags(out, tun_flag_to_string, flags, '|');
    }
    out += "),";
  }
  chomp(out, ',');
}

// ---- Parsing ---------------------------------------------------------------

namespace {

size_t scan_vxlan_gbp(const char* s, uint32_t* key, uint32_t* mask) {
  const char* p = s;
  uint8_t id[2] = {0, 0}, id_mask[2] = {0, 0};
  uint8_t flags = 0, flags_mask = 0;
  size_t n;
  if (match(p, "id=")) {
    if (!(n = scan_be16(p + 3, id, mask ? id_mask : nullptr))) return 0;
    p += 3 + n;
  }
  if (*p == ',') p++;
  if (match(p, "flags=")) {
    if (!(n = scan_u8(p + 6, &flags, mask ? &flags_mask : nullptr))) return 0;
    p += 6 + n;
  }
  if (!match(p, "))")) return 0;
  p += 2;
  *key = static_cast<uint32_t>(flags) << 16 | load_be16(id);
  if (mask) *mask = static_cast<uint32_t>(flags_mask) << 16 | load_be16(id_mask);
  return p - s;
}

size_t scan_erspan(const char* s, uint8_t* key, uint8_t* mask) {
  const char* p = s;
  uint8_t ver = 0, ver_mask = 0;
  size_t n;
  if (match(p, "ver=")) {
    if (!(n = scan_u8(p + 4, &ver, &ver_mask))) return 0;
    p += 4 + n;
  }
  if (*p == ',') p++;
  if (ver == 1) {
    uint32_t idx = 0, idx_mask = 0;
    if (match(p, "idx=")) {
      if (!(n = scan_u32(p + 4, &idx, &idx_mask))) return 0;
      p += 4 + n;
    }
    if (*p == ')') {
      p++;
      int32_t v = 1;
      std::memcpy(key, &v, 4);
      store_be32(key + 4, idx);
      store_be32(mask + 4, idx_mask);
    }
    return p - s;
  }
  if (ver == 2) {
    uint8_t dir = 0, dir_mask = 0, hwid = 0, hwid_mask = 0;
    if (match(p, "dir=")) {
      if (!(n = scan_u8(p + 4, &dir, &dir_mask))) return 0;
      p += 4 + n;
    }
    if (*p == ',') p++;
    if (match(p, "hwid=")) {
      if (!(n = scan_u8(p + 5, &hwid, &hwid_mask))) return 0;
      p += 5 + n;
    }
    if (*p == ')') {
      p++;
      int32_t v = 2;
      std::memcpy(key, &v, 4);
      uint8_t& kb = key[kErspanMd2Byte];
      kb = static_cast<uint8_t>((kb & 0x07) | (dir & 1) << 3 | (hwid & 0xf) << 4);
      uint8_t& mb = mask[kErspanMd2Byte];
      mb = static_cast<uint8_t>((mb & 0x07) | (dir_mask & 1) << 3 | (hwid_mask & 0xf) << 4);
    }
    return p - s;
  }
  return 0;
}

}  // namespace

size_t scan_geneve_opts(const char* s, std::vector<uint8_t>* key, std::vector<uint8_t>* mask) {
  const char* p = s;
  uint8_t k[kGeneveMaxLen] = {}, m[kGeneveMaxLen];
  std::memset(m, 0xff, sizeof m);
  size_t used = 0;
  size_t n;
  while (*p == '{' && kGeneveMaxLen - used >= 4) {
    uint8_t* ko = k + used;
    uint8_t* mo = m + used;
    size_t data_len = 0;
    p++;
    used += 4;
    if (match(p, "class=")) {
      if (!(n = scan_be16(p + 6, ko, mo))) return 0;
      p += 6 + n;
    } else {
      mo[0] = mo[1] = 0;
    }
    if (*p == ',') p++;
    if (match(p, "type=")) {
      if (!(n = scan_u8(p + 5, &ko[2], &mo[2]))) return 0;
      p += 5 + n;
    } else {
      mo[2] = 0;
    }
    if (*p == ',') p++;
    if (match(p, "len=")) {
      uint8_t len, len_mask;
      if (!(n = scan_u8(p + 4, &len, &len_mask))) return 0;
      p += 4 + n;
      if (len > 124 || len % 4 || len > kGeneveMaxLen - used) return 0;
      ko[3] = len / 4;
      mo[3] = len_mask & 0x1f;  // the reserved bits are never masked
      data_len = len;
    } else {
      mo[2] = 0;  // as OVS does (it clears type, not len, here)
      mo[3] &= 0x1f;
    }
    if (*p == ',') {
      p++;
      if (!(n = scan_int_string(p, ko + 4, data_len)) && data_len) return 0;
      p += n;
    }
    if (*p == '/') {
      p++;
      if (!(n = scan_int_string(p, mo + 4, data_len)) && data_len) return 0;
      p += n;
    }
    if (*p != '}') return 0;
    p++;
    used += data_len;
  }
  if (*p != ')') return 0;
  p++;
  key->assign(k, k + used);
  mask->assign(m, m + used);
  return p - s;
}

namespace {

// Puts one key sub-attribute and its mask.
void put_pair(nl::AttrBuilder& key, nl::AttrBuilder* mask, uint16_t type, const void* k,
              const void* m, size_t len) {
  key.put_unspec(type, k, len);
  if (mask) mask->put_unspec(type, m, len);
}

// The nested fields of tunnel(...): erspan(), vxlan(gbp()), geneve(),
// gtpu() and flags(); 0 = no match or syntax error.
size_t parse_tun_option(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  size_t p;
  if ((p = match(s, "erspan("))) {
    uint8_t k[kErspanLen] = {}, m[kErspanLen];
    std::memset(m, 0xff, sizeof m);
    size_t n = scan_erspan(s + p, k, m);
    if (!n) return 0;
    put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS, k, m, sizeof k);
    return p + n;
  }
  if ((p = match(s, "vxlan(gbp("))) {
    uint32_t k = 0, m = 0xffffffff;
    size_t n = scan_vxlan_gbp(s + p, &k, &m);
    if (!n) return 0;
    if (k) {
      size_t nest = key.start_nested(OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
      key.put_u32(kVxlanExtGbp, k);
      key.end_nested(nest);
    }
    if (mask && m) {
      size_t nest = mask->start_nested(OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
      mask->put_u32(kVxlanExtGbp, m);
      mask->end_nested(nest);
    }
    return p + n;
  }
  if ((p = match(s, "geneve("))) {
    std::vector<uint8_t> k, m;
    size_t n = scan_geneve_opts(s + p, &k, &m);
    if (!n) return 0;
    put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, k.data(), m.data(), k.size());
    return p + n;
  }
  if ((p = match(s, "gtpu("))) {
    uint8_t k[2] = {}, m[2] = {};
    const char* q = s + p;
    size_t n;
    if (match(q, "flags=")) {
      if (!(n = scan_u8(q + 6, &k[0], &m[0]))) return 0;
      q += 6 + n;
    }
    if (*q == ',') q++;
    if (match(q, "msgtype=")) {
      if (!(n = scan_u8(q + 8, &k[1], &m[1]))) return 0;
      q += 8 + n;
    }
    if (*q != ')') return 0;
    put_pair(key, mask, kTunnelKeyAttrGtpuOpts, k, m, 2);
    return q + 1 - s;
  }
  if ((p = match(s, "flags("))) {
    uint32_t flags = 0, fmask = 0;
    int n = parse_flags(s + p, tun_flag_to_string, ')', kTnlFMask, &flags, &fmask);
    if (n < 0 || s[p + n] != ')') return 0;
    auto put_flags = [](nl::AttrBuilder& b, uint32_t f) {
      if (f & kTnlFDontFragment) b.put_flag(OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
      if (f & kTnlFCsum) b.put_flag(OVS_TUNNEL_KEY_ATTR_CSUM);
      if (f & kTnlFOam) b.put_flag(OVS_TUNNEL_KEY_ATTR_OAM);
    };
    put_flags(key, flags);
    if (mask) put_flags(*mask, fmask);
    return p + n + 1;
  }
  return 0;
}

// One "name=value" (or "name(...)") field inside tunnel(...); 0 = no match
// or syntax error.
size_t parse_tun_field(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  struct Simple {
    const char* name;
    uint16_t type;
    size_t (*scan)(const char*, uint8_t*, uint8_t*);
    size_t len;
  };
  static constexpr Simple kSimple[] = {
      {"tun_id=", OVS_TUNNEL_KEY_ATTR_ID, scan_be64, 8},
      {"src=", OVS_TUNNEL_KEY_ATTR_IPV4_SRC, scan_ipv4, 4},
      {"dst=", OVS_TUNNEL_KEY_ATTR_IPV4_DST, scan_ipv4, 4},
      {"ipv6_src=", OVS_TUNNEL_KEY_ATTR_IPV6_SRC, scan_in6, 16},
      {"ipv6_dst=", OVS_TUNNEL_KEY_ATTR_IPV6_DST, scan_in6, 16},
      {"tos=", OVS_TUNNEL_KEY_ATTR_TOS, scan_u8, 1},
      {"ttl=", OVS_TUNNEL_KEY_ATTR_TTL, scan_u8, 1},
      {"tp_src=", OVS_TUNNEL_KEY_ATTR_TP_SRC, scan_be16, 2},
      {"tp_dst=", OVS_TUNNEL_KEY_ATTR_TP_DST, scan_be16, 2},
  };
  for (const Simple& f : kSimple) {
    size_t p = match(s, f.name);
    if (!p) continue;
    uint8_t k[16] = {}, m[16];
    std::memset(m, 0xff, sizeof m);
    size_t n = f.scan(s + p, k, m);
    if (!n) return 0;
    put_pair(key, mask, f.type, k, m, f.len);
    return p + n;
  }
  return parse_tun_option(s, key, mask);
  return 0;
}

}  // namespace

size_t parse_odp_tun_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  const char* p = s;
  size_t len;
  // Mirrors OVS's field loop: fields separated by ',' and closed by ')'.
  do {
    len = parse_tun_field(p, key, mask);
    p += len;
  } while (*p++ == ',' && len != 0);
  if (p[-1] != ')') return 0;
  return p - s;
}

}  // namespace grebe::odp
