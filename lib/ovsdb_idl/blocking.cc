// BlockingIdl: an Idl over a blocking jsonrpc::Connection.
#include "grebe/ovsdb_idl/blocking.h"

#include <poll.h>
#include <unistd.h>

#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl_blocking);

namespace grebe::ovsdb_idl {

using jsonrpc::Connection;
using jsonrpc::Message;

BlockingIdl::BlockingIdl(std::string remote, bool retry)
    : remote_(std::move(remote)), retry_(retry) {}
BlockingIdl::~BlockingIdl() = default;

Result<std::shared_ptr<const ovsdb::DatabaseSchema>> fetch_schema(Connection& conn,
                                                                  const std::string& db) {
  auto reply = conn.transact_block(Message::request("get_schema", Json::array({db})));
  if (!reply) return reply.take_error();
  if (reply->type == Message::Type::kError) {
    return Error(EPROTO, ovsdb::json_to_string(reply->error));
  }
  auto schema = ovsdb::DatabaseSchema::from_json(reply->result);
  if (!schema) return Error(EPROTO, schema.error().to_string());
  return std::make_shared<const ovsdb::DatabaseSchema>(std::move(*schema));
}

Result<std::unique_ptr<BlockingIdl>> BlockingIdl::open(
    const std::string& remote, const std::string& db,
    std::shared_ptr<const ovsdb::DatabaseSchema> schema, bool retry,
    const std::function<void(Idl&)>& configure) {
  std::unique_ptr<BlockingIdl> b(new BlockingIdl(remote, retry));
  for (;;) {
    auto stream = stream::Stream::open_block(remote);
    if (stream) {
      b->conn_ = std::make_unique<Connection>(std::move(*stream));
      if (!schema) {
        auto s = fetch_schema(*b->conn_, db);
        if (s) {
          schema = *s;
        } else if (s.error().code() == EPROTO || !retry) {
          return s.take_error();
        } else {
          b->conn_.reset();
        }
      }
      if (b->conn_) break;
    } else if (!retry) {
      return stream.take_error();
    }
    usleep(1000 * 1000);
  }
  b->idl_ = std::make_unique<Idl>(std::move(schema));
  if (configure) configure(*b->idl_);
  b->idl_->on_connected();
  GREBE_TRY(b->flush());
  return b;
}

void BlockingIdl::disconnect() {
  conn_.reset();
  idl_->on_disconnected();
}

Status BlockingIdl::connect() {
  // Reconnect with OVS's backoff (1 s, doubling, at most 8 s).
  backoff_msec_ = backoff_msec_ ? std::min(backoff_msec_ * 2, 8000LL) : 1000;
  usleep(static_cast<useconds_t>(backoff_msec_) * 1000);
  auto stream = stream::Stream::open_block(remote_);
  if (!stream) return stream.take_error();
  conn_ = std::make_unique<Connection>(std::move(*stream));
  VLOG_INFO("%s: connected", remote_.c_str());
  idl_->on_connected();
  return flush();
}

Status BlockingIdl::flush() {
  // Blocks until everything is written: recv_block() below only waits for
  // input, so a request larger than the socket buffer must not be left
  // half-sent (the server buffers its own output, so this cannot deadlock).
  for (Message& msg : idl_->take_output()) GREBE_TRY(conn_->send_block(msg));
  return conn_->run();
}

Status BlockingIdl::run_until(const std::function<bool()>& done) {
  for (;;) {
    if (idl_->fatal_error()) return Error(EPROTO, *idl_->fatal_error());
    if (done()) return {};
    if (!conn_ || idl_->wants_reconnect()) {
      if (!retry_ && conn_ == nullptr) {
        return lost_ ? *lost_ : Error(ENOTCONN, "database connection failed");
      }
      if (conn_) disconnect();
      if (Status c = connect(); !c.ok()) {
        conn_.reset();
        if (!retry_) {
          return Error(c.error().code(), "database connection failed (" + c.error().to_string() + ")");
        }
        continue;
      }
    }
    Status st = flush();
    Result<Message> msg = st.ok() ? conn_->recv_block() : Result<Message>(st.take_error());
    if (!msg) {
      std::string why = msg.error().to_string();
      disconnect();
      // Without 'retry' one connection is all we get (OVS's IDL with
      // retry=false: a single connection attempt), so a tool never lingers
      // reconnecting to a server that went away.
      if (!retry_) {
        lost_ = Error(msg.error().code(), "database connection failed (" + why + ")");
        return *lost_;
      }
      VLOG_WARN("%s: connection dropped (%s)", remote_.c_str(), why.c_str());
      continue;
    }
    backoff_msec_ = 0;
    idl_->receive(*msg);
    // Drain whatever else already arrived before checking 'done' again.
    for (;;) {
      auto more = conn_->recv();
      if (!more || !*more) break;
      idl_->receive(**more);
    }
    if (Status st = flush(); !st.ok()) {
      disconnect();
      if (!retry_) {
        lost_ = Error(st.error().code(), "database connection failed (" + st.error().to_string() + ")");
        return *lost_;
      }
    }
  }
}

TxnStatus BlockingIdl::commit(Txn& txn) {
  if (!idl_->has_snapshot()) {
    Status st = wait_for_snapshot();
    if (!st.ok()) return TxnStatus::kError;
  }
  TxnStatus s = idl_->submit(txn);
  if (s != TxnStatus::kIncomplete) return s;
  Status st = run_until([&txn] { return txn.status() != TxnStatus::kIncomplete; });
  // A lost connection leaves the transaction at kTryAgain (the caller's
  // next run_until() then reports why); anything else is an error.
  if (!st.ok()) return txn.status() == TxnStatus::kTryAgain ? txn.status() : TxnStatus::kError;
  return txn.status();
}

}  // namespace grebe::ovsdb_idl
