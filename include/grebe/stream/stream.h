// Streams: byte streams named as OVS names them.
//
//   active:  unix:PATH   tcp:IP:PORT   ssl:IP:PORT      (IP may be [v6])
//   passive: punix:PATH  ptcp:[PORT][:IP]  pssl:[PORT][:IP]
//
// All streams are non-blocking.  Operations that cannot complete now return
// an Error whose would_block() is true; the caller then waits for
// poll_events() on fd() (an EventLoop watch) and retries.  A Stream is owned
// by one thread at a time.
//
// SSL needs keys configured first (grebe/stream/ssl.h); until then
// ssl:/pssl: open fails with ENOPROTOOPT and OVS's message ("Private key must
// be configured to use SSL").
//
// Two rules every caller follows (they matter for ssl:, which encrypts in
// records and buffers inside OpenSSL):
//  * Read until recv() reports would_block() before waiting for kRecv, or
//    check pending(): decrypted bytes may wait inside the stream while
//    fd() is not readable.
//  * After send() reports would_block(), retry with the same bytes first
//    (more may be appended): an SSL record is already sealed around them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "grebe/util/result.h"

namespace grebe::stream {

class Stream {
 public:
  virtual ~Stream() = default;

  // Opens an active stream ("tcp:127.0.0.1:6653").  Connection may still be
  // in progress: call connect() until it stops returning would_block().
  // `dscp` (0..63) goes into the IP TOS/traffic class of tcp/ssl streams.
  // Errors, as OVS returns them (callers print strerror(code()) where OVS
  // does; message() holds OVS's log text, which is also logged at ERR):
  //   EAFNOSUPPORT  unknown stream type ("foo:bar"), a malformed address
  //                 (for "tcp:1.2.3.4": "1.2.3.4: port must be specified";
  //                  "1.2.3.4:99999: bad port number \"99999\""), a host
  //                 name that does not resolve, or (daemons) is still being
  //                 resolved in the background (see dns.h): retry later
  //   ENOENT/ECONNREFUSED/...  immediate connect failures (unix: mostly)
  //   ENOPROTOOPT   ssl: without keys/certificates configured
  //   EINVAL        dscp out of range
  // Unix paths are relative to ovs_rundir(); names longer than a sockaddr_un
  // holds are reached through /proc/self/fd/<dirfd>/<base>, as OVS does.
  // Never blocks, except that a command-line tool (dns_resolve_init(false),
  // the default) resolves a host name synchronously.  Any thread.
  static Result<std::unique_ptr<Stream>> open(std::string_view name,
                                              uint8_t dscp = kDscpDefault);
  // Like open(), but "tcp:IP" / "ssl:IP" without a port get `default_port`
  // (6653 for OpenFlow, 6640 for OVSDB).
  static Result<std::unique_ptr<Stream>> open_with_default_port(
      std::string_view name, uint16_t default_port, uint8_t dscp = kDscpDefault);
  // open() then waits (blocking, up to timeout_msec, -1 = forever) for the
  // connection to complete.  For command-line tools.  ETIMEDOUT on timeout.
  static Result<std::unique_ptr<Stream>> open_block(std::string_view name,
                                                    long long timeout_msec = -1);
  // True if `name` has a known active stream prefix ("TYPE:..." only; the
  // rest is checked by open()).  Same as OVS's stream_verify_name() == 0.
  static bool is_valid_name(std::string_view name);

  // OVS's default DSCP for control traffic (IPTOS_PREC_INTERNETCONTROL >> 2).
  static constexpr uint8_t kDscpDefault = 48;

  const std::string& name() const { return name_; }

  // Completes connection (and SSL handshake).  ok() once connected.
  virtual Status connect() = 0;
  // Reads up to n bytes.  Returns 0 at end of stream.
  virtual Result<size_t> recv(void* buf, size_t n) = 0;
  // Bytes that recv() can return without touching fd() (SSL buffers).
  virtual size_t pending() const { return 0; }
  // Writes up to n bytes; returns how many were taken (maybe fewer).
  virtual Result<size_t> send(const void* buf, size_t n) = 0;

