#include "rpc.h"

#include <poll.h>

#include <cerrno>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

namespace grebe::ovsdb_client {

Result<std::unique_ptr<Rpc>> Rpc::open(const std::string& server) {
  auto stream = stream::Stream::open_block(server, -1);
  if (!stream.ok()) return stream.error();
  return std::unique_ptr<Rpc>(new Rpc(server, std::move(*stream)));
}

Status Rpc::wait_for(stream::Stream::Op op) {
  uint32_t events = stream_->poll_events(op);
  struct pollfd pfd = {stream_->fd(), 0, 0};
  if (events & 0x1) pfd.events |= POLLIN;  // event::kReadable
  if (events & 0x4) pfd.events |= POLLOUT;  // event::kWritable
  if (!pfd.events) pfd.events = op == stream::Stream::Op::kSend ? POLLOUT : POLLIN;
  while (::poll(&pfd, 1, -1) < 0) {
    if (errno != EINTR) return errno_error("poll");
  }
  return {};
}

Status Rpc::send(const OJson& message) {
  std::string text = to_ovs_string(message, false);
  VLOG_DBG("%s: send %s", name_.c_str(), text.c_str());
  size_t off = 0;
  while (off < text.size()) {
    auto n = stream_->send(text.data() + off, text.size() - off);
    if (n.ok()) {
      off += *n;
    } else if (n.error().would_block()) {
      GREBE_TRY(wait_for(stream::Stream::Op::kSend));
    } else {
      return n.error();
    }
  }
  return {};
}

size_t Rpc::complete_value_length() {
  for (; scanned_ < buffer_.size(); scanned_++) {
    char c = buffer_[scanned_];
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      depth_++;
      started_ = true;
    } else if (c == '}' || c == ']') {
      if (--depth_ <= 0 && started_) {
        size_t n = ++scanned_;
        depth_ = 0;
        started_ = false;
        scanned_ = 0;
        return n;
      }
    } else if (!started_ && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      // A top-level scalar is not a JSON-RPC message; let the parser say so.
      started_ = true;
    }
  }
  return 0;
}

Result<OJson> Rpc::recv() {
  for (;;) {
    size_t n = complete_value_length();
    if (n) {
      std::string text = buffer_.substr(0, n);
      buffer_.erase(0, n);
      VLOG_DBG("%s: received %s", name_.c_str(), text.c_str());
      auto json = parse_text(text);
      if (!json.ok() || !json->is_object()) {
        return Error(EPROTO, name_ + ": received bad JSON-RPC message");
      }
      return *json;
    }
    char buf[65536];
    auto got = stream_->recv(buf, sizeof buf);
    if (got.ok()) {
      if (*got == 0) return Error(kEofCode, "End of file");
      buffer_.append(buf, *got);
    } else if (got.error().would_block()) {
      GREBE_TRY(wait_for(stream::Stream::Op::kRecv));
    } else {
      return got.error();
    }
  }
}

Result<OJson> Rpc::transact(const std::string& method, OJson params) {
  int id = next_id();
  OJson request = OJson::object();
  request["method"] = method;
  request["params"] = std::move(params);
  request["id"] = id;
  GREBE_TRY(send(request));
  for (;;) {
    auto msg = recv();
    if (!msg.ok()) return msg.error();
    const OJson& m = *msg;
    if (m.contains("method") && m["method"] == "echo" && m.contains("id") && !m["id"].is_null()) {
      OJson reply = OJson::object();
      reply["result"] = m.contains("params") ? m["params"] : OJson::array();
      reply["error"] = nullptr;
      reply["id"] = m["id"];
      GREBE_TRY(send(reply));
      continue;
    }
    if (m.contains("id") && m["id"] == id && !m.contains("method")) return *msg;
  }
}

}  // namespace grebe::ovsdb_client
