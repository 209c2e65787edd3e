// A blocking JSON-RPC connection for ovsdb-client (OVS's jsonrpc_transact_block
// style): one request at a time, "echo" requests from the server answered
// while waiting.  Messages are kept as OJson with members in wire order so
// callers can reproduce OVS's output order (see ovs_json.h).
//
// Not thread-safe; used from main() only.  Every call blocks.
#pragma once

#include <memory>
#include <string>

#include "grebe/stream/stream.h"
#include "grebe/util/result.h"
#include "ovs_json.h"

namespace grebe::ovsdb_client {

class Rpc {
 public:
  // Connects to `server` (e.g. "unix:/run/openvswitch/db.sock",
  // "tcp:127.0.0.1:6640").  Errors carry the stream's errno.
  static Result<std::unique_ptr<Rpc>> open(const std::string& server);

  const std::string& name() const { return name_; }

  // Writes one message completely.
  Status send(const OJson& message);
  // Reads the next message (wire order).  kEofCode at end of stream.
  Result<OJson> recv();
  // Sends request `method`(`params`) and returns the whole reply or error
  // message with the matching id; answers echo requests meanwhile and drops
  // anything else (callers that need notifications use recv()).
  Result<OJson> transact(const std::string& method, OJson params);
  // Allocates a request id.
  int next_id() { return next_id_++; }

  static constexpr int kEofCode = -1;

 private:
  Rpc(std::string name, std::unique_ptr<stream::Stream> stream)
      : name_(std::move(name)), stream_(std::move(stream)) {}
  Status wait_for(stream::Stream::Op op);
  // If `buffer_` starts with a complete JSON value, its length; else 0.
  size_t complete_value_length();

  std::string name_;
  std::unique_ptr<stream::Stream> stream_;
  std::string buffer_;
  size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false, started_ = false;
  int next_id_ = 0;
};

}  // namespace grebe::ovsdb_client
