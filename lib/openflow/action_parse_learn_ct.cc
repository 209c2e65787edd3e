// Parsers for learn(...) and ct(...)/nat(...), the two actions with nested
// grammars.
#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

std::string sv(std::string_view s) { return std::string(s); }

// True if bits [n_bits, 128) of a right-aligned 16-byte value are zero.
bool fits_bits(const MfValue& v, int n_bits) {
  for (int bit = n_bits; bit < 128; ++bit)
    if (v.b[15 - bit / 8] & (1 << (bit % 8))) return false;
  return true;
}

// Parses an integer into a right-aligned 16-byte value.
bool parse_imm128(std::string_view s, MfValue* v, size_t* tail) {
  return parse_int_string(s, v->b, 16, tail) == 0;
}

Status parse_learn_match_spec(std::string_view orig, std::string_view name,
                              std::string_view value, const Subfield& dst,
                              const PortMap* ports, LearnSpec* spec) {
  spec->dst = dst;
  spec->dst_type = 0;
  if (value.empty()) {
    spec->src = dst;
    return ok_status();
  }
  auto src = parse_subfield(value);
  if (src.ok()) {
    if (src->n_bits != dst.n_bits)
      return Error(EINVAL, strfmt("%s: bit widths of %s (%u) and %s (%u) differ", sv(orig).c_str(),
                                  sv(name).c_str(), src->n_bits, sv(value).c_str(), dst.n_bits));
    spec->src = *src;
    return ok_status();
  }
  const MfField& mf = *dst.field;
  MfValue field_value{};
  std::string imm_error;
  if (dst.ofs == 0 && dst.n_bits == mf.n_bits) {
    auto v = mf_parse_value(mf, value, ports);
    if (v.ok()) {
      field_value = *v;
    } else {
      imm_error = v.error().message();
    }
  } else {
    size_t tail = 0;
    if (parse_int_string(value, field_value.b, mf.n_bytes, &tail) || tail != value.size())
      imm_error = sv(orig) + ": cannot parse integer value";
  }
  if (!imm_error.empty())
    return Error(EINVAL, strfmt("%s: %s value %s cannot be parsed as a subfield (%s) or an "
                                "immediate value (%s)",
                                sv(orig).c_str(), sv(name).c_str(), sv(value).c_str(),
                                src.error().message().c_str(), imm_error.c_str()));
  spec->src_is_imm = true;
  // Store right-aligned in 16 bytes.
  std::memcpy(&spec->imm.b[16 - mf.n_bytes], field_value.b, mf.n_bytes);
  return ok_status();
}

Status parse_learn_spec(std::string_view orig, std::string_view name, std::string_view value,
                        const PortMap* ports, LearnSpec* spec) {
  auto dst = parse_subfield(name);
  if (dst.ok()) return parse_learn_match_spec(orig, name, value, *dst, ports, spec);
  if (name == "load") {
    size_t arrow = value.find("->");
    if (arrow == 0)
      return Error(EINVAL, "load: missing source before `->' in `" + sv(value) + "'");
    if (arrow == std::string_view::npos)
      return Error(EINVAL, "load: missing `->' in `" + sv(value) + "'");
    MfValue imm{};
    size_t tail = 0;
    if (parse_imm128(value, &imm, &tail) && tail != 0) {
      if (tail != arrow) return Error(EINVAL, "load: garbage before `->' in `" + sv(value) + "'");
      auto d = parse_subfield(value.substr(arrow + 2));
      if (!d.ok()) return d.error();
      if (!fits_bits(imm, d->n_bits))
        return Error(EINVAL, strfmt("%s: value does not fit into %u bits", sv(value).c_str(),
                                    d->n_bits));
      spec->dst_type = 1;
      spec->src_is_imm = true;
      spec->imm = imm;
      spec->dst = *d;
      return ok_status();
    }
    auto mv = parse_reg_move(value);
    if (!mv.ok()) return mv.error();
    spec->dst_type = 1;
    spec->src = mv->src;
    spec->dst = mv->dst;
    return ok_status();
  }
  if (name == "output") {
    auto src = parse_subfield(value);
    if (!src.ok()) return src.error();
    spec->dst_type = 2;
    spec->src = *src;
    return ok_status();
  }
  return Error(EINVAL, sv(orig) + ": unknown keyword " + sv(name));
}

}  // namespace

