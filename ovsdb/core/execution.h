// Executes an RFC 7047 "transact" params array against a Database.
//
// compose_transaction() runs the operations (insert, select, update,
// mutate, delete, wait, commit, abort, comment, assert) into a Txn and
// builds the reply array exactly as OVS does (a bare error object if
// 'params' is malformed): one result per operation,
// the first error in place of its operation's result, null for the
// operations after it.  The caller then commits: Txn::precommit() ->
// log the ChangeSet -> Database::apply(); a commit error is appended to the
// reply as one extra element.  execute_transaction() does all of that for
// callers without storage or monitors (tests, "ovsdb-tool query").
//
// Thread: the Database's thread.  Never blocks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ovsdb/core/transaction.h"

namespace grebe::ovsdb {

struct ExecOptions {
  bool read_only = false;  // only select, wait, comment, assert, abort allowed
  // How long the client has waited so far (for "wait" timeouts).
  long long elapsed_msec = 0;
  // True if the caller can retry an unsatisfied "wait" later (the server);
  // false makes it fail at once with "not supported", as ovsdb-tool does.
  bool can_retry_wait = false;
  // Answers "assert": does this session own the named lock?  Unset: no.
  std::function<bool(const std::string&)> lock_held;
};

struct Composed {
  // The reply array, or null when an unsatisfied "wait" must be retried
  // (then 'retry_timeout_msec' says how long the client allows overall).
  Json results;
  std::optional<long long> retry_timeout_msec;
  // Non-null if every operation succeeded: the transaction to commit.
  std::unique_ptr<Txn> txn;
  bool durable = false;  // a "commit" operation asked for durability
};

Composed compose_transaction(const Database& db, const Json& params, const ExecOptions& options);

// Composes, prechecks and applies (no storage); returns the reply array.
// 'changes_out', if given, receives the committed change set.
Json execute_transaction(Database& db, const Json& params, const ExecOptions& options = {},
                         ChangeSet* changes_out = nullptr);

}  // namespace grebe::ovsdb
