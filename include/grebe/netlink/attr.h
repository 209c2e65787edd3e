// Netlink attributes: a builder, a read-only view, iteration and a
// table-driven parser.
//
// Wire format (RFC 3549 / <linux/netlink.h>): each attribute is a 4-byte
// header {u16 nla_len; u16 nla_type} followed by nla_len - 4 bytes of payload,
// padded to a multiple of 4 (NLA_ALIGN).  Nested attributes carry a sequence
// of attributes as their payload.  Integer payloads are host byte order
// unless the name says be (big endian).
//
// Everything here is pure computation on byte buffers: safe from any thread
// on distinct objects, never blocks.  Nothing reads past the span it is given,
// whatever the bytes contain; malformed input produces an Error.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::nl {

inline constexpr size_t kAttrHdrLen = 4;
inline constexpr size_t kAttrMaxLen = 0xffff;  // nla_len is a u16
// Top 2 bits of nla_type are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER).
inline constexpr uint16_t kAttrTypeMask = 0x3fff;

constexpr size_t align(size_t n) { return (n + 3) & ~size_t{3}; }

using Bytes = std::span<const uint8_t>;

// A validated view of one attribute inside a buffer the caller keeps alive.
class Attr {
 public:
  Attr() = default;
  // `hdr` must point at a header whose length was checked against the buffer
  // (AttrIterator does this).
  explicit Attr(const uint8_t* hdr) : hdr_(hdr) {}

  bool valid() const { return hdr_ != nullptr; }
  uint16_t type() const;                                      // without flag bits
  size_t size() const;                                        // payload length
  size_t total_size() const { return kAttrHdrLen + size(); }  // unpadded
  const uint8_t* data() const { return hdr_ + kAttrHdrLen; }
  Bytes payload() const { return {data(), size()}; }
  Bytes whole() const { return {hdr_, total_size()}; }  // header + payload

  // Typed getters.  They read at most size() bytes; a too-short payload
  // yields zero-filled high bytes (the parser's policy prevents that).
  uint8_t get_u8() const;
  uint16_t get_u16() const;
  uint32_t get_u32() const;
  uint64_t get_u64() const;
  uint16_t get_be16() const;  // converted to host order
  uint32_t get_be32() const;
  uint64_t get_be64() const;
  // Payload up to the first NUL (or the whole payload if none).
  std::string_view get_string() const;

 private:
  const uint8_t* hdr_ = nullptr;
};

// Iterates the attributes in `buf`.  Stops at the first malformed header;
// `malformed()` then says so and `left()` the undecodable byte count.
//     for (AttrIterator it(buf); it.ok(); it.next()) { Attr a = it.attr(); }
class AttrIterator {
 public:
  explicit AttrIterator(Bytes buf) : buf_(buf) { check(); }
  bool ok() const { return ok_; }
  Attr attr() const { return Attr(buf_.data() + pos_); }
  void next();
  // True if iteration stopped on bytes that are not a whole attribute.
  bool malformed() const { return !ok_ && pos_ < buf_.size(); }
  size_t left() const { return buf_.size() - pos_; }

 private:
  void check();
  Bytes buf_;
  size_t pos_ = 0;
  bool ok_ = false;
};

// Counts well-formed attributes; returns an Error if `buf` has trailing
// garbage or a header whose length overruns the buffer.
Result<size_t> count_attrs(Bytes buf);
// Finds the first attribute of `type` at the top level of `buf`.
Attr find_attr(Bytes buf, uint16_t type);

// Builds attributes into a growable byte vector.
class AttrBuilder {
 public:
  AttrBuilder() = default;

  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t>& mutable_data() { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }
  Bytes bytes() const { return {buf_.data(), buf_.size()}; }
  size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  void clear() {
    buf_.clear();
    overflow_ = false;
  }
  // True once any attribute (or nest) needed more than 65535 bytes; the
  // buffer content is then not a valid encoding.
  bool overflowed() const { return overflow_; }

  // Appends a header plus `len` zeroed, padded payload bytes; returns the
  // offset of the payload (pointers into the buffer move as it grows).
  size_t put_uninit(uint16_t type, size_t len);
  void put_unspec(uint16_t type, const void* data, size_t len);
  void put_unspec(uint16_t type, Bytes data) { put_unspec(type, data.data(), data.size()); }
  void put_flag(uint16_t type) { put_unspec(type, nullptr, 0); }
  void put_u8(uint16_t type, uint8_t v) { put_unspec(type, &v, 1); }
  void put_u16(uint16_t type, uint16_t v) { put_unspec(type, &v, 2); }
  void put_u32(uint16_t type, uint32_t v) { put_unspec(type, &v, 4); }
  void put_u64(uint16_t type, uint64_t v) { put_unspec(type, &v, 8); }
  void put_be16(uint16_t type, uint16_t host_value);
  void put_be32(uint16_t type, uint32_t host_value);
  void put_be64(uint16_t type, uint64_t host_value);
  // NUL-terminated, as the kernel's NLA_NUL_STRING expects.
  void put_string(uint16_t type, std::string_view s);
  // Appends already-encoded attributes verbatim (must be aligned).
  void put_raw(Bytes attrs);

  // Nesting: start returns a token for end(), which fixes up the length.
  size_t start_nested(uint16_t type);
  void end_nested(size_t token);
  // Drops a nest that turned out empty; returns true if it did.
  bool end_nested_drop_if_empty(size_t token);
  // Truncates the buffer back to `offset` (e.g. undo a partial attribute).
  void truncate(size_t offset) { buf_.resize(offset); }

 private:
  std::vector<uint8_t> buf_;
  bool overflow_ = false;
};

// ---- Table-driven parsing -------------------------------------------------

enum class AttrKind : uint8_t {
  kNone,    // type not in the policy: ignored (as nl_policy_parse does)
  kUnspec,  // any bytes; bounded by min_len/max_len
  kFlag,    // zero-length
  kU8,
  kU16,
  kU32,
  kU64,
  kBe16,
  kBe32,
  kBe64,
  kString,  // NUL-terminated; max_len bounds the characters
  kNested,  // payload must itself be well-formed attributes
};

struct AttrPolicy {
  AttrKind kind = AttrKind::kNone;
  bool optional = true;
  uint16_t min_len = 0;        // kUnspec / kString only
  uint16_t max_len = 0;        // kUnspec / kString only; 0 = unbounded
  const char* name = nullptr;  // for error messages; "attribute N" if null
};

// A policy table indexed by attribute type; N = max type + 1.
template <size_t N>
using AttrPolicyTable = std::array<AttrPolicy, N>;

// The attributes found, indexed by type.  Unset entries are !valid().
class ParsedAttrs {
 public:
  explicit ParsedAttrs(size_t n) : attrs_(n) {}
  Attr operator[](size_t type) const { return type < attrs_.size() ? attrs_[type] : Attr(); }
  bool has(size_t type) const { return (*this)[type].valid(); }
  size_t max_types() const { return attrs_.size(); }
  void set(size_t type, Attr a) { attrs_[type] = a; }

 private:
  std::vector<Attr> attrs_;
};

// Checks one attribute against its policy entry; returns an Error naming it.
Status check_attr(Attr a, const AttrPolicy& policy);

// Parses `buf` against `policy`: every attribute well-formed and in bounds,
// each known type at most once ("duplicate ..." error), required types
// present, lengths as the kind demands.  Unknown types are skipped.
Result<ParsedAttrs> parse_attrs(Bytes buf, std::span<const AttrPolicy> policy);

// Hex dump of a payload, for generic formatting and error messages.
std::string hex_string(Bytes data);

}  // namespace grebe::nl
