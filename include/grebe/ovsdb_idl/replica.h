// Replica: the client-side copy of the monitored part of one OVSDB database,
// kept up to date from monitor replies and update notifications (RFC 7047
// "update", OVS's "update2" and "update3"), with change tracking since the
// last clear_tracked().
//
// Rows are stored by UUID per table; every row holds one Datum per schema
// column (indexes as in TableSchema::columns; _uuid and _version included).
// Columns that are not monitored keep their default value.
//
// Not thread-safe: owned by the thread that runs the Idl.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb_idl {

using ovsdb::Datum;
using ovsdb::Json;

struct Row {
  Uuid uuid;
  std::vector<Datum> fields;  // one per column of the table's schema
};

// What happened to a row since the last clear_tracked().
struct RowChange {
  enum class Kind { kInserted, kModified, kDeleted };
  Kind kind = Kind::kModified;
  std::vector<bool> columns;  // per column index: changed (all true for inserts)
};

class Replica {
 public:
  explicit Replica(std::shared_ptr<const ovsdb::DatabaseSchema> schema);

  const ovsdb::DatabaseSchema& schema() const { return *schema_; }
  std::shared_ptr<const ovsdb::DatabaseSchema> schema_ptr() const { return schema_; }

  // Null if the table is unknown or the row does not exist.
  const Row* find(std::string_view table, const Uuid& uuid) const;
  // All rows of 'table', ordered by UUID (empty for an unknown table).
  const std::map<Uuid, Row>& rows(std::string_view table) const;

  // Applies the <table-updates> of a "monitor" reply or "update" notification.
  ovsdb::OStatus apply_update(const Json& table_updates);
  // Applies <table-updates2> ("monitor_cond", "update2", "update3").
  ovsdb::OStatus apply_update2(const Json& table_updates2);

  // Resync support: begin_resync() marks every row stale; rows that the
  // following full snapshot does not mention are deleted by end_resync(),
  // so change tracking reports exactly the difference.
  void begin_resync();
  void end_resync();
  // Drops every row (tracked as deletions).
  void clear();

  // Changes since the last clear_tracked(), per table, by row UUID.
  const std::map<std::string, std::map<Uuid, RowChange>, std::less<>>& tracked() const {
    return tracked_;
  }
  void clear_tracked() { tracked_.clear(); }
  // Increments whenever the replica changes.
  uint64_t change_seqno() const { return change_seqno_; }

 private:
  struct Table;
  Table* table(std::string_view name);
  ovsdb::OStatus apply_row(Table& t, const Uuid& uuid, const Json* old_json, const Json* new_json);
  ovsdb::OStatus apply_row2(Table& t, const Uuid& uuid, const std::string& kind, const Json& row);
  ovsdb::OStatus replace_row(Table& t, Row row);
  ovsdb::OStatus parse_fields(Table& t, const Json& row, Row& out, bool as_diff,
                              std::vector<bool>* changed);
  void track(const std::string& table, const Row& row, RowChange::Kind kind,
             const std::vector<bool>* changed);

  std::shared_ptr<const ovsdb::DatabaseSchema> schema_;
  struct Table {
    const ovsdb::TableSchema* schema;
    std::map<Uuid, Row> rows;
  };
  std::map<std::string, Table, std::less<>> tables_;
  std::map<std::string, std::map<Uuid, Row*>, std::less<>> stale_;
  bool resyncing_ = false;
  std::map<std::string, std::map<Uuid, RowChange>, std::less<>> tracked_;
  uint64_t change_seqno_ = 0;
};

// A fresh row of 'table' with every column at its default.
Row default_row(const ovsdb::TableSchema& table, const Uuid& uuid);

}  // namespace grebe::ovsdb_idl
