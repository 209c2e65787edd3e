// RFC 7047 "transact": one executor per operation, OVS's reply format.
#include "ovsdb/core/execution.h"

#include <algorithm>
#include <set>

#include "grebe/ovsdb/mutation.h"
#include "grebe/ovsdb/parser.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_execution);

namespace grebe::ovsdb {

namespace {

struct Exec {
  const Database& db;
  const ExecOptions& options;
  Txn& txn;
  SymbolTable symtab;
  bool durable = false;
  long long timeout_msec = LLONG_MAX;
};

using MaybeError = std::optional<OvsdbError>;

const TableSchema* parse_table(Exec& x, Parser& parser) {
  const Json* j = parser.member("table", Parser::kId);
  if (!j) return nullptr;
  const TableSchema* ts = x.db.schema().find_table(j->get_ref<const std::string&>());
  if (!ts) parser.raise("No table named %s.", j->get_ref<const std::string&>().c_str());
  return ts;
}

// Parses "columns"-style arrays; null 'json' means every column.
OResult<std::vector<size_t>> parse_columns(const Json* json, const TableSchema& ts) {
  std::vector<size_t> out;
  if (!json) {
    for (const ColumnSchema& c : ts.columns) out.push_back(c.index);
    return out;
  }
  auto bad = [&] { return syntax_error(json, nullptr, "array of distinct column names expected"); };
  if (!json->is_array()) return bad();
  for (const Json& e : *json) {
    if (!e.is_string()) return bad();
    const ColumnSchema* c = ts.find_column(e.get_ref<const std::string&>());
    if (!c) {
      return syntax_error(json, nullptr, "%s is not a valid column name",
                          e.get_ref<const std::string&>().c_str());
    }
    if (std::find(out.begin(), out.end(), c->index) != out.end()) return bad();
    out.push_back(c->index);
  }
  return out;
}

// Parses a <row> object over 'row'; records the columns set in 'columns'.
OStatus parse_row(const Json& json, const TableSchema& ts, SymbolTable* symtab, Row& row,
                  std::vector<size_t>* columns) {
  if (!json.is_object()) return syntax_error(&json, nullptr, "row must be JSON object");
  for (auto it = json.begin(); it != json.end(); ++it) {
    const ColumnSchema* c = ts.find_column(it.key());
    if (!c) {
      return syntax_error(&json, "unknown column", "No column %s in table %s.", it.key().c_str(),
                          ts.name.c_str());
    }
    auto d = Datum::from_json(c->type, it.value(), symtab);
    if (!d.ok()) return d.take_error();
    row.fields[c->index] = std::move(*d);
    if (columns) columns->push_back(c->index);
  }
  return {};
}

MaybeError exec_insert(Exec& x, Parser& parser, const Json&, Json& result) {
  const TableSchema* ts = parse_table(x, parser);
  const Json* uuid_json = parser.member("uuid", Parser::kString | Parser::kOptional);
  const Json* uuid_name = parser.member("uuid-name", Parser::kId | Parser::kOptional);
  const Json* row_json = parser.member("row", Parser::kObject);
  if (parser.has_error()) return parser.error();

  Uuid uuid;
  if (uuid_json) {
    auto u = Uuid::from_string(uuid_json->get_ref<const std::string&>());
    if (!u) return syntax_error(uuid_json, nullptr, "bad uuid");
    uuid = *u;
    if (!x.txn.may_create(ts->name, uuid)) {
      return syntax_error(uuid_json, "duplicate uuid",
                          "This UUID would duplicate a UUID already present within the table or "
                          "deleted within the same transaction.");
    }
  }
  if (uuid_name) {
    Symbol& symbol = x.symtab.insert(uuid_name->get<std::string>());
    if (symbol.created) {
      return syntax_error(uuid_name, "duplicate uuid-name",
                          "This \"uuid-name\" appeared on an earlier \"insert\" operation.");
    }
    if (uuid_json) {
      symbol.uuid = uuid;
    } else {
      uuid = symbol.uuid;
    }
    symbol.created = true;
  } else if (!uuid_json) {
    uuid = Uuid::generate();
  }
  Row row = Row::make_default(*ts, uuid);
  if (auto st = parse_row(*row_json, *ts, &x.symtab, row, nullptr); !st.ok()) {
    return st.take_error();
  }
  // Defaults of single-valued columns may violate the column's constraints.
  for (const ColumnSchema& c : ts->columns) {
    if (row.fields[c.index].size() == 1) {
      if (auto st = row.fields[c.index].check_constraints(c.type); !st.ok()) return st.take_error();
    }
  }
  row.fields[kColUuid] = Datum::scalar(uuid);
  result["uuid"] = row.fields[kColUuid].to_json(uuid_type());
  x.txn.insert(*ts, std::move(row));
  return std::nullopt;
}

MaybeError exec_select(Exec& x, Parser& parser, const Json&, Json& result) {
  const TableSchema* ts = parse_table(x, parser);
  const Json* where = parser.member("where", Parser::kArray);
  const Json* columns_json = parser.member("columns", Parser::kArray | Parser::kOptional);
  const Json* sort_json = parser.member("sort", Parser::kArray | Parser::kOptional);
  if (parser.has_error()) return parser.error();

  auto cond = Condition::from_json(*ts, *where, &x.symtab);
  if (!cond.ok()) return cond.take_error();
  auto columns = parse_columns(columns_json, *ts);
  if (!columns.ok()) return columns.take_error();
  std::vector<size_t> sort;
  if (sort_json) {
    auto s = parse_columns(sort_json, *ts);
    if (!s.ok()) return s.take_error();
    sort = std::move(*s);
  }
  std::vector<RowPtr> rows = x.txn.query(*ts, *cond);
  if (columns_json) {
    // Only distinct projections, as OVS's ovsdb_query_distinct().
    std::set<std::vector<Datum>> seen;
    std::vector<RowPtr> distinct;
    for (RowPtr& r : rows) {
      std::vector<Datum> key;
      for (size_t i : *columns) key.push_back(r->fields[i]);
      if (seen.insert(std::move(key)).second) distinct.push_back(std::move(r));
    }
    rows = std::move(distinct);
  }
  if (!sort.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const RowPtr& a, const RowPtr& b) {
      for (size_t i : sort) {
        if (a->fields[i] < b->fields[i]) return true;
        if (b->fields[i] < a->fields[i]) return false;
      }
      return false;
    });
  }
  Json out = Json::array();
  for (const RowPtr& r : rows) out.push_back(r->to_json(*ts, *columns));
  result["rows"] = std::move(out);
  return std::nullopt;
}

