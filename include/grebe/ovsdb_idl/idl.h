// Idl: the OVSDB client protocol engine behind a Replica (OVS's ovsdb-idl +
// ovsdb-cs), written without I/O so that every transport drives the same
// code: the blocking driver for command-line tools (blocking.h), the
// EventLoop driver for daemons (session_idl.h) and unit tests that feed
// messages by hand.
//
// Protocol, per connection:
//   1. (optional) a "transact" select on _Server.Database for our database:
//      a database not (yet) listed asks the driver to reconnect and check
//      again; a clustered database that is not
//      connected (or not the leader, when leader_only) asks the driver to
//      reconnect elsewhere.  Servers without _Server are accepted.
//   2. "monitor_cond_since" for the monitored tables/columns with the
//      conditions set; on "unknown method" falls back to "monitor_cond",
//      then "monitor".  On reconnection the last transaction id lets the
//      server send only what changed; otherwise the replica is resynced and
//      change tracking reports the difference.
//   3. "update", "update2", "update3" notifications keep the replica current;
//      "monitor_canceled" restarts the monitor.
//   Transactions are sent with submit(); their replies complete them.
//
// Threads: not thread-safe; one owner thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grebe/jsonrpc/message.h"
#include "grebe/ovsdb_idl/replica.h"
#include "grebe/ovsdb_idl/txn.h"

namespace grebe::ovsdb_idl {

class Idl {
 public:
  enum class MonitorMethod { kCondSince, kCond, kPlain };

  explicit Idl(std::shared_ptr<const ovsdb::DatabaseSchema> schema);

  const std::string& db_name() const { return replica_.schema().name; }
  const Replica& replica() const { return replica_; }
  Replica& replica() { return replica_; }

  // --- What to monitor (before connecting, or takes effect on reconnect) ---
  // By default every table and column is monitored.  monitor_only() limits
  // the replica to the given tables (all columns) / columns.
  void monitor_only(const std::map<std::string, std::set<std::string>>& tables);
  // Conditional monitoring: 'clauses' is an RFC 7047 <where> array (an empty
  // array means "all rows"; [false] means none).  If already monitoring,
  // queues "monitor_cond_change".
  void set_condition(const std::string& table, const Json& clauses);
  // Check _Server first (default true) and require a leader (default true).
  void set_check_server(bool check) { check_server_ = check; }
  void set_leader_only(bool leader_only) { leader_only_ = leader_only; }

  // --- Transport hooks ---
  // A new connection is up: queues the initial requests.
  void on_connected();
  // The connection went down: pending transactions end with kTryAgain.
  void on_disconnected();
  // Messages to send, in order (cleared by this call).
  std::vector<jsonrpc::Message> take_output();
  // Processes one incoming message.
  void receive(const jsonrpc::Message& msg);

  // --- State ---
  // True once the initial contents arrived on the current connection.
  bool has_snapshot() const { return state_ == State::kMonitoring; }
  // A fatal problem (e.g. a failed monitor request); the driver should
  // report it and give up.
  const std::optional<std::string>& fatal_error() const { return fatal_; }
  // The driver should drop this connection and try another remote.
  bool wants_reconnect() const { return wants_reconnect_; }
  MonitorMethod monitor_method() const { return method_; }
  // Increments whenever the replica changes and on every (re)connection, so
  // a client waiting "until something happens" after a failed commit wakes.
  uint64_t change_seqno() const { return replica_.change_seqno() + epochs_; }
  const std::string& last_txn_id() const { return last_id_; }

  // --- Transactions ---
  // Sends 'txn' (which must outlive its completion).  Returns its status:
  // kUnchanged (nothing sent), kIncomplete, or kTryAgain if not connected.
  TxnStatus submit(Txn& txn);

 private:
  enum class State { kIdle, kServerCheck, kMonitorRequested, kMonitoring };
  void send(jsonrpc::Message msg);
  void send_server_check();
  void send_monitor();
  Json monitor_requests() const;
  void handle_reply(const jsonrpc::Message& msg);
  void handle_server_reply(const jsonrpc::Message& msg);
  void handle_monitor_reply(const jsonrpc::Message& msg);
  void handle_notify(const jsonrpc::Message& msg);
  void fail_protocol(const std::string& what);

  Replica replica_;
  std::map<std::string, std::set<std::string>> monitored_;  // empty: everything
  std::map<std::string, Json> conditions_;
  bool check_server_ = true;
  bool leader_only_ = true;
  State state_ = State::kIdle;
  MonitorMethod method_ = MonitorMethod::kCondSince;
  std::string last_id_;
  Json server_id_, monitor_id_, monitor_request_id_;
  std::vector<jsonrpc::Message> output_;
  std::map<std::string, Txn*> txns_;  // by request id (compact JSON)
  std::optional<std::string> fatal_;
  bool wants_reconnect_ = false;
  uint64_t epochs_ = 0;
};

}  // namespace grebe::ovsdb_idl
