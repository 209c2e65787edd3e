// OVSDB atomic, base and column types: parsing, printing, constraint checks.
#include "grebe/ovsdb/types.h"

#include <cmath>
#include <cstdio>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/parser.h"

namespace grebe::ovsdb {

const char* atomic_type_name(AtomicType type) {
  switch (type) {
    case AtomicType::kVoid: return "void";
    case AtomicType::kInteger: return "integer";
    case AtomicType::kReal: return "real";
    case AtomicType::kBoolean: return "boolean";
    case AtomicType::kString: return "string";
    case AtomicType::kUuid: return "uuid";
  }
  return "void";
}

std::optional<AtomicType> atomic_type_from_string(std::string_view s) {
  if (s == "void") return AtomicType::kVoid;
  if (s == "integer") return AtomicType::kInteger;
  if (s == "real") return AtomicType::kReal;
  if (s == "boolean") return AtomicType::kBoolean;
  if (s == "string") return AtomicType::kString;
  if (s == "uuid") return AtomicType::kUuid;
  return std::nullopt;
}

AtomicType atom_type(const Atom& atom) { return AtomicType(atom.index() + 1); }

Atom default_atom(AtomicType type) {
  switch (type) {
    case AtomicType::kInteger: return int64_t(0);
    case AtomicType::kReal: return 0.0;
    case AtomicType::kBoolean: return false;
    case AtomicType::kString: return std::string();
    case AtomicType::kUuid: return Uuid::zero();
    case AtomicType::kVoid: break;
  }
  return int64_t(0);
}

int atom_compare(const Atom& a, const Atom& b) {
  if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
  switch (a.index()) {
    case 0: {
      int64_t x = std::get<0>(a), y = std::get<0>(b);
      return x < y ? -1 : x > y;
    }
    case 1: {
      double x = std::get<1>(a), y = std::get<1>(b);
      return x < y ? -1 : x > y;
    }
    case 2: return int(std::get<2>(a)) - int(std::get<2>(b));
    case 3: {
      int c = std::get<3>(a).compare(std::get<3>(b));
      return c < 0 ? -1 : c > 0;
    }
    default: {
      const Uuid& x = std::get<4>(a);
      const Uuid& y = std::get<4>(b);
      return x < y ? -1 : (y < x ? 1 : 0);
    }
  }
}

bool BaseType::has_constraints() const {
  if (enum_values) return true;
  switch (type) {
    case AtomicType::kInteger: return min_integer != INT64_MIN || max_integer != INT64_MAX;
    case AtomicType::kReal: return min_real != -DBL_MAX || max_real != DBL_MAX;
    case AtomicType::kString: return min_length != 0 || max_length != UINT_MAX;
    case AtomicType::kUuid: return !ref_table.empty();
    default: return false;
  }
}

namespace {

OResult<AtomicType> parse_atomic_type(const Json& json) {
  if (!json.is_string()) return syntax_error(&json, nullptr, "atomic-type expected");
  const auto& s = json.get_ref<const std::string&>();
  auto t = atomic_type_from_string(s);
  if (!t || *t == AtomicType::kVoid) {
    return syntax_error(&json, nullptr, "\"%s\" is not an atomic-type", s.c_str());
  }
  return *t;
}

std::optional<OvsdbError> parse_optional_uint(Parser& parser, const char* name, unsigned* out) {
  const Json* j = parser.member(name, Parser::kInteger | Parser::kOptional);
  if (j) {
    int64_t v = json_integer(*j).value_or(INT64_MAX);
    if (v < 0 || v > int64_t(UINT_MAX)) {
      return syntax_error(j, nullptr, "%s out of valid range 0 to %u", name, UINT_MAX);
    }
    *out = unsigned(v);
  }
  return std::nullopt;
}

// Parses the type-specific constraint members of an object <base-type>.
std::optional<OvsdbError> parse_constraints(BaseType& base, Parser& parser, const Json& json) {
  if (const Json* e = parser.member("enum", Parser::kAny | Parser::kOptional)) {
    Type enum_type(BaseType(base.type), 1, UINT_MAX);
    auto d = Datum::from_json(enum_type, *e, nullptr);
    if (!d.ok()) return d.take_error();
    base.enum_values = std::move(d->keys);
    return std::nullopt;
  }
  switch (base.type) {
    case AtomicType::kInteger: {
      const Json* min = parser.member("minInteger", Parser::kInteger | Parser::kOptional);
      const Json* max = parser.member("maxInteger", Parser::kInteger | Parser::kOptional);
      if (min) base.min_integer = *json_integer(*min);
      if (max) base.max_integer = *json_integer(*max);
      if (base.min_integer > base.max_integer) {
        return syntax_error(&json, nullptr, "minInteger exceeds maxInteger");
      }
      break;
    }
    case AtomicType::kReal: {
      const Json* min = parser.member("minReal", Parser::kNumber | Parser::kOptional);
      const Json* max = parser.member("maxReal", Parser::kNumber | Parser::kOptional);
      if (min) base.min_real = min->get<double>();
      if (max) base.max_real = max->get<double>();
      if (base.min_real > base.max_real) {
        return syntax_error(&json, nullptr, "minReal exceeds maxReal");
      }
      break;
    }
    case AtomicType::kString: {
      if (auto e = parse_optional_uint(parser, "minLength", &base.min_length)) return e;
      if (auto e = parse_optional_uint(parser, "maxLength", &base.max_length)) return e;
      if (base.min_length > base.max_length) {
        return syntax_error(&json, nullptr, "minLength exceeds maxLength");
      }
      break;
    }
    case AtomicType::kUuid: {
      const Json* ref = parser.member("refTable", Parser::kId | Parser::kOptional);
      if (!ref) break;
      base.ref_table = ref->get<std::string>();
      const Json* rt = parser.member("refType", Parser::kId | Parser::kOptional);
      if (rt) {
        const auto& s = rt->get_ref<const std::string&>();
        if (s == "strong") {
          base.ref_type = RefType::kStrong;
        } else if (s == "weak") {
          base.ref_type = RefType::kWeak;
        } else {
          return syntax_error(&json, nullptr,
                              "refType must be \"strong\" or \"weak\" (not \"%s\")", s.c_str());
        }
      }
      break;
    }
    default: break;
  }
  return std::nullopt;
}

std::string format_real(double d) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*g", DBL_DIG, d);
  return buf;
}

}  // namespace

