// Parsers for the actions with structured arguments: set_field, load, move,
// learn, bundle, multipath, sample, ct/nat; plus number helpers and the
// instruction-ordering check.
#include <strings.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

std::string sv(std::string_view s) { return std::string(s); }

// OVS's str_to_int(): strtol with base 0, whole string, int range.
std::optional<long> str_to_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string tmp(s);
  errno = 0;
  char* end = nullptr;
  long v = strtol(tmp.c_str(), &end, 0);
  if (errno || *end || v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return v;
}

// Splits at the first run of any of `delims` (strtok_r semantics: empty
// tokens are skipped).
std::vector<std::string_view> tokenize(std::string_view s, const char* delims) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && strchr(delims, s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !strchr(delims, s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

const char* kHashFields[] = {"eth_src",  "symmetric_l4", "symmetric_l3l4", "symmetric_l3l4+udp",
                             "nw_src",   "nw_dst",       "symmetric_l3"};

const char* canonical_hash_fields(std::string_view s) {
  for (const char* f : kHashFields)
    if (s.size() == strlen(f) && !strncasecmp(s.data(), f, s.size())) return f;
  return nullptr;
}

bool value_fits(const MfValue& v, int n_bytes, int n_bits) {
  for (int bit = n_bits; bit < n_bytes * 8; ++bit) {
    int byte = n_bytes - 1 - bit / 8;
    if (v.b[byte] & (1 << (bit % 8))) return false;
  }
  return true;
}

// Moves the low n_bits of a right-aligned value up to bit `ofs` of a field.
MfValue shift_into(const MfValue& v, int n_bytes, int ofs, int n_bits, MfValue* mask) {
  MfValue out{}, m{};
  for (int bit = 0; bit < n_bits; ++bit) {
    int src_byte = n_bytes - 1 - bit / 8;
    int dst_bit = bit + ofs;
    int dst_byte = n_bytes - 1 - dst_bit / 8;
    if (v.b[src_byte] & (1 << (bit % 8))) out.b[dst_byte] |= static_cast<uint8_t>(1 << (dst_bit % 8));
    m.b[dst_byte] |= static_cast<uint8_t>(1 << (dst_bit % 8));
  }
  *mask = m;
  return out;
}

}  // namespace

Result<uint8_t> str_to_u8(std::string_view s, const char* name) {
  auto v = str_to_int(s);
  if (!v || *v < 0 || *v > 255) return Error(EINVAL, strfmt("invalid %s \"%s\"", name, sv(s).c_str()));
  return static_cast<uint8_t>(*v);
}

Result<uint16_t> str_to_u16(std::string_view s, const char* name) {
  auto v = str_to_int(s);
  if (!v || *v < 0 || *v > 65535)
    return Error(EINVAL, strfmt("invalid %s \"%s\"", name, sv(s).c_str()));
  return static_cast<uint16_t>(*v);
}

Result<uint32_t> str_to_u32(std::string_view s) {
  if (s.empty()) return Error(EINVAL, "missing required numeric argument");
  std::string tmp(s);
  errno = 0;
  char* end = nullptr;
  unsigned long v = strtoul(tmp.c_str(), &end, 0);
  if (errno == ERANGE || *end || end == tmp.c_str())
    return Error(EINVAL, "invalid numeric format " + tmp);
  return static_cast<uint32_t>(v);
}

Result<uint64_t> str_to_u64(std::string_view s) {
  if (s.empty()) return Error(EINVAL, "missing required numeric argument");
  std::string tmp(s);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = strtoull(tmp.c_str(), &end, 0);
  if (errno == ERANGE || *end || end == tmp.c_str())
    return Error(EINVAL, "invalid numeric format " + tmp);
  return static_cast<uint64_t>(v);
}

std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view s) {
  std::vector<uint8_t> out;
  size_t i = 0;
  auto hexit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
      continue;
    }
    if (i + 1 >= s.size() || hexit(s[i]) < 0 || hexit(s[i + 1]) < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hexit(s[i]) * 16 + hexit(s[i + 1])));
    i += 2;
  }
  return out;
}

std::string format_hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) s += '.';
    s += strfmt("%02x", bytes[i]);
  }
  return s;
}

Result<ActRegMove> parse_reg_move(std::string_view s) {
  size_t arrow = s.find("->");
  std::string_view src_s = s.substr(0, arrow);
  // The source ends at its closing bracket; anything else before "->" is
  // an error as in OVS.
  auto src = parse_subfield(src_s);
  if (!src.ok()) return src.error();
  if (arrow == std::string_view::npos)
    return Error(EINVAL, sv(s) + ": missing `->' following source");
  auto dst = parse_subfield(s.substr(arrow + 2));
  if (!dst.ok()) return dst.error();
  if (src->n_bits != dst->n_bits)
    return Error(EINVAL, strfmt("%s: source field is %d bits wide but destination is %d bits wide",
                                sv(s).c_str(), src->n_bits, dst->n_bits));
  return ActRegMove{*src, *dst};
}

