// Text scanning and masked-field formatting for the odp codecs.
#include "text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "grebe/util/byteorder.h"

namespace grebe::odp::text {

namespace {

int hexit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const char* skip_spaces(const char* s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') s++;
  return s;
}

// Scans "value" then, if mask is wanted, optional "/mask".
template <typename T>
size_t scan_masked(const char* s, T* key, T* mask) {
  unsigned long long v;
  size_t n = scan_uint(s, &v);
  if (!n) return 0;
  *key = static_cast<T>(v);
  if (mask) {
    size_t m;
    if (s[n] == '/' && (m = scan_uint(s + n + 1, &v))) {
      *mask = static_cast<T>(v);
      n += 1 + m;
    } else {
      *mask = static_cast<T>(~T{0});
    }
  }
  return n;
}

template <typename T, void (*Store)(void*, T)>
size_t scan_be_masked(const char* s, uint8_t* key, uint8_t* mask) {
  T k, m;
  size_t n = scan_masked<T>(s, &k, mask ? &m : nullptr);
  if (!n) return 0;
  Store(key, k);
  if (mask) Store(mask, m);
  return n;
}

}  // namespace

size_t scan_uint(const char* s, unsigned long long* value, int base) {
  const char* start = s;
  s = skip_spaces(s);
  bool negative = *s == '-';
  if (*s == '-' || *s == '+') s++;
  if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  } else if (base == 0) {
    base = *s == '0' ? 8 : 10;
  }
  unsigned long long v = 0;
  int digits = 0;
  for (;; s++, digits++) {
    int d = hexit(*s);
    if (d < 0 || d >= base) break;
    v = v * base + d;
  }
  if (!digits) return 0;
  *value = negative ? 0 - v : v;
  return s - start;
}

size_t match(const char* s, const char* lit) {
  size_t n = std::strlen(lit);
  return std::strncmp(s, lit, n) == 0 ? n : 0;
}

size_t scan_u8(const char* s, uint8_t* key, uint8_t* mask) { return scan_masked(s, key, mask); }
size_t scan_u16(const char* s, uint16_t* key, uint16_t* mask) { return scan_masked(s, key, mask); }
size_t scan_u32(const char* s, uint32_t* key, uint32_t* mask) { return scan_masked(s, key, mask); }
size_t scan_u64(const char* s, uint64_t* key, uint64_t* mask) { return scan_masked(s, key, mask); }
size_t scan_be16(const char* s, uint8_t* key, uint8_t* mask) {
  return scan_be_masked<uint16_t, store_be16>(s, key, mask);
}
size_t scan_be32(const char* s, uint8_t* key, uint8_t* mask) {
  return scan_be_masked<uint32_t, store_be32>(s, key, mask);
}
size_t scan_be64(const char* s, uint8_t* key, uint8_t* mask) {
  return scan_be_masked<uint64_t, store_be64>(s, key, mask);
}

size_t scan_eth_addr(const char* s, uint8_t mac[6]) {
  const char* p = s;
  for (int i = 0; i < 6; i++) {
    if (i && *p++ != ':') return 0;
    unsigned long long v;
    size_t n = scan_uint(p, &v, 16);
    if (!n) return 0;
    mac[i] = static_cast<uint8_t>(v);
    p += n;
  }
  return p - s;
}

size_t scan_ipv4_addr(const char* s, uint8_t ip[4]) {
  const char* p = s;
  for (int i = 0; i < 4; i++) {
    if (i && *p++ != '.') return 0;
    unsigned long long v;
    size_t n = scan_uint(p, &v, 10);
    if (!n) return 0;
    ip[i] = static_cast<uint8_t>(v);
    p += n;
  }
  return p - s;
}

size_t scan_ipv6_addr(const char* s, uint8_t ip[16]) {
  size_t n = std::strspn(s, "0123456789abcdefABCDEF:.");
  if (!n || n > 46) return 0;
  std::string tmp(s, n);
  return inet_pton(AF_INET6, tmp.c_str(), ip) == 1 ? n : 0;
}

