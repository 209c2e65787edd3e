// Txn: transactional view over a Database and OVS's commit-time checks.
#include "ovsdb/core/transaction.h"

#include <algorithm>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_txn);

namespace grebe::ovsdb {

namespace {

bool has_refs(const TableSchema& ts, bool strong) {
  for (const ColumnSchema& c : ts.columns) {
    if (strong ? (c.type.key.is_strong_ref() || c.type.value.is_strong_ref())
               : (c.type.key.is_weak_ref() || c.type.value.is_weak_ref())) {
      return true;
    }
  }
  return false;
}

bool same_columns(const Row& a, const Row& b, const std::vector<size_t>& columns) {
  for (size_t i : columns) {
    if (a.fields[i] != b.fields[i]) return false;
  }
  return true;
}

const char* list_delimiter(size_t i, size_t n) {
  if (i == 0) return "";
  if (i == n - 1) return n == 2 ? " and " : ", and ";
  return ", ";
}

std::string row_columns_to_string(const TableSchema& ts, const Row& row,
                                  const std::vector<size_t>& columns) {
  std::string s;
  for (size_t i = 0; i < columns.size(); i++) {
    s += list_delimiter(i, columns.size());
    s += row.fields[columns[i]].to_string(ts.columns[columns[i]].type);
  }
  return s;
}

int compare_rows(const Row& a, const Row& b) {
  for (size_t i = 0; i < a.fields.size(); i++) {
    if (a.fields[i] < b.fields[i]) return -1;
    if (b.fields[i] < a.fields[i]) return 1;
  }
  return 0;
}

}  // namespace

std::string column_set_to_string(const TableSchema& table, const std::vector<size_t>& columns) {
  if (columns.empty()) return "no columns";
  std::string s = columns.size() > 1 ? "columns " : "column ";
  for (size_t i = 0; i < columns.size(); i++) {
    s += list_delimiter(i, columns.size());
    s += "\"" + table.columns[columns[i]].name + "\"";
  }
  return s;
}

RowPtr Txn::get(std::string_view table, const Uuid& uuid) const {
  auto t = rows_.find(table);
  if (t != rows_.end()) {
    auto r = t->second.find(uuid);
    if (r != t->second.end()) return r->second.new_row;
  }
  const Table* dt = db_.table(table);
  if (!dt) return nullptr;
  auto it = dt->rows.find(uuid);
  return it == dt->rows.end() ? nullptr : it->second;
}

bool Txn::exists(const std::string& table, const Uuid& uuid) const {
  return get(table, uuid) != nullptr;
}

void Txn::for_each_row(const std::string& table, const std::function<void(const Row&)>& fn) const {
  const Table* dt = db_.table(table);
  if (!dt) return;
  auto t = rows_.find(table);
  if (t == rows_.end()) {
    for (const auto& [uuid, row] : dt->rows) fn(*row);
    return;
  }
  // Merge the committed rows with this transaction's, both in UUID order.
  auto a = dt->rows.begin();
  auto b = t->second.begin();
  while (a != dt->rows.end() || b != t->second.end()) {
    if (b == t->second.end() || (a != dt->rows.end() && a->first < b->first)) {
      fn(*a->second);
      ++a;
    } else {
      if (a != dt->rows.end() && a->first == b->first) ++a;
      if (b->second.new_row) fn(*b->second.new_row);
      ++b;
    }
  }
}

namespace {

// If 'cond' fixes every column of one of the table's indexes with "==",
// returns that index's number and key.
std::optional<std::pair<size_t, IndexKey>> index_lookup(const TableSchema& ts,
                                                        const Condition& cond) {
  for (size_t i = 0; i < ts.indexes.size(); i++) {
    IndexKey key;
    for (size_t column : ts.indexes[i]) {
      for (const Clause& c : cond.clauses()) {
        if (c.function == Function::kEq && c.column == column) {
          key.push_back(c.arg);
          break;
        }
      }
    }
    if (key.size() == ts.indexes[i].size()) return std::make_pair(i, std::move(key));
  }
  return std::nullopt;
}

}  // namespace

std::vector<RowPtr> Txn::query(const TableSchema& table, const Condition& cond) const {
  std::vector<RowPtr> out;
  if (auto uuid = cond.uuid_eq()) {
    RowPtr row = get(table.name, *uuid);
    if (row && cond.evaluate(row->fields)) out.push_back(std::move(row));
    return out;
  }
  const Table* dt = db_.table(table.name);
  if (!dt) return out;
  auto t = rows_.find(table.name);
  if (auto lookup = index_lookup(table, cond)) {
    // Only the committed row with that key, or rows this transaction wrote,
    // can match.
    std::set<Uuid> candidates;
    auto e = dt->indexes[lookup->first].find(lookup->second);
    if (e != dt->indexes[lookup->first].end()) candidates.insert(e->second);
    if (t != rows_.end()) {
      for (const auto& [uuid, tr] : t->second) candidates.insert(uuid);
    }
    for (const Uuid& uuid : candidates) {
      RowPtr row = get(table.name, uuid);
      if (row && cond.evaluate(row->fields)) out.push_back(std::move(row));
    }
    return out;
  }
  auto consider = [&](const RowPtr& row) {
    if (row && cond.evaluate(row->fields)) out.push_back(row);
  };
  if (t == rows_.end()) {
    for (const auto& [uuid, row] : dt->rows) consider(row);
    return out;
  }
  auto a = dt->rows.begin();
  auto b = t->second.begin();
  while (a != dt->rows.end() || b != t->second.end()) {
    if (b == t->second.end() || (a != dt->rows.end() && a->first < b->first)) {
      consider(a->second);
      ++a;
    } else {
      if (a != dt->rows.end() && a->first == b->first) ++a;
      consider(b->second.new_row);
      ++b;
    }
  }
  return out;
}

bool Txn::may_create(std::string_view table, const Uuid& uuid) const {
  auto t = rows_.find(table);
  if (t != rows_.end() && t->second.count(uuid)) return false;
  const Table* dt = db_.table(table);
  return !dt || !dt->rows.count(uuid);
}

void Txn::put(const TableSchema& table, const Uuid& uuid, RowPtr new_row) {
  TableRows& rows = rows_[table.name];
  auto it = rows.find(uuid);
  if (it == rows.end()) {
    TxnRow tr;
    if (const Table* dt = db_.table(table.name)) {
      auto r = dt->rows.find(uuid);
      if (r != dt->rows.end()) tr.old_row = r->second;
    }
    it = rows.emplace(uuid, std::move(tr)).first;
  }
  it->second.new_row = std::move(new_row);
}

void Txn::insert(const TableSchema& table, Row row) {
  Uuid uuid = row.uuid();
  put(table, uuid, std::make_shared<const Row>(std::move(row)));
}

void Txn::modify(const TableSchema& table, Row row) {
  Uuid uuid = row.uuid();
  put(table, uuid, std::make_shared<const Row>(std::move(row)));
}

void Txn::remove(const TableSchema& table, const Uuid& uuid) { put(table, uuid, nullptr); }

void Txn::add_comment(const std::string& comment) {
  if (!comment_.empty()) comment_ += '\n';
  comment_ += comment;
}

void Txn::drop_noops() {
  for (auto t = rows_.begin(); t != rows_.end();) {
    for (auto r = t->second.begin(); r != t->second.end();) {
      const TxnRow& tr = r->second;
      bool noop = !tr.old_row && !tr.new_row;
      if (tr.old_row && tr.new_row) {
        noop = true;
        for (size_t i = kNumStdColumns; i < tr.old_row->fields.size() && noop; i++) {
          noop = tr.old_row->fields[i] == tr.new_row->fields[i];
        }
      }
      r = noop ? t->second.erase(r) : std::next(r);
    }
    t = t->second.empty() ? rows_.erase(t) : std::next(t);
  }
}

OStatus Txn::check_strong_refs() {
  // Also tallies how this transaction changes strong reference counts.
  strong_delta_.clear();
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = *db_.schema().find_table(table);
    if (!has_refs(ts, true)) continue;
    for (const auto& [uuid, tr] : rows) {
      for (const RefChange& rc : ref_changes(ts, tr.old_row.get(), tr.new_row.get(), true)) {
        strong_delta_[{*rc.ref_table, rc.target}] += rc.delta;
        if (rc.delta < 0 || exists(*rc.ref_table, rc.target)) continue;
        return make_error("referential integrity violation",
                          "Table %s column %s row %s references nonexistent row %s in table %s.",
                          table.c_str(), rc.column->name.c_str(), uuid.to_string().c_str(),
                          rc.target.to_string().c_str(), rc.ref_table->c_str());
      }
    }
  }
  return check_deleted_refs();
}