Status parse_set_field(std::string_view arg, ActionParseCtx& ctx) {
  size_t arrow = arg.find("->");
  if (arrow == std::string_view::npos) return Error(EINVAL, sv(arg) + ": missing `->'");
  if (arg.size() - arrow <= 2)
    return Error(EINVAL, sv(arg) + ": missing field name following `->'");
  std::string_view value = arg.substr(0, arrow), key = arg.substr(arrow + 2);
  const MfField* mf = mf_from_name(key);
  if (!mf) return Error(EINVAL, sv(key) + " is not a valid OXM field name");
  if (!mf->writable) return Error(EINVAL, sv(key) + " is read-only");
  auto vm = mf_parse(*mf, value, ctx.ports);
  if (!vm.ok()) return vm.error();
  *ctx.usable &= mf_usable_protocols_exact(*mf);
  ActSetField sf;
  sf.field = mf;
  sf.value = vm->value;
  sf.mask = vm->mask;
  for (int i = 0; i < mf->n_bytes; ++i) sf.value.b[i] &= sf.mask.b[i];
  // A masked set_field is carried (and printed) as NXAST_REG_LOAD.
  sf.load = !sf.mask.is_ones(*mf);
  ctx.out->push_back(sf);
  return ok_status();
}

Status parse_load(std::string_view arg, ActionParseCtx& ctx) {
  size_t arrow = arg.find("->");
  if (arrow == std::string_view::npos) return Error(EINVAL, sv(arg) + ": missing `->'");
  if (arg.size() - arrow <= 2)
    return Error(EINVAL, sv(arg) + ": missing field name following `->'");
  auto dst = parse_subfield(arg.substr(arrow + 2));
  if (!dst.ok()) return dst.error();
  const MfField& mf = *dst->field;
  MfValue v{};
  size_t tail = 0;
  std::string_view value_s = arg.substr(0, arrow);
  if (parse_int_string(value_s, v.b, mf.n_bytes, &tail) || tail != value_s.size())
    return Error(EINVAL, sv(arg) + ": cannot parse integer value");
  if (!value_fits(v, mf.n_bytes, dst->n_bits))
    return Error(EINVAL, strfmt("%s: value %s does not fit into %d bits", sv(arg).c_str(),
                                mf_format(mf, v, nullptr).c_str(), dst->n_bits));
  ActSetField sf;
  sf.field = &mf;
  sf.value = shift_into(v, mf.n_bytes, dst->ofs, dst->n_bits, &sf.mask);
  sf.load = true;
  ctx.out->push_back(sf);
  return ok_status();
}

Status parse_bundle_common(std::string_view arg, ActionParseCtx& ctx, bool load) {
  // Leading arguments split on ", ", the member keyword on ": ", members on
  // ", []" (as OVS's successive strtok_r() calls do).
  size_t need = load ? 6 : 5;
  std::vector<std::string_view> toks;
  std::string_view rest = arg;
  for (size_t i = 0; i < need; ++i) {
    const char* delims = i == need - 1 ? ": " : ", ";
    while (!rest.empty() && strchr(delims, rest[0])) rest.remove_prefix(1);
    size_t j = 0;
    while (j < rest.size() && !strchr(delims, rest[j])) ++j;
    if (!j) break;
    toks.push_back(rest.substr(0, j));
    rest.remove_prefix(j < rest.size() ? j + 1 : j);
  }
  if (toks.size() < need) return Error(EINVAL, sv(arg) + ": not enough arguments to bundle action");
  for (std::string_view m : tokenize(rest, ", []")) toks.push_back(m);
  ActBundle b;
  b.load = load;
  std::string_view delim = toks[need - 1];
  if (strncasecmp(delim.data(), "members", delim.size()) && strncasecmp(delim.data(), "slaves", delim.size()))
    return Error(EINVAL, sv(arg) + ": missing member delimiter, expected `members', got `" +
                             sv(delim) + "'");
  for (size_t i = need; i < toks.size(); ++i) {
    auto p = port_from_string(toks[i], ctx.ports);
    if (!p) return Error(EINVAL, sv(toks[i]) + ": bad port number");
    b.members.push_back(*p);
  }
  b.basis = static_cast<uint16_t>(atoi(sv(toks[1]).c_str()));
  const char* fields = canonical_hash_fields(toks[0]);
  if (!fields) return Error(EINVAL, sv(arg) + ": unknown fields `" + sv(toks[0]) + "'");
  b.fields = fields;
  if (!strcasecmp(sv(toks[2]).c_str(), "active_backup")) {
    b.algorithm = "active_backup";
  } else if (!strcasecmp(sv(toks[2]).c_str(), "hrw")) {
    b.algorithm = "hrw";
  } else {
    return Error(EINVAL, sv(arg) + ": unknown algorithm `" + sv(toks[2]) + "'");
  }
  if (strcasecmp(sv(toks[3]).c_str(), "ofport"))
    return Error(EINVAL, sv(arg) + ": unknown member_type `" + sv(toks[3]) + "'");
  if (load) {
    auto dst = parse_subfield(toks[4]);
    if (!dst.ok()) return dst.error();
    b.dst = *dst;
  }
  ctx.out->push_back(std::move(b));
  return ok_status();
}

