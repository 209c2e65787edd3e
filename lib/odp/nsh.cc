// nsh(...) key attribute (Network Service Header): OVS_NSH_KEY_ATTR_* <->
// text.  Only MD type 1 context is matched, as in OVS.
#include <linux/openvswitch.h>

#include <cstring>

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

}  // namespace grebe::odp
