// Framer: finds JSON value boundaries in a byte stream, then parses each
// complete value with nlohmann::json (exceptions stay inside this file).
#include "grebe/jsonrpc/framer.h"

#include <cstdio>

namespace grebe::jsonrpc {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string position(long long line, long long column, long long byte) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "line %lld, column %lld, byte %lld: ", line, column, byte);
  return buf;
}

}  // namespace

Status Framer::fail(std::string what) {
  failed_ = true;
  return Error(EPROTO, position(line_, column_, byte_) + what);
}

Status Framer::feed(std::string_view data) {
  if (failed_) return Error(EPROTO, "JSON parser already failed");
  for (char c : data) {
    if (depth_ == 0) {
      if (!is_space(c)) {
        if (c != '{' && c != '[') return fail("syntax error at beginning of input");
        current_.clear();
        closers_.clear();
        value_start_byte_ = byte_;
        value_start_line_ = line_;
        value_start_column_ = column_;
        closers_ += c == '{' ? '}' : ']';
        depth_ = 1;
        current_ += c;
      }
    } else {
      current_ += c;
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        if (++depth_ > kMaxDepth)
          return fail("input exceeds maximum nesting depth " + std::to_string(kMaxDepth));
        closers_ += c == '{' ? '}' : ']';
      } else if (c == '}' || c == ']') {
        if (c != closers_.back())
          return fail(closers_.back() == '}' ? "syntax error expecting '}' or ','"
                                             : "syntax error expecting ']' or ','");
        closers_.pop_back();
        if (--depth_ == 0) GREBE_TRY(finish_value());
      }
      if (current_.size() > max_bytes_)
        return fail("message exceeds maximum size of " + std::to_string(max_bytes_) + " bytes");
    }
    byte_++;
    if (c == '\n') {
      line_++;
      column_ = 0;
    } else {
      column_++;
    }
  }
  return ok_status();
}

Status Framer::finish_value() {
  try {
    ready_.push_back(Json::parse(current_));
  } catch (const Json::out_of_range& e) {
    // e.g. "1e999": OVS reports numbers it cannot represent the same way.
    failed_ = true;
    return Error(EPROTO, position(value_start_line_, value_start_column_, value_start_byte_) +
                             "number outside valid range");
  } catch (const Json::parse_error& e) {
    // Point at the offending byte within the stream, like OVS does.
    size_t off = e.byte > 0 ? e.byte - 1 : 0;
    if (off > current_.size()) off = current_.size();
    long long line = value_start_line_, column = value_start_column_;
    for (size_t i = 0; i < off; i++) {
      if (current_[i] == '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    std::string what = e.what();
    size_t colon = what.find(": ", what.find("column"));
    failed_ = true;
    return Error(EPROTO, position(line, column, value_start_byte_ + static_cast<long long>(off)) +
                             (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  current_.clear();
  return ok_status();
}

bool Framer::take(Json* out) {
  if (ready_.empty()) return false;
  *out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace grebe::jsonrpc
