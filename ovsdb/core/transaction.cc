// Txn: transactional view over a Database and OVS's commit-time checks.
#include "ovsdb/core/transaction.h"

#include <algorithm>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_txn);

namespace grebe::ovsdb {

namespace {

using TableUuid = std::pair<std::string, Uuid>;

// Calls fn(column, ref_table, uuid) for each reference of the wanted kind.
template <typename Fn>
void for_each_ref(const TableSchema& ts, const Row& row, bool strong, Fn&& fn) {
  for (const ColumnSchema& c : ts.columns) {
    const Datum& d = row.fields[c.index];
    auto wanted = [&](const BaseType& b) { return strong ? b.is_strong_ref() : b.is_weak_ref(); };
    if (wanted(c.type.key)) {
      for (const Atom& a : d.keys) fn(c, c.type.key.ref_table, std::get<Uuid>(a));
    }
    if (wanted(c.type.value)) {
      for (const Atom& a : d.values) fn(c, c.type.value.ref_table, std::get<Uuid>(a));
    }
  }
}

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
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = *db_.schema().find_table(table);
    if (!has_refs(ts, true)) continue;
    for (const auto& [uuid, tr] : rows) {
      if (!tr.new_row) continue;
      std::optional<OvsdbError> error;
      for_each_ref(ts, *tr.new_row, true, [&](const ColumnSchema& c, const std::string& ref, const Uuid& target) {
        if (error || exists(ref, target)) return;
        if (tr.old_row && tr.old_row->fields[c.index] == tr.new_row->fields[c.index]) return;
        error = make_error("referential integrity violation",
                           "Table %s column %s row %s references nonexistent row %s in table %s.",
                           table.c_str(), c.name.c_str(), uuid.to_string().c_str(),
                           target.to_string().c_str(), ref.c_str());
      });
      if (error) return *error;
    }
  }
  return check_deleted_refs();
}

OStatus Txn::check_deleted_refs() {
  std::map<std::string, std::set<Uuid>> deleted;
  for (const auto& [table, rows] : rows_) {
    for (const auto& [uuid, tr] : rows) {
      if (tr.old_row && !tr.new_row) deleted[table].insert(uuid);
    }
  }
  if (deleted.empty()) return {};
  std::map<TableUuid, size_t> counts;
  for (const auto& [name, ts] : db_.schema().tables) {
    if (!has_refs(ts, true)) continue;
    for_each_row(name, [&](const Row& row) {
      for_each_ref(ts, row, true, [&](const ColumnSchema&, const std::string& ref, const Uuid& target) {
        auto d = deleted.find(ref);
        if (d != deleted.end() && d->second.count(target)) counts[{ref, target}]++;
      });
    });
  }
  for (const auto& [key, n] : counts) {
    return make_error("referential integrity violation",
                      "cannot delete %s row %s because of %zu remaining reference(s)",
                      key.first.c_str(), key.second.to_string().c_str(), n);
  }
  return {};
}

