// Txn: one OVSDB transaction built against a Replica, OVS IDL style.
//
// Reads through a Txn see its own pending writes (so a command that creates
// a row can be followed by one that modifies it), and writes are turned into
// RFC 7047 operations only when the transaction is committed:
//   verify(col)     -> a "wait" op with "until":"==" and the value the
//                      replica held (optimistic concurrency: if another
//                      client changed it, the server answers "timed out"
//                      and the result is kTryAgain)
//   insert()        -> "insert" with a uuid-name; references to the new row
//                      anywhere in the transaction become ["named-uuid", ..]
//   write()         -> "update" of changed columns only
//   insert_into_set()/remove_from_set() -> "mutate" "insert"/"delete" (a
//                      partial update: the client need not know, or even
//                      monitor, the column's current value; OVS's
//                      *_addvalue/_delvalue)
//   delete_row()    -> "delete" (root tables only; the server
//                      garbage-collects unreferenced rows of other tables)
//   increment(col)  -> "mutate" += 1 then "select" to read the new value
//                      (the next_cfg pattern)
//   add_prerequisite(json op) -> any extra op sent first (e.g. a "wait")
//
// Not thread-safe.  The Replica must outlive the Txn and must not change
// while the transaction is being built (the Idl only changes it while
// processing input).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grebe/ovsdb_idl/replica.h"

namespace grebe::ovsdb_idl {

enum class TxnStatus {
  kUncommitted,  // not committed yet
  kUnchanged,    // nothing to do: no operations were sent
  kIncomplete,   // sent, waiting for the reply
  kAborted,
  kSuccess,
  kTryAgain,     // a verified column changed (or the connection dropped)
  kNotLocked,
  kError,        // see Txn::error()
};
// OVS's names: "uncommitted", "unchanged", "incomplete", "aborted",
// "success", "try again", "not locked", "error".
const char* txn_status_to_string(TxnStatus status);

class Txn {
 public:
  explicit Txn(const Replica& replica);

  const Replica& replica() const { return replica_; }
  const ovsdb::DatabaseSchema& schema() const { return replica_.schema(); }

  // --- Reading (sees this transaction's writes) ---
  // The column's value, or null if the row does not exist (or was deleted
  // in this transaction) or the column is unknown.
  const Datum* get(std::string_view table, const Uuid& uuid, std::string_view column) const;
  bool exists(std::string_view table, const Uuid& uuid) const;
  // UUIDs of the rows of 'table' as this transaction sees them, sorted.
  std::vector<Uuid> rows(std::string_view table) const;
  bool is_new(std::string_view table, const Uuid& uuid) const;

  // --- Writing ---
  // Creates a row with default columns; returns its provisional UUID (use it
  // in references; inserted_uuid() maps it to the server's after commit).
  // 'uuid', if given, is used as the provisional UUID (a "@name" symbol's).
  Uuid insert(std::string_view table, std::optional<Uuid> uuid = std::nullopt);
  // Creates a row whose UUID is 'uuid' itself, permanently (the "insert"
  // op's "uuid" member; OVS 3.x's insert_persist_uuid, "create --id=UUID").
  Uuid insert_persist_uuid(std::string_view table, const Uuid& uuid);
  // Sets a column.  Returns false if the row or column does not exist.
  bool write(std::string_view table, const Uuid& uuid, std::string_view column, Datum value);
  bool delete_row(std::string_view table, const Uuid& uuid);
  // Adds / removes the elements of 'elems' (keys only: set columns) to a
  // set column without writing the whole column.  Reads through the Txn
  // see the replica's value with the change applied.  On a row inserted
  // here (or a column already written) this is an ordinary write.
  // Returns false if the row or column does not exist.
  bool insert_into_set(std::string_view table, const Uuid& uuid, std::string_view column,
                       const Datum& elems);
  bool remove_from_set(std::string_view table, const Uuid& uuid, std::string_view column,
                       const Datum& elems);
  // Makes the commit fail with kTryAgain if the column changed on the
  // server since the replica read it.  No-op for rows inserted here.
  void verify(std::string_view table, const Uuid& uuid, std::string_view column);
  // At most one per transaction; see increment_new_value().
  // Unless 'force', only if the transaction changes something else too.
  void increment(std::string_view table, const Uuid& uuid, std::string_view column,
                 bool force = false);
  void add_prerequisite(Json op) { prerequisites_.push_back(std::move(op)); }
  void add_comment(std::string comment) { comments_.push_back(std::move(comment)); }
  // Sends the operations followed by "abort": nothing changes on the server.
  void set_dry_run(bool dry_run) { dry_run_ = dry_run; }

  // --- Committing (used by Idl) ---
  // The "transact" params for database 'db', or nullopt if the transaction
  // has nothing to send (status becomes kUnchanged).
  std::optional<Json> build_request(const std::string& db);
  // Processes the server's reply (result array) or JSON-RPC error.
  TxnStatus process_reply(const Json& result);
  TxnStatus process_error(const Json& error);
  void set_status(TxnStatus s) { status_ = s; }
  TxnStatus status() const { return status_; }
  // For kError: the server's error as OVS prints it (compact, sorted JSON).
  const std::string& error() const { return error_; }
  // After kSuccess: the incremented column's new value.
  std::optional<int64_t> increment_new_value() const { return inc_new_value_; }
  // After kSuccess: the permanent UUID of a row inserted here.
  std::optional<Uuid> inserted_uuid(const Uuid& provisional) const;

 private:
  struct Pending {
    bool inserted = false;
    bool persist_uuid = false;       // inserted with "uuid", not "uuid-name"
    bool deleted = false;
    std::map<size_t, Datum> writes;  // column index -> new value
    struct SetMutation {
      Datum added, removed;  // sent as a "mutate"
      Datum view;            // replica value with the change, for reads
    };
    std::map<size_t, SetMutation> mutations;  // column index -> change
    std::set<size_t> verified;
    Datum uuid_datum;                // _uuid of an inserted row
  };
  const ovsdb::TableSchema* table_schema(std::string_view table) const;
  Pending* pending(std::string_view table, const Uuid& uuid);
  const Pending* find_pending(std::string_view table, const Uuid& uuid) const;
  Json datum_json(const Datum& datum, const ovsdb::Type& type) const;
  Json uuid_where(const Uuid& uuid) const;
  void build_row_ops(Json& ops, const std::string& table, const ovsdb::TableSchema& ts,
                     const Uuid& uuid, const Pending& p, bool* changed) const;
  bool process_results(const Json& results);
  bool mutate_set(std::string_view table, const Uuid& uuid, std::string_view column,
                  const Datum& elems, bool insert);

  const Replica& replica_;
  std::map<std::string, std::map<Uuid, Pending>, std::less<>> pending_;
  std::set<Uuid> inserted_;  // provisional UUIDs of inserted rows
  std::vector<Json> prerequisites_;
  std::vector<std::string> comments_;
  bool dry_run_ = false;
  struct Increment {
    std::string table, column;
    Uuid uuid;
    bool force = false;
    bool sent = false;  // the mutate/select pair is part of the request
    size_t mutate_index = 0;
  };
  std::optional<Increment> inc_;
  std::map<Uuid, size_t> insert_op_index_;  // provisional UUID -> op index
  std::map<Uuid, Uuid> inserted_real_;
  std::optional<int64_t> inc_new_value_;
  TxnStatus status_ = TxnStatus::kUncommitted;
  std::string error_;
};

// The uuid-name a transaction uses for a provisional row ("row" + UUID with
// '-' replaced by '_', as OVS names them).
std::string provisional_name(const Uuid& uuid);

}  // namespace grebe::ovsdb_idl
