// OVSDB text syntax for atoms and data (the command-line form).
#include "grebe/ovsdb_idl/datum_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace grebe::ovsdb_idl {

using ovsdb::Atom;
using ovsdb::AtomicType;
using ovsdb::BaseType;
using ovsdb::Datum;
using ovsdb::Type;

namespace {

bool str_to_llong(const std::string& s, long long* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end;
  long long v = strtoll(s.c_str(), &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

bool str_to_double(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end;
  double v = strtod(s.c_str(), &end);
  if (errno || *end || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

Result<Atom> parse_string_atom(const std::string& s) {
  if (s.empty()) {
    return Error(EINVAL,
                 "An empty string is not valid as input; use \"\" to represent the empty string");
  }
  if (s[0] != '"') return Atom(s);
  if (s.size() < 2 || s.back() != '"') {
    return Error(EINVAL, s + ": missing quote at end of quoted string");
  }
  try {
    ovsdb::Json j = ovsdb::Json::parse(s);
    if (j.is_string()) return Atom(j.get<std::string>());
  } catch (const std::exception&) {
  }
  return Error(EINVAL, s + ": invalid string escape");
}

Result<Atom> parse_atom(const BaseType& base, const std::string& s, ovsdb::SymbolTable* symtab) {
  switch (base.type) {
    case AtomicType::kInteger: {
      long long v;
      if (!str_to_llong(s, &v)) return Error(EINVAL, "\"" + s + "\" is not a valid integer");
      return Atom(int64_t(v));
    }
    case AtomicType::kReal: {
      double v;
      if (!str_to_double(s, &v)) return Error(EINVAL, "\"" + s + "\" is not a valid real number");
      return Atom(v == 0.0 ? 0.0 : v);
    }
    case AtomicType::kBoolean:
      if (s == "true" || s == "yes" || s == "on" || s == "1") return Atom(true);
      if (s == "false" || s == "no" || s == "off" || s == "0") return Atom(false);
      return Error(EINVAL, "\"" + s + "\" is not a valid boolean (use \"true\" or \"false\")");
    case AtomicType::kString:
      return parse_string_atom(s);
    case AtomicType::kUuid: {
      if (!s.empty() && s[0] == '@' && symtab) {
        ovsdb::Symbol& sym = symtab->insert(s);
        if (base.is_strong_ref()) sym.strong_ref = true;
        if (base.is_weak_ref()) sym.weak_ref = true;
        return Atom(sym.uuid);
      }
      auto u = Uuid::from_string(s);
      if (!u) return Error(EINVAL, "\"" + s + "\" is not a valid UUID");
      return Atom(*u);
    }
    case AtomicType::kVoid:
      break;
  }
  return Error(EINVAL, "void atom");
}

}  // namespace

bool is_token_delim(char c) { return c && strchr(":=, []{}!<>", c) != nullptr; }

Result<std::string> parse_token(std::string_view s, size_t* pos) {
  std::string out;
  bool in_quotes = false;
  size_t p = *pos;
  while (p < s.size()) {
    char c = s[p++];
    if (c == '\\') {
      if (in_quotes) out += '\\';
      if (p >= s.size()) {
        return Error(EINVAL, std::string(s.substr(*pos)) + ": backslash at end of argument");
      }
      out += s[p++];
    } else if (!in_quotes && is_token_delim(c)) {
      p--;
      break;
    } else {
      out += c;
      if (c == '"') in_quotes = !in_quotes;
    }
  }
  if (in_quotes) {
    return Error(EINVAL,
                 std::string(s.substr(*pos)) + ": quoted string extends past end of argument");
  }
  *pos = p;
  return out;
}

Result<Atom> atom_from_text(const BaseType& base, const std::string& s,
                            ovsdb::SymbolTable* symtab) {
  auto atom = parse_atom(base, s, symtab);
  if (!atom) return atom;
  auto st = base.check(*atom);
  if (!st.ok()) return Error(EINVAL, st.error().to_string());
  return atom;
}

namespace {

size_t skip_spaces(std::string_view s, size_t p) {
  while (p < s.size() && isspace(static_cast<unsigned char>(s[p]))) p++;
  return p;
}

// Parses "key" or "key=value" (an integer key may be a range "a-b").
Status parse_element(const Type& type, const std::string& s, size_t* p,
                     ovsdb::SymbolTable* symtab, Datum* d) {
  size_t start = *p;
  auto key_text = parse_token(s, p);
  if (!key_text) return key_text.take_error();
  long long lo, hi;
  size_t dash = key_text->find('-', 1);
  if (type.key.type == AtomicType::kInteger && !type.is_map() && dash != std::string::npos &&
      str_to_llong(key_text->substr(0, dash), &lo) &&
      str_to_llong(key_text->substr(dash + 1), &hi)) {
    if (hi < lo) {
      return Error(EINVAL, "\"" + *key_text + "\" is not a valid range. Range end cannot be before start.");
    }
    for (long long i = lo; i <= hi; i++) {
      auto st = type.key.check(Atom(int64_t(i)));
      if (!st.ok()) return Error(EINVAL, st.error().to_string());
      d->keys.push_back(Atom(int64_t(i)));
    }
    return {};
  }
  auto key = atom_from_text(type.key, *key_text, symtab);
  if (!key) return key.take_error();
  if (type.is_map()) {
    *p = skip_spaces(s, *p);
    if (*p >= s.size() || s[*p] != '=') {
      char c = *p < s.size() ? s[*p] : '\0';
      return Error(EINVAL, s.substr(start) + ": syntax error at \"" + std::string(1, c) +
                               "\" expecting \"=\"");
    }
    *p = skip_spaces(s, *p + 1);
    auto value_text = parse_token(s, p);
    if (!value_text) return value_text.take_error();
    auto value = atom_from_text(type.value, *value_text, symtab);
    if (!value) return value.take_error();
    d->values.push_back(std::move(*value));
  }
  d->keys.push_back(std::move(*key));
  return {};
}

}  // namespace

Result<Datum> datum_from_text(const Type& type, const std::string& s,
                              ovsdb::SymbolTable* symtab) {
  bool is_map = type.is_map();
  size_t p = skip_spaces(s, 0);
  char end_delim = 0;
  if (p < s.size() && s[p] == (is_map ? '{' : '[')) {
    end_delim = is_map ? '}' : ']';
    p = skip_spaces(s, p + 1);
  } else if (p >= s.size()) {
    return Error(EINVAL, is_map ? "use \"{}\" to specify the empty map"
                                : "use \"[]\" to specify the empty set");
  }
  Datum d;
  while (p < s.size() && s[p] != end_delim) {
    if (is_token_delim(s[p])) {
      return Error(EINVAL, s + ": unexpected \"" + std::string(1, s[p]) + "\" parsing " +
                               type.to_english());
    }
    GREBE_TRY(parse_element(type, s, &p, symtab, &d));
    p = skip_spaces(s, p);
    if (p < s.size() && s[p] == ',') p = skip_spaces(s, p + 1);
  }
  char at = p < s.size() ? s[p] : '\0';
  if (at != end_delim) {
    return Error(EINVAL, s + ": missing \"" + std::string(1, end_delim) + "\" at end of data");
  }
  if (end_delim && skip_spaces(s, p + 1) < s.size()) {
    return Error(EINVAL, s + ": trailing garbage after \"" + std::string(1, end_delim) + "\"");
  }
  const char* what = is_map ? "pair(s)" : "value(s)";
  if (d.size() < type.n_min) {
    return Error(EINVAL, s + ": " + std::to_string(d.size()) + " " + what +
                             " specified but the minimum number is " + std::to_string(type.n_min));
  }
  if (d.size() > type.n_max) {
    return Error(EINVAL, s + ": " + std::to_string(d.size()) + " " + what +
                             " specified but the maximum number is " + std::to_string(type.n_max));
  }
  if (!d.sort(type).ok()) {
    return Error(EINVAL, s + (is_map ? ": map contains duplicate key"
                                     : ": set contains duplicate value"));
  }
  return d;
}

std::string atom_to_bare(const Atom& atom) {
  if (atom.index() == 3) return std::get<3>(atom);
  return ovsdb::atom_to_string(atom);
}

std::string datum_to_bare(const Datum& datum, const Type& type) {
  std::string out;
  for (size_t i = 0; i < datum.size(); i++) {
    if (i) out += ' ';
    out += atom_to_bare(datum.keys[i]);
    if (type.is_map()) out += '=' + atom_to_bare(datum.values[i]);
  }
  return out;
}

}  // namespace grebe::ovsdb_idl