size_t scan_eth(const char* s, uint8_t key[6], uint8_t mask[6]) {
  size_t n = scan_eth_addr(s, key);
  if (!n || !mask) return n;
  size_t m;
  if (s[n] == '/' && (m = scan_eth_addr(s + n + 1, mask))) return n + 1 + m;
  std::memset(mask, 0xff, 6);
  return n;
}

size_t scan_ipv4(const char* s, uint8_t key[4], uint8_t mask[4]) {
  size_t n = scan_ipv4_addr(s, key);
  if (!n || !mask) return n;
  size_t m;
  if (s[n] == '/' && (m = scan_ipv4_addr(s + n + 1, mask))) return n + 1 + m;
  std::memset(mask, 0xff, 4);
  return n;
}

size_t scan_in6(const char* s, uint8_t key[16], uint8_t mask[16]) {
  size_t n = scan_ipv6_addr(s, key);
  if (!n || !mask) return n;
  size_t m;
  if (s[n] == '/' && (m = scan_ipv6_addr(s + n + 1, mask))) return n + 1 + m;
  std::memset(mask, 0xff, 16);
  return n;
}

size_t scan_int_string(const char* s, uint8_t* be, size_t width) {
  std::memset(be, 0, width);
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    const char* p = s + 2;
    std::string hexits;
    for (;; p++) {
      p = skip_spaces(p);
      int h = hexit(*p);
      if (h < 0) break;
      if (h || !hexits.empty()) hexits.push_back(static_cast<char>(h));
    }
    if ((hexits.size() + 1) / 2 > width) return 0;
    size_t idx = width;
    size_t i = hexits.size();
    while (i > 0) {
      uint8_t lo = static_cast<uint8_t>(hexits[--i]);
      uint8_t hi = i > 0 ? static_cast<uint8_t>(hexits[--i]) : 0;
      be[--idx] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return p - s;
  }
  unsigned long long v;
  size_t n = scan_uint(s, &v, 10);
  if (!n) return 0;
  for (size_t i = 0; i < width && i < 8; i++)
    be[width - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  return n;
}

int parse_flags(const char* s, BitToString names, char end, uint32_t allowed, uint32_t* flags,
                uint32_t* mask) {
  unsigned long long v, m;
  size_t n;
  // Numeric value/mask.
  if (mask && (n = scan_uint(s, &v)) && s[n] == '/') {
    size_t n2 = scan_uint(s + n + 1, &m);
    if (n2) {
      if ((v & ~allowed) || (m & ~allowed)) return -1;
      *flags = static_cast<uint32_t>(v);
      *mask = static_cast<uint32_t>(m);
      return static_cast<int>(n + 1 + n2);
    }
  }
  int pos = 0;
  if (mask && (*s == '+' || *s == '-')) {
    uint32_t f = 0, mk = 0;
    while (s[pos] != end) {
      bool set = s[pos] == '+';
      if (s[pos] != '+' && s[pos] != '-') return -1;
      pos++;
      uint32_t bit;
      size_t len = 0;
      for (bit = 1; bit; bit <<= 1) {
        const char* name = names(bit);
        if (!name) continue;
        len = std::strlen(name);
        // strncmp first: reading s[pos + len] is only safe once the name
        // matched (the string may end sooner).
        if (std::strncmp(s + pos, name, len) == 0 &&
            (s[pos + len] == '+' || s[pos + len] == '-' || s[pos + len] == end)) {
          break;
        }
      }
      if (!bit || (mk & bit) || !(bit & allowed)) return -1;
      if (set) f |= bit;
      mk |= bit;
      pos += static_cast<int>(len);
    }
    *flags = f;
    *mask = mk;
    return pos;
  }
  // Unmasked: "a|b|0x4"; every flag not named is 0 and the mask is exact.
  uint32_t f = 0;
  while (s[pos] != end) {
    if ((n = scan_uint(s + pos, &v))) {
      if (v & ~static_cast<unsigned long long>(allowed)) return -1;
      f |= static_cast<uint32_t>(v);
      pos += static_cast<int>(n) + (s[pos + n] == '|');
      continue;
    }
    uint32_t bit;
    size_t len = 0;
    for (bit = 1; bit; bit <<= 1) {
      const char* name = names(bit);
      if (!name) continue;
      len = std::strlen(name);
      if (std::strncmp(s + pos, name, len) == 0 && (s[pos + len] == '|' || s[pos + len] == end)) {
        break;
      }
    }
    if (!bit || !(bit & allowed)) return -1;
    f |= bit;
    pos += static_cast<int>(len) + (s[pos + len] == '|');
  }
  *flags = f;
  if (mask) *mask = UINT32_MAX;
  return pos;
}

// ---- Formatting ------------------------------------------------------------

void appendf(std::string& out, const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    out.append(buf, n);
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(args, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, args);
  va_end(args);
  out.append(big.data(), n);
}

void chomp(std::string& out, char c) {
  if (!out.empty() && out.back() == c) out.pop_back();
}

std::string eth_to_string(const uint8_t m[6]) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::string ipv4_to_string(const uint8_t ip[4]) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
  return buf;
}

