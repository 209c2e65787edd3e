// Netlink attribute encoding and validation (see grebe/netlink/attr.h).
#include "grebe/netlink/attr.h"

#include <algorithm>
#include <cstdio>

#include "grebe/util/byteorder.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(netlink_attr);

namespace grebe::nl {

namespace {

uint16_t read_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Copies min(size, n) payload bytes into a zeroed integer so a short payload
// can never cause an out-of-bounds read.
template <typename T>
T read_int(const Attr& a) {
  T v{};
  std::memcpy(&v, a.data(), std::min(a.size(), sizeof(T)));
  return v;
}

std::string attr_label(uint16_t type, const AttrPolicy& policy) {
  if (policy.name) return policy.name;
  return "attribute " + std::to_string(type);
}

size_t fixed_len(AttrKind kind) {
  switch (kind) {
    case AttrKind::kFlag:
      return 0;
    case AttrKind::kU8:
      return 1;
    case AttrKind::kU16:
    case AttrKind::kBe16:
      return 2;
    case AttrKind::kU32:
    case AttrKind::kBe32:
      return 4;
    case AttrKind::kU64:
    case AttrKind::kBe64:
      return 8;
    default:
      return SIZE_MAX;
  }
}

}  // namespace

uint16_t Attr::type() const { return read_u16(hdr_ + 2) & kAttrTypeMask; }
size_t Attr::size() const { return read_u16(hdr_) - kAttrHdrLen; }
uint8_t Attr::get_u8() const { return read_int<uint8_t>(*this); }
uint16_t Attr::get_u16() const { return read_int<uint16_t>(*this); }
uint32_t Attr::get_u32() const { return read_int<uint32_t>(*this); }
uint64_t Attr::get_u64() const { return read_int<uint64_t>(*this); }
uint16_t Attr::get_be16() const { return ntoh16(read_int<uint16_t>(*this)); }
uint32_t Attr::get_be32() const { return ntoh32(read_int<uint32_t>(*this)); }
uint64_t Attr::get_be64() const { return ntoh64(read_int<uint64_t>(*this)); }

std::string_view Attr::get_string() const {
  const char* s = reinterpret_cast<const char*>(data());
  const void* nul = std::memchr(s, 0, size());
  return {s, nul ? static_cast<size_t>(static_cast<const char*>(nul) - s) : size()};
}

void AttrIterator::check() {
  ok_ = false;
  if (buf_.size() - pos_ < kAttrHdrLen) return;
  uint16_t len = read_u16(buf_.data() + pos_);
  if (len < kAttrHdrLen || len > buf_.size() - pos_) return;
  ok_ = true;
}

void AttrIterator::next() {
  size_t len = read_u16(buf_.data() + pos_);
  // The last attribute's padding may be absent.
  pos_ = std::min(buf_.size(), pos_ + align(len));
  check();
}

Result<size_t> count_attrs(Bytes buf) {
  size_t n = 0;
  AttrIterator it(buf);
  for (; it.ok(); it.next()) n++;
  if (it.malformed()) {
    return Error(EINVAL, std::to_string(it.left()) + " bytes left over after attributes");
  }
  return n;
}

Attr find_attr(Bytes buf, uint16_t type) {
  for (AttrIterator it(buf); it.ok(); it.next()) {
    if (it.attr().type() == type) return it.attr();
  }
  return Attr();
}

size_t AttrBuilder::put_uninit(uint16_t type, size_t len) {
  size_t total = kAttrHdrLen + len;
  if (total > kAttrMaxLen) {
    overflow_ = true;
    total = kAttrMaxLen;  // keep the header well-formed; content is invalid
  }
  size_t start = buf_.size();
  buf_.resize(start + align(kAttrHdrLen + len), 0);
  uint16_t hdr[2] = {static_cast<uint16_t>(total), type};
  std::memcpy(buf_.data() + start, hdr, sizeof hdr);
  return start + kAttrHdrLen;
}

void AttrBuilder::put_unspec(uint16_t type, const void* data, size_t len) {
  size_t off = put_uninit(type, len);
  if (len) std::memcpy(buf_.data() + off, data, len);
}

void AttrBuilder::put_be16(uint16_t type, uint16_t v) { put_u16(type, hton16(v)); }
void AttrBuilder::put_be32(uint16_t type, uint32_t v) { put_u32(type, hton32(v)); }
void AttrBuilder::put_be64(uint16_t type, uint64_t v) { put_u64(type, hton64(v)); }

void AttrBuilder::put_string(uint16_t type, std::string_view s) {
  size_t off = put_uninit(type, s.size() + 1);
  std::memcpy(buf_.data() + off, s.data(), s.size());
}

void AttrBuilder::put_raw(Bytes attrs) { buf_.insert(buf_.end(), attrs.begin(), attrs.end()); }

size_t AttrBuilder::start_nested(uint16_t type) { return put_uninit(type, 0) - kAttrHdrLen; }

void AttrBuilder::end_nested(size_t token) {
  size_t len = buf_.size() - token;
  if (len > kAttrMaxLen) {
    overflow_ = true;
    len = kAttrMaxLen;
  }
  uint16_t len16 = static_cast<uint16_t>(len);
  std::memcpy(buf_.data() + token, &len16, 2);
}

bool AttrBuilder::end_nested_drop_if_empty(size_t token) {
  if (buf_.size() == token + kAttrHdrLen) {
    buf_.resize(token);
    return true;
  }
  end_nested(token);
  return false;
}

Status check_attr(Attr a, const AttrPolicy& policy) {
  size_t len = a.size();
  std::string label = attr_label(a.type(), policy);
  size_t want = fixed_len(policy.kind);
  if (want != SIZE_MAX) {
    if (len != want) {
      return Error(EINVAL, label + " has length " + std::to_string(len) + " (expected " +
                               std::to_string(want) + ")");
    }
    return ok_status();
  }
  if (len < policy.min_len) {
    return Error(EINVAL, label + " has length " + std::to_string(len) + " (minimum " +
                             std::to_string(policy.min_len) + ")");
  }
  switch (policy.kind) {
    case AttrKind::kString: {
      if (len == 0 || a.data()[len - 1] != 0) {
        return Error(EINVAL, label + " is not NUL-terminated");
      }
      if (policy.max_len && len - 1 > policy.max_len) {
        return Error(EINVAL,
                     label + " is longer than " + std::to_string(policy.max_len) + " characters");
      }
      return ok_status();
    }
    case AttrKind::kNested: {
      auto n = count_attrs(a.payload());
      if (!n.ok()) return Error(EINVAL, "nested " + label + ": " + n.error().message());
      break;
    }
    default:
      break;
  }
  if (policy.max_len && len > policy.max_len) {
    return Error(EINVAL, label + " has length " + std::to_string(len) + " (maximum " +
                             std::to_string(policy.max_len) + ")");
  }
  return ok_status();
}

Result<ParsedAttrs> parse_attrs(Bytes buf, std::span<const AttrPolicy> policy) {
  ParsedAttrs out(policy.size());
  AttrIterator it(buf);
  for (; it.ok(); it.next()) {
    Attr a = it.attr();
    uint16_t type = a.type();
    if (type >= policy.size() || policy[type].kind == AttrKind::kNone) {
      VLOG_DBG("ignoring unknown attribute %u", type);
      continue;
    }
    if (out.has(type)) {
      return Error(EINVAL, "duplicate " + attr_label(type, policy[type]));
    }
    GREBE_TRY(check_attr(a, policy[type]));
    out.set(type, a);
  }
  if (it.malformed()) {
    return Error(EINVAL,
                 "attributes followed by " + std::to_string(it.left()) + " bytes of garbage");
  }
  for (size_t type = 0; type < policy.size(); type++) {
    if (policy[type].kind != AttrKind::kNone && !policy[type].optional && !out.has(type)) {
      return Error(
          EINVAL, "required " + attr_label(static_cast<uint16_t>(type), policy[type]) + " missing");
    }
  }
  return out;
}

std::string hex_string(Bytes data) {
  std::string s;
  s.reserve(data.size() * 2);
  char buf[3];
  for (uint8_t b : data) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

}  // namespace grebe::nl
