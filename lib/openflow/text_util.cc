// Text helpers; see text_util.h.
#include "grebe/openflow/text_util.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "grebe/util/byteorder.h"

namespace grebe::openflow {

std::string strfmt(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  char buf[256];
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  std::string s;
  if (n < 0) {
    va_end(args);
    return s;
  }
  if (static_cast<size_t>(n) < sizeof buf) {
    s.assign(buf, n);
  } else {
    s.resize(n + 1);
    vsnprintf(s.data(), n + 1, fmt, args);
    s.resize(n);
  }
  va_end(args);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && strchr(" \t\r\n", s.front())) s.remove_prefix(1);
  while (!s.empty() && strchr(" \t\r\n", s.back())) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_uint(std::string_view s, int base) {
  if (s.empty() || s[0] == '-' || s[0] == '+' || s[0] == ' ') return std::nullopt;
  std::string tmp(s);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = strtoull(tmp.c_str(), &end, base);
  if (errno || *end || end == tmp.c_str()) return std::nullopt;
  return v;
}

namespace {
int hexit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

int parse_int_string(std::string_view s, uint8_t* value, int n, size_t* tail) {
  std::memset(value, 0, n);
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    size_t i = 2;
    std::string digits;
    for (; i < s.size(); ++i) {
      if (strchr(" \t\r\n", s[i])) continue;
      if (hexit(s[i]) < 0) break;
      if (digits.empty() && s[i] == '0') continue;
      digits += s[i];
      if ((digits.size() + 1) / 2 > static_cast<size_t>(n)) return ERANGE;
    }
    *tail = i;
    int idx = n;
    for (int k = static_cast<int>(digits.size()) - 1; k >= 0; k -= 2) {
      --idx;
      value[idx] = static_cast<uint8_t>(hexit(digits[k]));
      if (k > 0) value[idx] |= static_cast<uint8_t>(hexit(digits[k - 1]) << 4);
    }
    return 0;
  }
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0) return EINVAL;
  auto v = parse_uint(s.substr(0, i), 10);
  if (!v) return ERANGE;
  if (n < 8 && (*v >> (8 * n))) return ERANGE;
  for (int k = n - 1, sh = 0; k >= 0 && sh < 64; --k, sh += 8)
    value[k] = static_cast<uint8_t>(*v >> sh);
  *tail = i;
  return 0;
}

std::string format_hex(const uint8_t* bytes, size_t n) {
  std::string s;
  bool printed = false;
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] || printed) {
      s += strfmt(printed ? "%02x" : "0x%x", bytes[i]);
      printed = true;
    }
  }
  if (!printed) s = "0";
  return s;
}

std::optional<EthAddr> parse_eth(std::string_view s) {
  EthAddr a;
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    if (i) {
      if (pos >= s.size() || s[pos] != ':') return std::nullopt;
      ++pos;
    }
    int v = 0, nd = 0;
    while (pos < s.size() && hexit(s[pos]) >= 0 && nd < 2) {
      v = v * 16 + hexit(s[pos++]);
      ++nd;
    }
    if (!nd) return std::nullopt;
    a.b[i] = static_cast<uint8_t>(v);
  }
  if (pos != s.size()) return std::nullopt;
  return a;
}

std::string format_eth(const EthAddr& a) {
  return strfmt("%02x:%02x:%02x:%02x:%02x:%02x", a.b[0], a.b[1], a.b[2], a.b[3], a.b[4],
                a.b[5]);
}

std::optional<uint32_t> parse_ip4(std::string_view s) {
  uint32_t ip = 0;
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i) {
      if (pos >= s.size() || s[pos] != '.') return std::nullopt;
      ++pos;
    }
    // OVS scans each octet with "%hhu", which wraps values above 255
    // instead of rejecting them; do the same so the same input means the
    // same address.
    size_t start = pos;
    unsigned v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') v = v * 10 + (s[pos++] - '0');
    if (pos == start) return std::nullopt;
    ip = (ip << 8) | (v & 0xff);
  }
  if (pos != s.size()) return std::nullopt;
  return ip;
}