Status parse_learn(std::string_view arg, ActionParseCtx& ctx) {
  ActLearn l;
  std::string_view rest = arg, key, value;
  while (parse_key_value(rest, key, value)) {
    std::string v(value);
    if (key == "table") {
      auto t = parse_uint(value, 10);
      if (!t || *t > 255) return Error(EINVAL, "unknown table \"" + v + "\"");
      if (*t == 255) return Error(EINVAL, sv(arg) + ": table id 255 not valid for `learn' action");
      l.table_id = static_cast<uint8_t>(*t);
    } else if (key == "priority") {
      l.priority = static_cast<uint16_t>(atoi(v.c_str()));
    } else if (key == "idle_timeout") {
      l.idle_timeout = static_cast<uint16_t>(atoi(v.c_str()));
    } else if (key == "hard_timeout") {
      l.hard_timeout = static_cast<uint16_t>(atoi(v.c_str()));
    } else if (key == "fin_idle_timeout") {
      l.fin_idle_timeout = static_cast<uint16_t>(atoi(v.c_str()));
    } else if (key == "fin_hard_timeout") {
      l.fin_hard_timeout = static_cast<uint16_t>(atoi(v.c_str()));
    } else if (key == "cookie") {
      l.cookie = strtoull(v.c_str(), nullptr, 0);
    } else if (key == "send_flow_rem") {
      l.send_flow_rem = true;
    } else if (key == "delete_learned") {
      l.delete_learned = true;
    } else if (key == "limit") {
      l.limit = static_cast<uint32_t>(atoi(v.c_str()));
    } else if (key == "result_dst") {
      auto d = parse_subfield(value);
      if (!d.ok()) return d.error();
      if (!d->field->writable) return Error(EINVAL, v + " is read-only");
      if (d->n_bits != 1) return Error(EINVAL, "result_dst in 'learn' action must be a single bit");
      l.write_result = true;
      l.result_dst = *d;
    } else {
      LearnSpec spec;
      GREBE_TRY(parse_learn_spec(arg, key, value, ctx.ports, &spec));
      l.specs.push_back(spec);
    }
  }
  ctx.out->push_back(std::move(l));
  return ok_status();
}