std::string ipv6_to_string(const uint8_t ip[16]) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, ip, buf, sizeof buf);
  return buf;
}

void put_hex(std::string& out, const uint8_t* data, size_t n) {
  bool printed = false;
  for (size_t i = 0; i < n; i++) {
    if (data[i] || printed) {
      appendf(out, printed ? "%02x" : "0x%x", data[i]);
      printed = true;
    }
  }
  if (!printed) out += '0';
}

bool is_all_zeros(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

bool is_all_ones(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0xff) return false;
  return true;
}

namespace {
// "name=KEY[/MASK]," for an address of `n` bytes; a wildcarded field is
// omitted unless `verbose`, and an exact mask is not printed.
void format_addr(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose, size_t n, std::string (*to_string)(const uint8_t*)) {
  if (!verbose && mask && is_all_zeros(mask, n)) return;
  out += name;
  out += '=';
  out += to_string(key);
  if (mask && !is_all_ones(mask, n)) out += "/" + to_string(mask);
  out += ',';
}
}  // namespace

void format_eth(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                bool verbose) {
  format_addr(out, name, key, mask, verbose, 6, eth_to_string);
}

void format_ipv4(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose) {
  format_addr(out, name, key, mask, verbose, 4, ipv4_to_string);
}

void format_in6(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                bool verbose) {
  format_addr(out, name, key, mask, verbose, 16, ipv6_to_string);
}

void format_u8x(std::string& out, const char* name, uint8_t key, const uint8_t* mask,
                bool verbose) {
  if (!verbose && mask && !*mask) return;
  appendf(out, "%s=%#x", name, key);
  if (mask && *mask != 0xff) appendf(out, "/%#x", *mask);
  out += ',';
}

void format_u8u(std::string& out, const char* name, uint8_t key, const uint8_t* mask,
                bool verbose) {
  if (!verbose && mask && !*mask) return;
  appendf(out, "%s=%u", name, key);
  if (mask && *mask != 0xff) appendf(out, "/%#x", *mask);
  out += ',';
}

void format_be16(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose) {
  uint16_t m = mask ? load_be16(mask) : 0xffff;
  if (!verbose && !m) return;
  appendf(out, "%s=%u", name, load_be16(key));
  if (m != 0xffff) appendf(out, "/%#x", m);
  out += ',';
}

void format_be16x(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                  bool verbose) {
  uint16_t m = mask ? load_be16(mask) : 0xffff;
  if (!verbose && !m) return;
  appendf(out, "%s=%#x", name, load_be16(key));
  if (m != 0xffff) appendf(out, "/%#x", m);
  out += ',';
}

