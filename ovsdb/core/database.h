// The in-memory OVSDB database: tables of immutable rows.
//
// Rows are immutable once committed and shared by pointer (RowPtr), so a
// commit's ChangeSet can hand the old and new versions of each row to
// monitors and storage without copying.  A Database is not thread-safe: the
// server owns it on one thread and runs every transaction there.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb {

struct Row {
  std::vector<Datum> fields;  // indexed by ColumnSchema::index

  Uuid uuid() const { return std::get<Uuid>(fields[kColUuid].keys[0]); }
  Uuid version() const { return std::get<Uuid>(fields[kColVersion].keys[0]); }
  // A row of 'table' with every column at its default value.
  static Row make_default(const TableSchema& table, const Uuid& uuid);
  // {"column": <value>, ...} for every column, or for exactly 'columns'.
  Json to_json(const TableSchema& table) const;
  Json to_json(const TableSchema& table, const std::vector<size_t>& columns) const;
};
using RowPtr = std::shared_ptr<const Row>;

// How many committed rows reference a row, by kind of reference.
struct RefCount {
  size_t strong = 0;
  size_t weak = 0;
};

using IndexKey = std::vector<Datum>;

struct Table {
  const TableSchema* schema = nullptr;
  std::map<Uuid, RowPtr> rows;
  // Incoming references to this table's rows (only nonzero entries).
  std::unordered_map<Uuid, RefCount, UuidHash> incoming;
  // One map per schema index: the indexed columns' values -> row.
  std::vector<std::map<IndexKey, Uuid>> indexes;

  const Row* get(const Uuid& uuid) const {
    auto it = rows.find(uuid);
    return it == rows.end() ? nullptr : it->second.get();
  }
  RefCount refs_to(const Uuid& uuid) const {
    auto it = incoming.find(uuid);
    return it == incoming.end() ? RefCount{} : it->second;
  }
};

// The values of 'row' in the columns of 'index'.
IndexKey index_key(const Row& row, const std::vector<size_t>& index);

struct RefChange {
  const ColumnSchema* column;
  const std::string* ref_table;
  Uuid target;
  int delta;  // +1: reference added, -1: reference dropped
};
// The references of one kind (strong or weak) that 'new_row' adds or drops
// relative to 'old_row' (either may be null), looking only at columns whose
// values differ: the cost follows the change, not the row.
std::vector<RefChange> ref_changes(const TableSchema& ts, const Row* old_row, const Row* new_row,
                                   bool strong);

// Calls fn(column, ref_table, target_uuid) for each reference in 'row' that
// is strong (strong == true) or weak (strong == false).
template <typename Fn>
void for_each_ref(const TableSchema& ts, const Row& row, bool strong, Fn&& fn) {
  for (const ColumnSchema& c : ts.columns) {
    auto wanted = [&](const BaseType& b) { return strong ? b.is_strong_ref() : b.is_weak_ref(); };
    const Datum& d = row.fields[c.index];
    if (wanted(c.type.key)) {
      for (const Atom& a : d.keys) fn(c, c.type.key.ref_table, std::get<Uuid>(a));
    }
    if (wanted(c.type.value)) {
      for (const Atom& a : d.values) fn(c, c.type.value.ref_table, std::get<Uuid>(a));
    }
  }
}

// One row's change in a commit: insert (old null), delete (new null) or
// modify (both set).
struct RowChange {
  RowPtr old_row;
  RowPtr new_row;
};

// Everything one commit changed, per table and row.  Handed to storage
// (to log it) and to monitors (to send updates).
struct ChangeSet {
  std::map<std::string, std::map<Uuid, RowChange>> tables;
  std::string comment;  // "comment" operations, joined with newlines

  bool empty() const { return tables.empty(); }
};

class Database {
 public:
  explicit Database(std::shared_ptr<const DatabaseSchema> schema);

  const DatabaseSchema& schema() const { return *schema_; }
  std::shared_ptr<const DatabaseSchema> schema_ptr() const { return schema_; }
  const Table* table(std::string_view name) const;
  const std::map<std::string, Table, std::less<>>& tables() const { return tables_; }
  size_t n_rows() const;

  // Applies a change set produced by Txn::precommit() against this
  // database's current contents, maintaining reference counts and index
  // maps.  Never fails.
  void apply(const ChangeSet& changes);

 private:
  void count_refs(const TableSchema& ts, const Row* old_row, const Row* new_row);

  std::shared_ptr<const DatabaseSchema> schema_;
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace grebe::ovsdb