Status parse_bundle(std::string_view arg, ActionParseCtx& ctx) {
  return parse_bundle_common(arg, ctx, false);
}
Status parse_bundle_load(std::string_view arg, ActionParseCtx& ctx) {
  return parse_bundle_common(arg, ctx, true);
}

Status parse_multipath(std::string_view arg, ActionParseCtx& ctx) {
  auto toks = tokenize(arg, ", ");
  if (toks.size() < 6) return Error(EINVAL, sv(arg) + ": not enough arguments to multipath action");
  ActMultipath mp;
  const char* fields = canonical_hash_fields(toks[0]);
  if (!fields) return Error(EINVAL, sv(arg) + ": unknown fields `" + sv(toks[0]) + "'");
  mp.fields = fields;
  mp.basis = static_cast<uint16_t>(atoi(sv(toks[1]).c_str()));
  static const char* kAlgs[] = {"modulo_n", "hash_threshold", "hrw", "iter_hash"};
  for (const char* a : kAlgs)
    if (!strcasecmp(sv(toks[2]).c_str(), a)) mp.algorithm = a;
  if (mp.algorithm.empty())
    return Error(EINVAL, sv(arg) + ": unknown algorithm `" + sv(toks[2]) + "'");
  int n_links = atoi(sv(toks[3]).c_str());
  if (n_links < 1 || n_links > 65536)
    return Error(EINVAL, strfmt("%s: n_links %d is not in valid range 1 to 65536",
                                sv(arg).c_str(), n_links));
  mp.max_link = static_cast<uint16_t>(n_links - 1);
  mp.arg = static_cast<uint32_t>(atoi(sv(toks[4]).c_str()));
  auto dst = parse_subfield(toks[5]);
  if (!dst.ok()) return dst.error();
  mp.dst = *dst;
  if (mp.dst.n_bits < 16 && n_links > (1 << mp.dst.n_bits))
    return Error(EINVAL, strfmt("%s: %d-bit destination field has %u possible values, less "
                                "than specified n_links %d",
                                sv(arg).c_str(), mp.dst.n_bits, 1u << mp.dst.n_bits, n_links));
  ctx.out->push_back(std::move(mp));
  return ok_status();
}

Status parse_sample(std::string_view arg, ActionParseCtx& ctx) {
  ActSample s;
  std::string_view rest = arg, key, value;
  while (parse_key_value(rest, key, value)) {
    if (key == "probability") {
      auto v = str_to_u16(value, "probability");
      if (!v.ok()) return v.error();
      if (!*v) return Error(EINVAL, "invalid probability value \"" + sv(value) + "\"");
      s.probability = *v;
    } else if (key == "collector_set_id" || key == "obs_domain_id" || key == "obs_point_id") {
      auto v = str_to_u32(value);
      if (!v.ok()) return v.error();
      (key == "collector_set_id" ? s.collector_set_id
       : key == "obs_domain_id"  ? s.obs_domain_id
                                 : s.obs_point_id) = *v;
    } else if (key == "sampling_port") {
      auto p = port_from_string(value, ctx.ports);
      if (!p) return Error(EINVAL, sv(value) + ": unknown port");
      s.sampling_port = *p;
    } else if (key == "ingress") {
      s.direction = 1;
    } else if (key == "egress") {
      s.direction = 2;
    } else {
      return Error(EINVAL, "invalid key \"" + sv(key) + "\" in \"sample\" argument");
    }
  }
  if (!s.probability) return Error(EINVAL, "non-zero \"probability\" must be specified on sample");
  ctx.out->push_back(s);
  return ok_status();
}

}  // namespace grebe::openflow
