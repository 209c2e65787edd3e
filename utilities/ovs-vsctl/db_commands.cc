// The generic database commands (OVS's db-ctl-base): get, list, find, set,
// add, remove, clear, create, destroy, wait-until, comment.
#include <climits>
#include <unistd.h>

#include "ctl.h"
#include "grebe/ovsdb_idl/datum_text.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(db_ctl_base);

namespace grebe::vsctl {

using ovsdb::Atom;
using ovsdb::ColumnSchema;
using ovsdb::TableSchema;
using ovsdb::Type;
using ovsdb_idl::atom_from_text;
using ovsdb_idl::datum_from_text;

namespace {

// Parses "column[:key][<op>value]" (OVS's parse_column_key_value).
struct ColumnKeyValue {
  const ColumnSchema* column = nullptr;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int op = -1;
};

bool parse_column_key_value(Context& ctx, const std::string& arg, const TableSchema& table,
                            bool want_value, const std::vector<std::string>& ops,
                            ColumnKeyValue* out) {
  size_t p = 0;
  auto name = ovsdb_idl::parse_token(arg, &p);
  if (!name) return ctx.set_error(name.error().message());
  if (name->empty()) return ctx.fail("%s: missing column name", arg.c_str());
  out->column = get_column(table, *name, &ctx.error);
  if (!out->column) return false;
  if (p < arg.size() && arg[p] == ':') {
    p++;
    auto key = ovsdb_idl::parse_token(arg, &p);
    if (!key) return ctx.set_error(key.error().message());
    out->key = *key;
  }
  if (!want_value) {
    if (p < arg.size()) {
      return ctx.fail("%s: trailing garbage \"%s\" in argument", arg.c_str(), arg.c_str() + p);
    }
    return true;
  }
  std::vector<std::string> allowed = ops.empty() ? std::vector<std::string>{"="} : ops;
  size_t best_len = 0;
  for (size_t i = 0; i < allowed.size(); i++) {
    const std::string& op = allowed[i];
    if (op.size() > best_len && arg.compare(p, op.size(), op) == 0 && p + op.size() < arg.size()) {
      best_len = op.size();
      out->op = static_cast<int>(i);
    }
  }
  if (out->op < 0) {
    std::string s = arg + ": argument does not end in \"" + allowed[0] + "\"";
    if (allowed.size() == 2) {
      s += " or \"" + allowed[1] + "\"";
    } else if (allowed.size() > 2) {
      for (size_t i = 1; i + 1 < allowed.size(); i++) s += ", \"" + allowed[i] + "\"";
      s += ", or \"" + allowed.back() + "\"";
    }
    ctx.error = s + " followed by a value.";
    return false;
  }
  out->value = arg.substr(p + best_len);
  return true;
}

bool check_mutable(Context& ctx, const TableSchema& table, const Uuid& row,
                   const ColumnSchema& column) {
  if (!column.is_mutable && !ctx.txn.is_new(table.name, row)) {
    return ctx.fail("cannot modify read-only column %s in table %s", column.name.c_str(),
                    table.name.c_str());
  }
  return true;
}

// Writes "column[:key]=value" into a row (OVS's set_column).
bool set_column(Context& ctx, const TableSchema& table, const Uuid& row, const std::string& arg) {
  ColumnKeyValue ckv;
  if (!parse_column_key_value(ctx, arg, table, true, {}, &ckv)) return false;
  const ColumnSchema& col = *ckv.column;
  if (!check_mutable(ctx, table, row, col)) return false;
  if (ckv.key) {
    if (!col.type.is_map()) {
      return ctx.fail("cannot specify key to set for non-map column %s", col.name.c_str());
    }
    auto key = atom_from_text(col.type.key, *ckv.key, &ctx.symtab);
    if (!key) return ctx.set_error(key.error().message());
    auto value = atom_from_text(col.type.value, *ckv.value, &ctx.symtab);
    if (!value) return ctx.set_error(value.error().message());
    Datum d;
    d.keys.push_back(*key);
    d.values.push_back(*value);
    const Datum* old = ctx.txn.get(table.name, row, col.name);
    if (old) d.union_with(*old, col.type);
    ctx.txn.verify(table.name, row, col.name);
    ctx.txn.write(table.name, row, col.name, std::move(d));
    return true;
  }
  auto d = datum_from_text(col.type, *ckv.value, &ctx.symtab);
  if (!d) return ctx.set_error(d.error().message());
  ctx.txn.write(table.name, row, col.name, std::move(*d));
  return true;
}

const TableSchema* table_arg(Context& ctx) {
  return get_table(ctx.txn.schema(), ctx.argv()[1], &ctx.error);
}

// Finds the row named by argv[2]; false on error.  *row empty: skip quietly.
bool row_arg(Context& ctx, const TableSchema& table, std::optional<Uuid>* row) {
  return get_row(ctx, table, ctx.argv()[2], !ctx.has_option("--if-exists"), row);
}

void cmd_get(Context& ctx) {
  std::optional<std::string> id = ctx.option("--id");
  bool must_exist = !ctx.has_option("--if-exists");
  if (ctx.has_option("--id") && !must_exist) {
    ctx.fail("--if-exists and --id may not be specified together");
    return;
  }
  const TableSchema* table = table_arg(ctx);
  std::optional<Uuid> row;
  if (!table || !get_row(ctx, *table, ctx.argv()[2], must_exist, &row) || !row) return;
  if (id) {
    if ((*id)[0] != '@') {
      ctx.fail("row id \"%s\" does not begin with \"@\"", id->c_str());
      return;
    }
    bool is_new = ctx.symtab.find(*id) == nullptr;
    ovsdb::Symbol& sym = ctx.symtab.insert(*id);
    if (sym.created) {
      ctx.fail("row id \"%s\" may only be specified on one --id option", id->c_str());
      return;
    }
    sym.created = true;
    if (!is_new) {
      ctx.fail("row id \"%s\" specified on \"get\" command was used before it was defined",
               id->c_str());
      return;
    }
    sym.uuid = *row;
    sym.strong_ref = true;
  }
  std::string& out = ctx.output();
  for (size_t i = 3; i < ctx.argc(); i++) {
    const std::string& arg = ctx.argv()[i];
    if (strcasecmp(arg.c_str(), "_uuid") == 0 || strcasecmp(arg.c_str(), "-uuid") == 0) {
      out += row->to_string() + "\n";
      continue;
    }
    ColumnKeyValue ckv;
    if (!parse_column_key_value(ctx, arg, *table, false, {}, &ckv)) return;
    const ColumnSchema& col = *ckv.column;
    ctx.txn.verify(table->name, *row, col.name);
    const Datum* d = ctx.txn.get(table->name, *row, col.name);
    if (ckv.key) {
      if (!col.type.is_map()) {
        ctx.fail("cannot specify key to get for non-map column %s", col.name.c_str());
        return;
      }
      auto key = atom_from_text(col.type.key, *ckv.key, &ctx.symtab);
      if (!key) {
        ctx.set_error(key.error().message());
        return;
      }
      long idx = d ? d->find_key(*key) : -1;
      if (idx < 0) {
        if (must_exist) {
          ctx.fail("no key \"%s\" in %s record \"%s\" column %s", ckv.key->c_str(),
                   table->name.c_str(), ctx.argv()[2].c_str(), col.name.c_str());
          return;
        }
      } else {
        out += ovsdb::atom_to_string(d->values[idx]);
      }
    } else {
      out += datum_text(d, col.type);
    }
    out += '\n';
  }
}

// Column list for list/find: null entries mean _uuid.
bool parse_column_names(Context& ctx, const TableSchema& table,
                        std::vector<const ColumnSchema*>* columns) {
  std::optional<std::string> names = ctx.option("--columns");
  if (!names) {
    columns->push_back(nullptr);
    for (const auto& c : table.columns) {
      if (c.index >= ovsdb::kNumStdColumns) columns->push_back(&c);
    }
    return true;
  }
  std::string s = *names;
  size_t p = 0;
  while (p < s.size()) {
    size_t start = s.find_first_not_of(", ", p);
    if (start == std::string::npos) break;
    size_t end = s.find_first_of(", ", start);
    if (end == std::string::npos) end = s.size();
    std::string name = s.substr(start, end - start);
    p = end;
    if (strcasecmp(name.c_str(), "_uuid") == 0) {
      columns->push_back(nullptr);
      continue;
    }
    const ColumnSchema* c = get_column(table, name, &ctx.error);
    if (!c) return false;
    columns->push_back(c);
  }
  if (columns->empty()) return ctx.fail("must specify at least one column name");
  return true;
}

std::unique_ptr<OutTable> make_table(const std::vector<const ColumnSchema*>& columns) {
  auto t = std::make_unique<OutTable>();
  for (const ColumnSchema* c : columns) t->add_column(c ? c->name : "_uuid");
  return t;
}

void list_record(Context& ctx, const TableSchema& table, const Uuid& row,
                 const std::vector<const ColumnSchema*>& columns, OutTable& out) {
  std::vector<OutTable::Cell> cells;
  for (const ColumnSchema* c : columns) {
    if (!c) {
      cells.push_back({Datum::scalar(row).to_json(ovsdb::uuid_type()), ovsdb::uuid_type()});
    } else {
      const Datum* d = ctx.txn.get(table.name, row, c->name);
      cells.push_back({(d ? *d : Datum()).to_json(c->type), c->type});
    }
  }
  out.add_row(std::move(cells));
}

void cmd_list(Context& ctx) {
  const TableSchema* table = table_arg(ctx);
  std::vector<const ColumnSchema*> columns;
  if (!table || !parse_column_names(ctx, *table, &columns)) return;
  ctx.cmd.table = make_table(columns);
  bool must_exist = !ctx.has_option("--if-exists");
  if (ctx.argc() > 2) {
    for (size_t i = 2; i < ctx.argc(); i++) {
      std::optional<Uuid> row;
      if (!get_row(ctx, *table, ctx.argv()[i], must_exist, &row)) return;
      if (row) list_record(ctx, *table, *row, columns, *ctx.cmd.table);
    }
    return;
  }
  for (const Uuid& row : ctx.txn.rows(table->name)) {
    list_record(ctx, *table, row, columns, *ctx.cmd.table);
  }
}

int datum_compare(const Datum& a, const Datum& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = 0; i < a.size(); i++) {
    if (int c = ovsdb::atom_compare(a.keys[i], b.keys[i])) return c;
  }
  for (size_t i = 0; i < a.values.size() && i < b.values.size(); i++) {
    if (int c = ovsdb::atom_compare(a.values[i], b.values[i])) return c;
  }
  return 0;
}

// True if every element of 'a' is in 'b'.
bool includes_all(const Datum& a, const Datum& b) {
  for (size_t i = 0; i < a.size(); i++) {
    long j = b.find_key(a.keys[i]);
    if (j < 0) return false;
    if (!a.values.empty() && ovsdb::atom_compare(a.values[i], b.values[j]) != 0) return false;
  }
  return true;
}

bool excludes_all(const Datum& a, const Datum& b) {
  for (size_t i = 0; i < a.size(); i++) {
    long j = b.find_key(a.keys[i]);
    if (j >= 0 && (a.values.empty() || ovsdb::atom_compare(a.values[i], b.values[j]) == 0)) {
      return false;
    }
  }
  return true;
}

const std::vector<std::string> kRelops = {"=",   "!=",   "<",    ">",    "<=",   ">=",   "{=}",
                                          "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"};

bool evaluate_relop(const Datum& a, const Datum& b, int op) {
  switch (op) {
    case 0: case 6: return datum_compare(a, b) == 0;
    case 1: case 7: return datum_compare(a, b) != 0;
    case 2: return datum_compare(a, b) < 0;
    case 3: return datum_compare(a, b) > 0;
    case 4: return datum_compare(a, b) <= 0;
    case 5: return datum_compare(a, b) >= 0;
    case 8: return b.size() > a.size() && includes_all(a, b);
    case 9: return a.size() > b.size() && includes_all(b, a);
    case 10: case 12: return includes_all(a, b);
    case 11: return includes_all(b, a);
    case 13: return excludes_all(a, b);
  }
  return false;
}

bool check_condition(Context& ctx, const TableSchema& table, const Uuid& row,
                     const std::string& arg, bool* satisfied) {
  ColumnKeyValue ckv;
  if (!parse_column_key_value(ctx, arg, table, true, kRelops, &ckv)) return false;
  const ColumnSchema& col = *ckv.column;
  Type type = col.type;
  type.n_max = UINT_MAX;
  const Datum* have = ctx.txn.get(table.name, row, col.name);
  Datum empty;
  if (!have) have = &empty;
  if (ckv.key) {
    if (!col.type.is_map()) {
      return ctx.fail("cannot specify key to check for non-map column %s", col.name.c_str());
    }
    auto key = atom_from_text(col.type.key, *ckv.key, &ctx.symtab);
    if (!key) return ctx.set_error(key.error().message());
    type.key = type.value;
    type.value = ovsdb::BaseType();
    auto b = datum_from_text(type, *ckv.value, &ctx.symtab);
    if (!b) return ctx.set_error(b.error().message());
    long idx = have->find_key(*key);
    if (idx < 0 && ckv.op < 6) {
      *satisfied = false;
      return true;
    }
    Datum a;
    if (idx >= 0) a.keys.push_back(have->values[idx]);
    *satisfied = evaluate_relop(a, *b, ckv.op);
    return true;
  }
  auto want = datum_from_text(col.type, *ckv.value, &ctx.symtab);
  if (!want) return ctx.set_error(want.error().message());
  *satisfied = evaluate_relop(*have, *want, ckv.op);
  return true;
}

void cmd_find(Context& ctx) {
  const TableSchema* table = table_arg(ctx);
  std::vector<const ColumnSchema*> columns;
  if (!table || !parse_column_names(ctx, *table, &columns)) return;
  ctx.cmd.table = make_table(columns);
  for (const Uuid& row : ctx.txn.rows(table->name)) {
    bool all = true;
    for (size_t i = 2; i < ctx.argc() && all; i++) {
      if (!check_condition(ctx, *table, row, ctx.argv()[i], &all)) return;
    }
    if (all) list_record(ctx, *table, row, columns, *ctx.cmd.table);
  }
}

void cmd_set(Context& ctx) {
  const TableSchema* table = table_arg(ctx);
  std::optional<Uuid> row;
  if (!table || !row_arg(ctx, *table, &row) || !row) return;
  for (size_t i = 3; i < ctx.argc(); i++) {
    if (!set_column(ctx, *table, *row, ctx.argv()[i])) return;
  }
  ctx.invalidate_cache();
}

// Shared start of add/remove/clear: table, column (argv[3]), row, mutability.
bool column_command_start(Context& ctx, const TableSchema** table, const ColumnSchema** column,
                          std::optional<Uuid>* row) {
  *table = table_arg(ctx);
  if (!*table) return false;
  *column = get_column(**table, ctx.argv()[3], &ctx.error);
  if (!*column || !row_arg(ctx, **table, row) || !*row) return false;
  return check_mutable(ctx, **table, **row, **column);
}

void cmd_add(Context& ctx) {
  const TableSchema* table;
  const ColumnSchema* column;
  std::optional<Uuid> row;
  if (!column_command_start(ctx, &table, &column, &row)) return;
  const Type& type = column->type;
  const Datum* old = ctx.txn.get(table->name, *row, column->name);
  Datum result = old ? *old : Datum();
  for (size_t i = 4; i < ctx.argc(); i++) {
    Type add_type = type;
    add_type.n_min = 1;
    add_type.n_max = UINT_MAX;
    auto add = datum_from_text(add_type, ctx.argv()[i], &ctx.symtab);
    if (!add) {
      ctx.set_error(add.error().message());
      return;
    }
    result.union_with(*add, type);
  }
  if (result.size() > type.n_max) {
    ctx.fail("\"add\" operation would put %zu %s in column %s of table %s but the maximum "
             "number is %u", result.size(), type.is_map() ? "pairs" : "values",
             column->name.c_str(), table->name.c_str(), type.n_max);
    return;
  }
  ctx.txn.verify(table->name, *row, column->name);
  ctx.txn.write(table->name, *row, column->name, std::move(result));
  ctx.invalidate_cache();
}

void cmd_remove(Context& ctx) {
  const TableSchema* table;
  const ColumnSchema* column;
  std::optional<Uuid> row;
  if (!column_command_start(ctx, &table, &column, &row)) return;
  const Type& type = column->type;
  const Datum* old = ctx.txn.get(table->name, *row, column->name);
  Datum result = old ? *old : Datum();
  for (size_t i = 4; i < ctx.argc(); i++) {
    Type rm_type = type;
    rm_type.n_min = 1;
    rm_type.n_max = UINT_MAX;
    auto rm = datum_from_text(rm_type, ctx.argv()[i], &ctx.symtab);
    bool with_values = type.is_map();
    if (!rm && type.is_map()) {
      rm_type.value = ovsdb::BaseType();
      rm = datum_from_text(rm_type, ctx.argv()[i], &ctx.symtab);
      with_values = false;
    }
    if (!rm) {
      ctx.set_error(rm.error().message());
      return;
    }
    result.subtract(*rm, with_values);
  }
  if (result.size() < type.n_min) {
    ctx.fail("\"remove\" operation would put %zu %s in column %s of table %s but the minimum "
             "number is %u", result.size(), type.is_map() ? "pairs" : "values",
             column->name.c_str(), table->name.c_str(), type.n_min);
    return;
  }
  ctx.txn.verify(table->name, *row, column->name);
  ctx.txn.write(table->name, *row, column->name, std::move(result));
  ctx.invalidate_cache();
}

void cmd_clear(Context& ctx) {
  const TableSchema* table = table_arg(ctx);
  std::optional<Uuid> row;
  if (!table || !row_arg(ctx, *table, &row) || !row) return;
  for (size_t i = 3; i < ctx.argc(); i++) {
    const ColumnSchema* column = get_column(*table, ctx.argv()[i], &ctx.error);
    if (!column || !check_mutable(ctx, *table, *row, *column)) return;
    if (column->type.n_min > 0) {
      ctx.fail("\"clear\" operation cannot be applied to column %s of table %s, which is not "
               "allowed to be empty", column->name.c_str(), table->name.c_str());
      return;
    }
    ctx.txn.write(table->name, *row, column->name, Datum());
  }
  ctx.invalidate_cache();
}

void cmd_create(Context& ctx) {
  std::optional<std::string> id = ctx.option("--id");
  const TableSchema* table = table_arg(ctx);
  if (!table) return;
  if (!id && !table->is_root) {
    VLOG_WARN("applying \"create\" command to table %s without --id option will have no effect",
              table->name.c_str());
  }
  std::optional<Uuid> uuid;
  bool persist_uuid = false;  // --id=UUID: the row gets exactly that UUID
  if (id) {
    if (auto u = Uuid::from_string(*id)) {
      uuid = *u;
      persist_uuid = true;
    } else {
      if ((*id)[0] != '@') {
        ctx.fail("row id \"%s\" does not begin with \"@\"", id->c_str());
        return;
      }
      ovsdb::Symbol& sym = ctx.symtab.insert(*id);
      if (sym.created) {
        ctx.fail("row id \"%s\" may only be specified on one --id option", id->c_str());
        return;
      }
      sym.created = true;
      if (table->is_root) sym.strong_ref = true;
      uuid = sym.uuid;
    }
  }
  Uuid row = persist_uuid ? ctx.txn.insert_persist_uuid(table->name, *uuid)
                          : ctx.txn.insert(table->name, uuid);
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!set_column(ctx, *table, row, ctx.argv()[i])) return;
  }
  ctx.output() = row.to_string();
}

