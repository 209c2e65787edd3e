// Field values as text: mf_parse() / mf_format(); see meta_flow.h.
#include <cstring>

#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

struct FragName {
  const char* name;
  uint8_t mask;
  uint8_t value;
};
constexpr uint8_t kA = kFlowNwFragAny, kL = kFlowNwFragLater;
constexpr FragName kFragNames[] = {
    {"no", kA | kL, 0},  {"first", kA | kL, kA}, {"later", kA | kL, kA | kL},
    {"no", kA, 0},       {"yes", kA, kA},        {"not_later", kL, 0},
    {"later", kL, kL},
};

std::string sv(std::string_view s) { return std::string(s); }

Result<MfValueMask> parse_integer(const MfField& mf, std::string_view s) {
  MfValueMask r{};
  size_t tail = 0;
  const char* what = "value";
  int err = parse_int_string(s, r.value.b, mf.n_bytes, &tail);
  if (!err && tail < s.size() && s[tail] != '/') err = EINVAL;
  if (!err) {
    if (tail < s.size()) {
      std::string_view m = s.substr(tail + 1);
      size_t mtail = 0;
      what = "mask";
      err = parse_int_string(m, r.mask.b, mf.n_bytes, &mtail);
      if (!err && mtail != m.size()) err = EINVAL;
    } else {
      r.mask = MfValue::ones(mf);
    }
  }
  if (err == ERANGE)
    return Error(EINVAL, strfmt("%s: %s too large for %u-byte field %s", sv(s).c_str(), what,
                                mf.n_bytes, mf.name));
  if (err) return Error(EINVAL, strfmt("%s: bad syntax for %s %s", sv(s).c_str(), mf.name, what));
  return r;
}

Result<MfValueMask> parse_flag_field(const MfField& mf, std::string_view s, FlagNamer namer,
                                     const char* field, uint32_t allowed) {
  auto fl = parse_flags(s, namer, field, allowed);
  if (!fl.ok()) return fl.error();
  MfValueMask r{};
  r.value = MfValue::from_u64(mf, fl->first);
  r.mask = MfValue::from_u64(mf, fl->second);
  return r;
}

Result<MfValueMask> parse_packet_type(const MfField& mf, std::string_view s) {
  auto bad = [&](const char* why) {
    return Error(EINVAL, strfmt("%s: bad syntax for packet type %s", sv(s).c_str(), why));
  };
  if (s.empty() || s[0] != '(') return bad("missing '('");
  size_t comma = s.find(',');
  if (comma == std::string_view::npos) return bad("missing ','");
  if (s.back() != ')') return bad("missing ')'");
  auto ns = parse_uint(s.substr(1, comma - 1));
  if (!ns || *ns > 0xffff) return bad("ns");
  auto type = parse_uint(s.substr(comma + 1, s.size() - comma - 2));
  if (!type || *type > 0xffff) return bad("ns_type");
  MfValueMask r{};
  r.value = MfValue::from_u64(mf, (*ns << 16) | *type);
  r.mask = MfValue::ones(mf);
  return r;
}

Result<MfValueMask> parse_by_kind(const MfField& mf, std::string_view s, const PortMap* ports) {
  MfValueMask r{};
  switch (mf.string) {
    case MfString::kDecimal:
    case MfString::kHex:
      return parse_integer(mf, s);
    case MfString::kCtState:
      return parse_flag_field(mf, s, ct_state_flag_name, "ct_state", 0xff);
    case MfString::kTcpFlags:
      return parse_flag_field(mf, s, tcp_flag_name, "TCP", 0x0fff);
    case MfString::kTnlFlags:
      return parse_flag_field(mf, s, tun_flag_name, "tunnel", kFlowTnlFOam);
    case MfString::kEthernet: {
      size_t slash = s.find('/');
      auto mac = parse_eth(s.substr(0, slash));
      std::optional<EthAddr> mask =
          slash == std::string_view::npos ? EthAddr::broadcast() : parse_eth(s.substr(slash + 1));
      if (!mac || !mask) return Error(EINVAL, sv(s) + ": invalid Ethernet address");
      std::memcpy(r.value.b, mac->b, 6);
      std::memcpy(r.mask.b, mask->b, 6);
      return r;
    }
    case MfString::kIpv4: {
      auto ip = parse_ip4_masked(s);
      if (!ip.ok()) return ip.error();
      r.value = MfValue::from_u64(mf, ip->first);
      r.mask = MfValue::from_u64(mf, ip->second);
      return r;
    }
    case MfString::kIpv6: {
      auto ip = parse_ip6_masked(s);
      if (!ip.ok()) return ip.error();
      std::memcpy(r.value.b, ip->first.b, 16);
      std::memcpy(r.mask.b, ip->second.b, 16);
      return r;
    }
    case MfString::kOfpPort: {
      auto port = port_from_string(s, ports);
      if (!port) return Error(EINVAL, strfmt("%s: invalid or unknown port for %s", sv(s).c_str(), mf.name));
      r.value = MfValue::from_u64(mf, *port);
      r.mask = MfValue::ones(mf);
      return r;
    }
    case MfString::kOfpPortOxm: {
      auto port = port_from_string(s, ports);
      if (!port) return Error(EINVAL, strfmt("%s: port value out of range for %s", sv(s).c_str(), mf.name));
      r.value = MfValue::from_u64(mf, port_to_ofp11(*port));
      r.mask = MfValue::ones(mf);
      return r;
    }
    case MfString::kFrag:
      for (const auto& h : kFragNames) {
        if (s.size() == strlen(h.name) && !strncasecmp(s.data(), h.name, s.size())) {
          r.value.b[0] = h.value;
          r.mask.b[0] = static_cast<uint8_t>(h.mask | ~kFlowNwFragMask);
          return r;
        }
      }
      return Error(EINVAL, sv(s) + ": unknown fragment type (valid types are \"no\", "
                                   "\"yes\", \"first\", \"later\", \"not_later\"");
    case MfString::kPacketType:
      return parse_packet_type(mf, s);
  }
  return Error(EINVAL, sv(s) + ": unparsable");
}