void Txn::add_strong_delta(const TableSchema& ts, const Row* old_row, const Row* new_row) {
  for (const RefChange& rc : ref_changes(ts, old_row, new_row, true)) {
    strong_delta_[{*rc.ref_table, rc.target}] += rc.delta;
  }
}

size_t Txn::final_strong_refs(const std::string& table, const Uuid& uuid) const {
  const Table* t = db_.table(table);
  long n = t ? long(t->refs_to(uuid).strong) : 0;
  auto it = strong_delta_.find({table, uuid});
  if (it != strong_delta_.end()) n += it->second;
  return n > 0 ? size_t(n) : 0;
}

OStatus Txn::check_deleted_refs() {
  for (const auto& [table, rows] : rows_) {
    for (const auto& [uuid, tr] : rows) {
      if (!tr.old_row || tr.new_row) continue;
      size_t n = final_strong_refs(table, uuid);
      if (n) {
        return make_error("referential integrity violation",
                          "cannot delete %s row %s because of %zu remaining reference(s)",
                          table.c_str(), uuid.to_string().c_str(), n);
      }
    }
  }
  return {};
}

void Txn::collect_row(const TableUuid& key) {
  std::vector<TableUuid> work{key};
  const auto& tables = db_.schema().tables;
  while (!work.empty()) {
    TableUuid k = work.back();
    work.pop_back();
    RowPtr row = get(k.first, k.second);
    if (!row) continue;
    const TableSchema& ts = tables.find(k.first)->second;
    remove(ts, k.second);
    add_strong_delta(ts, row.get(), nullptr);
    for_each_ref(ts, *row, true, [&](const ColumnSchema&, const std::string& ref, const Uuid& t) {
      const TableSchema* target = db_.schema().find_table(ref);
      if (target && !target->is_root && !final_strong_refs(ref, t)) work.push_back({ref, t});
    });
  }
}