MaybeError exec_update(Exec& x, Parser& parser, const Json& op, Json& result) {
  const TableSchema* ts = parse_table(x, parser);
  const Json* where = parser.member("where", Parser::kArray);
  const Json* row_json = parser.member("row", Parser::kObject);
  if (parser.has_error()) return parser.error();

  Row update = Row::make_default(*ts, Uuid::zero());
  std::vector<size_t> columns;
  if (auto st = parse_row(*row_json, *ts, &x.symtab, update, &columns); !st.ok()) {
    return st.take_error();
  }
  for (size_t i : columns) {
    if (!ts->columns[i].is_mutable) {
      return syntax_error(&op, "constraint violation", "Cannot update immutable column %s in table %s.",
                          ts->columns[i].name.c_str(), ts->name.c_str());
    }
  }
  auto cond = Condition::from_json(*ts, *where, &x.symtab);
  if (!cond.ok()) return cond.take_error();
  std::vector<RowPtr> rows = x.txn.query(*ts, *cond);
  for (const RowPtr& r : rows) {
    Row row = *r;
    bool changed = false;
    for (size_t i : columns) {
      if (row.fields[i] != update.fields[i]) {
        row.fields[i] = update.fields[i];
        changed = true;
      }
    }
    if (changed) x.txn.modify(*ts, std::move(row));
  }
  result["count"] = rows.size();
  return std::nullopt;
}

MaybeError exec_mutate(Exec& x, Parser& parser, const Json&, Json& result) {
  const TableSchema* ts = parse_table(x, parser);
  const Json* where = parser.member("where", Parser::kArray);
  const Json* mutations_json = parser.member("mutations", Parser::kArray);
  if (parser.has_error()) return parser.error();

  auto mutations = MutationSet::from_json(*ts, *mutations_json, &x.symtab);
  if (!mutations.ok()) return mutations.take_error();
  auto cond = Condition::from_json(*ts, *where, &x.symtab);
  if (!cond.ok()) return cond.take_error();
  std::vector<RowPtr> rows = x.txn.query(*ts, *cond);
  for (const RowPtr& r : rows) {
    Row row = *r;
    if (auto st = mutations->execute(row.fields, *ts); !st.ok()) return st.take_error();
    x.txn.modify(*ts, std::move(row));
  }
  result["count"] = rows.size();
  return std::nullopt;
}

