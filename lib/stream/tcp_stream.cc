// tcp: and ptcp: streams, and the inet socket helpers ssl: reuses.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "fd_stream.h"
#include "grebe/stream/inet.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_tcp);

namespace grebe::stream::detail {

namespace {

Error socket_error(std::string_view target, const char* op, int err) {
  std::string msg = std::string(target) + ": " + op + ": " + errno_string(err);
  VLOG_ERR("%s", msg.c_str());
  return Error(err, std::string(target) + ": " + op);
}

}  // namespace

Result<InetSocket> inet_open_active(std::string_view target, uint8_t dscp) {
  auto ss = inet_parse_active(target, -1, true);
  if (!ss.ok()) {
    // OVS reports a lookup still in progress as EAFNOSUPPORT for active
    // connections; the reconnect backoff retries it.
    if (ss.error().would_block()) return Error(EAFNOSUPPORT, ss.error().message());
    return ss.take_error();
  }
  int fd = ::socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return socket_error(target, "socket", errno);
  // DSCP before connect(), so the SYN already carries it.
  if (int err = set_dscp(fd, ss->ss_family, dscp)) {
    ::close(fd);
    return socket_error(target, "set_dscp", err);
  }
  int status = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*ss), ss_length(*ss)) != 0) {
    status = errno;
    if (status == EINPROGRESS) {
      status = EAGAIN;
    } else {
      ::close(fd);
      return Error(status, std::string(target) + ": connect");
    }
  }
  return InetSocket{fd, status};
}

Result<InetListener> inet_open_passive(std::string_view target, uint8_t dscp) {
  auto ss = inet_parse_passive(target, -1, true);
  if (!ss.ok()) return ss.take_error();
  bool kernel_chooses_port = ss_get_port(*ss) == 0;
  int fd = ::socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return socket_error(target, "socket", errno);
  auto fail = [&](const char* op, int err) {
    ::close(fd);
    return socket_error(target, op, err);
  };
  int yes = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0) {
    return fail("setsockopt(SO_REUSEADDR)", errno);
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*ss), ss_length(*ss)) < 0) {
    return fail("bind", errno);
  }
  if (int err = set_dscp(fd, ss->ss_family, dscp)) return fail("set_dscp", err);
  if (::listen(fd, 10) < 0) return fail("listen", errno);
  InetListener out{fd, {}};
  socklen_t len = sizeof out.bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&out.bound), &len) < 0) {
    return fail("getsockname", errno);
  }
  if (kernel_chooses_port) {
    VLOG_INFO("%s: listening on port %u", std::string(target).c_str(),
              ss_get_port(out.bound));
  }
  return out;
}

Result<std::unique_ptr<Stream>> tcp_open(std::string_view name, std::string_view suffix,
                                         uint8_t dscp) {
  auto sock = inet_open_active(suffix, dscp);
  if (!sock.ok()) {
    if (sock.error().code() != EAFNOSUPPORT) {
      VLOG_ERR("%s: connect: %s", std::string(name).c_str(),
               errno_string(sock.error().code()).c_str());
    }
    return sock.take_error();
  }
  return std::unique_ptr<Stream>(new FdStream(std::string(name), sock->fd, sock->status, true));
}

Result<std::unique_ptr<PassiveStream>> ptcp_open(std::string_view suffix, uint8_t dscp) {
  auto l = inet_open_passive(suffix, dscp);
  if (!l.ok()) return l.take_error();
  uint16_t port = ss_get_port(l->bound);
  std::string bound_name = "ptcp:" + std::to_string(port) + ":" + ss_format_address(l->bound);
  auto make = [](int fd, const sockaddr_storage& ss,
                 socklen_t) -> Result<std::unique_ptr<Stream>> {
    std::string name = "tcp:" + ss_format_address(ss) + ":" + std::to_string(ss_get_port(ss));
    return std::unique_ptr<Stream>(new FdStream(name, fd, 0, true));
  };
  return std::unique_ptr<PassiveStream>(
      new FdPassiveStream(bound_name, l->fd, make, "", port));
}

}  // namespace grebe::stream::detail
