// nsh(...) key attribute (Network Service Header): OVS_NSH_KEY_ATTR_* <->
// text.  Only MD type 1 context is matched, as in OVS.
#include <linux/openvswitch.h>

#include <cstring>
#include <string>
#include <vector>

#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

// struct ovs_nsh_key_base: u8 flags, ttl, mdtype, np; be32 path_hdr
// (SPI in the top 24 bits, SI in the low 8).
constexpr size_t kBaseLen = 8;
constexpr size_t kMd1Len = 16;
constexpr uint8_t kMdType1 = 1;

// The decoded header: base fields then 4 context words (host order).
struct NshKey {
  uint8_t flags = 0, ttl = 0, mdtype = 0, np = 0;
  uint32_t path_hdr = 0;
  uint32_t context[4] = {};
};

void format_u8_masked(std::string& out, bool* first, const char* name, uint8_t v, uint8_t m) {
  if (!m) return;
  if (!*first) out += ',';
  if (m == 0xff) {
    appendf(out, "%s=%u", name, v);
  } else {
    appendf(out, "%s=0x%02x/0x%02x", name, v, m);
  }
  *first = false;
}

void format_u32_masked(std::string& out, bool* first, const char* name, uint32_t v, uint32_t m) {
  if (!m) return;
  if (!*first) out += ',';
  if (m == UINT32_MAX) {
    appendf(out, "%s=0x%x", name, v);
  } else {
    appendf(out, "%s=0x%x/0x%08x", name, v, m);
  }
  *first = false;
}

void format_nsh_key(std::string& out, const NshKey& k) {
  appendf(out, "flags=%u,ttl=%u,mdtype=%u,np=%u,spi=0x%x,si=%u", k.flags, k.ttl, k.mdtype, k.np,
          k.path_hdr >> 8, k.path_hdr & 0xff);
  if (k.mdtype == kMdType1) {
    for (int i = 0; i < 4; i++) appendf(out, ",c%d=0x%x", i + 1, k.context[i]);
  }
}

void format_nsh_key_mask(std::string& out, const NshKey& k, const NshKey& m) {
  bool first = true;
  uint32_t spi_mask = m.path_hdr >> 8;
  if (spi_mask == 0xffffff) spi_mask = UINT32_MAX;  // a full 24-bit SPI is exact
  format_u8_masked(out, &first, "flags", k.flags, m.flags);
  format_u8_masked(out, &first, "ttl", k.ttl, m.ttl);
  format_u8_masked(out, &first, "mdtype", k.mdtype, m.mdtype);
  format_u8_masked(out, &first, "np", k.np, m.np);
  format_u32_masked(out, &first, "spi", k.path_hdr >> 8, spi_mask);
  format_u8_masked(out, &first, "si", k.path_hdr & 0xff, m.path_hdr & 0xff);
  static const char* const kNames[] = {"c1", "c2", "c3", "c4"};
  for (int i = 0; i < 4; i++) format_u32_masked(out, &first, kNames[i], k.context[i], m.context[i]);
}

void decode(nl::Attr a, NshKey* k) {
  if (a.type() == OVS_NSH_KEY_ATTR_BASE) {
    k->flags = a.data()[0];
    k->ttl = a.data()[1];
    k->mdtype = a.data()[2];
    k->np = a.data()[3];
    k->path_hdr = load_be32(a.data() + 4);
  } else if (a.type() == OVS_NSH_KEY_ATTR_MD1) {
    for (int i = 0; i < 4; i++) k->context[i] = load_be32(a.data() + 4 * i);
  }
}

void put_nsh(nl::AttrBuilder& b, const NshKey& k, bool is_mask) {
  size_t nest = b.start_nested(OVS_KEY_ATTR_NSH);
  uint8_t base[kBaseLen] = {k.flags, k.ttl, k.mdtype, k.np};
  store_be32(base + 4, k.path_hdr);
  b.put_unspec(OVS_NSH_KEY_ATTR_BASE, base, sizeof base);
  if (is_mask || k.mdtype == kMdType1) {
    uint8_t md1[kMd1Len];
    for (int i = 0; i < 4; i++) store_be32(md1 + 4 * i, k.context[i]);
    b.put_unspec(OVS_NSH_KEY_ATTR_MD1, md1, sizeof md1);
  }
  b.end_nested(nest);
}

}  // namespace