void Txn::collect_garbage() {
  const auto& tables = db_.schema().tables;
  bool any_nonroot = std::any_of(tables.begin(), tables.end(),
                                 [](const auto& t) { return !t.second.is_root; });
  if (!any_nonroot) return;
  // Only a transaction that can have dropped a strong reference, or added
  // a row to a non-root table, can leave garbage: skip the scan otherwise.
  bool needed = false;
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = tables.find(table)->second;
    for (const auto& [uuid, tr] : rows) {
      if (!tr.new_row || !tr.old_row) {
        needed |= !tr.new_row || !ts.is_root;
        continue;
      }
      for (const ColumnSchema& c : ts.columns) {
        if ((c.type.key.is_strong_ref() || c.type.value.is_strong_ref()) &&
            tr.old_row->fields[c.index] != tr.new_row->fields[c.index]) {
          needed = true;
        }
      }
    }
  }
  if (!needed) return;

  std::map<TableUuid, size_t> counts;
  for (const auto& [name, ts] : tables) {
    if (!ts.is_root) for_each_row(name, [&](const Row& row) { counts[{name, row.uuid()}] = 0; });
  }
  for (const auto& [name, ts] : tables) {
    if (!has_refs(ts, true)) continue;
    for_each_row(name, [&](const Row& row) {
      for_each_ref(ts, row, true, [&](const ColumnSchema&, const std::string& ref, const Uuid& t) {
        auto it = counts.find({ref, t});
        if (it != counts.end()) it->second++;
      });
    });
  }
  std::vector<TableUuid> work;
  for (const auto& [key, n] : counts) {
    if (!n) work.push_back(key);
  }
  while (!work.empty()) {
    TableUuid key = work.back();
    work.pop_back();
    RowPtr row = get(key.first, key.second);
    if (!row) continue;
    const TableSchema& ts = tables.find(key.first)->second;
    remove(ts, key.second);
    for_each_ref(ts, *row, true, [&](const ColumnSchema&, const std::string& ref, const Uuid& t) {
      auto it = counts.find({ref, t});
      if (it != counts.end() && it->second && --it->second == 0) work.push_back(it->first);
    });
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

OStatus Txn::assess_weak_refs() {
  std::set<std::string> tables_with_deletes;
  for (const auto& [table, rows] : rows_) {
    for (const auto& [uuid, tr] : rows) {
      if (tr.old_row && !tr.new_row) tables_with_deletes.insert(table);
    }
  }
  for (const auto& [name, ts] : db_.schema().tables) {
    if (!has_refs(ts, false)) continue;
    bool scan_all = false;
    for (const ColumnSchema& c : ts.columns) {
      scan_all |= c.type.key.is_weak_ref() && tables_with_deletes.count(c.type.key.ref_table);
      scan_all |= c.type.value.is_weak_ref() && tables_with_deletes.count(c.type.value.ref_table);
    }
    std::vector<RowPtr> candidates;
    if (scan_all) {
      for_each_row(name, [&](const Row& row) { candidates.push_back(get(name, row.uuid())); });
    } else if (auto t = rows_.find(name); t != rows_.end()) {
      for (const auto& [uuid, tr] : t->second) {
        if (tr.new_row) candidates.push_back(tr.new_row);
      }
    }
    for (const RowPtr& row : candidates) {
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
        size_t n_removed = d.size() - kept.size();
        if (kept.size() < c.type.n_min) {
          bool inserted = !db_.table(name)->get(row->uuid());
          if (zero && inserted) {
            return make_error("constraint violation",
                              "Weak reference column \"%s\" in \"%s\" row %s (inserted within this "
                              "transaction) contained all-zeros UUID (probably as the default value "
                              "for this column) but deleting this value caused a constraint volation "
                              "because this column is not allowed to be empty.",
                              c.name.c_str(), name.c_str(), row->uuid().to_string().c_str());
          }
          return make_error("constraint violation",
                            "Deletion of %zu weak reference(s) to deleted (or never-existing) rows "
                            "from column \"%s\" in \"%s\" row %s %scaused this column to become "
                            "empty, but constraints on this column disallow an empty column.",
                            n_removed, c.name.c_str(), name.c_str(),
                            row->uuid().to_string().c_str(),
                            inserted ? "(inserted within this transaction) " : "");
        }
        d = std::move(kept);
        changed = true;
      }
      if (changed) modify(ts, std::move(copy));
    }
  }
  return {};
}

OStatus Txn::check_indexes() const {
  for (const auto& [table, rows] : rows_) {
    const TableSchema& ts = *db_.schema().find_table(table);
    for (const auto& index : ts.indexes) {
      std::map<std::vector<Datum>, RowPtr> seen;
      std::optional<OvsdbError> error;
      for_each_row(table, [&](const Row& row) {
        if (error) return;
        std::vector<Datum> key;
        for (size_t i : index) key.push_back(row.fields[i]);
        RowPtr self = get(table, row.uuid());
        auto [it, fresh] = seen.emplace(std::move(key), self);
        if (fresh) return;
        const Row* a = it->second.get();
        const Row* b = self.get();
        if (compare_rows(*a, *b) < 0) std::swap(a, b);
        auto describe = [&](const Row& r, const char* title) {
          std::string s = std::string(title) + " row, with UUID " + r.uuid().to_string() + ", ";
          auto t = rows.find(r.uuid());
          if (t == rows.end()) {
            s += "existed in the database before this transaction and was not modified by the "
                 "transaction.";
          } else if (!t->second.old_row) {
            s += "was inserted by this transaction.";
          } else if (same_columns(*t->second.old_row, r, index)) {
            s += "existed in the database before this transaction, which modified some of the "
                 "row's columns but not any columns in this index.";
          } else {
            s += "had the following index values before the transaction: " +
                 row_columns_to_string(ts, *t->second.old_row, index) + ".";
          }
          return s;
        };
        error = make_error("constraint violation",
                           "Transaction causes multiple rows in \"%s\" table to have identical "
                           "values (%s) for index on %s.  %s  %s",
                           table.c_str(), row_columns_to_string(ts, *a, index).c_str(),
                           column_set_to_string(ts, index).c_str(), describe(*a, "First").c_str(),
                           describe(*b, "Second").c_str());
      });
      if (error) return *error;
    }
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
