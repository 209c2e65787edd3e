// Mutations: parsing with OVS's type rules, and execution with overflow and
// constraint checks.
#include "grebe/ovsdb/mutation.h"

#include <cmath>

namespace grebe::ovsdb {

const char* mutator_name(Mutator m) {
  switch (m) {
    case Mutator::kAdd: return "+=";
    case Mutator::kSub: return "-=";
    case Mutator::kMul: return "*=";
    case Mutator::kDiv: return "/=";
    case Mutator::kMod: return "%=";
    case Mutator::kInsert: return "insert";
    case Mutator::kDelete: return "delete";
  }
  return "?";
}

namespace {

std::optional<Mutator> mutator_from_string(const std::string& s) {
  for (int i = 0; i <= int(Mutator::kDelete); i++) {
    if (s == mutator_name(Mutator(i))) return Mutator(i);
  }
  return std::nullopt;
}

OvsdbError type_mismatch(const Json& json, Mutator m, const ColumnSchema& c) {
  return syntax_error(&json, nullptr,
                      "Type mismatch: \"%s\" operator may not be applied to column %s of type %s.",
                      mutator_name(m), c.name.c_str(), c.type.to_english().c_str());
}

OResult<Mutation> parse_mutation(const TableSchema& ts, const Json& json, SymbolTable* symtab) {
  if (!json.is_array() || json.size() != 3 || !json[0].is_string() || !json[1].is_string()) {
    return syntax_error(&json, nullptr, "Parse error in mutation.");
  }
  const std::string& name = json[0].get_ref<const std::string&>();
  const ColumnSchema* c = ts.find_column(name);
  if (!c) {
    return syntax_error(&json, "unknown column", "No column %s in table %s.", name.c_str(),
                        ts.name.c_str());
  }
  if (!c->is_mutable) {
    return syntax_error(&json, "constraint violation", "Cannot mutate immutable column %s in table %s.",
                        name.c_str(), ts.name.c_str());
  }
  auto m = mutator_from_string(json[1].get<std::string>());
  if (!m) {
    return syntax_error(nullptr, "unknown mutator", "No mutator named %s.",
                        json[1].get_ref<const std::string&>().c_str());
  }
  Mutation mut;
  mut.column = c->index;
  mut.mutator = *m;
  mut.arg_type = c->type;
  Type& t = mut.arg_type;
  if (*m == Mutator::kInsert || *m == Mutator::kDelete) {
    if (!t.is_set() && !t.is_map()) return type_mismatch(json, *m, *c);
    t.n_min = 0;
    if (*m == Mutator::kDelete) t.n_max = UINT_MAX;
    auto arg = Datum::from_json(t, json[2], symtab);
    if (!arg.ok() && t.is_map() && *m == Mutator::kDelete) {
      // "delete" on a map also accepts a set of keys.
      t.value = BaseType();
      arg = Datum::from_json(t, json[2], symtab);
    }
    if (!arg.ok()) return arg.take_error();
    mut.arg = std::move(*arg);
    return mut;
  }
  if ((!t.is_scalar() && !t.is_set()) ||
      (t.key.type != AtomicType::kInteger && t.key.type != AtomicType::kReal) ||
      (*m == Mutator::kMod && t.key.type == AtomicType::kReal)) {
    return type_mismatch(json, *m, *c);
  }
  t.key.clear_constraints();
  t.n_min = t.n_max = 1;
  auto arg = Datum::from_json(t, json[2], symtab);
  if (!arg.ok()) return arg.take_error();
  mut.arg = std::move(*arg);
  return mut;
}

enum class ScalarError { kOk, kDomain, kRange };

ScalarError mutate_int(Mutator m, int64_t& x, int64_t y) {
  int64_t r = 0;
  switch (m) {
    case Mutator::kAdd:
      if (__builtin_add_overflow(x, y, &r)) return ScalarError::kRange;
      break;
    case Mutator::kSub:
      if (__builtin_sub_overflow(x, y, &r)) return ScalarError::kRange;
      break;
    case Mutator::kMul:
      if (__builtin_mul_overflow(x, y, &r)) return ScalarError::kRange;
      break;
    case Mutator::kDiv:
    case Mutator::kMod:
      if (y == 0) return ScalarError::kDomain;
      if (x == INT64_MIN && y == -1) return ScalarError::kRange;
      r = m == Mutator::kDiv ? x / y : x % y;
      break;
    default: break;
  }
  x = r;
  return ScalarError::kOk;
}

ScalarError mutate_real(Mutator m, double& x, double y) {
  switch (m) {
    case Mutator::kAdd: x += y; break;
    case Mutator::kSub: x -= y; break;
    case Mutator::kMul: x *= y; break;
    case Mutator::kDiv:
      if (y == 0) return ScalarError::kDomain;
      x /= y;
      break;
    default: break;
  }
  return x >= -DBL_MAX && x <= DBL_MAX ? ScalarError::kOk : ScalarError::kRange;
}

OStatus mutate_scalar(const Mutation& m, Datum& dst, const Type& type) {
  for (Atom& atom : dst.keys) {
    ScalarError e = type.key.type == AtomicType::kInteger
                        ? mutate_int(m.mutator, std::get<int64_t>(atom),
                                     std::get<int64_t>(m.arg.keys[0]))
                        : mutate_real(m.mutator, std::get<double>(atom),
                                      std::get<double>(m.arg.keys[0]));
    if (e == ScalarError::kDomain) return make_error("domain error", "Division by zero.");
    if (e == ScalarError::kRange) {
      return make_error("range error", "Result of \"%s\" operation is out of range.",
                        mutator_name(m.mutator));
    }
  }
  for (const Atom& atom : dst.keys) GREBE_TRY(type.key.check(atom));
  if (!dst.sort(type).ok()) {
    return make_error("constraint violation", "Result of \"%s\" operation contains duplicates.",
                      mutator_name(m.mutator));
  }
  return {};
}

OStatus check_count(const Datum& dst, const Type& type) {
  if (dst.conforms(type)) return {};
  return make_error("constraint violation", "Attempted to store %zu elements in %s.", dst.size(),
                    type.to_english().c_str());
}

}  // namespace

OResult<MutationSet> MutationSet::from_json(const TableSchema& table, const Json& json,
                                            SymbolTable* symtab) {
  MutationSet set;
  if (!json.is_array()) return syntax_error(&json, nullptr, "Parse error in mutation.");
  for (const Json& m : json) {
    auto mut = parse_mutation(table, m, symtab);
    if (!mut.ok()) return mut.take_error();
    set.mutations_.push_back(std::move(*mut));
  }
  return set;
}

OStatus MutationSet::execute(std::vector<Datum>& fields, const TableSchema& table) const {
  for (const Mutation& m : mutations_) {
    Datum& dst = fields[m.column];
    const Type& type = table.columns[m.column].type;
    switch (m.mutator) {
      case Mutator::kInsert:
        dst.union_with(m.arg, type);
        GREBE_TRY(check_count(dst, type));
        break;
      case Mutator::kDelete:
        dst.subtract(m.arg, m.arg_type.is_map());
        GREBE_TRY(check_count(dst, type));
        break;
      default: GREBE_TRY(mutate_scalar(m, dst, type)); break;
    }
  }
  return {};
}

}  // namespace grebe::ovsdb
