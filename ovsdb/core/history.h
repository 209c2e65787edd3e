// TxnHistory: the last committed transactions of one database, by
// transaction id, so that a client reconnecting with "monitor_cond_since"
// gets only what changed since the last transaction it saw (found = true)
// instead of the whole database.
//
// OVS keeps such a history only for clustered databases and answers
// found = false for standalone ones; Grebe keeps it for every database it
// serves.  Clients must accept either answer (RFC-wise found = false just
// means "here is everything"), and ours and OVS's IDLs both do, so serving
// the history is compatible and spares a reconnecting client the full
// contents.
//
// Bounds (as OVS's ovsdb_txn_history): at most kMaxTxns transactions, and
// no more changed rows than the database has rows (at least kMinRows), so
// the history never costs more memory than the data it describes.
//
// Thread: the Database's thread.
#pragma once

#include <deque>
#include <memory>
#include <optional>

#include "ovsdb/core/database.h"

namespace grebe::ovsdb {

class TxnHistory {
 public:
  static constexpr size_t kMaxTxns = 100;
  static constexpr size_t kMinRows = 100;

  // Records a committed transaction and trims the oldest ones past the
  // bounds; 'db_rows' is the database's row count after the commit.
  void add(const Uuid& txn_id, std::shared_ptr<const ChangeSet> changes, size_t db_rows);
  // The id of the last transaction recorded (all-zeros before any).
  const Uuid& last_id() const { return last_id_; }
  // Everything committed after 'txn_id', merged into one change set (each
  // row's oldest "old" and newest "new"; rows created and deleted in
  // between are left out), or nullopt if 'txn_id' is not in the history.
  std::optional<ChangeSet> changes_after(const Uuid& txn_id) const;
  size_t size() const { return entries_.size(); }
  size_t n_rows() const { return n_rows_; }

 private:
  struct Entry {
    Uuid txn_id;
    std::shared_ptr<const ChangeSet> changes;
    size_t n_rows;
  };
  std::deque<Entry> entries_;
  size_t n_rows_ = 0;
  Uuid last_id_ = Uuid::zero();
};

}  // namespace grebe::ovsdb