void Txn::collect_garbage() {
  // A non-root row can become garbage only if it is new in this transaction
  // or lost a reference in it: those are the only candidates.
  std::vector<TableUuid> candidates;
  for (const auto& [table, rows] : rows_) {
    if (db_.schema().find_table(table)->is_root) continue;
    for (const auto& [uuid, tr] : rows) {
      if (tr.new_row) candidates.push_back({table, uuid});
    }
  }
  for (const auto& [key, delta] : strong_delta_) {
    const TableSchema* ts = db_.schema().find_table(key.first);
    if (delta < 0 && ts && !ts->is_root) candidates.push_back(key);
  }
  for (const TableUuid& key : candidates) {
    if (!final_strong_refs(key.first, key.second) && get(key.first, key.second)) collect_row(key);
  }
}

OStatus Txn::check_max_rows() const {
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = *db_.schema().find_table(table);
    if (ts.max_rows == UINT_MAX) continue;
    size_t n = db_.table(table)->rows.size();
    for (const auto& [uuid, tr] : rows) {
      if (tr.old_row && !tr.new_row) n--;
      if (!tr.old_row && tr.new_row) n++;
    }
    if (n > ts.max_rows) {
      return make_error("constraint violation",
                        "transaction causes \"%s\" table to contain %zu rows, greater than the "
                        "schema-defined limit of %u row(s)",
                        table.c_str(), n, ts.max_rows);
    }
  }
  return {};
}

