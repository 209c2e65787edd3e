// FdStream / FdPassiveStream: streams over a plain socket fd, shared by
// unix:, tcp: and (for the listening side) ssl:.  Internal to lib/stream.
#pragma once

#include <sys/socket.h>

#include <functional>
#include <memory>
#include <string>

#include "grebe/stream/stream.h"

namespace grebe::stream::detail {

// Owns a connected or connecting non-blocking socket.
class FdStream : public Stream {
 public:
  // `connect_status`: 0 (connected), EAGAIN (in progress) or an errno that
  // every later call reports.  `tcp` enables TCP_NODELAY once connected.
  FdStream(std::string name, int fd, int connect_status, bool tcp);
  ~FdStream() override;

  Status connect() override;
  Result<size_t> recv(void* buf, size_t n) override;
  Result<size_t> send(const void* buf, size_t n) override;
  int fd() const override { return fd_; }
  uint32_t poll_events(Op op) const override;
  std::string peer_name() const override;
  uint16_t peer_port() const override;
  std::string local_name() const override;
  uint16_t local_port() const override;

 private:
  int fd_;
  int connect_status_;
  bool tcp_;
};

// Nonzero errno if a non-blocking connect on `fd` failed, EAGAIN if it is
// still in progress, 0 once connected (OVS: check_connection_completion()).
int check_connection_completion(int fd);
// getpeername()/getsockname() of `fd`; ss_family AF_UNSPEC on failure.
sockaddr_storage socket_name(int fd, bool peer);
// Sets IP_TOS / IPV6_TCLASS; returns an errno or 0.
int set_dscp(int fd, int family, uint8_t dscp);

// Listening socket; `make_stream` wraps each accepted fd (it owns the fd).
class FdPassiveStream : public PassiveStream {
 public:
  using MakeStream = std::function<Result<std::unique_ptr<Stream>>(
      int fd, const sockaddr_storage& peer, socklen_t peer_len)>;
  // `unlink_path`: a punix socket file to remove on destruction ("" = none).
  FdPassiveStream(std::string name, int fd, MakeStream make_stream,
                  std::string unlink_path, uint16_t bound_port);
  ~FdPassiveStream() override;

  uint16_t bound_port() const override { return bound_port_; }
  Result<std::unique_ptr<Stream>> accept() override;
  int fd() const override { return fd_; }

 private:
  int fd_;
  MakeStream make_stream_;
  std::string unlink_path_;
  uint16_t bound_port_;
};

// Class registry entries, looked up by name prefix in stream.cc.
Result<std::unique_ptr<Stream>> unix_open(std::string_view name, std::string_view suffix);
Result<std::unique_ptr<PassiveStream>> punix_open(std::string_view name,
                                                  std::string_view suffix);
Result<std::unique_ptr<Stream>> tcp_open(std::string_view name, std::string_view suffix,
                                         uint8_t dscp);
Result<std::unique_ptr<PassiveStream>> ptcp_open(std::string_view suffix, uint8_t dscp);
// Opens a connected TCP fd (or one whose connect is in progress).  Returns
// the fd and its connect status (0 or EAGAIN).
struct InetSocket {
  int fd;
  int status;
};
Result<InetSocket> inet_open_active(std::string_view target, uint8_t dscp);
struct InetListener {
  int fd;
  sockaddr_storage bound;
};
Result<InetListener> inet_open_passive(std::string_view target, uint8_t dscp);

}  // namespace grebe::stream::detail
