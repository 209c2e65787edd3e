// JSON-RPC connection: send queue with backlog accounting, framed receive,
// and blocking helpers.
#include "grebe/jsonrpc/connection.h"

#include "grebe/event/event_loop.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

namespace grebe::jsonrpc {

namespace {
grebe::vlog::RateLimit rl(5, 5);
constexpr size_t kRecvChunk = 4096;

long long remaining(long long deadline) {
  if (deadline < 0) return -1;
  long long left = deadline - time_msec();
  return left < 0 ? 0 : left;
}
}  // namespace

Connection::Connection(std::unique_ptr<stream::Stream> stream, size_t max_message_bytes)
    : stream_(std::move(stream)), framer_(max_message_bytes) {}

Connection::~Connection() = default;

Status Connection::set_error(Error e) {
  if (status_.ok()) {
    status_ = Status(e);
    output_.clear();
    backlog_ = 0;
  }
  return status_;
}

uint32_t Connection::wanted_events() const {
  return event::kReadable | (backlog_ ? event::kWritable : 0);
}

Status Connection::send(const Message& msg) {
  if (!status_.ok()) return status_;
  if (VLOG_IS_DBG_ENABLED())
    VLOG_DBG("%s: send %s %s", name().c_str(), type_to_string(msg.type), msg.to_string().c_str());
  return queue(msg.to_string());
}

Status Connection::send_text(std::string text) {
  if (!status_.ok()) return status_;
  if (VLOG_IS_DBG_ENABLED()) VLOG_DBG("%s: send %s", name().c_str(), text.c_str());
  return queue(std::move(text));
}

Status Connection::queue(std::string text) {
  if (text.empty()) return run();
  backlog_ += text.size();
  output_.push_back(std::move(text));
  return run();
}

Status Connection::run() {
  while (status_.ok() && !output_.empty()) {
    const std::string& front = output_.front();
    auto n = stream_->send(front.data() + output_offset_, front.size() - output_offset_);
    if (!n.ok()) {
      if (n.error().would_block()) break;
      VLOG_WARN_RL(&rl, "%s: send error: %s", name().c_str(),
                   errno_string(n.error().code()).c_str());
      return set_error(n.take_error());
    }
    output_offset_ += *n;
    backlog_ -= *n;
    if (output_offset_ == front.size()) {
      output_.pop_front();
      output_offset_ = 0;
    }
  }
  return status_;
}

Result<std::optional<Message>> Connection::recv() {
  for (int i = 0; i < 50 && status_.ok(); i++) {
    Json json;
    if (framer_.take(&json)) {
      auto msg = Message::from_json(std::move(json));
      if (!msg.ok()) {
        VLOG_WARN_RL(&rl, "%s: received bad JSON-RPC message: %s", name().c_str(),
                     msg.error().message().c_str());
        return set_error(msg.take_error()).error();
      }
      if (VLOG_IS_DBG_ENABLED())
        VLOG_DBG("%s: received %s %s", name().c_str(), type_to_string(msg->type),
                 msg->to_string().c_str());
      return std::optional<Message>(std::move(*msg));
    }
    // Messages framed before a syntax error were delivered above; now fail.
    if (framer_.failed()) return set_error(framer_error_).error();
    char buf[kRecvChunk];
    auto n = stream_->recv(buf, sizeof buf);
    if (!n.ok()) {
      if (n.error().would_block()) return std::optional<Message>();
      VLOG_WARN_RL(&rl, "%s: receive error: %s", name().c_str(),
                   errno_string(n.error().code()).c_str());
      return set_error(n.take_error()).error();
    }
    if (*n == 0) {
      if (framer_.mid_value())
        VLOG_WARN_RL(&rl, "%s: unexpected end of input", name().c_str());
      return set_error(Error(kEof, "End of file")).error();
    }
    received_bytes_ += *n;
    Status s = framer_.feed(std::string_view(buf, *n));
    if (!s.ok()) {
      VLOG_WARN_RL(&rl, "%s: error parsing stream: %s", name().c_str(),
                   s.error().message().c_str());
      framer_error_ = s.take_error();
    }
  }
  if (!status_.ok()) return status_.error();
  return std::optional<Message>();
}

Status Connection::send_block(const Message& msg, long long timeout_msec) {
  long long deadline = timeout_msec < 0 ? -1 : time_msec() + timeout_msec;
  GREBE_TRY(send(msg));
  while (backlog_ && status_.ok()) {
    GREBE_TRY(stream::wait_blocking(*stream_, stream::Stream::Op::kSend, remaining(deadline)));
    GREBE_TRY(run());
  }
  return status_;
}

Result<Message> Connection::recv_block(long long timeout_msec) {
  long long deadline = timeout_msec < 0 ? -1 : time_msec() + timeout_msec;
  for (;;) {
    auto msg = recv();
    if (!msg.ok()) return msg.take_error();
    if (msg->has_value()) return std::move(**msg);
    // Flush anything queued (e.g. echo replies) while we wait.
    GREBE_TRY(run());
    GREBE_TRY(stream::wait_blocking(*stream_, stream::Stream::Op::kRecv, remaining(deadline)));
  }
}

Result<Message> Connection::transact_block(const Message& request, long long timeout_msec) {
  long long deadline = timeout_msec < 0 ? -1 : time_msec() + timeout_msec;
  GREBE_TRY(send_block(request, timeout_msec));
  for (;;) {
    auto msg = recv_block(remaining(deadline));
    if (!msg.ok()) return msg.take_error();
    if ((msg->type == Message::Type::kReply || msg->type == Message::Type::kError) &&
        msg->id == request.id)
      return std::move(*msg);
    if (msg->type == Message::Type::kRequest && msg->method == "echo")
      GREBE_TRY(send(Message::reply(msg->params, msg->id)));
  }
}

}  // namespace grebe::jsonrpc