  // The fd to watch, and the readiness bits (event::kReadable/kWritable) to
  // wait for before retrying `op` (SSL may need to read in order to write).
  enum class Op { kConnect, kRecv, kSend };
  virtual int fd() const = 0;
  virtual uint32_t poll_events(Op op) const = 0;

  // Peer and local addresses when known, for status columns and logs:
  // peer_name() is the IP as text ("127.0.0.1", "::1"), empty for unix:.
  // Ports are 0 when unknown.  Valid once connect() succeeded.
  virtual std::string peer_name() const { return {}; }
  virtual uint16_t peer_port() const { return 0; }
  virtual std::string local_name() const { return {}; }
  virtual uint16_t local_port() const { return 0; }
  // For ssl: the peer certificate's common name, once connected.
  virtual std::string peer_id() const { return {}; }

 protected:
  explicit Stream(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

class PassiveStream {
 public:
  virtual ~PassiveStream() = default;

  // Starts listening ("ptcp:6653", "ptcp:0:127.0.0.1", "punix:/run/x.sock").
  // A punix: listener unlinks a stale socket file first and removes it on
  // destruction.  Like OVS, a ptcp:/pssl: listener's name() is the bound
  // address ("ptcp:6653:0.0.0.0", "ptcp:41234:[::1]"); punix: keeps the
  // given name.  Errors as Stream::open(), plus bind()/listen() errnos
  // (EADDRINUSE, EACCES, ...).
  static Result<std::unique_ptr<PassiveStream>> open(std::string_view name,
                                                     uint8_t dscp = Stream::kDscpDefault);
  // "ptcp:" / "pssl:" without a port ("ptcp:", "ptcp::1.2.3.4" is not
  // affected) get `default_port`, as OVS's pstream_open_with_default_port().
  static Result<std::unique_ptr<PassiveStream>> open_with_default_port(
      std::string_view name, uint16_t default_port, uint8_t dscp = Stream::kDscpDefault);
  static bool is_valid_name(std::string_view name);

  const std::string& name() const { return name_; }
  // For ptcp/pssl: the bound port (useful with port 0).  0 otherwise.
  virtual uint16_t bound_port() const { return 0; }

  // Accepts one connection; would_block() if none is pending.
  virtual Result<std::unique_ptr<Stream>> accept() = 0;
  virtual int fd() const = 0;  // wait for event::kReadable

 protected:
  explicit PassiveStream(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// Blocks (poll(2), no EventLoop) until `stream` is ready for `op` or
// `timeout_msec` passes (-1 = forever).  Returns ETIMEDOUT on timeout.  For
// command-line tools and tests; daemons watch fd() on their EventLoop.
Status wait_blocking(const Stream& stream, Stream::Op op, long long timeout_msec);
// Same for a listener: waits until accept() may succeed.
Status wait_blocking(const PassiveStream& pstream, long long timeout_msec);

// The "connection methods" and PKI option block of a tool's --help, in
// OVS's exact words (OVS: stream_usage()).  `name` is e.g. "database" or
// "OpenFlow"; `bootstrap` adds the --bootstrap-ca-cert line.
std::string stream_usage(std::string_view name, bool active, bool passive, bool bootstrap);

// What the first bytes received on a stream look like, for logging a
// protocol mix-up ("received SSL data on JSON-RPC channel").
enum class ContentType { kUnknown, kJsonRpc, kOpenFlow, kSsl };
ContentType guess_content(const void* data, size_t n);
const char* content_type_name(ContentType type);  // "JSON-RPC", "OpenFlow", ...
// Logs (WARN, rate-limited) "<stream_name>: received <actual> data on
// <expected> channel" if `data` looks like some other known protocol.
void report_content(const void* data, size_t n, ContentType expected,
                    std::string_view stream_name);

// Default ports (OVS: OFP_PORT, OVSDB_PORT).
inline constexpr uint16_t kOfpPort = 6653;
inline constexpr uint16_t kOvsdbPort = 6640;

}  // namespace grebe::stream
