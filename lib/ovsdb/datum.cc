// Datum: canonical sets and maps of atoms, and their JSON and text forms.
#include "grebe/ovsdb/datum.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace grebe::ovsdb {

Symbol& SymbolTable::insert(const std::string& name) {
  auto it = symbols_.find(name);
  if (it == symbols_.end()) {
    it = symbols_.emplace(name, Symbol{}).first;
    it->second.uuid = Uuid::generate();
  }
  return it->second;
}

Symbol* SymbolTable::find(const std::string& name) {
  auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : &it->second;
}

bool is_id(std::string_view s) {
  if (s.empty()) return false;
  unsigned char c = s[0];
  if (!isalpha(c) && c != '_') return false;
  for (unsigned char d : s.substr(1)) {
    if (!isalnum(d) && d != '_') return false;
  }
  return true;
}

namespace {

// Unwraps ["<name>", <value>] where <value> has the given JSON type.
const Json* unwrap(const Json& json, const char* name, Json::value_t type, const char* type_name,
                   OvsdbError* error) {
  if (json.is_array() && json.size() == 2 && json[0].is_string() &&
      json[0].get_ref<const std::string&>() == name && json[1].type() == type) {
    return &json[1];
  }
  *error = syntax_error(&json, nullptr, "expected [\"%s\", <%s>]", name, type_name);
  return nullptr;
}

OResult<Atom> parse_uuid(const BaseType& base, const Json& json, SymbolTable* symtab) {
  OvsdbError error0;
  if (const Json* v = unwrap(json, "uuid", Json::value_t::string, "string", &error0)) {
    const auto& s = v->get_ref<const std::string&>();
    auto uuid = Uuid::from_string(s);
    if (!uuid) return syntax_error(&json, nullptr, "\"%s\" is not a valid UUID", s.c_str());
    return Atom(*uuid);
  }
  if (symtab) {
    OvsdbError error1;
    if (const Json* v = unwrap(json, "named-uuid", Json::value_t::string, "string", &error1)) {
      const auto& name = v->get_ref<const std::string&>();
      if (!is_id(name)) {
        return syntax_error(&json, nullptr, "named-uuid string is not a valid <id>");
      }
      Symbol& symbol = symtab->insert(name);
      if (base.is_strong_ref()) symbol.strong_ref = true;
      if (base.is_weak_ref()) symbol.weak_ref = true;
      return Atom(symbol.uuid);
    }
  }
  return error0;
}

OResult<Atom> parse_atom(const BaseType& base, const Json& json, SymbolTable* symtab) {
  switch (base.type) {
    case AtomicType::kInteger:
      if (auto v = json_integer(json)) return Atom(*v);
      break;
    case AtomicType::kReal:
      if (json.is_number()) return Atom(json.get<double>());
      break;
    case AtomicType::kBoolean:
      if (json.is_boolean()) return Atom(json.get<bool>());
      break;
    case AtomicType::kString:
      if (json.is_string()) return Atom(json.get<std::string>());
      break;
    case AtomicType::kUuid: return parse_uuid(base, json, symtab);
    case AtomicType::kVoid: break;
  }
  return syntax_error(&json, nullptr, "expected %s", atomic_type_name(base.type));
}

bool string_needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  unsigned char c = s[0];
  if (!isalpha(c) && c != '_') return true;
  for (unsigned char d : s) {
    if (!isalnum(d) && d != '_' && d != '-' && d != '.') return true;
  }
  if (s == "true" || s == "false") return true;
  return Uuid::is_uuid_string(s);
}

// Permutation that sorts 'keys'.
std::vector<size_t> sort_order(const std::vector<Atom>& keys) {
  std::vector<size_t> idx(keys.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](size_t a, size_t b) { return atom_less(keys[a], keys[b]); });
  return idx;
}

void apply_order(Datum& d, const std::vector<size_t>& idx) {
  std::vector<Atom> keys, values;
  keys.reserve(idx.size());
  for (size_t i : idx) keys.push_back(std::move(d.keys[i]));
  if (!d.values.empty()) {
    values.reserve(idx.size());
    for (size_t i : idx) values.push_back(std::move(d.values[i]));
  }
  d.keys = std::move(keys);
  d.values = std::move(values);
}

