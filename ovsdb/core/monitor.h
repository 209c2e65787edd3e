// Monitors: what a client asked to watch, and the updates to send it
// (RFC 7047 "monitor" and OVS's "monitor_cond" / "monitor_cond_since").
//
// A Monitor is built from a <monitor-requests> object.  initial() gives the
// reply's contents; updates() turns one commit's ChangeSet into the
// <table-updates> (version 1, "update") or <table-updates2> (versions 2 and
// 3, "update2"/"update3") to notify; change_conditions() applies
// "monitor_cond_change" and gives the rows that enter or leave the client's
// view.  Formats and rules follow OVS's monitor.c: in version 1 a modify
// carries the changed columns' old values and all new values; in version 2
// it carries diffs, inserts carry only non-default columns, and rows moving
// into or out of a condition become inserts and deletes.
//
// Thread: the Database's thread.  Cost: proportional to the rows changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grebe/ovsdb/condition.h"
#include "ovsdb/core/database.h"

namespace grebe::ovsdb {

enum MonitorSelect : unsigned {
  kSelectInitial = 1,
  kSelectInsert = 2,
  kSelectDelete = 4,
  kSelectModify = 8,
  kSelectAll = 15,
};

enum class MonitorVersion { kV1, kV2, kV3 };

struct MonitorColumn {
  size_t index;     // into the row's fields
  unsigned select;  // MonitorSelect bits of the request naming it
};

struct MonitorTable {
  const TableSchema* schema = nullptr;
  unsigned select = 0;
  std::vector<MonitorColumn> columns;
  // Conditional monitors only: clauses of which any must hold (empty: all).
  std::optional<Condition> condition;
};

class Monitor {
 public:
  // Parses <monitor-requests>; "where" is accepted for versions 2 and 3.
  // Errors as OVS: "no table named T", "Parsing table T failed: ...",
  // "X is not a valid column name", "column X mentioned more than once".
  static OResult<Monitor> from_json(const DatabaseSchema& schema, const Json& requests,
                                    MonitorVersion version);

  MonitorVersion version() const { return version_; }
  // Text that identifies what this monitor selects (version, tables,
  // columns, select flags, conditions): monitors with equal signatures
  // produce identical updates, so a server encodes each update once per
  // signature and shares the bytes.
  const std::string& signature() const;
  const std::vector<MonitorTable>& tables() const { return tables_; }

  // The current contents selected "initial" (an object, maybe empty).
  Json initial(const Database& db) const;
  // The updates one commit implies, or an empty object if none.
  Json updates(const ChangeSet& changes) const;
  // Replaces the conditions of the tables in 'condition_requests' ({table:
  // [{"where": [...]}]}) and returns, in '*updates', the rows of 'db' that
  // start or stop matching (as inserts and deletes).
  OStatus change_conditions(const Json& condition_requests, const Database& db, Json* updates);

 private:
  // One row's update, or null if nothing is to be sent.
  Json row_update(const MonitorTable& mt, const Row* old_row, const Row* new_row,
                  bool initial) const;
  bool matches(const MonitorTable& mt, const Row* row) const;

  MonitorVersion version_ = MonitorVersion::kV1;
  std::vector<MonitorTable> tables_;
  mutable std::string signature_;  // computed on first use
};

}  // namespace grebe::ovsdb