namespace {

// "a.b.c.d[-a.b.c.d]" or IPv6 (optionally [bracketed]) then ":port[-port]".
Status parse_nat_range(std::string_view s, ActNat* nat) {
  std::string err = "invalid nat range \"" + sv(s) + "\"";
  size_t n = 0;
  auto take_ip4 = [&](uint32_t* out) {
    size_t j = n;
    while (j < s.size() && (isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    auto ip = parse_ip4(s.substr(n, j - n));
    if (!ip) return false;
    *out = *ip;
    n = j;
    return true;
  };
  auto take_ip6 = [&](In6Addr* out) {
    size_t j = n;
    bool bracket = j < s.size() && s[j] == '[';
    if (bracket) ++j;
    size_t start = j;
    while (j < s.size() && (isxdigit(static_cast<unsigned char>(s[j])) || s[j] == ':' || s[j] == '.')) ++j;
    // Without brackets a trailing ":port" cannot be told apart; OVS
    // requires brackets when a port follows an IPv6 address.
    auto ip = parse_ip6(s.substr(start, j - start));
    if (!ip) return false;
    if (bracket) {
      if (j >= s.size() || s[j] != ']') return false;
      ++j;
    }
    *out = *ip;
    n = j;
    return true;
  };
  bool any = false;
  if (take_ip4(&nat->ip4_min)) {
    any = true;
    if (n < s.size() && s[n] == '-') {
      ++n;
      if (!take_ip4(&nat->ip4_max) || nat->ip4_max < nat->ip4_min) return Error(EINVAL, err);
    }
  } else if (take_ip6(&nat->ip6_min)) {
    any = true;
    nat->ipv6 = true;
    if (n < s.size() && s[n] == '-') {
      ++n;
      if (!take_ip6(&nat->ip6_max) || std::memcmp(nat->ip6_max.b, nat->ip6_min.b, 16) < 0)
        return Error(EINVAL, err);
    }
  }
  if (any && n < s.size() && s[n] == ':') {
    ++n;
    size_t j = n;
    while (j < s.size() && isdigit(static_cast<unsigned char>(s[j]))) ++j;
    auto p = parse_uint(s.substr(n, j - n), 10);
    if (!p || *p > 65535) return Error(EINVAL, err);
    nat->port_min = static_cast<uint16_t>(*p);
    n = j;
    if (n < s.size() && s[n] == '-') {
      ++n;
      j = n;
      while (j < s.size() && isdigit(static_cast<unsigned char>(s[j]))) ++j;
      auto q = parse_uint(s.substr(n, j - n), 10);
      if (!q || *q > 65535 || *q < nat->port_min) return Error(EINVAL, err);
      nat->port_max = static_cast<uint16_t>(*q);
      n = j;
    }
  }
  if (n != s.size())
    return Error(EINVAL, strfmt("garbage (%s) after nat range \"%s\" (pos: %zu)",
                                sv(s.substr(n)).c_str(), sv(s).c_str(), n));
  nat->range_set = any;
  return ok_status();
}

Status parse_nat(std::string_view arg, ActNat* nat) {
  std::string_view rest = arg, key, value;
  while (parse_key_value(rest, key, value)) {
    if (key == "src" || key == "dst") {
      (key == "src" ? nat->src : nat->dst) = true;
      GREBE_TRY(parse_nat_range(value, nat));
    } else if (key == "persistent") {
      nat->persistent = true;
    } else if (key == "hash") {
      nat->hash = true;
    } else if (key == "random") {
      nat->random = true;
    } else {
      return Error(EINVAL, "invalid key \"" + sv(key) + "\" in \"nat\" argument");
    }
  }
  if (nat->src && nat->dst) return Error(EINVAL, "May only specify one of \"src\" or \"dst\".");
  if (!nat->src && !nat->dst) {
    if (nat->persistent || nat->hash || nat->random)
      return Error(EINVAL, "Flags allowed only with \"src\" or \"dst\".");
    if (nat->range_set) return Error(EINVAL, "Range allowed only with \"src\" or \"dst\".");
  }
  if (nat->hash && nat->random) return Error(EINVAL, "Both \"hash\" and \"random\" are not allowed.");
  return ok_status();
}

}  // namespace

Status parse_ct(std::string_view arg, ActionParseCtx& ctx) {
  ActCt ct;
  std::string_view rest = arg, key, value;
  while (parse_key_value(rest, key, value)) {
    if (key == "commit") {
      ct.commit = true;
    } else if (key == "force") {
      ct.force = true;
    } else if (key == "table") {
      auto t = parse_uint(value, 10);
      if (!t || *t > 255) return Error(EINVAL, "unknown table " + sv(value));
      if (*t == 255) return Error(EINVAL, "invalid table 0xff");
      ct.recirc_table = static_cast<uint8_t>(*t);
    } else if (key == "zone") {
      auto z = str_to_u16(value, "zone");
      if (z.ok()) {
        ct.zone_imm = *z;
      } else {
        auto sf = parse_subfield(value);
        if (!sf.ok()) return sf.error();
        ct.zone_src = *sf;
      }
    } else if (key == "alg") {
      if (value == "ftp") {
        ct.alg = 21;
      } else if (value == "tftp") {
        ct.alg = 69;
      } else {
        return Error(EINVAL, "invalid conntrack helper \"" + sv(value) + "\"");
      }
    } else if (key == "nat") {
      ActNat nat;
      GREBE_TRY(parse_nat(value, &nat));
      ct.nat.push_back(nat);
    } else if (key == "exec") {
      Protocols sub_usable = kPAny;
      ActionParseCtx sub{ctx.ports, &ct.exec, &sub_usable, false};
      GREBE_TRY(parse_action_list(value, sub));
      *ctx.usable &= sub_usable;
    } else {
      return Error(EINVAL, "invalid argument to \"ct\" action: `" + sv(key) + "'");
    }
  }
  if (ct.force && !ct.commit) return Error(EINVAL, "\"force\" flag requires \"commit\" flag.");
  ctx.out->push_back(std::move(ct));
  return ok_status();
}

}  // namespace grebe::openflow