OResult<Datum> datum_from_json(const Type& type, const Json& json, SymbolTable* symtab,
                               bool check_count) {
  Datum d;
  bool is_map = type.is_map();
  if (is_map || (json.is_array() && !json.empty() && json[0].is_string() &&
                 json[0].get_ref<const std::string&>() == "set")) {
    const char* cls = is_map ? "map" : "set";
    OvsdbError error;
    const Json* inner = unwrap(json, cls, Json::value_t::array, "array", &error);
    if (!inner) return error;
    size_t n = inner->size();
    if (check_count && (n < type.n_min || n > type.n_max)) {
      if (type.n_min == 1 && type.n_max == 1) {
        return syntax_error(&json, nullptr, "%s must have exactly one member but %zu are present",
                            cls, n);
      }
      return syntax_error(&json, nullptr, "%s must have %u to %u members but %zu are present", cls,
                          type.n_min, type.n_max, n);
    }
    for (const Json& element : *inner) {
      const Json* key = &element;
      const Json* value = nullptr;
      if (is_map) {
        if (!element.is_array() || element.size() != 2) {
          return syntax_error(&element, nullptr, "expected 2-element array");
        }
        key = &element[0];
        value = &element[1];
      }
      auto k = atom_from_json(type.key, *key, symtab);
      if (!k.ok()) return k.take_error();
      d.keys.push_back(std::move(*k));
      if (is_map) {
        auto v = atom_from_json(type.value, *value, symtab);
        if (!v.ok()) return v.take_error();
        d.values.push_back(std::move(*v));
      }
    }
  } else {
    auto k = atom_from_json(type.key, json, symtab);
    if (!k.ok()) return k.take_error();
    d.keys.push_back(std::move(*k));
  }
  GREBE_TRY(d.sort(type));
  return d;
}

}  // namespace

OResult<Atom> atom_from_json(const BaseType& base, const Json& json, SymbolTable* symtab) {
  auto atom = parse_atom(base, json, symtab);
  if (!atom.ok()) return atom;
  auto st = base.check(*atom);
  if (!st.ok()) return st.take_error();
  return atom;
}

Json atom_to_json(const Atom& atom) {
  switch (atom.index()) {
    case 0: return std::get<0>(atom);
    case 1: return std::get<1>(atom);
    case 2: return std::get<2>(atom);
    case 3: return std::get<3>(atom);
    default: return Json::array({"uuid", std::get<4>(atom).to_string()});
  }
}

std::string atom_to_string(const Atom& atom) {
  switch (atom.index()) {
    case 0: return std::to_string(std::get<0>(atom));
    case 1: {
      char buf[64];
      snprintf(buf, sizeof buf, "%.*g", DBL_DIG, std::get<1>(atom));
      return buf;
    }
    case 2: return std::get<2>(atom) ? "true" : "false";
    case 3: {
      const std::string& s = std::get<3>(atom);
      return string_needs_quotes(s) ? json_to_string(Json(s)) : s;
    }
    default: return std::get<4>(atom).to_string();
  }
}

Datum Datum::default_for(const Type& type) {
  Datum d;
  if (type.n_min) {
    d.keys.push_back(default_atom(type.key.type));
    if (type.is_map()) d.values.push_back(default_atom(type.value.type));
  }
  return d;
}

bool Datum::is_default(const Type& type) const { return *this == default_for(type); }

OResult<Datum> Datum::from_json(const Type& type, const Json& json, SymbolTable* symtab) {
  return datum_from_json(type, json, symtab, true);
}

OResult<Datum> Datum::from_json_transient(const Type& type, const Json& json,
                                          SymbolTable* symtab) {
  return datum_from_json(type, json, symtab, false);
}

Json Datum::to_json(const Type& type) const {
  if (type.is_map()) {
    Json pairs = Json::array();
    for (size_t i = 0; i < keys.size(); i++) {
      pairs.push_back(Json::array({atom_to_json(keys[i]), atom_to_json(values[i])}));
    }
    return Json::array({"map", std::move(pairs)});
  }
  if (keys.size() == 1) return atom_to_json(keys[0]);
  Json elems = Json::array();
  for (const Atom& a : keys) elems.push_back(atom_to_json(a));
  return Json::array({"set", std::move(elems)});
}

std::string Datum::to_string(const Type& type) const {
  bool is_map = type.is_map();
  bool brackets = type.n_max > 1 || keys.empty();
  std::string s;
  if (brackets) s += is_map ? '{' : '[';
  for (size_t i = 0; i < keys.size(); i++) {
    if (i) s += ", ";
    s += atom_to_string(keys[i]);
    if (is_map) s += "=" + atom_to_string(values[i]);
  }
  if (brackets) s += is_map ? '}' : ']';
  return s;
}

OStatus Datum::sort(const Type& type) {
  if (keys.size() < 2) return {};
  apply_order(*this, sort_order(keys));
  for (size_t i = 1; i < keys.size(); i++) {
    if (atom_compare(keys[i - 1], keys[i]) == 0) {
      return make_error(nullptr, type.is_map() ? "map contains duplicate key"
                                               : "set contains duplicate");
    }
  }
  return {};
}

