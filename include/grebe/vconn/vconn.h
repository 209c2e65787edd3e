// Vconn / PVconn: OpenFlow connections over a Stream, as OVS's lib/vconn.
//
//   active:  tcp:IP[:PORT]  ssl:IP[:PORT]  unix:PATH     (PORT defaults to 6653)
//   passive: ptcp:[PORT][:IP]  pssl:[PORT][:IP]  punix:PATH
//
// A Vconn frames messages (8-byte ofp_header, 16-bit length), performs the
// hello exchange and version negotiation exactly as OVS does (the highest
// version in both sides' bitmaps wins; with none in common it logs "version
// negotiation failed (...)", sends OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE
// with OVS's text and fails with EPROTO), answers echo requests by itself
// (unless turned off) and queues outgoing messages without bound (the
// backlog; rconn bounds it).
//
// Everything is non-blocking: an operation that cannot complete now fails
// with would_block() (EAGAIN); the owner then waits for wait_events() on
// fd() (an EventLoop watch) and calls run() and the operation again.  The
// *_block helpers (vconn_block.cc) wait with poll(2) for command-line tools.
//
// Threads: a Vconn/PVconn is owned by one thread at a time; not thread-safe.
// Errors: positive errno values, or kEof (-1) when the peer closed the
// connection in an orderly way (OVS's EOF); retval_to_string() names both.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::stream {
class Stream;
class PassiveStream;
}  // namespace grebe::stream

namespace grebe::vconn {

// One OpenFlow message, header included.
using OfpMsg = std::vector<uint8_t>;

// OVS's EOF: the peer closed the connection.
inline constexpr int kEof = -1;
// "End of file" for kEof, strerror() otherwise (OVS: ovs_retval_to_string;
// "Success" is never produced: 0 gives "").
std::string retval_to_string(int code);

// Version bitmaps: bit v set = wire version v allowed.
inline constexpr uint32_t kSupportedVersions = 0x7e;  // OpenFlow 1.0 .. 1.5
inline constexpr uint32_t kDefaultVersions = kSupportedVersions;
// OVS's wording for log and error text: "version 0x04", "version 0x06 and
// earlier", "versions 0x01, 0x04", "no versions".
std::string version_bitmap_to_string(uint32_t bitmap);
// Highest version in `bitmap` (0 if empty).
uint8_t highest_version(uint32_t bitmap);

class Vconn {
 public:
  // Opens an active connection ("tcp:127.0.0.1", "unix:br0.mgmt").  The
  // connection and hello exchange proceed in connect()/run().  Errors as
  // stream::Stream::open (EAFNOSUPPORT for an unknown type or bad address,
  // ENOENT/ECONNREFUSED for immediate failures, ...).  Any thread.
  static Result<std::unique_ptr<Vconn>> open(std::string_view name,
                                             uint32_t allowed_versions = kDefaultVersions,
                                             uint8_t dscp = 48);
  // Wraps a stream (accepted by a PVconn, or a test's) whose connection may
  // still be in progress.  Never fails.
  static std::unique_ptr<Vconn> from_stream(std::unique_ptr<stream::Stream> stream,
                                            uint32_t allowed_versions);
  ~Vconn();
  Vconn(const Vconn&) = delete;
  Vconn& operator=(const Vconn&) = delete;

  // The name given to open() (for accepted connections, the stream's name).
  const std::string& name() const { return name_; }

  // Drives connection and hello exchange.  ok() once a version is agreed;
  // would_block() while in progress; otherwise the error that ended the
  // connection (EPROTO after failed negotiation or a non-hello first
  // message, ECONNRESET if the peer closed before its hello).
  Status connect();
  // Maintenance: advances connect(), writes queued output.  Never fails
  // directly; errors show up in status().
  void run();
  // 0 while healthy; otherwise the error (positive errno or kEof).
  int status() const { return error_; }

  // Receives one message (connect()ing first).  would_block() if none is
  // complete yet; kEof at orderly close; EPROTO for a malformed frame (the
  // connection is then dead).  Echo requests are answered and not returned
  // while auto echo reply is on.  Messages whose version differs from the
  // negotiated one are answered with OFPBRC_BAD_VERSION and dropped (only
  // hello, error and echo may differ), unless set_recv_any_version().
  Result<OfpMsg> recv();
  // Queues `msg` (its header length is fixed up) after connect()ing and
  // writes as much as the socket takes.  Fails only if the connection is
  // not (yet) usable: would_block() while connecting, else the error.
  Status send(OfpMsg msg);
  // Messages / bytes queued but not yet fully written.
  size_t tx_backlog() const { return txq_.size(); }
  size_t tx_backlog_bytes() const { return txq_bytes_; }

  // The fd to watch and the readiness bits (event::kReadable/kWritable) that
  // make run()/connect()/recv() worth calling again.  `want_recv` adds
  // read interest once connected.  fd() is stable for the Vconn's life.
  int fd() const;
  uint32_t wait_events(bool want_recv) const;
  // Bytes decrypted but not yet read (ssl:): recv() may succeed without the
  // fd becoming readable.
  bool recv_pending() const;