MaybeError exec_delete(Exec& x, Parser& parser, const Json&, Json& result) {
  const TableSchema* ts = parse_table(x, parser);
  const Json* where = parser.member("where", Parser::kArray);
  if (parser.has_error()) return parser.error();

  auto cond = Condition::from_json(*ts, *where, &x.symtab);
  if (!cond.ok()) return cond.take_error();
  std::vector<RowPtr> rows = x.txn.query(*ts, *cond);
  for (const RowPtr& r : rows) x.txn.remove(*ts, r->uuid());
  result["count"] = rows.size();
  return std::nullopt;
}

using Projection = std::vector<Datum>;

Projection project(const Row& row, const std::vector<size_t>& columns) {
  Projection p;
  for (size_t i : columns) p.push_back(row.fields[i]);
  return p;
}

// True if the rows matching 'cond' projected on 'columns' are exactly the
// distinct rows of 'expected'.
OResult<bool> wait_rows_equal(Exec& x, const TableSchema& ts, const Condition& cond,
                              const std::vector<size_t>& columns, const Json& rows_json) {
  std::set<Projection> expected;
  for (const Json& rj : rows_json) {
    Row row = Row::make_default(ts, Uuid::zero());
    if (auto st = parse_row(rj, ts, &x.symtab, row, nullptr); !st.ok()) return st.take_error();
    expected.insert(project(row, columns));
  }
  std::set<Projection> actual;
  for (const RowPtr& r : x.txn.query(ts, cond)) {
    Projection p = project(*r, columns);
    if (!expected.count(p)) return false;
    actual.insert(std::move(p));
  }
  return actual.size() == expected.size();
}

MaybeError exec_wait(Exec& x, Parser& parser, const Json&, Json&) {
  const Json* timeout = parser.member("timeout", Parser::kInteger | Parser::kOptional);
  const Json* where = parser.member("where", Parser::kArray);
  const Json* columns_json = parser.member("columns", Parser::kArray | Parser::kOptional);
  const Json* until = parser.member("until", Parser::kString);
  const Json* rows = parser.member("rows", Parser::kArray);
  const TableSchema* ts = parse_table(x, parser);
  if (parser.has_error()) return parser.error();

  auto cond = Condition::from_json(*ts, *where, &x.symtab);
  if (!cond.ok()) return cond.take_error();
  auto columns = parse_columns(columns_json, *ts);
  if (!columns.ok()) return columns.take_error();
  long long timeout_msec = LLONG_MAX;
  if (timeout) {
    timeout_msec = timeout->get<long long>();
    if (timeout_msec < 0) return syntax_error(timeout, nullptr, "timeout must be nonnegative");
    x.timeout_msec = std::min(x.timeout_msec, timeout_msec);
  }
  const std::string& until_s = until->get_ref<const std::string&>();
  if (until_s != "==" && until_s != "!=") {
    return syntax_error(until, nullptr, "\"until\" must be \"==\" or \"!=\"");
  }
  auto equal = wait_rows_equal(x, *ts, *cond, *columns, *rows);
  if (!equal.ok()) return equal.take_error();
  if ((until_s == "==") == *equal) return std::nullopt;
  if (timeout && x.options.elapsed_msec >= timeout_msec) {
    if (x.options.elapsed_msec) {
      return make_error("timed out", "\"wait\" timed out after %lld ms", x.options.elapsed_msec);
    }
    return make_error("timed out", "\"where\" clause test failed");
  }
  return make_error("not supported", "triggers not supported");
}

MaybeError exec_commit(Exec& x, Parser& parser, const Json&, Json&) {
  const Json* durable = parser.member("durable", Parser::kBoolean);
  if (durable && durable->get<bool>()) x.durable = true;
  return std::nullopt;
}

MaybeError exec_abort(Exec&, Parser&, const Json&, Json&) {
  return make_error("aborted", "aborted by request");
}