OResult<BaseType> BaseType::from_json(const Json& json) {
  if (json.is_string()) {
    auto t = parse_atomic_type(json);
    if (!t.ok()) return t.take_error();
    return BaseType(*t);
  }
  Parser parser(json, "ovsdb type");
  const Json* type = parser.member("type", Parser::kString);
  if (parser.has_error()) return *parser.finish();
  auto t = parse_atomic_type(*type);
  if (!t.ok()) return t.take_error();
  BaseType base(*t);
  std::optional<OvsdbError> error = parse_constraints(base, parser, json);
  std::optional<OvsdbError> finish_error = parser.finish();
  if (error) return *error;
  if (finish_error) return *finish_error;
  return base;
}

Json BaseType::to_json() const {
  if (!has_constraints()) return atomic_type_name(type);
  Json j = Json::object();
  j["type"] = atomic_type_name(type);
  if (enum_values) {
    Datum d;
    d.keys = *enum_values;
    j["enum"] = d.to_json(Type(BaseType(type), 1, UINT_MAX));
  }
  switch (type) {
    case AtomicType::kInteger:
      if (min_integer != INT64_MIN) j["minInteger"] = min_integer;
      if (max_integer != INT64_MAX) j["maxInteger"] = max_integer;
      break;
    case AtomicType::kReal:
      if (min_real != -DBL_MAX) j["minReal"] = min_real;
      if (max_real != DBL_MAX) j["maxReal"] = max_real;
      break;
    case AtomicType::kString:
      if (min_length != 0) j["minLength"] = min_length;
      if (max_length != UINT_MAX) j["maxLength"] = max_length;
      break;
    case AtomicType::kUuid:
      if (!ref_table.empty()) {
        j["refTable"] = ref_table;
        if (ref_type == RefType::kWeak) j["refType"] = "weak";
      }
      break;
    default: break;
  }
  return j;
}

OStatus BaseType::check(const Atom& atom) const {
  if (enum_values) {
    for (const Atom& a : *enum_values) {
      if (atom_compare(a, atom) == 0) return {};
    }
    Datum d;
    d.keys = *enum_values;
    Type t(BaseType(type), 1, UINT_MAX);
    return make_error("constraint violation", "%s is not one of the allowed values (%s)",
                      atom_to_string(atom).c_str(), d.to_string(t).c_str());
  }
  switch (type) {
    case AtomicType::kInteger: {
      int64_t v = std::get<int64_t>(atom);
      if (v >= min_integer && v <= max_integer) return {};
      if (min_integer != INT64_MIN && max_integer != INT64_MAX) {
        return make_error("constraint violation",
                          "%lld is not in the valid range %lld to %lld (inclusive)",
                          (long long)v, (long long)min_integer, (long long)max_integer);
      }
      if (v < min_integer) {
        return make_error("constraint violation", "%lld is less than minimum allowed value %lld",
                          (long long)v, (long long)min_integer);
      }
      return make_error("constraint violation", "%lld is greater than maximum allowed value %lld",
                        (long long)v, (long long)max_integer);
    }
    case AtomicType::kReal: {
      double v = std::get<double>(atom);
      if (v >= min_real && v <= max_real) return {};
      std::string s = format_real(v), lo = format_real(min_real), hi = format_real(max_real);
      if (min_real != -DBL_MAX && max_real != DBL_MAX) {
        return make_error("constraint violation", "%s is not in the valid range %s to %s (inclusive)",
                          s.c_str(), lo.c_str(), hi.c_str());
      }
      if (v < min_real) {
        return make_error("constraint violation", "%s is less than minimum allowed value %s",
                          s.c_str(), lo.c_str());
      }
      return make_error("constraint violation", "%s is greater than maximum allowed value %s",
                        s.c_str(), hi.c_str());
    }
    case AtomicType::kString: {
      const std::string& s = std::get<std::string>(atom);
      // Lengths count UTF-8 characters, as OVS does.
      size_t n_chars = 0;
      for (unsigned char c : s) n_chars += (c & 0xc0) != 0x80;
      if (n_chars < min_length) {
        return make_error("constraint violation",
                          "\"%s\" length %zu is less than minimum allowed length %u", s.c_str(),
                          n_chars, min_length);
      }
      if (n_chars > max_length) {
        return make_error("constraint violation",
                          "\"%s\" length %zu is greater than maximum allowed length %u",
                          s.c_str(), n_chars, max_length);
      }
      return {};
    }
    default: return {};
  }
}

