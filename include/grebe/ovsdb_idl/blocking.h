// BlockingIdl: drives an Idl over one blocking connection, for
// command-line tools (ovs-vsctl, tests).  With 'retry' it keeps trying to
// connect, from the start and whenever the connection drops (with OVS's
// backoff: 1 s doubling to 8 s); without it, as OVS's IDL with
// retry=false, the first connection is the only one and its loss fails
// run_until() with "database connection failed (...)".  (A server that
// asks us to go elsewhere, e.g. a cluster follower, is still reconnected.)
//
// Threads: one thread; every call blocks.  Timeouts are the caller's (OVS's
// tools use alarm()).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "grebe/ovsdb_idl/idl.h"
#include "grebe/util/result.h"

namespace grebe::jsonrpc {
class Connection;
}

namespace grebe::ovsdb_idl {

class BlockingIdl {
 public:
  ~BlockingIdl();

  // Connects to 'remote' ("unix:/run/db.sock", "tcp:1.2.3.4:6640", ...).  If
  // 'schema' is null, fetches database 'db''s schema with "get_schema".
  // Errors: the stream's errno (ENOENT, ECONNREFUSED, ...) unless 'retry',
  // in which case it keeps trying; EPROTO with the server's error text for a
  // failed get_schema.  'configure', if set, runs on the new Idl before
  // its first request (monitor_only(), set_condition(), ...).
  static Result<std::unique_ptr<BlockingIdl>> open(
      const std::string& remote, const std::string& db,
      std::shared_ptr<const ovsdb::DatabaseSchema> schema, bool retry,
      const std::function<void(Idl&)>& configure = nullptr);

  Idl& idl() { return *idl_; }
  const Replica& replica() const { return idl_->replica(); }

  // Processes messages until 'done' returns true (checked after each batch
  // of input).  Fails only on a fatal IDL error.
  Status run_until(const std::function<bool()>& done);
  Status wait_for_snapshot() { return run_until([this] { return idl_->has_snapshot(); }); }
  // From now on, reconnect whenever the connection drops (OVS's
  // ovsdb_idl_enable_reconnect(): ovs-vsctl waiting for ovs-vswitchd).
  void enable_reconnect() {
    retry_ = true;
    lost_.reset();
  }
  // Submits 'txn' and waits for its outcome.
  TxnStatus commit(Txn& txn);

 private:
  BlockingIdl(std::string remote, bool retry);
  Status connect();
  Status flush();
  void disconnect();

  std::string remote_;
  bool retry_;
  long long backoff_msec_ = 0;
  std::optional<Error> lost_;  // why the only connection ended (!retry_)
  std::unique_ptr<jsonrpc::Connection> conn_;
  std::unique_ptr<Idl> idl_;
};

// Fetches a database's schema over a fresh blocking connection helper.
Result<std::shared_ptr<const ovsdb::DatabaseSchema>> fetch_schema(jsonrpc::Connection& conn,
                                                                  const std::string& db);

}  // namespace grebe::ovsdb_idl