MaybeError exec_comment(Exec& x, Parser& parser, const Json&, Json&) {
  const Json* comment = parser.member("comment", Parser::kString);
  if (comment) x.txn.add_comment(comment->get<std::string>());
  return std::nullopt;
}

MaybeError exec_assert(Exec& x, Parser& parser, const Json&, Json&) {
  const Json* lock = parser.member("lock", Parser::kId);
  if (!lock) return std::nullopt;
  const std::string& name = lock->get_ref<const std::string&>();
  if (x.options.lock_held && x.options.lock_held(name)) return std::nullopt;
  return make_error("not owner", "Asserted lock %s not held.", name.c_str());
}

using Executor = MaybeError (*)(Exec&, Parser&, const Json&, Json&);

struct OpInfo {
  const char* name;
  Executor executor;
  bool read_only;
};

const OpInfo kOps[] = {
    {"insert", exec_insert, false}, {"select", exec_select, true},
    {"update", exec_update, false}, {"mutate", exec_mutate, false},
    {"delete", exec_delete, false}, {"wait", exec_wait, true},
    {"commit", exec_commit, false}, {"abort", exec_abort, true},
    {"comment", exec_comment, true}, {"assert", exec_assert, true},
};

// Runs one operation; returns its error, if any ('result' then unused).
MaybeError run_operation(Exec& x, const Json& op, size_t i, size_t n, Json& result) {
  Parser parser(op, "ovsdb operation " + std::to_string(i) + " of " + std::to_string(n));
  const Json* op_name = parser.member("op", Parser::kId);
  MaybeError error;
  bool ro = false;
  std::string name;
  if (op_name) {
    name = op_name->get<std::string>();
    const OpInfo* info = nullptr;
    for (const OpInfo& o : kOps) {
      if (name == o.name) info = &o;
    }
    if (info) {
      ro = info->read_only;
      error = info->executor(x, parser, op, result);
    } else {
      parser.raise("No operation \"%s\"", name.c_str());
    }
  }
  // A parse error overrides any other error.
  if (MaybeError parse_error = parser.finish()) error = std::move(parse_error);
  if (!ro && !error) {
    if (x.options.read_only) {
      error = make_error("not allowed",
                         "%s operation not allowed when database server is in read only mode",
                         name.c_str());
    } else if (!x.db.schema().name.empty() && x.db.schema().name[0] == '_') {
      error = make_error("not allowed", "%s operation not allowed on table in reserved database %s",
                         name.c_str(), x.db.schema().name.c_str());
    }
  }
  return error;
}

}  // namespace

Composed compose_transaction(const Database& db, const Json& params, const ExecOptions& options) {
  Composed out;
  if (!params.is_array() || params.empty() || !params[0].is_string() ||
      params[0].get_ref<const std::string&>() != db.schema().name) {
    OvsdbError e = params.is_array()
                       ? syntax_error(&params, nullptr, "database name expected as first parameter")
                       : syntax_error(&params, nullptr, "array expected");
    out.results = e.to_json();  // OVS replies with a bare error object here
    return out;
  }
  auto txn = std::make_unique<Txn>(db);
  Exec x{db, options, *txn, {}, false, LLONG_MAX};
  out.results = Json::array();
  size_t n = params.size() - 1;
  bool failed = false;
  for (size_t i = 1; i <= n; i++) {
    Json result = Json::object();
    MaybeError error = run_operation(x, params[i], i, n, result);
    if (error) {
      out.results.push_back(error->to_json());
      if (error->tag == "not supported" && options.can_retry_wait) {
        out.results = nullptr;
        out.retry_timeout_msec = x.timeout_msec;
        return out;
      }
      failed = true;
      break;
    }
    out.results.push_back(std::move(result));
  }
  while (out.results.size() < n) out.results.push_back(nullptr);
  out.durable = x.durable;
  if (!failed) out.txn = std::move(txn);
  return out;
}

Json execute_transaction(Database& db, const Json& params, const ExecOptions& options,
                         ChangeSet* changes_out) {
  Composed c = compose_transaction(db, params, options);
  if (!c.txn) return c.results;
  auto changes = c.txn->precommit();
  if (!changes.ok()) {
    c.results.push_back(changes.error().to_json());
    return c.results;
  }
  db.apply(*changes);
  if (changes_out) *changes_out = std::move(*changes);
  return c.results;
}

}  // namespace grebe::ovsdb