std::string format_ip4(uint32_t ip) {
  return strfmt("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

int ip4_cidr_bits(uint32_t mask) {
  uint32_t inv = ~mask;
  if (inv & (inv + 1)) return -1;
  return __builtin_popcount(mask);
}

Result<std::pair<uint32_t, uint32_t>> parse_ip4_masked(std::string_view s) {
  std::string err = std::string(s) + ": invalid IP address";
  size_t slash = s.find('/');
  auto ip = parse_ip4(s.substr(0, slash));
  if (!ip) return Error(EINVAL, err);
  if (slash == std::string_view::npos) return std::make_pair(*ip, 0xffffffffu);
  std::string_view m = s.substr(slash + 1);
  if (auto mask = parse_ip4(m)) return std::make_pair(*ip, *mask);
  // Prefix length: OVS scans "%d" so a sign is accepted and range-checked.
  std::string_view digits = m;
  bool neg = !digits.empty() && digits[0] == '-';
  if (neg) digits.remove_prefix(1);
  auto len = parse_uint(digits, 10);
  if (!len) return Error(EINVAL, err);
  if (neg || *len > 32)
    return Error(EINVAL, std::string(s) +
                             ": IPv4 network prefix bits not between 0 and 32, inclusive");
  uint32_t mask = *len ? ~uint32_t{0} << (32 - *len) : 0;
  return std::make_pair(*ip, mask);
}

std::string format_ip4_masked(uint32_t ip, uint32_t mask) {
  std::string s = format_ip4(ip);
  if (mask != 0xffffffffu) {
    int bits = ip4_cidr_bits(mask);
    s += bits >= 0 ? strfmt("/%d", bits) : "/" + format_ip4(mask);
  }
  return s;
}

std::optional<In6Addr> parse_ip6(std::string_view s) {
  if (s.size() > 63) return std::nullopt;
  std::string tmp(s);
  In6Addr a;
  if (inet_pton(AF_INET6, tmp.c_str(), a.b) != 1) return std::nullopt;
  return a;
}

std::string format_ip6(const In6Addr& a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a.b, buf, sizeof buf);
  return buf;
}

In6Addr ip6_prefix_mask(int bits) {
  In6Addr m{};
  for (int i = 0; i < 16; ++i) {
    int b = bits - 8 * i;
    m.b[i] = b >= 8 ? 0xff : b <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - b));
  }
  return m;
}

int ip6_cidr_bits(const In6Addr& mask) {
  int bits = 0;
  int i = 0;
  for (; i < 16 && mask.b[i] == 0xff; ++i) bits += 8;
  if (i < 16) {
    uint8_t b = mask.b[i];
    uint8_t inv = static_cast<uint8_t>(~b);
    if (inv & (inv + 1)) return -1;
    bits += __builtin_popcount(b);
    for (++i; i < 16; ++i)
      if (mask.b[i]) return -1;
  }
  return bits;
}

Result<std::pair<In6Addr, In6Addr>> parse_ip6_masked(std::string_view s) {
  size_t slash = s.find('/');
  auto ip = parse_ip6(s.substr(0, slash));
  if (!ip) return Error(EINVAL, std::string(s) + ": invalid IPv6 address");
  if (slash == std::string_view::npos) {
    In6Addr ones;
    std::memset(ones.b, 0xff, 16);
    return std::make_pair(*ip, ones);
  }
  std::string_view m = s.substr(slash + 1);
  if (auto mask = parse_ip6(m)) return std::make_pair(*ip, *mask);
  auto len = parse_uint(m, 10);
  if (!len) return Error(EINVAL, std::string(s) + ": Invalid IPv6 mask");
  if (*len > 128)
    return Error(EINVAL, std::string(s) +
                             ": IPv6 network prefix bits not between 0 and 128, inclusive");
  return std::make_pair(*ip, ip6_prefix_mask(static_cast<int>(*len)));
}

std::string format_ip6_masked(const In6Addr& a, const In6Addr& mask) {
  std::string s = format_ip6(a);
  int bits = ip6_cidr_bits(mask);
  if (bits == 128) return s;
  return s + (bits >= 0 ? strfmt("/%d", bits) : "/" + format_ip6(mask));
}

const char* ct_state_flag_name(uint32_t bit) {
  switch (bit) {
    case 1 << 0: return "new";
    case 1 << 1: return "est";
    case 1 << 2: return "rel";
    case 1 << 3: return "rpl";
    case 1 << 4: return "inv";
    case 1 << 5: return "trk";
    case 1 << 6: return "snat";
    case 1 << 7: return "dnat";
    default: return nullptr;
  }
}

const char* tcp_flag_name(uint32_t bit) {
  switch (bit) {
    case 0x001: return "fin";
    case 0x002: return "syn";
    case 0x004: return "rst";
    case 0x008: return "psh";
    case 0x010: return "ack";
    case 0x020: return "urg";
    case 0x040: return "ece";
    case 0x080: return "cwr";
    case 0x100: return "ns";
    case 0x200: return "[200]";
    case 0x400: return "[400]";
    case 0x800: return "[800]";
    default: return nullptr;
  }
}

const char* tun_flag_name(uint32_t bit) {
  switch (bit) {
    case 1 << 0: return "oam";
    case 1 << 1: return "df";
    case 1 << 2: return "csum";
    case 1 << 3: return "key";
    default: return nullptr;
  }
}

std::string format_flags(FlagNamer namer, uint32_t flags, char delim) {
  if (!flags) return "0";
  std::string s;
  while (flags) {
    uint32_t bit = flags & -flags;
    const char* name = namer(bit);
    if (name) {
      s += name;
    } else {
      s += strfmt("0x%x", bit);
    }
    s += delim;
    flags &= ~bit;
  }
  s.pop_back();
  return s;
}

