// Datum: the value of one column in one row (RFC 7047 <value>).
//
// A datum is a set of atoms or a map of atom pairs, always kept canonical:
// keys sorted by atom_compare() and unique.  A scalar is a set of one.  The
// Type that gives a datum meaning is passed in; a datum does not carry it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "grebe/ovsdb/types.h"

namespace grebe::ovsdb {

// Named UUIDs of one transaction ("uuid-name" / ["named-uuid", name]).
struct Symbol {
  Uuid uuid;
  bool created = false;     // an "insert" defined it
  bool strong_ref = false;  // referenced from a strong reference column
  bool weak_ref = false;
};

class SymbolTable {
 public:
  // Returns the symbol, creating it (with a fresh random UUID) if new.
  Symbol& insert(const std::string& name);
  Symbol* find(const std::string& name);
  const std::map<std::string, Symbol>& symbols() const { return symbols_; }

 private:
  std::map<std::string, Symbol> symbols_;
};

struct Datum {
  std::vector<Atom> keys;
  std::vector<Atom> values;  // same length as keys for maps; empty for sets

  size_t size() const { return keys.size(); }
  bool empty() const { return keys.empty(); }

  // The default value of 'type': empty if n_min is 0, else one default atom
  // (and default value atom, for maps).
  static Datum default_for(const Type& type);
  static Datum scalar(Atom atom) { Datum d; d.keys.push_back(std::move(atom)); return d; }
  bool is_default(const Type& type) const;

  // Parses RFC 7047 JSON for 'type', checking the element count and every
  // atom's constraints, then sorting; duplicates are an error.  Named UUIDs
  // are accepted only if 'symtab' is non-null.
  static OResult<Datum> from_json(const Type& type, const Json& json,
                                  SymbolTable* symtab = nullptr);
  // Like from_json() but without the element-count check (for diffs and
  // mutation arguments that are not stored).
  static OResult<Datum> from_json_transient(const Type& type, const Json& json,
                                            SymbolTable* symtab = nullptr);
  // A lone atom for n == 1 non-maps, else ["set",[...]] or ["map",[...]].
  Json to_json(const Type& type) const;
  // OVS's human-readable form ("{a=b, c=d}", "[1, 2]", "br0").
  std::string to_string(const Type& type) const;

  // Sorts keys (and values), failing on duplicate keys with OVS's
  // "set contains duplicate" / "map contains duplicate key".
  OStatus sort(const Type& type);
  // Sorts and silently drops duplicates (first one wins).
  void sort_unique(const Type& type);
  // Checks every atom's constraints (not the element count).
  OStatus check_constraints(const Type& type) const;
  bool conforms(const Type& type) const { return size() >= type.n_min && size() <= type.n_max; }

  // Index of 'key' or -1 (keys must be sorted).
  long find_key(const Atom& key) const;
  bool contains(const Atom& key) const { return find_key(key) >= 0; }
  // Adds b's elements whose keys are not present (map insert semantics).
  void union_with(const Datum& b, const Type& type);
  // Removes b's keys; for a map 'b' given with values, only matching pairs.
  void subtract(const Datum& b, bool b_has_values);
  // OVS 2.17+ column diff: for composite types the symmetric difference
  // (maps: also keys whose value changed, with the new value); for
  // non-composite types simply 'new_value'.
  static Datum diff(const Datum& old_value, const Datum& new_value, const Type& type);
  // Applies a diff produced by diff().
  OStatus apply_diff(const Datum& diff, const Type& type);

  bool operator==(const Datum& o) const;
  bool operator!=(const Datum& o) const { return !(*this == o); }
  // Total order used for index keys and row ordering.
  bool operator<(const Datum& o) const;
};

// Atom <-> JSON for one base type; 'symtab' enables ["named-uuid", id].
OResult<Atom> atom_from_json(const BaseType& base, const Json& json, SymbolTable* symtab);
Json atom_to_json(const Atom& atom);
std::string atom_to_string(const Atom& atom);
// True if 's' is an <id>: [A-Za-z_][A-Za-z0-9_]*.
bool is_id(std::string_view s);

}  // namespace grebe::ovsdb