int odp_nsh_key_attr_len(uint16_t type) {
  switch (type) {
    case OVS_NSH_KEY_ATTR_BASE:
      return kBaseLen;
    case OVS_NSH_KEY_ATTR_MD1:
      return kMd1Len;
    case OVS_NSH_KEY_ATTR_MD2:
      return kAttrLenVariable;
    default:
      return kAttrLenInvalid;
  }
}

void format_odp_nsh_attr(std::string& out, nl::Attr attr, nl::Attr mask_attr) {
  NshKey k;
  // Parts the mask leaves out are exact.
  NshKey m{0xff, 0xff, 0xff, 0xff, UINT32_MAX, {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX}};
  for (nl::AttrIterator it(attr.payload()); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    nl::Attr ma = mask_attr.valid() ? nl::find_attr(mask_attr.payload(), a.type()) : nl::Attr();
    if (!check_attr_len(out, a, ma, odp_nsh_key_attr_len, true)) continue;
    decode(a, &k);
    if (ma.valid()) decode(ma, &m);
  }
  if (mask_attr.valid()) {
    format_nsh_key_mask(out, k, m);
  } else {
    format_nsh_key(out, k);
  }
}

size_t parse_odp_nsh_attr(const char* s, nl::AttrBuilder& key, nl::AttrBuilder* mask) {
  NshKey k, m;
  uint32_t spi = 0, spi_mask = 0;
  uint8_t si = 0, si_mask = 0;
  const char* p = s;
  size_t len;
  do {
    len = 0;
    size_t pre;
    if ((pre = match(p, "flags="))) {
      len = scan_u8(p + pre, &k.flags, &m.flags);
    } else if ((pre = match(p, "ttl="))) {
      len = scan_u8(p + pre, &k.ttl, &m.ttl);
    } else if ((pre = match(p, "mdtype="))) {
      len = scan_u8(p + pre, &k.mdtype, &m.mdtype);
    } else if ((pre = match(p, "np="))) {
      len = scan_u8(p + pre, &k.np, &m.np);
    } else if ((pre = match(p, "spi="))) {
      len = scan_u32(p + pre, &spi, &spi_mask);
    } else if ((pre = match(p, "si="))) {
      len = scan_u8(p + pre, &si, &si_mask);
    } else if (p[0] == 'c' && p[1] >= '1' && p[1] <= '4' && p[2] == '=') {
      int i = p[1] - '1';
      pre = 3;
      uint8_t kb[4], mb[4];
      len = scan_be32(p + pre, kb, mb);
      k.context[i] = load_be32(kb);
      m.context[i] = load_be32(mb);
    } else {
      break;
    }
    if (!len) return 0;
    p += pre + len;
  } while (*p == ',' && ++p);
  if (*p != ')') return 0;
  k.path_hdr = spi << 8 | si;
  m.path_hdr = spi_mask << 8 | si_mask;
  put_nsh(key, k, false);
  if (mask) put_nsh(*mask, m, true);
  return p + 1 - s;
}

void format_push_nsh_action(std::string& out, nl::Attr attr) {
  NshKey k;
  nl::Attr md2;
  // The payload is one OVS_KEY_ATTR_NSH nest holding the NSH key attributes.
  nl::AttrIterator outer(attr.payload());
  nl::Bytes inner = outer.ok() ? outer.attr().payload() : nl::Bytes();
  for (nl::AttrIterator it(inner); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    int want = odp_nsh_key_attr_len(a.type());
    if (want >= 0 && a.size() != static_cast<size_t>(want)) continue;  // malformed: skip
    if (a.type() == OVS_NSH_KEY_ATTR_MD2) md2 = a;
    decode(a, &k);
  }
  appendf(out, "push_nsh(flags=%u,ttl=%u,mdtype=%u,np=%u,spi=0x%x,si=%u", k.flags, k.ttl, k.mdtype,
          k.np, k.path_hdr >> 8, k.path_hdr & 0xff);
  if (k.mdtype == kMdType1) {
    for (int i = 0; i < 4; i++) appendf(out, ",c%d=0x%x", i + 1, k.context[i]);
  } else if (k.mdtype == 2) {
    out += ",md2=";
    put_hex(out, md2.valid() ? md2.data() : nullptr, md2.valid() ? md2.size() : 0);
  } else {
    out += ",<error: unknown mdtype>";
  }
  out += ')';
}

