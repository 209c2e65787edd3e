// Small text helpers shared by the flow/action syntax code: numbers,
// addresses and flag sets in the exact forms ovs-ofctl reads and prints.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "grebe/packet/headers.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// printf into a std::string.
std::string strfmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Full-string unsigned integer parse; base 0 means C rules (0x.., 0..).
std::optional<uint64_t> parse_uint(std::string_view s, int base = 0);
// Parses decimal, or 0x-hex of any length, into `n` big-endian bytes; sets
// *tail to the first unparsed character.  Returns ERANGE/EINVAL or 0.
int parse_int_string(std::string_view s, uint8_t* value, int n, size_t* tail);

// "0x1a2b" of a big-endian byte string without leading zeros; "0" if zero.
std::string format_hex(const uint8_t* bytes, size_t n);

// aa:bb:cc:dd:ee:ff.
std::optional<EthAddr> parse_eth(std::string_view s);
std::string format_eth(const EthAddr& a);
// a.b.c.d (host-order value).
std::optional<uint32_t> parse_ip4(std::string_view s);
std::string format_ip4(uint32_t ip);
// a.b.c.d[/len|/mask]; errors as OVS ("X: invalid IP address").
Result<std::pair<uint32_t, uint32_t>> parse_ip4_masked(std::string_view s);
// a.b.c.d, a.b.c.d/len (CIDR) or a.b.c.d/m.m.m.m.
std::string format_ip4_masked(uint32_t ip, uint32_t mask);
std::optional<In6Addr> parse_ip6(std::string_view s);
std::string format_ip6(const In6Addr& a);
Result<std::pair<In6Addr, In6Addr>> parse_ip6_masked(std::string_view s);
std::string format_ip6_masked(const In6Addr& a, const In6Addr& mask);
// Number of leading 1-bits if `mask` is a CIDR mask, else -1.
int ip4_cidr_bits(uint32_t mask);
int ip6_cidr_bits(const In6Addr& mask);
In6Addr ip6_prefix_mask(int bits);

// A flag-bit namer: name of a single bit, or nullptr.
using FlagNamer = const char* (*)(uint32_t bit);
const char* ct_state_flag_name(uint32_t bit);
const char* tcp_flag_name(uint32_t bit);
const char* tun_flag_name(uint32_t bit);

// "a|b" for exact flags ("0" when none).
std::string format_flags(FlagNamer namer, uint32_t flags, char delim);
// "+a-b" for masked flags; exact masks as format_flags with '|'.
std::string format_flags_masked(FlagNamer namer, uint32_t flags, uint32_t mask,
                                uint32_t max_mask);
// Parses "+a-b", "a|b", "0x12/0xff" (OVS parse_flags); `field` names the
// flag set in errors ("TCP", "ct_state").  Result: flags, mask.
Result<std::pair<uint32_t, uint32_t>> parse_flags(std::string_view s, FlagNamer namer,
                                                  const char* field, uint32_t allowed);

// Splits "key=value" / "key:value" / "key(args)" items the way OVS's
// ofputil_parse_key_value() does: items separated by ',' or whitespace,
// parentheses nest.  Returns false at the end of input.
bool parse_key_value(std::string_view& s, std::string_view& key, std::string_view& value);

std::string_view trim(std::string_view s);

}  // namespace grebe::openflow
