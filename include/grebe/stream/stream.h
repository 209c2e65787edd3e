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
// SSL needs keys configured first with ssl_config() (ssl.h); until then
// ssl:/pssl: open fails with a clear error.
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
  // Errors: EAFNOSUPPORT "unknown stream type", EINVAL for a malformed name
  // (message in OVS's words, e.g. "tcp:1.2.3.4: bad peer name format").
  static Result<std::unique_ptr<Stream>> open(std::string_view name);
  // open() then waits (blocking, up to timeout_msec, -1 = forever) for the
  // connection to complete.  For command-line tools.
  static Result<std::unique_ptr<Stream>> open_block(std::string_view name,
                                                    long long timeout_msec = -1);
  // True if `name` has a known active stream prefix.
  static bool is_valid_name(std::string_view name);

  const std::string& name() const { return name_; }

  // Completes connection (and SSL handshake).  ok() once connected.
  virtual Status connect() = 0;
  // Reads up to n bytes.  Returns 0 at end of stream.
  virtual Result<size_t> recv(void* buf, size_t n) = 0;
  // Writes up to n bytes; returns how many were taken (maybe fewer).
  virtual Result<size_t> send(const void* buf, size_t n) = 0;

  // The fd to watch, and the readiness bits (event::kReadable/kWritable) to
  // wait for before retrying `op` (SSL may need to read in order to write).
  enum class Op { kConnect, kRecv, kSend };
  virtual int fd() const = 0;
  virtual uint32_t poll_events(Op op) const = 0;

  // Peer and local addresses when known ("127.0.0.1", port), for status
  // columns and logs.
  virtual std::string peer_name() const { return {}; }

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
  // destruction.
  static Result<std::unique_ptr<PassiveStream>> open(std::string_view name);
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

}  // namespace grebe::stream
