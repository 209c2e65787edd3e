// Connection: JSON-RPC over one Stream (OVS's struct jsonrpc).  Outgoing
// messages queue in memory (the backlog) and drain as the stream accepts
// them; incoming bytes are framed into messages.
//
// After any error the connection is dead: status() holds the error and every
// call returns it.  An orderly close by the peer is kEof ("End of file").
//
// Not thread-safe: owned by one thread (usually an EventLoop's), which
// watches fd() for wanted_events() and calls run() / recv() when ready.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "grebe/jsonrpc/framer.h"
#include "grebe/jsonrpc/message.h"
#include "grebe/stream/stream.h"
#include "grebe/util/result.h"

namespace grebe::jsonrpc {

// Error code for end of stream (OVS's EOF), never a valid errno.
inline constexpr int kEof = -1;

class Connection {
 public:
  explicit Connection(std::unique_ptr<stream::Stream> stream,
                      size_t max_message_bytes = Framer::kDefaultMaxMessageBytes);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& name() const { return stream_->name(); }

  // Queues `msg` and writes as much of the backlog as the stream takes now.
  // Returns the connection's error if it is (or becomes) dead.
  Status send(const Message& msg);
  // Like send(), for text that is already one or more serialized messages
  // (servers that encode a notification once for many peers, or batch
  // several replies into one write).
  Status send_text(std::string text);
  // Writes queued output.  Returns the connection's status.
  Status run();
  // The next complete message, or nullopt if none has arrived yet.  Errors:
  // kEof, EPROTO for malformed input (logged at WARN with OVS's text), or the
  // stream's errno.
  Result<std::optional<Message>> recv();

  size_t backlog() const { return backlog_; }
  size_t received_bytes() const { return received_bytes_; }
  const Status& status() const { return status_; }
  int fd() const { return stream_->fd(); }
  // event::kReadable, plus event::kWritable while output is queued.
  uint32_t wanted_events() const;

  // Blocking helpers for command-line tools (poll(), no EventLoop).
  // timeout_msec -1 waits forever; ETIMEDOUT when it expires.
  Status send_block(const Message& msg, long long timeout_msec = -1);
  Result<Message> recv_block(long long timeout_msec = -1);
  // Sends `request` and waits for the reply or error with the same id,
  // answering "echo" requests and discarding other messages meanwhile.
  Result<Message> transact_block(const Message& request, long long timeout_msec = -1);

 private:
  Status set_error(Error e);
  Status queue(std::string text);

  std::unique_ptr<stream::Stream> stream_;
  Framer framer_;
  Error framer_error_;  // the framer's failure, reported after earlier messages
  std::deque<std::string> output_;
  size_t output_offset_ = 0;  // bytes of output_.front() already sent
  size_t backlog_ = 0;
  size_t received_bytes_ = 0;
  Status status_;
};

}  // namespace grebe::jsonrpc
