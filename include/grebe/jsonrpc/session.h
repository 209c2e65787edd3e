// Session: a JSON-RPC connection that keeps itself up (OVS's
// jsonrpc_session): connects to one of `remotes` in turn, reconnects with
// exponential backoff after failures, answers "echo" requests, and sends
// "echo" probes after `probe_interval_msec` of silence, dropping the
// connection if the peer stays silent for another interval.  Timing and
// logging are stream::Reconnect's (OVS's reconnect FSM).
//
// A Session can also wrap a connection accepted by a server ("unreliable":
// it is never re-established), so servers get the same echo handling.
//
// Threads: a Session lives on one EventLoop and every method must be called
// from that loop's thread.  Callbacks run on that thread and must not
// destroy the Session.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grebe/jsonrpc/message.h"
#include "grebe/stream/reconnect.h"
#include "grebe/util/result.h"

namespace grebe::event {
class EventLoop;
}
namespace grebe::stream {
class Stream;
}

namespace grebe::jsonrpc {

class Session {
 public:
  struct Options {
    long long probe_interval_msec = 5000;  // 0 disables probes
    long long min_backoff_msec = 1000;  // at least 1000, as OVS
    long long max_backoff_msec = 8000;
    size_t max_message_bytes = 64u << 20;
    // A peer that does not read is disconnected once this much is queued
    // (0 = unlimited).
    size_t max_backlog_bytes = 0;
  };
  struct Callbacks {
    std::function<void(Message)> on_message;    // everything but echo traffic
    std::function<void()> on_connected;
    std::function<void(const Error&)> on_disconnected;
  };

  Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks,
          Options options);
  Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks);
  // Wraps an accepted connection: probes it, but never reconnects
  // (OVS's jsonrpc_session_open_unreliably).  on_connected is not called.
  Session(event::EventLoop& loop, std::unique_ptr<stream::Stream> accepted, Callbacks callbacks,
          Options options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends if connected; returns ENOTCONN otherwise (OVS drops such messages
  // too: callers resend their state from on_connected).
  Status send(const Message& msg);
  // Same, for already serialized message text (see Connection::send_text).
  Status send_text(std::string text);
  bool is_connected() const;
  // Connected or still trying to (false once an unreliable session ends).
  bool is_alive() const;
  // Increments on every connect and disconnect.
  unsigned seqno() const;
  // Drops the current connection (if any) and reconnects at once.
  void force_reconnect();
  // The remote currently in use or being tried.
  const std::string& remote() const;
  size_t backlog() const;
  // The last error seen on any connection (ok if none yet).
  Status last_error() const;
  // Connection statistics for status columns (Manager/Controller "status").
  stream::Reconnect::Stats stats() const;
  // Changes the probe interval (0 disables) or backoff bounds at run time,
  // as the database's inactivity_probe / max_backoff columns do.
  void set_probe_interval(long long msec);
  void set_backoff(long long min_msec, long long max_msec);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace grebe::jsonrpc
