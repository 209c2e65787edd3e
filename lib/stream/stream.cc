// Stream / PassiveStream factories: name prefix -> class, and the blocking
// helpers for tools.
#include "grebe/stream/stream.h"

#include <poll.h>

#include <cerrno>
#include <string>

#include "fd_stream.h"
#include "grebe/util/clock.h"
#include "grebe/util/coverage.h"
#include "grebe/util/vlog.h"
#include "log_modules.h"
#include "ssl_stream.h"

namespace grebe::stream::detail {
::grebe::vlog::Module stream_module("stream");
}  // namespace grebe::stream::detail
STREAM_USE_LOG_MODULE(stream_module);
COVERAGE_DEFINE(stream_open);
COVERAGE_DEFINE(pstream_open);

namespace grebe::stream {

namespace {

using ActiveOpen = Result<std::unique_ptr<Stream>> (*)(std::string_view name,
                                                       std::string_view suffix, uint8_t dscp);
using PassiveOpen = Result<std::unique_ptr<PassiveStream>> (*)(std::string_view name,
                                                               std::string_view suffix,
                                                               uint8_t dscp);

struct ActiveClass {
  std::string_view prefix;
  ActiveOpen open;
};
struct PassiveClass {
  std::string_view prefix;
  PassiveOpen open;
};

constexpr ActiveClass kActiveClasses[] = {
    {"tcp", [](std::string_view n, std::string_view s, uint8_t d) { return detail::tcp_open(n, s, d); }},
    {"unix", [](std::string_view n, std::string_view s, uint8_t) { return detail::unix_open(n, s); }},
    {"ssl", [](std::string_view n, std::string_view s, uint8_t d) { return detail::ssl_open(n, s, d); }},
};

constexpr PassiveClass kPassiveClasses[] = {
    {"ptcp", [](std::string_view, std::string_view s, uint8_t d) { return detail::ptcp_open(s, d); }},
    {"punix", [](std::string_view n, std::string_view s, uint8_t) { return detail::punix_open(n, s); }},
    {"pssl", [](std::string_view, std::string_view s, uint8_t d) { return detail::pssl_open(s, d); }},
};

// "TYPE:ARGS" -> TYPE, or nullopt-like empty view when there is no colon.
bool split_name(std::string_view name, std::string_view& type, std::string_view& suffix) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) return false;
  type = name.substr(0, colon);
  suffix = name.substr(colon + 1);
  return true;
}

template <typename Class, size_t N>
const Class* lookup(const Class (&classes)[N], std::string_view name, std::string_view& suffix) {
  std::string_view type;
  if (!split_name(name, type, suffix)) return nullptr;
  for (const Class& c : classes) {
    if (c.prefix == type) return &c;
  }
  return nullptr;
}

// OVS's count_fields(): the number of non-empty ':'-separated fields.
int count_fields(std::string_view s) {
  int n = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(':', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) n++;
    i = j + 1;
  }
  return n;
}

bool starts_with_any(std::string_view s, std::string_view a, std::string_view b) {
  return s.substr(0, a.size()) == a || s.substr(0, b.size()) == b;
}

Status poll_fd(int fd, uint32_t events, long long timeout_msec) {
  pollfd pfd{fd, static_cast<short>(events), 0};
  long long deadline = timeout_msec < 0 ? -1 : time_msec() + timeout_msec;
  for (;;) {
    long long wait = deadline < 0 ? -1 : std::max(0LL, deadline - time_msec());
    int n = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(wait, 1 << 30)));
    if (n > 0) return ok_status();
    if (n == 0) return Error(ETIMEDOUT, "timed out waiting for connection");
    if (errno != EINTR) return errno_error("poll");
  }
}

}  // namespace

Result<std::unique_ptr<Stream>> Stream::open(std::string_view name, uint8_t dscp) {
  COVERAGE_INC(stream_open);
  std::string_view suffix;
  const ActiveClass* c = lookup(kActiveClasses, name, suffix);
  if (!c) return Error(EAFNOSUPPORT, std::string(name) + ": unknown stream type");
  if (dscp > 63) return Error(EINVAL, std::string(name) + ": bad DSCP value");
  return c->open(name, suffix, dscp);
}

Result<std::unique_ptr<Stream>> Stream::open_with_default_port(std::string_view name,
                                                               uint16_t default_port,
                                                               uint8_t dscp) {
  if (starts_with_any(name, "tcp:", "ssl:") && count_fields(name) < 3) {
    return open(std::string(name) + ":" + std::to_string(default_port), dscp);
  }
  return open(name, dscp);
}

Result<std::unique_ptr<Stream>> Stream::open_block(std::string_view name,
                                                   long long timeout_msec) {
  auto s = open(name);
  if (!s.ok()) return s;
  long long deadline = timeout_msec < 0 ? -1 : time_msec() + timeout_msec;
  for (;;) {
    Status st = (*s)->connect();
    if (st.ok()) return s;
    if (!st.error().would_block()) return st.take_error();
    long long left = deadline < 0 ? -1 : deadline - time_msec();
    if (deadline >= 0 && left <= 0) {
      return Error(ETIMEDOUT, std::string(name) + ": connection timed out");
    }
    Status w = wait_blocking(**s, Op::kConnect, left);
    if (!w.ok() && w.error().code() == ETIMEDOUT) {
      return Error(ETIMEDOUT, std::string(name) + ": connection timed out");
    }
  }
}

bool Stream::is_valid_name(std::string_view name) {
  std::string_view suffix;
  return lookup(kActiveClasses, name, suffix) != nullptr;
}

Result<std::unique_ptr<PassiveStream>> PassiveStream::open(std::string_view name,
                                                           uint8_t dscp) {
  COVERAGE_INC(pstream_open);
  std::string_view suffix;
  const PassiveClass* c = lookup(kPassiveClasses, name, suffix);
  if (!c) return Error(EAFNOSUPPORT, std::string(name) + ": unknown stream type");
  if (dscp > 63) return Error(EINVAL, std::string(name) + ": bad DSCP value");
  return c->open(name, suffix, dscp);
}

Result<std::unique_ptr<PassiveStream>> PassiveStream::open_with_default_port(
    std::string_view name, uint16_t default_port, uint8_t dscp) {
  if (starts_with_any(name, "ptcp:", "pssl:") && count_fields(name) < 2) {
    return open(std::string(name) + std::to_string(default_port), dscp);
  }
  return open(name, dscp);
}

bool PassiveStream::is_valid_name(std::string_view name) {
  std::string_view suffix;
  return lookup(kPassiveClasses, name, suffix) != nullptr;
}

Status wait_blocking(const Stream& stream, Stream::Op op, long long timeout_msec) {
  if (op == Stream::Op::kRecv && stream.pending() > 0) return ok_status();
  return poll_fd(stream.fd(), stream.poll_events(op), timeout_msec);
}

Status wait_blocking(const PassiveStream& pstream, long long timeout_msec) {
  return poll_fd(pstream.fd(), POLLIN, timeout_msec);
}

}  // namespace grebe::stream
