// OvsdbServer: the databases ovsdb-server serves, its listening remotes and
// the JSON-RPC sessions accepted on them (OVS's ovsdb/jsonrpc-server.c).
//
// Threads: everything runs on the one EventLoop given at construction; no
// method may be called from another thread.  Nothing blocks except the file
// writes of a commit (and fsync for a durable one).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/message.h"
#include "grebe/jsonrpc/session.h"
#include "grebe/stream/stream.h"
#include "grebe/util/result.h"
#include "grebe/util/uuid.h"
#include "ovsdb/core/history.h"
#include "ovsdb/core/monitor.h"
#include "ovsdb/storage/file.h"

namespace grebe::ovsdb_server {

using ovsdb::Json;

// One served database: a standalone file, or the in-memory _Server db.
struct ServedDb {
  std::string name;
  std::string path;                         // "" for _Server
  std::unique_ptr<ovsdb::DbFile> file;      // null for _Server
  std::unique_ptr<ovsdb::Database> memory;  // _Server only
  ovsdb::TxnHistory history;                // for monitor_cond_since
  ovsdb::Database& db() { return file ? file->db() : *memory; }
};

class OvsdbServer {
 public:
  explicit OvsdbServer(event::EventLoop& loop);
  ~OvsdbServer();
  OvsdbServer(const OvsdbServer&) = delete;
  OvsdbServer& operator=(const OvsdbServer&) = delete;

  // Opens the standalone database file at 'path' and serves it.  Fails
  // (with OVS's text) if the file cannot be read or a db of that name is
  // already served.
  Status add_db(const std::string& path);
  // Adds a configured remote: a passive one (punix:, ptcp:, pssl:) to
  // listen on, an active one (unix:, tcp:, ssl:) to keep connecting to, or
  // "db:DB,TABLE,COLUMN" whose current values (strings, or references to
  // rows with a "target" column and options, like Manager rows) are
  // followed as the database changes.  Listen failures are logged and
  // returned; the remote stays configured.
  Status add_remote(const std::string& name);
  // Forgets a configured remote; false if 'name' is not one.
  bool remove_remote(const std::string& name);
  std::vector<std::string> remotes() const;  // configured names, sorted
  // An SSL option ("private-key", "certificate", "ca-cert",
  // "bootstrap-ca-cert", "ssl-protocols", "ssl-ciphers"), either a value
  // or "db:DB,TABLE,COLUMN" (the first non-empty string in that column).
  void set_ssl_option(const std::string& option, const std::string& value);
  // Resolves the db: references and applies remotes and SSL settings.
  // Returns the problems found (OVS's text, one per line; empty if none).
  // Runs by itself after every commit; ovsdb-server's startup calls it to
  // fail on a bad reference, as OVS does.
  std::string reconfigure();
  std::vector<std::string> db_names() const;  // sorted, with _Server
  // Compacts one database ("" = all file-backed ones).  Error text as OVS.
  Status compact(const std::string& db_name);
  // Drops every client connection (ovsdb-server/reconnect).
  void reconnect();
  void memory_usage(std::map<std::string, unsigned long long>& usage) const;

 private:
  struct MonitorEntry {
    std::string db;
    std::unique_ptr<ovsdb::Monitor> monitor;
    Json id;
  };
  // Per-remote settings (OVS's struct ovsdb_jsonrpc_options).
  struct RemoteOptions {
    long long probe_interval_msec = 0;
    long long max_backoff_msec = 8000;
    bool read_only = false;
    bool operator==(const RemoteOptions&) const = default;
  };
  struct Client {
    uint64_t id = 0;
    std::string remote;   // the configured remote it came from
    bool active = false;  // we connect to it (and reconnect): never dropped
    bool read_only = false;
    std::unique_ptr<jsonrpc::Session> session;
    std::map<std::string, MonitorEntry> monitors;  // by serialized id
    std::set<std::string> locks;                   // locks waited for or held
    bool db_change_aware = false;
    // Serialized messages not yet handed to the session: everything sent
    // while handling one loop iteration's input goes out in one write.
    std::string outbox;
    // Monitor updates go after the replies queued in the same iteration,
    // so a client sees its transaction's reply before its update (as OVS).
    std::string updates_outbox;
  };
  struct PendingTxn {
    uint64_t client;
    Json id;
    std::string db;
    Json params;
    long long start_msec;
    event::TimerId timer = 0;
  };
  struct Listener {
    std::string name;
    RemoteOptions options;
    std::unique_ptr<stream::PassiveStream> pstream;
    event::WatchId watch = 0;
  };

