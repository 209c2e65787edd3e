// OVSDB types (RFC 7047 section 3.2 plus OVS's extensions).
//
// An Atom is one value of an atomic type.  A BaseType is an atomic type with
// its constraints (enum, integer/real range, string length, refTable and
// refType).  A Type is a key BaseType, an optional value BaseType (present for
// maps), and the min/max number of elements.  All of this is plain data,
// safe to share read-only between threads.
#pragma once

#include <cfloat>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "grebe/ovsdb/error.h"
#include "grebe/util/uuid.h"

namespace grebe::ovsdb {

enum class AtomicType : uint8_t { kVoid, kInteger, kReal, kBoolean, kString, kUuid };

// "integer", "real", ... ("void" for kVoid).
const char* atomic_type_name(AtomicType type);
std::optional<AtomicType> atomic_type_from_string(std::string_view s);

// One atomic value; the variant index matches AtomicType minus one.
using Atom = std::variant<int64_t, double, bool, std::string, Uuid>;

AtomicType atom_type(const Atom& atom);
// The default atom of a type: 0, 0.0, false, "", all-zeros UUID.
Atom default_atom(AtomicType type);
// Three-way comparison of atoms of the same type (OVS's ordering).
int atom_compare(const Atom& a, const Atom& b);
inline bool atom_less(const Atom& a, const Atom& b) { return atom_compare(a, b) < 0; }

enum class RefType : uint8_t { kStrong, kWeak };

struct BaseType {
  AtomicType type = AtomicType::kVoid;
  // Allowed values, sorted and unique; engaged when the schema has "enum".
  std::optional<std::vector<Atom>> enum_values;
  int64_t min_integer = INT64_MIN, max_integer = INT64_MAX;
  double min_real = -DBL_MAX, max_real = DBL_MAX;
  unsigned min_length = 0, max_length = UINT_MAX;
  std::string ref_table;  // empty: not a reference
  RefType ref_type = RefType::kStrong;

  BaseType() = default;
  explicit BaseType(AtomicType t) : type(t) {}

  bool is_ref() const { return type == AtomicType::kUuid && !ref_table.empty(); }
  bool is_strong_ref() const { return is_ref() && ref_type == RefType::kStrong; }
  bool is_weak_ref() const { return is_ref() && ref_type == RefType::kWeak; }
  bool has_constraints() const;
  void clear_constraints() { *this = BaseType(type); }

  // Parses a <base-type>: "integer" or {"type":"integer","minInteger":...}.
  static OResult<BaseType> from_json(const Json& json);
  Json to_json() const;

  // Checks 'atom' (of this type) against the constraints; "constraint
  // violation" with OVS's wording on failure.
  OStatus check(const Atom& atom) const;
};

struct Type {
  BaseType key;
  BaseType value;  // kVoid unless this is a map
  unsigned n_min = 1;
  unsigned n_max = 1;

  Type() = default;
  Type(BaseType k, unsigned min, unsigned max) : key(std::move(k)), n_min(min), n_max(max) {}

  bool is_map() const { return value.type != AtomicType::kVoid; }
  bool is_set() const { return !is_map() && (n_min != 1 || n_max != 1); }
  bool is_scalar() const { return !is_map() && n_min == 1 && n_max == 1; }
  bool is_optional_scalar() const { return !is_map() && n_min == 0 && n_max == 1; }
  bool is_composite() const { return n_max > 1; }

  // Parses a <type>: an atomic type name or {"key":..,"value":..,"min":..,"max":..}.
  static OResult<Type> from_json(const Json& json);
  Json to_json() const;
  // "integer", "set of up to 4 strings", "map of (string, string) pairs", ...
  std::string to_english() const;
};

bool operator==(const BaseType& a, const BaseType& b);
bool operator==(const Type& a, const Type& b);

// Types used internally: a single UUID (for _uuid/_version).
Type uuid_type();

}  // namespace grebe::ovsdb