// "push_nsh(...)" -> chars consumed or 0.  Defaults as OVS: MD type 1,
// ttl 63, next protocol Ethernet (3), SPI 0, SI 255.
size_t parse_push_nsh_action(const char* s, nl::AttrBuilder& actions) {
  size_t n = match(s, "push_nsh(");
  if (!n) return 0;
  NshKey k;
  k.ttl = 63;
  k.mdtype = kMdType1;
  k.np = 3;
  uint32_t spi = 0, si = 255;
  std::vector<uint8_t> md2;
  const char* p = s + n;
  for (;;) {
    p += std::strspn(p, kDelimiters);
    if (*p == ')') break;
    uint32_t v;
    Scan f(p);
    if (Scan(p).lit("flags=").num(&v).ok()) {
      f.lit("flags=").num(&k.flags);
    } else if (Scan(p).lit("ttl=").num(&v).ok()) {
      f.lit("ttl=").num(&k.ttl);
    } else if (Scan(p).lit("mdtype=").num(&v).ok()) {
      f.lit("mdtype=").num(&k.mdtype);
      if (k.mdtype != kMdType1 && k.mdtype != 2) return 0;
    } else if (Scan(p).lit("np=").num(&v).ok()) {
      f.lit("np=").num(&k.np);
    } else if (Scan(p).lit("spi=0x").num(&v, 16).ok()) {
      f.lit("spi=0x").num(&spi, 16);
    } else if (Scan(p).lit("si=").num(&v).ok()) {
      f.lit("si=").num(&si);
    } else if (k.mdtype == kMdType1 && p[0] == 'c' && p[1] >= '1' && p[1] <= '4') {
      int i = p[1] - '1';
      f.lit(std::string{'c', p[1], '=', '0', 'x'}.c_str()).num(&k.context[i], 16);
    } else if (k.mdtype == 2 && match(p, "md2=0x")) {
      const char* h = p + 6;
      size_t len = std::strspn(h, "0123456789abcdefABCDEF");
      if (len > 2 * 248) return 0;
      md2.clear();
      for (size_t i = 0; i + 1 < len; i += 2) {
        unsigned long long b;
        std::string byte(h + i, 2);
        scan_uint(byte.c_str(), &b, 16);
        md2.push_back(static_cast<uint8_t>(b));
      }
      md2.resize((md2.size() + 3) & ~size_t{3}, 0);  // padded to 4 bytes
      f.lit("md2=0x");
      p = h + len;
      continue;
    } else {
      return 0;
    }
    if (!f.ok()) return 0;
    p = f.pos();
  }
  k.path_hdr = spi << 8 | (si & 0xff);
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_PUSH_NSH);
  if (k.mdtype == 2) {
    size_t inner = actions.start_nested(OVS_KEY_ATTR_NSH);
    uint8_t base[kBaseLen] = {k.flags, k.ttl, k.mdtype, k.np};
    store_be32(base + 4, k.path_hdr);
    actions.put_unspec(OVS_NSH_KEY_ATTR_BASE, base, sizeof base);
    if (!md2.empty()) actions.put_unspec(OVS_NSH_KEY_ATTR_MD2, md2.data(), md2.size());
    actions.end_nested(inner);
  } else {
    put_nsh(actions, k, false);
  }
  actions.end_nested(nest);
  return p + 1 - s;
}

}  // namespace grebe::odp
