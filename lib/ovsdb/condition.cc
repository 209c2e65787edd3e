// Conditions: parsing with OVS's type rules and per-row evaluation.
#include "grebe/ovsdb/condition.h"

namespace grebe::ovsdb {

const char* function_name(Function f) {
  switch (f) {
    case Function::kTrue: return "true";
    case Function::kFalse: return "false";
    case Function::kLt: return "<";
    case Function::kLe: return "<=";
    case Function::kEq: return "==";
    case Function::kNe: return "!=";
    case Function::kGe: return ">=";
    case Function::kGt: return ">";
    case Function::kIncludes: return "includes";
    case Function::kExcludes: return "excludes";
  }
  return "?";
}

namespace {

std::optional<Function> function_from_string(const std::string& s) {
  static const Function all[] = {Function::kLt, Function::kLe, Function::kEq,
                                 Function::kNe, Function::kGe, Function::kGt,
                                 Function::kIncludes, Function::kExcludes};
  for (Function f : all) {
    if (s == function_name(f)) return f;
  }
  return std::nullopt;
}

OResult<Clause> parse_clause(const TableSchema& ts, const Json& json, SymbolTable* symtab) {
  Clause clause;
  if (json.is_boolean()) {
    clause.function = json.get<bool>() ? Function::kTrue : Function::kFalse;
    return clause;
  }
  if (!json.is_array() || json.size() != 3 || !json[0].is_string() || !json[1].is_string()) {
    return syntax_error(&json, nullptr, "Parse error in condition.");
  }
  const std::string& column_name = json[0].get_ref<const std::string&>();
  const ColumnSchema* column = ts.find_column(column_name);
  if (!column) {
    return syntax_error(&json, "unknown column", "No column %s in table %s.", column_name.c_str(),
                        ts.name.c_str());
  }
  clause.column = column->index;
  auto f = function_from_string(json[1].get<std::string>());
  if (!f) {
    return syntax_error(nullptr, "unknown function", "No function named %s.",
                        json[1].get_ref<const std::string&>().c_str());
  }
  clause.function = *f;

  // Type-check, relaxing the column's type where the function allows it.
  Type type = column->type;
  switch (clause.function) {
    case Function::kLt:
    case Function::kLe:
    case Function::kGt:
    case Function::kGe:
      if (!(type.is_scalar() || type.is_optional_scalar()) ||
          (type.key.type != AtomicType::kInteger && type.key.type != AtomicType::kReal)) {
        return syntax_error(&json, nullptr,
                            "Type mismatch: \"%s\" operator may not be applied to column %s of "
                            "type %s.",
                            function_name(clause.function), column->name.c_str(),
                            type.to_english().c_str());
      }
      type.n_min = 1;
      break;
    case Function::kExcludes:
      if (!type.is_scalar()) {
        type.n_min = 0;
        type.n_max = UINT_MAX;
      }
      break;
    case Function::kIncludes:
      if (!type.is_scalar()) type.n_min = 0;
      break;
    default: break;
  }
  auto arg = Datum::from_json(type, json[2], symtab);
  if (!arg.ok()) return arg.take_error();
  clause.arg = std::move(*arg);
  return clause;
}

bool element_present(const Datum& a, const Datum& b, size_t i, bool is_map) {
  long j = a.find_key(b.keys[i]);
  if (j < 0) return false;
  return !is_map || atom_compare(a.values[size_t(j)], b.values[i]) == 0;
}

bool evaluate_clause(const Clause& c, const std::vector<Datum>& fields) {
  const Datum& field = fields[c.column];
  bool is_map = !c.arg.values.empty() || !field.values.empty();
  switch (c.function) {
    case Function::kTrue: return true;
    case Function::kFalse: return false;
    case Function::kEq: return field == c.arg;
    case Function::kNe: return field != c.arg;
    case Function::kIncludes: return datum_includes_all(field, c.arg, is_map);
    case Function::kExcludes: return datum_excludes_all(field, c.arg, is_map);
    default: break;
  }
  if (field.empty() || c.arg.empty()) return false;
  int cmp = atom_compare(field.keys[0], c.arg.keys[0]);
  switch (c.function) {
    case Function::kLt: return cmp < 0;
    case Function::kLe: return cmp <= 0;
    case Function::kGt: return cmp > 0;
    case Function::kGe: return cmp >= 0;
    default: return false;
  }
}

}  // namespace

bool datum_includes_all(const Datum& a, const Datum& b, bool is_map) {
  for (size_t i = 0; i < b.size(); i++) {
    if (!element_present(a, b, i, is_map)) return false;
  }
  return true;
}

bool datum_excludes_all(const Datum& a, const Datum& b, bool is_map) {
  for (size_t i = 0; i < b.size(); i++) {
    if (element_present(a, b, i, is_map)) return false;
  }
  return true;
}

OResult<Condition> Condition::from_json(const TableSchema& table, const Json& where,
                                        SymbolTable* symtab) {
  Condition cond;
  if (!where.is_array()) return syntax_error(&where, nullptr, "Parse error in condition.");
  for (const Json& c : where) {
    auto clause = parse_clause(table, c, symtab);
    if (!clause.ok()) return clause.take_error();
    cond.clauses_.push_back(std::move(*clause));
  }
  return cond;
}

Json Condition::to_json(const TableSchema& table) const {
  Json j = Json::array();
  for (const Clause& c : clauses_) {
    if (c.function == Function::kTrue || c.function == Function::kFalse) {
      j.push_back(c.function == Function::kTrue);
      continue;
    }
    const ColumnSchema& col = table.columns[c.column];
    Type t = col.type;
    t.n_min = 0;
    t.n_max = UINT_MAX;
    j.push_back(Json::array({col.name, function_name(c.function), c.arg.to_json(t)}));
  }
  return j;
}

bool Condition::evaluate(const std::vector<Datum>& fields) const {
  for (const Clause& c : clauses_) {
    if (!evaluate_clause(c, fields)) return false;
  }
  return true;
}

bool Condition::evaluate_any(const std::vector<Datum>& fields) const {
  if (clauses_.empty()) return true;
  for (const Clause& c : clauses_) {
    if (evaluate_clause(c, fields)) return true;
  }
  return false;
}

std::optional<Uuid> Condition::uuid_eq() const {
  for (const Clause& c : clauses_) {
    if (c.function == Function::kEq && c.column == kColUuid && c.arg.size() == 1) {
      return std::get<Uuid>(c.arg.keys[0]);
    }
  }
  return std::nullopt;
}

}  // namespace grebe::ovsdb
