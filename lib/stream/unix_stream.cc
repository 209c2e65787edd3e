// unix: and punix: streams.
//
// A sockaddr_un holds at most 107 path bytes.  Longer names are reached the
// way OVS reaches them: open the directory and use
// /proc/self/fd/<dirfd>/<basename> (Linux resolves it at bind/connect time).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "fd_stream.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_unix);

namespace grebe::stream::detail {

namespace {

constexpr size_t kMaxUnLen = sizeof(sockaddr_un::sun_path) - 1;

// A sockaddr_un for a path, holding open the directory fd that a shortened
// name refers to until the bind/connect is done.
class UnixAddress {
 public:
  UnixAddress() = default;
  UnixAddress(const UnixAddress&) = delete;
  UnixAddress& operator=(const UnixAddress&) = delete;
  ~UnixAddress() {
    if (dirfd_ >= 0) ::close(dirfd_);
  }

  Status init(const std::string& path) {
    std::string name = path;
    if (name.size() > kMaxUnLen) {
      GREBE_TRY(shorten(path, name));
    }
    un_.sun_family = AF_UNIX;
    memcpy(un_.sun_path, name.c_str(), name.size() + 1);
    len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    return ok_status();
  }
  const sockaddr* addr() const { return reinterpret_cast<const sockaddr*>(&un_); }
  socklen_t len() const { return len_; }

 private:
  Status shorten(const std::string& path, std::string& out) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    dirfd_ = ::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (dirfd_ < 0) {
      int err = errno;
      VLOG_WARN("%s: open failed (%s)", dir.c_str(), errno_string(err).c_str());
      return Error(err, dir + ": open failed");
    }
    out = "/proc/self/fd/" + std::to_string(dirfd_) + "/" + base;
    if (out.size() > kMaxUnLen) {
      std::string msg = "Unix socket name " + path + " is longer than maximum " +
                        std::to_string(kMaxUnLen) + " bytes";
      VLOG_WARN("%s", msg.c_str());
      return Error(ENAMETOOLONG, msg);
    }
    return ok_status();
  }

  sockaddr_un un_{};
  socklen_t len_ = 0;
  int dirfd_ = -1;
};

int new_unix_socket() {
  return ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

std::atomic<unsigned> g_next_unnamed{0};

}  // namespace

Result<std::unique_ptr<Stream>> unix_open(std::string_view name, std::string_view suffix) {
  std::string path = abs_file_name(ovs_rundir(), suffix);
  UnixAddress addr;
  GREBE_TRY(addr.init(path));
  int fd = new_unix_socket();
  if (fd < 0) return errno_error(std::string(name) + ": socket");
  int status = 0;
  if (::connect(fd, addr.addr(), addr.len()) != 0) {
    status = errno;
    if (status == EINPROGRESS) {
      status = EAGAIN;
    } else {
      // EAGAIN from a unix connect means the listener's backlog is full, not
      // "in progress"; report it as OVS does.
      if (status == EAGAIN) status = EPROTO;
      VLOG_DBG("%s: connection failed (%s)", path.c_str(), errno_string(status).c_str());
      ::close(fd);
      return Error(status, std::string(name) + ": connection failed");
    }
  }
  return std::unique_ptr<Stream>(new FdStream(std::string(name), fd, status, false));
}

Result<std::unique_ptr<PassiveStream>> punix_open(std::string_view name,
                                                  std::string_view suffix) {
  std::string path = abs_file_name(ovs_rundir(), suffix);
  if (::unlink(path.c_str()) && errno != ENOENT) {
    VLOG_WARN("unlinking \"%s\": %s", path.c_str(), errno_string(errno).c_str());
  }
  UnixAddress addr;
  GREBE_TRY(addr.init(path));
  int fd = new_unix_socket();
  if (fd < 0) return errno_error(std::string(name) + ": socket");
  if (::bind(fd, addr.addr(), addr.len()) != 0) {
    int err = errno;
    VLOG_ERR("%s: binding failed: %s", path.c_str(), errno_string(err).c_str());
    ::close(fd);
    return Error(err, path + ": binding failed");
  }
  if (::listen(fd, 64) != 0) {
    int err = errno;
    VLOG_ERR("%s: listen: %s", std::string(name).c_str(), errno_string(err).c_str());
    ::close(fd);
    ::unlink(path.c_str());
    return Error(err, std::string(name) + ": listen");
  }
  auto make = [](int cfd, const sockaddr_storage& ss,
                 socklen_t len) -> Result<std::unique_ptr<Stream>> {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(&ss);
    size_t off = offsetof(sockaddr_un, sun_path);
    std::string peer;
    if (len > off && sun->sun_path[0] != '\0') {
      peer = "unix:" + std::string(sun->sun_path, strnlen(sun->sun_path, len - off));
    } else {
      // Unnamed client sockets get a counter so logs can tell them apart.
      peer = "unix#" + std::to_string(g_next_unnamed++);
    }
    return std::unique_ptr<Stream>(new FdStream(peer, cfd, 0, false));
  };
  return std::unique_ptr<PassiveStream>(
      new FdPassiveStream(std::string(name), fd, make, path, 0));
}

}  // namespace grebe::stream::detail
