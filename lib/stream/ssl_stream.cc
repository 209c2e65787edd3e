// ssl: and pssl: streams: TCP, then a TLS handshake driven by connect(),
// with OpenSSL's want-read/want-write mapped onto poll_events().
#include "ssl_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "fd_stream.h"
#include "grebe/event/event_loop.h"
#include "grebe/stream/inet.h"
#include "grebe/util/vlog.h"
#include "log_modules.h"
#include "ssl_context.h"

STREAM_USE_LOG_MODULE(stream_ssl_module);

namespace grebe::stream::detail {

namespace {

vlog::RateLimit rl(10, 25);

class SslStream final : public Stream {
 public:
  // `tcp_status`: 0 if the TCP connection is up, EAGAIN if in progress.
  SslStream(std::string name, int fd, int tcp_status, SslSession session, bool client)
      : Stream(std::move(name)),
        fd_(fd),
        ssl_(session.ssl),
        bootstrap_(session.bootstrap),
        client_(client),
        state_(tcp_status == EAGAIN ? State::kTcpConnecting : State::kSslConnecting) {
    if (state_ == State::kSslConnecting) set_nodelay();
  }

  ~SslStream() override {
    if (state_ == State::kConnected) SSL_shutdown(ssl_);  // best effort, non-blocking
    SSL_free(ssl_);
    ::close(fd_);
  }

  Status connect() override;
  Result<size_t> recv(void* buf, size_t n) override;
  Result<size_t> send(const void* buf, size_t n) override;
  size_t pending() const override {
    return state_ == State::kConnected ? static_cast<size_t>(SSL_pending(ssl_)) : 0;
  }
  int fd() const override { return fd_; }
  uint32_t poll_events(Op op) const override {
    if (state_ == State::kTcpConnecting) return event::kWritable;
    return want_[static_cast<int>(op)];
  }
  std::string peer_name() const override { return ss_format_ip(socket_name(fd_, true)); }
  uint16_t peer_port() const override { return ss_get_port(socket_name(fd_, true)); }
  std::string local_name() const override { return ss_format_ip(socket_name(fd_, false)); }
  uint16_t local_port() const override { return ss_get_port(socket_name(fd_, false)); }
  std::string peer_id() const override { return peer_id_; }

 private:
  enum class State { kTcpConnecting, kSslConnecting, kConnected, kFailed };

  void set_nodelay() {
    int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
  Status handshake();
  Status fail(Error e) {
    state_ = State::kFailed;
    error_ = e;
    return e;
  }
  // Maps SSL_get_error() after an I/O call to would_block (recording what to
  // wait for) or a hard error.
  Error io_error(const char* function, int ret, Op op);
  void read_peer_id();

  int fd_;
  SSL* ssl_;
  bool bootstrap_;
  bool client_;
  State state_;
  Error error_;
  uint32_t want_[3] = {event::kWritable, event::kReadable, event::kWritable};
  std::string peer_id_;
};

Error SslStream::io_error(const char* function, int ret, Op op) {
  int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      want_[static_cast<int>(op)] = event::kReadable;
      return Error(EAGAIN);
    case SSL_ERROR_WANT_WRITE:
      want_[static_cast<int>(op)] = event::kWritable;
      return Error(EAGAIN);
    case SSL_ERROR_SYSCALL: {
      int e = errno ? errno : EPROTO;
      std::string queued = ssl_error_queue_string();
      std::string msg = std::string(function) + ": " +
                        (queued.empty() ? (errno ? "system error (" + errno_string(e) + ")"
                                                 : std::string("unexpected SSL connection close"))
                                        : queued);
      VLOG_WARN_RL(&rl, "%s", msg.c_str());
      return Error(e, name() + ": " + msg);
    }
    default: {
      std::string queued = ssl_error_queue_string();
      std::string msg = std::string(function) + ": " + (queued.empty() ? "SSL error" : queued);
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        msg += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      }
      VLOG_WARN_RL(&rl, "%s", msg.c_str());
      return Error(EPROTO, name() + ": " + msg);
    }
  }
}

void SslStream::read_peer_id() {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (!cert) return;
  char cn[256];
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  if (n > 0) peer_id_.assign(cn, static_cast<size_t>(n));
  X509_free(cert);
}

Status SslStream::handshake() {
  ERR_clear_error();
  int r = client_ ? SSL_connect(ssl_) : SSL_accept(ssl_);
  if (r != 1) {
    Error e = io_error(client_ ? "SSL_connect" : "SSL_accept", r, Op::kConnect);
    if (e.would_block()) return e;
    ::shutdown(fd_, SHUT_RDWR);
    return fail(Error(EPROTO, e.message()));
  }
  if (bootstrap_) return fail(ssl_finish_bootstrap(ssl_));
  read_peer_id();
  state_ = State::kConnected;
  return ok_status();
}

Status SslStream::connect() {
  switch (state_) {
    case State::kConnected:
      return ok_status();
    case State::kFailed:
      return error_;
    case State::kTcpConnecting: {
      int status = check_connection_completion(fd_);
      if (status == EAGAIN) return Error(EAGAIN);
      if (status) return fail(Error(status, name() + ": connection failed"));
      set_nodelay();
      state_ = State::kSslConnecting;
      [[fallthrough]];
    }
    case State::kSslConnecting:
      return handshake();
  }
  return error_;
}

Result<size_t> SslStream::recv(void* buf, size_t n) {
  GREBE_TRY(connect());
  if (n == 0) return size_t{0};
  ERR_clear_error();
  int r = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, INT_MAX)));
  if (r > 0) return static_cast<size_t>(r);
  if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return size_t{0};
  return io_error("SSL_read", r, Op::kRecv);
}

