// SessionIdl: an Idl on an EventLoop via a reconnecting jsonrpc::Session.
#include "grebe/ovsdb_idl/session_idl.h"

#include "grebe/jsonrpc/session.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl_session);

namespace grebe::ovsdb_idl {

SessionIdl::SessionIdl(event::EventLoop& loop, std::vector<std::string> remotes,
                       std::shared_ptr<const ovsdb::DatabaseSchema> schema,
                       std::function<void()> on_change)
    : idl_(std::move(schema)), on_change_(std::move(on_change)) {
  jsonrpc::Session::Callbacks cb;
  cb.on_connected = [this] {
    idl_.on_connected();
    flush();
  };
  cb.on_disconnected = [this](const Error&) {
    idl_.on_disconnected();
    if (pending_txns_) {
      pending_txns_ = 0;
      if (on_change_) on_change_();  // transactions ended with "try again"
    }
  };
  cb.on_message = [this](jsonrpc::Message msg) {
    uint64_t seqno = idl_.change_seqno();
    bool was_monitoring = idl_.has_snapshot();
    bool is_reply = msg.type == jsonrpc::Message::Type::kReply ||
                    msg.type == jsonrpc::Message::Type::kError;
    idl_.receive(msg);
    flush();
    if (idl_.fatal_error()) VLOG_WARN("%s", idl_.fatal_error()->c_str());
    if (idl_.wants_reconnect()) session_->force_reconnect();
    bool changed = idl_.change_seqno() != seqno || idl_.has_snapshot() != was_monitoring;
    if (is_reply && pending_txns_) {
      pending_txns_--;
      changed = true;
    }
    if (changed && on_change_) on_change_();
  };
  session_ = std::make_unique<jsonrpc::Session>(loop, std::move(remotes), std::move(cb));
}

SessionIdl::~SessionIdl() = default;

bool SessionIdl::is_connected() const { return session_->is_connected(); }

void SessionIdl::flush() {
  for (const jsonrpc::Message& msg : idl_.take_output()) {
    Status st = session_->send(msg);
    if (!st.ok()) break;  // resent from on_connected after reconnecting
  }
}

TxnStatus SessionIdl::submit(Txn& txn) {
  TxnStatus s = idl_.submit(txn);
  if (s == TxnStatus::kIncomplete) pending_txns_++;
  flush();
  return s;
}

}  // namespace grebe::ovsdb_idl