void Datum::sort_unique(const Type& type) {
  (void)type;
  if (keys.size() < 2) return;
  apply_order(*this, sort_order(keys));
  size_t out = 1;
  for (size_t i = 1; i < keys.size(); i++) {
    if (atom_compare(keys[out - 1], keys[i]) == 0) continue;
    if (out != i) {
      keys[out] = std::move(keys[i]);
      if (!values.empty()) values[out] = std::move(values[i]);
    }
    out++;
  }
  keys.resize(out);
  if (!values.empty()) values.resize(out);
}

OStatus Datum::check_constraints(const Type& type) const {
  for (size_t i = 0; i < keys.size(); i++) {
    GREBE_TRY(type.key.check(keys[i]));
    if (type.is_map() && i < values.size()) GREBE_TRY(type.value.check(values[i]));
  }
  return {};
}

long Datum::find_key(const Atom& key) const {
  auto it = std::lower_bound(keys.begin(), keys.end(), key, atom_less);
  if (it != keys.end() && atom_compare(*it, key) == 0) return long(it - keys.begin());
  return -1;
}

void Datum::union_with(const Datum& b, const Type& type) {
  bool is_map = type.is_map();
  for (size_t i = 0; i < b.keys.size(); i++) {
    if (contains(b.keys[i])) continue;
    keys.push_back(b.keys[i]);
    if (is_map) values.push_back(b.values[i]);
  }
  sort_unique(type);
}

void Datum::subtract(const Datum& b, bool b_has_values) {
  Datum out;
  bool is_map = !values.empty();
  for (size_t i = 0; i < keys.size(); i++) {
    long j = b.find_key(keys[i]);
    bool remove = j >= 0 && (!b_has_values || !is_map ||
                             atom_compare(values[i], b.values[size_t(j)]) == 0);
    if (remove) continue;
    out.keys.push_back(std::move(keys[i]));
    if (is_map) out.values.push_back(std::move(values[i]));
  }
  *this = std::move(out);
}

Datum Datum::diff(const Datum& old_value, const Datum& new_value, const Type& type) {
  if (!type.is_composite()) return new_value;
  Datum d;
  bool is_map = type.is_map();
  size_t oi = 0, ni = 0;
  auto add = [&](const Datum& src, size_t i) {
    d.keys.push_back(src.keys[i]);
    if (is_map) d.values.push_back(src.values[i]);
  };
  while (oi < old_value.size() && ni < new_value.size()) {
    int c = atom_compare(old_value.keys[oi], new_value.keys[ni]);
    if (c < 0) {
      add(old_value, oi++);
    } else if (c > 0) {
      add(new_value, ni++);
    } else {
      if (is_map && atom_compare(old_value.values[oi], new_value.values[ni]) != 0) {
        add(new_value, ni);
      }
      oi++;
      ni++;
    }
  }
  while (oi < old_value.size()) add(old_value, oi++);
  while (ni < new_value.size()) add(new_value, ni++);
  return d;
}

OStatus Datum::apply_diff(const Datum& diff, const Type& type) {
  if (!type.is_composite()) {
    *this = diff;
    return {};
  }
  // Both are sorted: one merge pass.  A diff key absent here is added; one
  // present with another value (maps) replaces it; otherwise it is removed.
  bool is_map = type.is_map();
  Datum out;
  out.keys.reserve(size() + diff.size());
  if (is_map) out.values.reserve(size() + diff.size());
  size_t i = 0, j = 0;
  auto take = [&](const Datum& src, size_t k) {
    out.keys.push_back(src.keys[k]);
    if (is_map) out.values.push_back(src.values[k]);
  };
  while (i < size() || j < diff.size()) {
    int c = j == diff.size() ? -1 : i == size() ? 1 : atom_compare(keys[i], diff.keys[j]);
    if (c < 0) {
      take(*this, i++);
    } else if (c > 0) {
      take(diff, j++);
    } else {
      if (is_map && atom_compare(values[i], diff.values[j]) != 0) take(diff, j);
      i++;
      j++;
    }
  }
  if (!out.conforms(type)) return make_error(nullptr, "Datum crated by diff has size error");
  *this = std::move(out);
  return {};
}

bool Datum::operator==(const Datum& o) const {
  if (keys.size() != o.keys.size() || values.size() != o.values.size()) return false;
  for (size_t i = 0; i < keys.size(); i++) {
    if (atom_compare(keys[i], o.keys[i]) != 0) return false;
  }
  for (size_t i = 0; i < values.size(); i++) {
    if (atom_compare(values[i], o.values[i]) != 0) return false;
  }
  return true;
}

bool Datum::operator<(const Datum& o) const {
  size_t n = std::min(keys.size(), o.keys.size());
  for (size_t i = 0; i < n; i++) {
    int c = atom_compare(keys[i], o.keys[i]);
    if (c) return c < 0;
    if (i < values.size() && i < o.values.size()) {
      c = atom_compare(values[i], o.values[i]);
      if (c) return c < 0;
    }
  }
  return keys.size() < o.keys.size();
}

}  // namespace grebe::ovsdb
