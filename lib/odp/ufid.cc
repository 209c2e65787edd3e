// Unique flow identifiers: "ufid:" + a UUID over OVS's ovs_u128 words.
#include <cstdio>
#include <cstring>

#include "grebe/odp/odp_key.h"
#include "grebe/util/hash.h"

namespace grebe::odp {

namespace {

bool hex_value(const char* s, int n, uint32_t* out) {
  uint32_t v = 0;
  for (int i = 0; i < n; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

}  // namespace

std::string odp_format_ufid(const Ufid& u) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "ufid:%08x-%04x-%04x-%04x-%04x%08x", u.w[0], u.w[1] >> 16,
                u.w[1] & 0xffff, u.w[2] >> 16, u.w[2] & 0xffff, u.w[3]);
  return buf;
}

Result<size_t> odp_ufid_from_string(std::string_view s, Ufid* ufid) {
  if (s.substr(0, 5) != "ufid:") return static_cast<size_t>(0);
  // 00000000-1111-1111-2222-222233333333
  std::string_view u = s.substr(5);
  uint32_t a, b, c, d, e, f;
  if (u.size() < 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' ||
      !hex_value(u.data(), 8, &a) || !hex_value(u.data() + 9, 4, &b) ||
      !hex_value(u.data() + 14, 4, &c) || !hex_value(u.data() + 19, 4, &d) ||
      !hex_value(u.data() + 24, 4, &e) || !hex_value(u.data() + 28, 8, &f)) {
    return Error(EINVAL, "invalid ufid");
  }
  ufid->w = {a, b << 16 | c, d << 16 | e, f};
  return static_cast<size_t>(5 + 36);
}

Ufid odp_flow_key_hash(nl::Bytes key, uint32_t secret) {
  Ufid u;
  // Four independently seeded 32-bit hashes make up the 128 bits.
  for (uint32_t i = 0; i < 4; i++) {
    u.w[i] = hash_bytes(key.data(), key.size(), hash_int(i, secret));
  }
  u.w[1] = (u.w[1] & ~0x0000f000u) | 0x00004000u;  // UUID version 4
  u.w[2] = (u.w[2] & ~0xc0000000u) | 0x80000000u;  // RFC 4122 variant
  return u;
}

}  // namespace grebe::odp
