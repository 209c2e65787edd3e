// Socket-fd streams: the recv/send/connect/accept mechanics shared by unix:
// and tcp:.
#include "fd_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "grebe/event/event_loop.h"
#include "grebe/stream/inet.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_fd);

namespace grebe::stream::detail {

namespace {

vlog::RateLimit rl(10, 25);

void set_nodelay(int fd) {
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

}  // namespace

int check_connection_completion(int fd) {
  pollfd pfd{fd, POLLOUT, 0};
  int n;
  do {
    n = poll(&pfd, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  if (n == 0) return EAGAIN;
  if (pfd.revents & (POLLERR | POLLHUP)) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) return err;
    return pfd.revents & POLLHUP ? ECONNRESET : EPROTO;
  }
  return 0;
}

int set_dscp(int fd, int family, uint8_t dscp) {
  if (dscp > 63) return EINVAL;
  int val = dscp << 2;
  int r;
  if (family == AF_INET) {
    r = setsockopt(fd, IPPROTO_IP, IP_TOS, &val, sizeof val);
  } else if (family == AF_INET6) {
    r = setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &val, sizeof val);
  } else {
    return ENOPROTOOPT;
  }
  return r ? errno : 0;
}

FdStream::FdStream(std::string name, int fd, int connect_status, bool tcp)
    : Stream(std::move(name)), fd_(fd), connect_status_(connect_status), tcp_(tcp) {
  if (connect_status_ == 0 && tcp_) set_nodelay(fd_);
}

FdStream::~FdStream() { ::close(fd_); }

Status FdStream::connect() {
  if (connect_status_ == EAGAIN) {
    connect_status_ = check_connection_completion(fd_);
    if (connect_status_ == 0 && tcp_) set_nodelay(fd_);
  }
  if (connect_status_) return Error(connect_status_, name() + ": connection failed");
  return ok_status();
}

Result<size_t> FdStream::recv(void* buf, size_t n) {
  GREBE_TRY(connect());
  ssize_t r = ::recv(fd_, buf, n, 0);
  if (r < 0) {
    int err = errno;
    if (err != EAGAIN) VLOG_DBG_RL(&rl, "recv: %s", errno_string(err).c_str());
    return Error(err, name() + ": recv");
  }
  return static_cast<size_t>(r);
}

Result<size_t> FdStream::send(const void* buf, size_t n) {
  GREBE_TRY(connect());
  ssize_t r = ::send(fd_, buf, n, MSG_NOSIGNAL);
  if (r < 0) {
    int err = errno;
    if (err != EAGAIN) VLOG_DBG_RL(&rl, "send: %s", errno_string(err).c_str());
    return Error(err, name() + ": send");
  }
  if (r == 0 && n > 0) return Error(EAGAIN, name() + ": send");
  return static_cast<size_t>(r);
}

uint32_t FdStream::poll_events(Op op) const {
  return op == Op::kRecv ? event::kReadable : event::kWritable;
}

sockaddr_storage socket_name(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r != 0) ss.ss_family = AF_UNSPEC;
  return ss;
}

std::string FdStream::peer_name() const { return ss_format_ip(socket_name(fd_, true)); }
uint16_t FdStream::peer_port() const { return ss_get_port(socket_name(fd_, true)); }
std::string FdStream::local_name() const { return ss_format_ip(socket_name(fd_, false)); }
uint16_t FdStream::local_port() const { return ss_get_port(socket_name(fd_, false)); }

FdPassiveStream::FdPassiveStream(std::string name, int fd, MakeStream make_stream,
                                 std::string unlink_path, uint16_t bound_port)
    : PassiveStream(std::move(name)),
      fd_(fd),
      make_stream_(std::move(make_stream)),
      unlink_path_(std::move(unlink_path)),
      bound_port_(bound_port) {}

FdPassiveStream::~FdPassiveStream() {
  ::close(fd_);
  if (!unlink_path_.empty() && ::unlink(unlink_path_.c_str()) && errno != ENOENT) {
    VLOG_WARN("%s: unlink failed (%s)", unlink_path_.c_str(), errno_string(errno).c_str());
  }
}

Result<std::unique_ptr<Stream>> FdPassiveStream::accept() {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err != EAGAIN) VLOG_DBG_RL(&rl, "accept: %s", errno_string(err).c_str());
    return Error(err, name() + ": accept");
  }
  return make_stream_(fd, ss, len);
}

}  // namespace grebe::stream::detail
