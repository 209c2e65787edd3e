// Standalone database files: the schema record followed by transaction
// records, in the format OVS 3.1 reads and writes (ovsdb/file.c):
//
//   {"_date":<ms>,"_comment":"...","_is_diff":true,
//    "<table>":{"<uuid>":{"<column>":<value>,...} | null, ...}, ...}
//
// An inserted row lists its non-default columns; a modified row lists its
// changed columns, as a diff when "_is_diff" is true (the symmetric
// difference for sets and maps) or as the new value otherwise; null deletes.
// Both forms are accepted on read.
//
// Thread: the thread that owns the Database.  Opening, committing and
// compacting do blocking file I/O (commits fsync when durable).
#pragma once

#include <memory>
#include <string>

#include "ovsdb/core/database.h"
#include "ovsdb/core/transaction.h"
#include "ovsdb/storage/log.h"

namespace grebe::ovsdb {

// The record for a committed change set, or null if nothing changed.
// Adds "_comment" if 'changes' has one, "_is_diff" if 'use_diff'; '_date'
// is 'date_msec' (wall clock).
Json change_set_to_json(const ChangeSet& changes, const DatabaseSchema& schema, bool use_diff,
                        long long date_msec);
// Annotates a record (or creates an empty one) with _comment/_is_diff/_date.
Json annotate_record(Json record, const std::string& comment, bool use_diff, long long date_msec);

// Replays one transaction record into 'txn'.  With 'converting', unknown
// tables and columns are skipped (reading a file into a newer schema).
OStatus txn_from_json(Txn& txn, const Json& record, bool converting);

// The whole database as one transaction record (for compaction).
Json database_to_json(const Database& db, const std::string& comment, long long date_msec);

struct DbFileOptions {
  bool read_write = false;
  // Accept a bad trailing record: log a warning, keep what was read, and
  // truncate the bad bytes on the next write (ovsdb-server's behaviour).
  // Otherwise a bad record is an error (ovsdb-tool's behaviour).
  bool tolerate_bad_tail = false;
  // Read the data with this schema instead of the file's (conversion).
  std::shared_ptr<const DatabaseSchema> as_schema;
};

// An open standalone database: the log plus the replayed Database.
class DbFile {
 public:
  static OResult<std::unique_ptr<DbFile>> open(const std::string& file_name,
                                               const DbFileOptions& options);

  Database& db() { return *db_; }
  const DatabaseSchema& file_schema() const { return *file_schema_; }
  Log& log() { return *log_; }

  // Logs 'changes' (if they change anything) and, if 'durable', waits for
  // the disk.  Call between Txn::precommit() and Database::apply().
  OStatus write_commit(const ChangeSet& changes, bool durable);
  // Rewrites the file as the schema plus one record holding the whole
  // database (atomically), then keeps appending to it.  Worth doing when
  // log().grew_lots().
  OStatus compact(const std::string& comment);
  // Composes, commits, logs (durably) and applies a "transact" request;
  // returns the reply array (ovsdb-tool transact).
  Json transact(const Json& params, bool read_only);

 private:
  DbFile() = default;
  std::unique_ptr<Log> log_;
  std::shared_ptr<const DatabaseSchema> file_schema_;
  std::unique_ptr<Database> db_;
};

// Reads only the schema record of a standalone database file.
OResult<DatabaseSchema> read_db_schema(const std::string& file_name);

// Writes a new standalone file at 'file_name' holding 'db' as one record,
// atomically (compaction, conversion).
OStatus write_standalone_db(const std::string& file_name, const Database& db,
                            const std::string& comment);

}  // namespace grebe::ovsdb