// Rows of 'table' whose weak references may now dangle: those this
// transaction wrote, plus, if a deleted row was weakly referenced by
// committed rows, every row of the table (a rare, small scan).
std::vector<RowPtr> Txn::weak_ref_candidates(const std::string& table,
                                             const TableSchema& ts) const {
  bool scan_all = false;
  for (const ColumnSchema& c : ts.columns) {
    for (const BaseType* b : {&c.type.key, &c.type.value}) {
      if (!b->is_weak_ref() || scan_all) continue;
      auto t = rows_.find(b->ref_table);
      if (t == rows_.end()) continue;
      const Table* target = db_.table(b->ref_table);
      for (const auto& [uuid, tr] : t->second) {
        if (tr.old_row && !tr.new_row && target->refs_to(uuid).weak) scan_all = true;
      }
    }
  }
  std::vector<RowPtr> out;
  if (scan_all) {
    for_each_row(table, [&](const Row& row) { out.push_back(get(table, row.uuid())); });
  } else if (auto t = rows_.find(table); t != rows_.end()) {
    for (const auto& [uuid, tr] : t->second) {
      if (tr.new_row) out.push_back(tr.new_row);
    }
  }
  return out;
}

OStatus Txn::remove_dangling_weak_refs(const TableSchema& ts, const RowPtr& row) {
  Row copy = *row;
  bool changed = false;
  for (const ColumnSchema& c : ts.columns) {
    bool kw = c.type.key.is_weak_ref(), vw = c.type.value.is_weak_ref();
    if (!kw && !vw) continue;
    Datum& d = copy.fields[c.index];
    Datum kept;
    bool zero = false;
    for (size_t i = 0; i < d.size(); i++) {
      bool ok = true;
      if (kw) {
        const Uuid& u = std::get<Uuid>(d.keys[i]);
        zero |= u.is_zero();
        ok = exists(c.type.key.ref_table, u);
      }
      if (ok && vw) {
        const Uuid& u = std::get<Uuid>(d.values[i]);
        zero |= u.is_zero();
        ok = exists(c.type.value.ref_table, u);
      }
      if (!ok) continue;
      kept.keys.push_back(d.keys[i]);
      if (c.type.is_map()) kept.values.push_back(d.values[i]);
    }
    if (kept.size() == d.size()) continue;
    if (kept.size() < c.type.n_min) {
      bool inserted = !db_.table(ts.name)->get(row->uuid());
      std::string uuid = row->uuid().to_string();
      if (zero && inserted) {
        return make_error("constraint violation",
                          "Weak reference column \"%s\" in \"%s\" row %s (inserted within this "
                          "transaction) contained all-zeros UUID (probably as the default value "
                          "for this column) but deleting this value caused a constraint volation "
                          "because this column is not allowed to be empty.",
                          c.name.c_str(), ts.name.c_str(), uuid.c_str());
      }
      return make_error("constraint violation",
                        "Deletion of %zu weak reference(s) to deleted (or never-existing) rows "
                        "from column \"%s\" in \"%s\" row %s %scaused this column to become "
                        "empty, but constraints on this column disallow an empty column.",
                        d.size() - kept.size(), c.name.c_str(), ts.name.c_str(), uuid.c_str(),
                        inserted ? "(inserted within this transaction) " : "");
    }
    d = std::move(kept);
    changed = true;
  }
  if (changed) modify(ts, std::move(copy));
  return {};
}

OStatus Txn::assess_weak_refs() {
  for (const auto& [name, ts] : db_.schema().tables) {
    if (!has_refs(ts, false)) continue;
    for (const RowPtr& row : weak_ref_candidates(name, ts)) {
      GREBE_TRY(remove_dangling_weak_refs(ts, row));
    }
  }
  return {};
}