  void accept_all(Listener& listener);
  // remotes.cc: db: references and applying the resolved remotes.
  std::map<std::string, RemoteOptions> resolve_remotes(std::string& errors) const;
  const std::string* query_db_string(const std::string& name, std::string& errors) const;
  void set_listeners(const std::map<std::string, RemoteOptions>& wanted);
  Status open_listener(const std::string& name, const RemoteOptions& options);
  void open_active(const std::string& target, const RemoteOptions& options);
  void reset_client(Client& c);
  void reconfigure_ssl(std::string& errors);
  bool uses_db_config() const;
  void on_message(uint64_t client_id, jsonrpc::Message msg);
  void drop_client(uint64_t client_id);
  void send(Client& c, const jsonrpc::Message& msg);
  // Queues serialized monitor update text for 'c'.
  void send_update_text(Client& c, std::string_view text);
  // Hands every client's outbox to its session (an EventLoop hook, so it
  // runs once per loop iteration, after the input has been handled).
  void flush_outboxes();
  ServedDb* lookup_db(Client& c, const jsonrpc::Message& req);

  // methods.cc: one handler per JSON-RPC method.
  void handle_request(Client& c, const jsonrpc::Message& req);
  void do_transact(Client& c, const Json& id, const std::string& db, const Json& params,
                   long long start_msec);
  void do_monitor(Client& c, const jsonrpc::Message& req);
  void do_monitor_cond_change(Client& c, const jsonrpc::Message& req);
  void do_monitor_cancel(Client& c, const jsonrpc::Message& req);
  void do_lock(Client& c, const jsonrpc::Message& req, bool steal);
  void do_unlock(Client& c, const jsonrpc::Message& req);
  void do_cancel(Client& c, const jsonrpc::Message& req);
  void release_locks(Client& c);
  bool owns_lock(uint64_t client, const std::string& lock) const;
  // Logs (if file-backed), applies, and notifies monitors and waiters.
  Result<void, ovsdb::OvsdbError> commit_changes(ServedDb& sdb, ovsdb::ChangeSet&& changes,
                                                 bool durable);
  void notify_monitors(const std::string& db, const ovsdb::ChangeSet& changes);
  void retry_pending(const std::string& db);
  void add_server_row(const ServedDb& sdb);

  event::EventLoop& loop_;
  Uuid server_id_;
  std::map<std::string, std::unique_ptr<ServedDb>> dbs_;
  std::map<std::string, Listener> listeners_;
  std::set<std::string> configured_remotes_;
  std::map<std::string, uint64_t> active_remotes_;  // target -> client id
  std::map<std::string, std::string> ssl_options_;   // option -> configured value
  std::map<std::string, std::string> ssl_applied_;   // option -> value in effect
  std::string remotes_error_;  // last reported, so each problem is logged once
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  std::vector<uint64_t> dirty_clients_;  // clients with a non-empty outbox
  uint64_t flush_hook_ = 0;
  // Rows changed in this loop iteration (see flush_outboxes()).
  static constexpr size_t kTrimAfterRows = 500;
  size_t rows_changed_ = 0;
  std::map<std::string, std::deque<uint64_t>> locks_;  // lock -> waiters, owner first
  std::deque<PendingTxn> pending_;
  uint64_t next_client_id_ = 1;
  uint64_t n_commits_ = 0;
};

}  // namespace grebe::ovsdb_server
