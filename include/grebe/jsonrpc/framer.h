// Frames a byte stream into JSON texts.  OVS's peers send JSON values back to
// back with no delimiter (newlines are optional whitespace), so the framer
// tracks nesting and strings (with escapes) to find where each top-level
// object or array ends, across arbitrary read boundaries.
//
// Not thread-safe; one per connection.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include "grebe/jsonrpc/message.h"
#include "grebe/util/result.h"

namespace grebe::jsonrpc {

class Framer {
 public:
  // Messages longer than `max_message_bytes` are a protocol error, so a peer
  // cannot make us buffer without bound.
  explicit Framer(size_t max_message_bytes = kDefaultMaxMessageBytes)
      : max_bytes_(max_message_bytes) {}
  static constexpr size_t kDefaultMaxMessageBytes = 64u << 20;
  static constexpr int kMaxDepth = 1000;  // OVS's JSON nesting limit

  // Consumes all of `data`.  Complete values become available from
  // take(); on malformed input returns EPROTO with OVS-style text
  // ("line L, column C, byte B: syntax error at beginning of input") and
  // the framer stays failed.
  Status feed(std::string_view data);
  // Next complete JSON value, parsed.  False if none is ready.
  bool take(Json* out);
  bool failed() const { return failed_; }
  // True if part of a value has been consumed (for "unexpected end of input").
  bool mid_value() const { return depth_ > 0; }

 private:
  Status fail(std::string what);
  Status finish_value();

  size_t max_bytes_;
  std::string current_;       // bytes of the value being framed
  std::deque<Json> ready_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool failed_ = false;
  std::string closers_;       // expected closing brackets, innermost last
  // Position of the next byte in the whole stream (for error messages).
  long long line_ = 0, column_ = 0, byte_ = 0;
  long long value_start_byte_ = 0, value_start_line_ = 0, value_start_column_ = 0;
};

}  // namespace grebe::jsonrpc
