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
  // {"column": <value>, ...} for the given columns (all when empty).
  Json to_json(const TableSchema& table, const std::vector<size_t>& columns = {}) const;
};
using RowPtr = std::shared_ptr<const Row>;

struct Table {
  const TableSchema* schema = nullptr;
  std::map<Uuid, RowPtr> rows;

  const Row* get(const Uuid& uuid) const {
    auto it = rows.find(uuid);
    return it == rows.end() ? nullptr : it->second.get();
  }
};

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
  // database's current contents.  Never fails.
  void apply(const ChangeSet& changes);

 private:
  std::shared_ptr<const DatabaseSchema> schema_;
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace grebe::ovsdb