  // Negotiated version, or -1 before negotiation completed.
  int version() const { return version_ ? version_ : -1; }
  uint32_t allowed_versions() const { return allowed_versions_; }
  // Call before connect() completes.
  void set_allowed_versions(uint32_t v) { allowed_versions_ = v; }
  // The versions the peer's hello offered (0 before it arrived).
  uint32_t peer_versions() const { return peer_versions_; }
  void set_recv_any_version() { recv_any_version_ = true; }
  void set_auto_echo_reply(bool on) { auto_echo_reply_ = on; }
  // Frames longer than this (default 65535, the most a header can say) end
  // the connection with EPROTO.  At least 8.
  void set_max_msg_len(size_t n) { max_msg_len_ = n < 8 ? 8 : n; }

  // Next transaction id for requests this side originates.
  uint32_t next_xid() { return next_xid_++; }

  // Addresses for status columns and logs (see stream::Stream).
  std::string peer_name() const;
  uint16_t peer_port() const;

  // ---- Blocking helpers for command-line tools (vconn_block.cc). ----
  // Each waits with poll(2); `timeout_msec` -1 = forever.  Errors as the
  // non-blocking operation, plus ETIMEDOUT.
  static Result<std::unique_ptr<Vconn>> open_block(std::string_view name,
                                                   uint32_t allowed_versions = kDefaultVersions,
                                                   uint8_t dscp = 48, long long timeout_msec = -1);
  Status connect_block(long long timeout_msec = -1);
  // Queues `msg` and waits until all queued output is written.
  Status send_block(OfpMsg msg);
  Result<OfpMsg> recv_block();
  // Receives until a message with `xid` arrives; others are logged at DBG
  // and dropped, except errors that go to `errors` when given.
  Result<OfpMsg> recv_xid(uint32_t xid, std::vector<OfpMsg>* errors = nullptr);
  // Sends `request` and waits for the reply with the same xid.
  Result<OfpMsg> transact(OfpMsg request);
  // Sends `request` then a barrier request and waits for the barrier reply;
  // returns the reply to `request` if one came first (normally an error),
  // else nullopt.  (OVS: vconn_transact_noreply.)
  Result<std::optional<OfpMsg>> transact_noreply(OfpMsg request);
  // transact_noreply() for each request in order, stopping at the first one
  // that draws a reply, which is returned.  (OVS:
  // vconn_transact_multiple_noreply.)
  Result<std::optional<OfpMsg>> transact_multiple_noreply(std::vector<OfpMsg> requests);
  // Sends a multipart (OF1.0 stats) request and collects every reply with
  // its xid until one without the "more" flag (OFPSF_REPLY_MORE); an error
  // reply ends the exchange and is returned as the last element.
  Result<std::vector<OfpMsg>> transact_multipart(OfpMsg request);
  // Sends a barrier request and waits for its reply.
  Status barrier();

 private:
  enum class State { kConnecting, kSendHello, kRecvHello, kConnected, kSendError, kDisconnected };

  Vconn(std::string name, std::unique_ptr<stream::Stream> stream, uint32_t allowed_versions);
  void step_connecting();
  void step_recv_hello();
  void step_send_error();
  void handle_hello(const OfpMsg& msg);
  void fail(int error);
  // Reads one frame into rx_: ok when complete.
  Result<OfpMsg> recv_frame();
  Status flush_tx();
  void enqueue(OfpMsg msg);
  bool filter_received(const OfpMsg& msg);
  Status wait_poll(bool want_recv, long long deadline);

  std::string name_;
  std::unique_ptr<stream::Stream> stream_;
  State state_ = State::kConnecting;
  int error_ = 0;
  uint32_t allowed_versions_;
  uint32_t peer_versions_ = 0;
  uint8_t version_ = 0;
  bool recv_any_version_ = false;
  bool auto_echo_reply_ = true;
  size_t max_msg_len_ = 65535;
  uint32_t next_xid_ = 1;

  std::vector<uint8_t> rx_;
  std::deque<OfpMsg> txq_;
  size_t tx_offset_ = 0;  // bytes of txq_.front() already written
  size_t txq_bytes_ = 0;
};

class PVconn {
 public:
  // Starts listening ("ptcp:0:127.0.0.1", "ptcp:" = port 6653, "punix:x").
  // Errors as stream::PassiveStream::open.
  static Result<std::unique_ptr<PVconn>> open(std::string_view name,
                                              uint32_t allowed_versions = kDefaultVersions,
                                              uint8_t dscp = 48);
  ~PVconn();
  // The bound name ("ptcp:6653:0.0.0.0") and, for ptcp/pssl, the port.
  const std::string& name() const;
  uint16_t bound_port() const;
  // Accepts one connection (hello exchange still to do); would_block() if
  // none is pending.
  Result<std::unique_ptr<Vconn>> accept();
  int fd() const;  // wait for event::kReadable

 private:
  PVconn(std::unique_ptr<stream::PassiveStream> ps, uint32_t allowed_versions);
  std::unique_ptr<stream::PassiveStream> pstream_;
  uint32_t allowed_versions_;
};

// True for a known active / passive vconn name prefix (OVS:
// vconn_verify_name / pvconn_verify_name == 0).
bool vconn_name_is_valid(std::string_view name);
bool pvconn_name_is_valid(std::string_view name);

}  // namespace grebe::vconn