void format_be64(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose) {
  uint64_t m = mask ? load_be64(mask) : ~0ull;
  if (!verbose && !m) return;
  appendf(out, "%s=0x%llx", name, static_cast<unsigned long long>(load_be64(key)));
  if (m != ~0ull) appendf(out, "/%#llx", static_cast<unsigned long long>(m));
  out += ',';
}

void format_ipv6_label(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                       bool verbose) {
  uint32_t m = mask ? load_be32(mask) : ~0u;
  if (!verbose && !m) return;
  appendf(out, "%s=%#x", name, load_be32(key));
  if ((m & 0xfffff) != 0xfffff) appendf(out, "/%#x", m);
  out += ',';
}

const char* frag_to_string(uint8_t frag) {
  switch (frag) {
    case 0:
      return "no";
    case 1:
      return "first";
    case 2:
      return "later";
    default:
      return "<error>";
  }
}

void format_frag(std::string& out, const char* name, uint8_t key, const uint8_t* mask) {
  bool empty = mask && !*mask;
  bool full = !mask || *mask == 0xff;
  if (!empty && !full) {
    appendf(out, "error: partial mask not supported for frag (%#x),", *mask);
  } else if (!empty) {
    appendf(out, "%s=%s,", name, frag_to_string(key));
  }
}

void format_flags(std::string& out, BitToString names, uint32_t flags, char del) {
  if (!flags) {
    out += '0';
    return;
  }
  uint32_t bad = 0;
  while (flags) {
    uint32_t bit = flags & (0u - flags);
    const char* s = names(bit);
    if (s) {
      out += s;
      out += del;
    } else {
      bad |= bit;
    }
    flags &= ~bit;
  }
  if (bad) appendf(out, "0x%x%c", bad, del);
  chomp(out, del);
}

void format_flags_masked(std::string& out, BitToString names, uint32_t flags, uint32_t mask,
                         uint32_t max_mask) {
  if (mask == max_mask) {
    format_flags(out, names, flags, '|');
    return;
  }
  if (!mask) {
    out += "0/0";
    return;
  }
  while (mask) {
    uint32_t bit = mask & (0u - mask);
    const char* s = names(bit);
    out += (flags & bit) ? '+' : '-';
    out += s ? s : "[Unknown]";
    mask &= ~bit;
  }
}

const char* tun_flag_to_string(uint32_t bit) {
  switch (bit) {
    case kTnlFDontFragment:
      return "df";
    case kTnlFCsum:
      return "csum";
    case kTnlFKey:
      return "key";
    case kTnlFOam:
      return "oam";
    default:
      return nullptr;
  }
}

const char* tcp_flag_to_string(uint32_t bit) {
  switch (bit) {
    case 0x001:
      return "fin";
    case 0x002:
      return "syn";
    case 0x004:
      return "rst";
    case 0x008:
      return "psh";
    case 0x010:
      return "ack";
    case 0x020:
      return "urg";
    case 0x040:
      return "ece";
    case 0x080:
      return "cwr";
    case 0x100:
      return "ns";
    case 0x200:
      return "[200]";
    case 0x400:
      return "[400]";
    case 0x800:
      return "[800]";
    default:
      return nullptr;
  }
}

const char* ct_state_to_string(uint32_t bit) {
  // OVS_CS_F_* bit values from <linux/openvswitch.h>.
  switch (bit) {
    case 0x01:
      return "new";
    case 0x02:
      return "est";
    case 0x04:
      return "rel";
    case 0x08:
      return "rpl";
    case 0x10:
      return "inv";
    case 0x20:
      return "trk";
    case 0x40:
      return "snat";
    case 0x80:
      return "dnat";
    default:
      return nullptr;
  }
}

}  // namespace grebe::odp::text