std::string format_integer(const MfField& mf, const MfValue& v, const MfValue* mask) {
  std::string s;
  if (mf.string == MfString::kHex || mf.n_bytes > 8) {
    s = format_hex(v.b, mf.n_bytes);
  } else {
    s = strfmt("%lld", static_cast<long long>(v.to_u64(mf)));
  }
  if (mask) s += "/" + format_hex(mask->b, mf.n_bytes);
  return s;
}

std::string format_u16_masked(uint16_t v, uint16_t m) {
  if (m == 0xffff) return strfmt("%u", v);
  return strfmt("%#x/%#x", v, m);
}

}  // namespace

Result<MfValueMask> mf_parse(const MfField& mf, std::string_view s, const PortMap* ports) {
  if (s == "*") return MfValueMask{};
  auto r = parse_by_kind(mf, s, ports);
  if (r.ok() && !mf_is_mask_valid(mf, r->mask))
    return Error(EINVAL, strfmt("%s: invalid mask for field %s", sv(s).c_str(), mf.name));
  return r;
}

Result<MfValue> mf_parse_value(const MfField& mf, std::string_view s, const PortMap* ports) {
  auto r = mf_parse(mf, s, ports);
  if (!r.ok()) return r.error();
  if (!r->mask.is_ones(mf)) return Error(EINVAL, sv(s) + ": wildcards not allowed here");
  return r->value;
}

std::string mf_format(const MfField& mf, const MfValue& value, const MfValue* mask,
                      const PortMap* ports) {
  if (mask && mask->is_zero(mf)) return "ANY";
  if (mask && mask->is_ones(mf)) mask = nullptr;
  uint64_t m64 = mask ? mask->to_u64(mf) : ~uint64_t{0};
  switch (mf.string) {
    case MfString::kOfpPortOxm:
      if (!mask)
        return format_port(port_from_ofp11(static_cast<uint32_t>(value.to_u64(mf))).value_or(kOfppNone),
                           ports);
      return format_integer(mf, value, mask);
    case MfString::kOfpPort:
      if (!mask) return format_port(static_cast<uint32_t>(value.to_u64(mf)), ports);
      return format_integer(mf, value, mask);
    case MfString::kDecimal:
    case MfString::kHex:
      return format_integer(mf, value, mask);
    case MfString::kCtState:
      return format_flags_masked(ct_state_flag_name, static_cast<uint32_t>(value.to_u64(mf)),
                                 static_cast<uint32_t>(m64), 0xffff);
    case MfString::kEthernet: {
      EthAddr a, m;
      std::memcpy(a.b, value.b, 6);
      std::string s = format_eth(a);
      if (mask) {
        std::memcpy(m.b, mask->b, 6);
        s += "/" + format_eth(m);
      }
      return s;
    }
    case MfString::kIpv4:
      return format_ip4_masked(static_cast<uint32_t>(value.to_u64(mf)), static_cast<uint32_t>(m64));
    case MfString::kIpv6: {
      In6Addr a, m;
      std::memcpy(a.b, value.b, 16);
      std::memset(m.b, 0xff, 16);
      if (mask) std::memcpy(m.b, mask->b, 16);
      return format_ip6_masked(a, m);
    }
    case MfString::kFrag: {
      uint8_t fm = static_cast<uint8_t>(m64) & kFlowNwFragMask;
      uint8_t fv = value.b[0] & fm;
      for (const auto& h : kFragNames)
        if (h.value == fv && h.mask == fm) return h.name;
      return "<error>";
    }
    case MfString::kTnlFlags:
      return format_flags_masked(tun_flag_name, static_cast<uint32_t>(value.to_u64(mf)),
                                 static_cast<uint32_t>(m64) & kFlowTnlFOam, kFlowTnlFOam);
    case MfString::kTcpFlags:
      return format_flags_masked(tcp_flag_name, static_cast<uint32_t>(value.to_u64(mf)),
                                 static_cast<uint32_t>(m64) & 0x0fff, 0x0fff);
    case MfString::kPacketType: {
      uint32_t v = static_cast<uint32_t>(value.to_u64(mf)), pm = static_cast<uint32_t>(m64);
      if (v == kPacketTypeEthernet && pm == 0xffffffffu) return "eth";
      return "packet_type=(" + format_u16_masked(v >> 16, pm >> 16) + "," +
             format_u16_masked(v & 0xffff, pm & 0xffff) + ")";
    }
  }
  return "";
}

}  // namespace grebe::openflow