void post_create(Context& ctx) {
  auto provisional = Uuid::from_string(ctx.output());
  if (!provisional) return;
  if (auto real = ctx.txn.inserted_uuid(*provisional)) ctx.output() = real->to_string();
  ctx.output() += '\n';
}

void cmd_destroy(Context& ctx) {
  bool must_exist = !ctx.has_option("--if-exists");
  bool all = ctx.has_option("--all");
  const TableSchema* table = table_arg(ctx);
  if (!table) return;
  if (all && ctx.argc() > 2) {
    ctx.fail("--all and records argument should not be specified together");
    return;
  }
  if (all && !must_exist) {
    ctx.fail("--all and --if-exists should not be specified together");
    return;
  }
  if (!all && ctx.argc() == 2) {
    VLOG_WARN("either --all or records argument should be specified");
    return;
  }
  if (all) {
    for (const Uuid& row : ctx.txn.rows(table->name)) ctx.txn.delete_row(table->name, row);
  } else {
    for (size_t i = 2; i < ctx.argc(); i++) {
      std::optional<Uuid> row;
      if (!get_row(ctx, *table, ctx.argv()[i], must_exist, &row)) return;
      if (row) ctx.txn.delete_row(table->name, *row);
    }
  }
  ctx.invalidate_cache();
}

