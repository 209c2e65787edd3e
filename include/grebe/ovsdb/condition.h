// RFC 7047 conditions ("where" clauses): parse once, evaluate per row.
//
// A row is given as its field vector (indexed by ColumnSchema::index), so
// conditions work on any row store: the server's tables, a replica, a test.
#pragma once

#include <optional>
#include <vector>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb {

enum class Function { kTrue, kFalse, kLt, kLe, kEq, kNe, kGe, kGt, kIncludes, kExcludes };

const char* function_name(Function f);

struct Clause {
  Function function = Function::kTrue;
  size_t column = 0;  // index into the row's fields
  Datum arg;
};

class Condition {
 public:
  // Parses a JSON array of clauses (each [column, function, value], or the
  // OVS extension true / false).  Errors as OVS: "Parse error in
  // condition.", "unknown column", "unknown function", "Type mismatch ...".
  static OResult<Condition> from_json(const TableSchema& table, const Json& where,
                                      SymbolTable* symtab);
  Json to_json(const TableSchema& table) const;

  // True if every clause holds for 'fields' (an empty condition matches all).
  bool evaluate(const std::vector<Datum>& fields) const;
  // True if any clause holds, or there are none: monitor conditions are
  // disjunctions ("monitor_cond").
  bool evaluate_any(const std::vector<Datum>& fields) const;
  // If one clause is "_uuid == X", returns X: callers look the row up directly.
  std::optional<Uuid> uuid_eq() const;
  bool empty() const { return clauses_.empty(); }
  const std::vector<Clause>& clauses() const { return clauses_; }

 private:
  std::vector<Clause> clauses_;
};

// True if 'a' contains every element (pair, for maps) of 'b'.
bool datum_includes_all(const Datum& a, const Datum& b, bool is_map);
// True if 'a' contains no element (pair, for maps) of 'b'.
bool datum_excludes_all(const Datum& a, const Datum& b, bool is_map);

}  // namespace grebe::ovsdb