Result<size_t> SslStream::send(const void* buf, size_t n) {
  GREBE_TRY(connect());
  if (n == 0) return size_t{0};
  ERR_clear_error();
  int r = SSL_write(ssl_, buf, static_cast<int>(std::min<size_t>(n, INT_MAX)));
  if (r > 0) return static_cast<size_t>(r);
  if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) {
    VLOG_WARN_RL(&rl, "SSL_write: connection closed");
    return Error(EPIPE, name() + ": SSL_write: connection closed");
  }
  return io_error("SSL_write", r, Op::kSend);
}

}  // namespace

Result<std::unique_ptr<Stream>> ssl_open(std::string_view name, std::string_view suffix,
                                         uint8_t dscp) {
  GREBE_TRY(ssl_check_configured());
  auto sock = inet_open_active(suffix, dscp);
  if (!sock.ok()) {
    if (sock.error().code() != EAFNOSUPPORT) {
      VLOG_ERR("%s: connect: %s", std::string(name).c_str(),
               errno_string(sock.error().code()).c_str());
    }
    return sock.take_error();
  }
  auto session = ssl_new_session(sock->fd, true);
  if (!session.ok()) {
    ::close(sock->fd);
    return session.take_error();
  }
  return std::unique_ptr<Stream>(
      new SslStream(std::string(name), sock->fd, sock->status, *session, true));
}

Result<std::unique_ptr<PassiveStream>> pssl_open(std::string_view suffix, uint8_t dscp) {
  GREBE_TRY(ssl_check_configured());
  auto l = inet_open_passive(suffix, dscp);
  if (!l.ok()) return l.take_error();
  uint16_t port = ss_get_port(l->bound);
  std::string bound_name = "pssl:" + std::to_string(port) + ":" + ss_format_address(l->bound);
  auto make = [](int fd, const sockaddr_storage& ss,
                 socklen_t) -> Result<std::unique_ptr<Stream>> {
    std::string name = "ssl:" + ss_format_address(ss) + ":" + std::to_string(ss_get_port(ss));
    auto session = ssl_new_session(fd, false);
    if (!session.ok()) {
      ::close(fd);
      return session.take_error();
    }
    return std::unique_ptr<Stream>(new SslStream(name, fd, 0, *session, false));
  };
  return std::unique_ptr<PassiveStream>(
      new FdPassiveStream(bound_name, l->fd, make, "", port));
}

}  // namespace grebe::stream::detail