namespace {

OResult<unsigned> n_from_json(const Json* json, unsigned dflt) {
  if (!json) return dflt;
  if (auto v = json_integer(*json); v && *v >= 0 && *v < int64_t(UINT_MAX)) return unsigned(*v);
  return syntax_error(json, nullptr, "bad min or max value");
}

}  // namespace

OResult<Type> Type::from_json(const Json& json) {
  Type type;
  if (json.is_string()) {
    auto key = BaseType::from_json(json);
    if (!key.ok()) return key.take_error();
    type.key = std::move(*key);
    return type;
  }
  if (!json.is_object()) return syntax_error(&json, nullptr, "ovsdb type expected");

  Parser parser(json, "ovsdb type");
  const Json* key = parser.member("key", Parser::kString | Parser::kObject);
  const Json* value = parser.member("value", Parser::kString | Parser::kObject | Parser::kOptional);
  const Json* min = parser.member("min", Parser::kInteger | Parser::kOptional);
  const Json* max = parser.member("max", Parser::kInteger | Parser::kString | Parser::kOptional);
  if (auto e = parser.finish()) return *e;

  auto k = BaseType::from_json(*key);
  if (!k.ok()) return k.take_error();
  type.key = std::move(*k);
  if (value) {
    auto v = BaseType::from_json(*value);
    if (!v.ok()) return v.take_error();
    type.value = std::move(*v);
  }
  auto n_min = n_from_json(min, 1);
  if (!n_min.ok()) return n_min.take_error();
  type.n_min = *n_min;
  if (max && max->is_string() && max->get_ref<const std::string&>() == "unlimited") {
    type.n_max = UINT_MAX;
  } else {
    auto n_max = n_from_json(max, 1);
    if (!n_max.ok()) return n_max.take_error();
    type.n_max = *n_max;
  }
  if (type.n_min > 1 || type.n_max < 1) {
    return syntax_error(&json, nullptr, "ovsdb type fails constraint checks");
  }
  return type;
}

Json Type::to_json() const {
  if (is_scalar() && !key.has_constraints()) return key.to_json();
  Json j = Json::object();
  j["key"] = key.to_json();
  if (value.type != AtomicType::kVoid) j["value"] = value.to_json();
  if (n_min != 1) j["min"] = n_min;
  if (n_max == UINT_MAX) {
    j["max"] = "unlimited";
  } else if (n_max != 1) {
    j["max"] = n_max;
  }
  return j;
}

std::string Type::to_english() const {
  const char* k = atomic_type_name(key.type);
  if (is_scalar()) return k;
  std::string s = is_map() ? "map" : "set";
  char buf[64];
  if (n_max == UINT_MAX) {
    if (n_min) {
      snprintf(buf, sizeof buf, " of %u or more", n_min);
      s += buf;
    } else {
      s += " of";
    }
  } else if (n_min) {
    snprintf(buf, sizeof buf, " of %u to %u", n_min, n_max);
    s += buf;
  } else {
    snprintf(buf, sizeof buf, " of up to %u", n_max);
    s += buf;
  }
  if (is_map()) {
    s += std::string(" (") + k + ", " + atomic_type_name(value.type) + ") pairs";
  } else {
    s += std::string(" ") + k + "s";
  }
  return s;
}

bool operator==(const BaseType& a, const BaseType& b) { return a.to_json() == b.to_json(); }

bool operator==(const Type& a, const Type& b) {
  return a.key == b.key && a.value == b.value && a.n_min == b.n_min && a.n_max == b.n_max;
}

Type uuid_type() { return Type(BaseType(AtomicType::kUuid), 1, 1); }

}  // namespace grebe::ovsdb