std::string format_flags_masked(FlagNamer namer, uint32_t flags, uint32_t mask,
                                uint32_t max_mask) {
  if (mask == max_mask) return format_flags(namer, flags, '|');
  if (!mask) return "0/0";
  std::string s;
  while (mask) {
    uint32_t bit = mask & -mask;
    const char* name = namer(bit);
    s += (flags & bit) ? '+' : '-';
    s += name ? name : "[Unknown]";
    mask &= ~bit;
  }
  return s;
}

namespace {

// Length of the flag name at `s` that is followed by one of `enders`, or
// 0 if no known flag matches.
uint32_t match_flag(std::string_view s, FlagNamer namer, const char* enders,
                    size_t* len_out) {
  for (uint32_t bit = 1; bit; bit <<= 1) {
    const char* name = namer(bit);
    if (!name) continue;
    size_t len = strlen(name);
    if (s.substr(0, len) != name) continue;
    if (s.size() > len && !strchr(enders, s[len])) continue;
    *len_out = len;
    return bit;
  }
  return 0;
}

}  // namespace

Result<std::pair<uint32_t, uint32_t>> parse_flags(std::string_view s, FlagNamer namer,
                                                  const char* field, uint32_t allowed) {
  std::string unknown = strfmt("%.*s: unknown %s flag(s)", static_cast<int>(s.size()),
                               s.data(), field);
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    auto f = parse_uint(s.substr(0, slash));
    auto m = parse_uint(s.substr(slash + 1));
    if (f && m) {
      if ((*f | *m) & ~uint64_t{allowed}) return Error(EINVAL, unknown);
      return std::make_pair(static_cast<uint32_t>(*f), static_cast<uint32_t>(*m));
    }
  }
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    uint32_t flags = 0, mask = 0;
    while (!s.empty()) {
      if (s[0] != '+' && s[0] != '-')
        return Error(EINVAL, strfmt("%.*s: %s must be preceded by '+' (for SET) or '-' "
                                    "(NOT SET)",
                                    static_cast<int>(s.size()), s.data(), field));
      bool set = s[0] == '+';
      s.remove_prefix(1);
      size_t len = 0;
      uint32_t bit = match_flag(s, namer, "+-", &len);
      if (!bit || !(bit & allowed))
        return Error(EINVAL, strfmt("%.*s: unknown %s flag(s)", static_cast<int>(s.size()),
                                    s.data(), field));
      if (mask & bit)
        return Error(EINVAL, strfmt("%.*s: Each %s flag can be specified only once",
                                    static_cast<int>(s.size()), s.data(), field));
      if (set) flags |= bit;
      mask |= bit;
      s.remove_prefix(len);
    }
    return std::make_pair(flags, mask);
  }
  uint32_t result = 0;
  while (!s.empty()) {
    size_t bar = s.find('|');
    std::string_view tok = s.substr(0, bar);
    if (auto v = parse_uint(tok)) {
      if (*v & ~uint64_t{allowed}) return Error(EINVAL, unknown);
      result |= static_cast<uint32_t>(*v);
    } else {
      size_t len = 0;
      uint32_t bit = match_flag(s, namer, "|", &len);
      if (!bit || !(bit & allowed) || len != tok.size()) return Error(EINVAL, unknown);
      result |= bit;
    }
    s = bar == std::string_view::npos ? std::string_view() : s.substr(bar + 1);
  }
  return std::make_pair(result, 0xffffffffu);
}

namespace {

// Length of the value starting at s, up to a delimiter, skipping over
// balanced parentheses.
size_t value_length(std::string_view s, const char* delims) {
  size_t n = 0;
  while (n < s.size() && !strchr(delims, s[n])) {
    if (s[n] == '(') {
      int level = 0;
      do {
        if (s[n] == '(') ++level;
        if (s[n] == ')') --level;
        ++n;
      } while (level > 0 && n < s.size());
    } else {
      ++n;
    }
  }
  return n;
}

}  // namespace

bool parse_key_value(std::string_view& s, std::string_view& key, std::string_view& value) {
  while (!s.empty() && strchr(", \t\r\n", s[0])) s.remove_prefix(1);
  if (s.empty()) return false;
  size_t key_len = 0;
  while (key_len < s.size() && !strchr(":=(, \t\r\n", s[key_len])) ++key_len;
  key = s.substr(0, key_len);
  char delim = key_len < s.size() ? s[key_len] : '\0';
  s.remove_prefix(key_len + (delim ? 1 : 0));
  const char* delims;
  if (delim == ':' || delim == '=') {
    delims = ", \t\r\n";
  } else if (delim == '(') {
    delims = ")";
  } else {
    value = std::string_view();
    return true;
  }
  size_t len = value_length(s, delims);
  // "(x)->y": the value runs on to the next separator.
  if (delim == '(' && len + 2 < s.size() && s[len] == ')' && s[len + 1] == '-' &&
      s[len + 2] == '>')
    len += value_length(s.substr(len), ", \t\r\n");
  value = s.substr(0, len);
  s.remove_prefix(len + (len < s.size() ? 1 : 0));
  return true;
}

}  // namespace grebe::openflow
