// SessionIdl: drives an Idl over a jsonrpc::Session on an EventLoop, for
// daemons (ovs-vswitchd): reconnects with backoff, resyncs the replica, and
// calls 'on_change' after input that changed the replica or completed a
// transaction.
//
// Threads: lives on 'loop''s thread; every method must be called there.
// Callbacks run on that thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grebe/ovsdb_idl/idl.h"

namespace grebe::event {
class EventLoop;
}
namespace grebe::jsonrpc {
class Session;
}

namespace grebe::ovsdb_idl {

class SessionIdl {
 public:
  // 'schema' is usually a generated binding's schema() (e.g. ovsrec::schema()).
  SessionIdl(event::EventLoop& loop, std::vector<std::string> remotes,
             std::shared_ptr<const ovsdb::DatabaseSchema> schema, std::function<void()> on_change);
  ~SessionIdl();
  SessionIdl(const SessionIdl&) = delete;
  SessionIdl& operator=(const SessionIdl&) = delete;

  Idl& idl() { return idl_; }
  const Replica& replica() const { return idl_.replica(); }
  bool is_connected() const;
  // Sends 'txn' (which must outlive its completion); on_change fires when
  // it completes.  Returns as Idl::submit().
  TxnStatus submit(Txn& txn);

 private:
  void flush();
  void after_input(uint64_t seqno_before, size_t txns_before);

  Idl idl_;
  std::function<void()> on_change_;
  std::unique_ptr<jsonrpc::Session> session_;
  size_t pending_txns_ = 0;
};

}  // namespace grebe::ovsdb_idl
