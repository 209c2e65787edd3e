// Txn: a set of row changes against a Database, checked as a whole at
// commit time (RFC 7047 section 4.1.3 plus OVS's rules).
//
// Operations read the database as modified so far by the transaction
// (get(), query()).  precommit() then enforces, in OVS's order: strong
// referential integrity, garbage collection of unreferenced non-root rows,
// maxRows, weak reference removal, unique indexes, and finally assigns new
// _version UUIDs.  The checks use the Database's reference counts and index
// maps, so their cost follows the size of the transaction, not the database.  It yields the ChangeSet that storage logs and that
// Database::apply() installs.  A Txn does not modify its Database.
//
// Thread: the thread that owns the Database.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "grebe/ovsdb/condition.h"
#include "ovsdb/core/database.h"

namespace grebe::ovsdb {

class Txn {
 public:
  explicit Txn(const Database& db) : db_(db) {}

  const Database& db() const { return db_; }

  // The row as the transaction sees it now, or null.
  RowPtr get(std::string_view table, const Uuid& uuid) const;
  // Rows of 'table' matching 'cond', in UUID order.
  std::vector<RowPtr> query(const TableSchema& table, const Condition& cond) const;
  // False if 'uuid' is or was present in 'table' (in the database or this
  // transaction), so inserting it would duplicate a UUID.
  bool may_create(std::string_view table, const Uuid& uuid) const;

  void insert(const TableSchema& table, Row row);
  // Replaces the row (same _uuid) with 'row'.
  void modify(const TableSchema& table, Row row);
  void remove(const TableSchema& table, const Uuid& uuid);
  void add_comment(const std::string& comment);
  const std::string& comment() const { return comment_; }

  // Checks and completes the transaction; see the file comment.  On failure
  // returns the RFC 7047 error for the commit ("referential integrity
  // violation", "constraint violation").  The Txn must not be used after.
  OResult<ChangeSet> precommit();

 private:
  struct TxnRow {
    RowPtr old_row;  // null: inserted by this transaction
    RowPtr new_row;  // null: deleted by this transaction
  };
  using TableRows = std::map<Uuid, TxnRow>;

  using TableUuid = std::pair<std::string, Uuid>;

  void put(const TableSchema& table, const Uuid& uuid, RowPtr new_row);
  // Strong references to (table, uuid) after this transaction, computed
  // from the committed counts plus 'strong_delta_'.
  size_t final_strong_refs(const std::string& table, const Uuid& uuid) const;
  void add_strong_delta(const TableSchema& ts, const Row* old_row, const Row* new_row);
  // Deletes (table, uuid) and cascades to non-root rows it kept alive.
  void collect_row(const TableUuid& key);
  std::vector<RowPtr> weak_ref_candidates(const std::string& table, const TableSchema& ts) const;
  OStatus remove_dangling_weak_refs(const TableSchema& ts, const RowPtr& row);
  OStatus check_index(const TableSchema& ts, size_t index_no) const;
  std::string describe_index_row(const TableSchema& ts, const std::vector<size_t>& index,
                                 const Row& row, const char* title) const;
  bool exists(const std::string& table, const Uuid& uuid) const;
  void for_each_row(const std::string& table, const std::function<void(const Row&)>& fn) const;
  void drop_noops();
  OStatus check_strong_refs();
  OStatus check_deleted_refs();
  void collect_garbage();
  OStatus check_max_rows() const;
  OStatus assess_weak_refs();
  OStatus check_indexes() const;
  ChangeSet finish();

  const Database& db_;
  std::map<std::string, TableRows, std::less<>> rows_;
  std::string comment_;
  std::map<TableUuid, long> strong_delta_;
};

// "column \"a\"" / "columns \"a\" and \"b\"" / "columns \"a\", \"b\", and \"c\"".
std::string column_set_to_string(const TableSchema& table, const std::vector<size_t>& columns);

}  // namespace grebe::ovsdb