std::string Txn::describe_index_row(const TableSchema& ts, const std::vector<size_t>& index,
                                    const Row& row, const char* title) const {
  std::string s = std::string(title) + " row, with UUID " + row.uuid().to_string() + ", ";
  const TableRows& rows = rows_.find(ts.name)->second;
  auto t = rows.find(row.uuid());
  if (t == rows.end()) {
    s += "existed in the database before this transaction and was not modified by the "
         "transaction.";
  } else if (!t->second.old_row) {
    s += "was inserted by this transaction.";
  } else if (same_columns(*t->second.old_row, row, index)) {
    s += "existed in the database before this transaction, which modified some of the row's "
         "columns but not any columns in this index.";
  } else {
    s += "had the following index values before the transaction: " +
         row_columns_to_string(ts, *t->second.old_row, index) + ".";
  }
  return s;
}

OStatus Txn::check_index(const TableSchema& ts, size_t index_no) const {
  const std::vector<size_t>& index = ts.indexes[index_no];
  const Table& table = *db_.table(ts.name);
  std::map<IndexKey, RowPtr> written;
  for (const auto& [uuid, tr] : rows_.find(ts.name)->second) {
    // A row keeping its index values cannot create a duplicate by itself.
    if (!tr.new_row || (tr.old_row && same_columns(*tr.old_row, *tr.new_row, index))) continue;
    IndexKey key = index_key(*tr.new_row, index);
    RowPtr other;
    auto [w, fresh] = written.emplace(key, tr.new_row);
    if (!fresh) {
      other = w->second;
    } else if (auto c = table.indexes[index_no].find(key); c != table.indexes[index_no].end() &&
                                                          c->second != uuid) {
      RowPtr now = get(ts.name, c->second);
      if (now && index_key(*now, index) == key) other = now;
    }
    if (!other) continue;
    const Row* a = other.get();
    const Row* b = tr.new_row.get();
    if (compare_rows(*a, *b) < 0) std::swap(a, b);
    return make_error("constraint violation",
                      "Transaction causes multiple rows in \"%s\" table to have identical values "
                      "(%s) for index on %s.  %s  %s",
                      ts.name.c_str(), row_columns_to_string(ts, *a, index).c_str(),
                      column_set_to_string(ts, index).c_str(),
                      describe_index_row(ts, index, *a, "First").c_str(),
                      describe_index_row(ts, index, *b, "Second").c_str());
  }
  return {};
}

OStatus Txn::check_indexes() const {
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = *db_.schema().find_table(table);
    for (size_t i = 0; i < ts.indexes.size(); i++) GREBE_TRY(check_index(ts, i));
  }
  return {};
}

ChangeSet Txn::finish() {
  ChangeSet cs;
  cs.comment = comment_;
  for (auto& [table, rows] : rows_) {
    auto& out = cs.tables[table];
    for (auto& [uuid, tr] : rows) {
      RowChange change{tr.old_row, nullptr};
      if (tr.new_row) {
        Row row = *tr.new_row;
        row.fields[kColVersion] = Datum::scalar(Uuid::generate());
        change.new_row = std::make_shared<const Row>(std::move(row));
      }
      out.emplace(uuid, std::move(change));
    }
  }
  return cs;
}

OResult<ChangeSet> Txn::precommit() {
  drop_noops();
  if (rows_.empty()) {
    ChangeSet cs;
    cs.comment = comment_;
    return cs;
  }
  GREBE_TRY(check_strong_refs());
  collect_garbage();
  GREBE_TRY(check_max_rows());
  GREBE_TRY(assess_weak_refs());
  drop_noops();
  GREBE_TRY(check_indexes());
  VLOG_DBG("precommit: %zu tables changed", rows_.size());
  return finish();
}

}  // namespace grebe::ovsdb
