// Private text helpers shared by the odp key and action codecs: scanning
// numbers/addresses in OVS's datapath syntax and formatting masked fields the
// way `ovs-dpctl dump-flows` prints them.
//
// Scanners work on NUL-terminated strings (the public entry points copy their
// input into a std::string first), return the number of characters consumed
// and 0 on no match, as OVS's scan_* functions do; they never read past the
// terminating NUL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace grebe::odp::text {

inline constexpr const char* kDelimiters = ", \t\r\n";
inline constexpr const char* kDelimitersEnd = ", \t\r\n)";

// ---- Scanning --------------------------------------------------------------

// sscanf-style integer: optional spaces and sign, then base 0 = auto (0x hex,
// 0 octal, else decimal), 10 or 16 (optional 0x).  Wraps like a C
// conversion.  Returns characters consumed, 0 if no digits.
size_t scan_uint(const char* s, unsigned long long* value, int base = 0);
// Matches `lit` exactly at s; returns its length or 0.
size_t match(const char* s, const char* lit);

// Typed value[/mask] scanners, as OVS's scan_u8 & co.  With mask == nullptr
// no "/mask" is accepted.  Without an explicit mask the mask is all-ones.
size_t scan_u8(const char* s, uint8_t* key, uint8_t* mask);
size_t scan_u16(const char* s, uint16_t* key, uint16_t* mask);
size_t scan_u32(const char* s, uint32_t* key, uint32_t* mask);
size_t scan_u64(const char* s, uint64_t* key, uint64_t* mask);
// Big-endian stores into byte buffers.
size_t scan_be16(const char* s, uint8_t* key, uint8_t* mask);
size_t scan_be32(const char* s, uint8_t* key, uint8_t* mask);
size_t scan_be64(const char* s, uint8_t* key, uint8_t* mask);
size_t scan_eth(const char* s, uint8_t key[6], uint8_t mask[6]);
size_t scan_ipv4(const char* s, uint8_t key[4], uint8_t mask[4]);
size_t scan_in6(const char* s, uint8_t key[16], uint8_t mask[16]);
// Bare addresses (no mask).
size_t scan_eth_addr(const char* s, uint8_t mac[6]);
size_t scan_ipv4_addr(const char* s, uint8_t ip[4]);
size_t scan_ipv6_addr(const char* s, uint8_t ip[16]);

// OVS parse_int_string(): a decimal or 0x-hex integer into a big-endian
// `width`-byte field.  Returns characters consumed, 0 on error/overflow.
size_t scan_int_string(const char* s, uint8_t* be, size_t width);

// A flag set: "a|b|c" / numeric (value only), or "+a-b" / "0x1/0x3"
// (value and mask, when mask != nullptr).  Stops at `end`.  Returns chars
// consumed or -1 on error.
using BitToString = const char* (*)(uint32_t bit);
int parse_flags(const char* s, BitToString names, char end, uint32_t allowed, uint32_t* flags,
                uint32_t* mask);

// A chainable scanner in the spirit of ovs_scan(): literals must match
// exactly, numbers follow scan_uint() rules; once a step fails all later
// steps fail.  `consumed()` is valid only if ok().
//     Scan sc(s);
//     sc.lit("push_vlan(vid=").num(&vid).lit(",pcp=").num(&pcp).lit(")");
class Scan {
 public:
  explicit Scan(const char* s) : start_(s), p_(s) {}
  Scan& lit(const char* l) {
    size_t n = ok_ ? match(p_, l) : 0;
    if (!n && *l) ok_ = false;
    p_ += n;
    return *this;
  }
  template <typename T>
  Scan& num(T* out, int base = 0) {
    unsigned long long v = 0;
    size_t n = ok_ ? scan_uint(p_, &v, base) : 0;
    if (!n) ok_ = false;
    if (ok_) *out = static_cast<T>(v);
    p_ += n;
    return *this;
  }
  bool ok() const { return ok_; }
  size_t consumed() const { return p_ - start_; }
  const char* pos() const { return p_; }

 private:
  const char* start_;
  const char* p_;
  bool ok_ = true;
};

// ---- Formatting ------------------------------------------------------------

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void chomp(std::string& out, char c);
std::string eth_to_string(const uint8_t mac[6]);
std::string ipv4_to_string(const uint8_t ip[4]);
std::string ipv6_to_string(const uint8_t ip[16]);
void put_hex(std::string& out, const uint8_t* data, size_t n);  // "0x..." minimal

bool is_all_zeros(const uint8_t* p, size_t n);
bool is_all_ones(const uint8_t* p, size_t n);

// Masked field formatters: print nothing if the mask is all-zero (unless
// verbose), "name=value," if exact or mask == nullptr, else
// "name=value/mask,".
void format_eth(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                bool verbose);
void format_ipv4(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose);
void format_in6(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                bool verbose);
void format_u8x(std::string& out, const char* name, uint8_t key, const uint8_t* mask, bool verbose);
void format_u8u(std::string& out, const char* name, uint8_t key, const uint8_t* mask, bool verbose);
void format_be16(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose);
void format_be16x(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                  bool verbose);
void format_be64(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                 bool verbose);
void format_ipv6_label(std::string& out, const char* name, const uint8_t* key, const uint8_t* mask,
                       bool verbose);
void format_frag(std::string& out, const char* name, uint8_t key, const uint8_t* mask);
// "a|b" (or "0"), unknown bits as 0x..
void format_flags(std::string& out, BitToString names, uint32_t flags, char del);
// "+a-b" for the bits in mask; plain format if mask == max_mask; "0/0" if 0.
void format_flags_masked(std::string& out, BitToString names, uint32_t flags, uint32_t mask,
                         uint32_t max_mask);

const char* frag_to_string(uint8_t frag);  // "no", "first", "later", "<error>"
const char* tun_flag_to_string(uint32_t bit);
const char* tcp_flag_to_string(uint32_t bit);
const char* ct_state_to_string(uint32_t bit);

// Tunnel flag bits as OVS numbers them (FLOW_TNL_F_*).
inline constexpr uint32_t kTnlFOam = 1 << 0;
inline constexpr uint32_t kTnlFDontFragment = 1 << 1;
inline constexpr uint32_t kTnlFCsum = 1 << 2;
inline constexpr uint32_t kTnlFKey = 1 << 3;
inline constexpr uint32_t kTnlFMask = (1 << 4) - 1;

}  // namespace grebe::odp::text