void cmd_wait_until(Context& ctx) {
  const TableSchema* table = table_arg(ctx);
  std::optional<Uuid> row;
  if (!table || !get_row(ctx, *table, ctx.argv()[2], false, &row)) return;
  if (!row) {
    ctx.try_again = true;
    return;
  }
  for (size_t i = 3; i < ctx.argc(); i++) {
    bool satisfied = false;
    if (!check_condition(ctx, *table, *row, ctx.argv()[i], &satisfied)) return;
    if (!satisfied) {
      ctx.try_again = true;
      return;
    }
  }
}

void warn_get_without_columns(Context& ctx) {
  if (!ctx.has_option("--id") && ctx.argc() <= 3 && isatty(STDOUT_FILENO)) {
    VLOG_WARN("\"get\" command without row arguments or \"--id\" is possibly erroneous");
  }
  cmd_get(ctx);
}

}  // namespace

bool ctl_set_column(Context& ctx, const TableSchema& table, const Uuid& row,
                    const std::string& arg) {
  return set_column(ctx, table, row, arg);
}

void register_db_commands() {
  register_commands({
      {"comment", 0, INT_MAX, "[ARG]...", nullptr, nullptr, "", Mode::kRO},
      {"get", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]]...", warn_get_without_columns, nullptr,
       "--if-exists,--id=", Mode::kRO},
      {"list", 1, INT_MAX, "TABLE [RECORD]...", cmd_list, nullptr, "--if-exists,--columns=",
       Mode::kRO},
      {"find", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", cmd_find, nullptr, "--columns=",
       Mode::kRO},
      {"set", 3, INT_MAX, "TABLE RECORD COLUMN[:KEY]=VALUE...", cmd_set, nullptr, "--if-exists",
       Mode::kRW},
      {"add", 4, INT_MAX, "TABLE RECORD COLUMN [KEY=]VALUE...", cmd_add, nullptr, "--if-exists",
       Mode::kRW},
      {"remove", 4, INT_MAX, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...", cmd_remove, nullptr,
       "--if-exists", Mode::kRW},
      {"clear", 3, INT_MAX, "TABLE RECORD COLUMN...", cmd_clear, nullptr, "--if-exists",
       Mode::kRW},
      {"create", 2, INT_MAX, "TABLE COLUMN[:KEY]=VALUE...", cmd_create, post_create, "--id=",
       Mode::kRW},
      {"destroy", 1, INT_MAX, "TABLE [RECORD]...", cmd_destroy, nullptr, "--if-exists,--all",
       Mode::kRW},
      {"wait-until", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]=VALUE]...", cmd_wait_until, nullptr,
       "", Mode::kRO},
  });
}

}  // namespace grebe::vsctl
