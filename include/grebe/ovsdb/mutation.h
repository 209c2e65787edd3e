// RFC 7047 mutations ("+=", "-=", "*=", "/=", "%=", "insert", "delete").
#pragma once

#include <vector>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb {

enum class Mutator { kAdd, kSub, kMul, kDiv, kMod, kInsert, kDelete };

const char* mutator_name(Mutator m);

struct Mutation {
  size_t column = 0;
  Mutator mutator = Mutator::kAdd;
  Datum arg;
  Type arg_type;  // the relaxed type 'arg' was parsed with
};

class MutationSet {
 public:
  // Parses a JSON array of [column, mutator, value].  Errors as OVS: "Parse
  // error in mutation.", "unknown column", "unknown mutator", "Cannot mutate
  // immutable column ...", "Type mismatch ...".
  static OResult<MutationSet> from_json(const TableSchema& table, const Json& json,
                                        SymbolTable* symtab);

  // Applies every mutation to 'fields' in order.  On failure ("domain
  // error", "range error", "constraint violation") 'fields' may be partly
  // mutated: callers work on a copy.
  OStatus execute(std::vector<Datum>& fields, const TableSchema& table) const;
  const std::vector<Mutation>& mutations() const { return mutations_; }

 private:
  std::vector<Mutation> mutations_;
};

}  // namespace grebe::ovsdb
