// Pidfiles, OVS style: the file holds "PID\n" and stays write-locked (fcntl)
// by the daemon for its whole life, so "is it running?" is answered by the
// lock, not by a pid that may have been reused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "grebe/daemon/daemon.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "pidfile_internal.h"

namespace grebe::daemon {
// Pidfile, fork and monitor messages share one module, as in OVS.
vlog::Module& daemon_unix_module() {
  static vlog::Module m("daemon_unix");
  return m;
}
}  // namespace grebe::daemon
static grebe::vlog::Module& vlog_this_module_ = grebe::daemon::daemon_unix_module();

namespace grebe::daemon {

namespace {

// Our own pidfile's identity: reading it must not open it, because closing
// any fd of a file drops all of this process's fcntl locks on it.
dev_t g_pidfile_dev = 0;
ino_t g_pidfile_ino = 0;
std::string g_pidfile;
int g_pidfile_fd = -1;

Status lock_fd(int fd, int command, struct flock* lck) {
  std::memset(lck, 0, sizeof *lck);
  lck->l_type = F_WRLCK;
  lck->l_whence = SEEK_SET;
  int r;
  do {
    r = fcntl(fd, command, lck);
  } while (r == -1 && errno == EINTR);
  if (r == -1) return errno_error("fcntl");
  return ok_status();
}

// OVS's read_pidfile__: with `delete_if_stale`, an unlocked pidfile is
// removed (after winning its lock) and 0 is returned.
Result<pid_t> read_pidfile_impl(const std::string& path, bool delete_if_stale) {
  struct stat s, s2;
  if ((g_pidfile_ino || g_pidfile_dev) && stat(path.c_str(), &s) == 0 &&
      s.st_ino == g_pidfile_ino && s.st_dev == g_pidfile_dev)
    return getpid();

  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT && delete_if_stale) return pid_t(0);
    VLOG_WARN("%s: open: %s", path.c_str(), errno_string(e).c_str());
    return Error(e, path + ": open");
  }
  auto fail = [&](int code, std::string what) -> Result<pid_t> {
    ::close(fd);
    return Error(code, path + ": " + what);
  };
  struct flock lck;
  Status st = lock_fd(fd, F_GETLK, &lck);
  if (!st.ok()) {
    VLOG_WARN("%s: fcntl: %s", path.c_str(), errno_string(st.error().code()).c_str());
    return fail(st.error().code(), "fcntl");
  }
  if (lck.l_type == F_UNLCK) {
    if (!delete_if_stale) {
      VLOG_DBG("%s: pid file is stale", path.c_str());
      return fail(ESRCH, "pid file is stale");
    }
    // Only the process holding the stale file's lock may unlink it, so two
    // starting daemons cannot delete each other's fresh pidfile.
    if (!lock_fd(fd, F_SETLK, &lck).ok()) {
      VLOG_WARN("%s: lost race to lock pidfile", path.c_str());
      return fail(EALREADY, "lost race to lock pidfile");
    }
    if (stat(path.c_str(), &s) || fstat(fd, &s2) || s.st_ino != s2.st_ino ||
        s.st_dev != s2.st_dev) {
      VLOG_WARN("%s: lost race to delete pidfile", path.c_str());
      return fail(EALREADY, "lost race to delete pidfile");
    }
    if (unlink(path.c_str()) != 0) {
      int e = errno;
      VLOG_WARN("%s: failed to delete stale pidfile (%s)", path.c_str(),
                errno_string(e).c_str());
      return fail(e, "failed to delete stale pidfile");
    }
    VLOG_DBG("%s: deleted stale pidfile", path.c_str());
    ::close(fd);
    return pid_t(0);
  }
  char line[128];
  ssize_t n = pread(fd, line, sizeof line - 1, 0);
  if (n <= 0) {
    int e = n < 0 ? errno : ESRCH;
    VLOG_WARN("%s: read: %s", path.c_str(),
              n < 0 ? errno_string(e).c_str() : "unexpected end of file");
    return fail(e, "read");
  }
  line[n] = '\0';
  long pid = std::strtol(line, nullptr, 10);
  if (pid != lck.l_pid) {
    line[strcspn(line, "\n")] = '\0';
    VLOG_WARN("%s: stale pidfile for pid %s being deleted by pid %ld", path.c_str(), line,
              static_cast<long>(lck.l_pid));
    return fail(ESRCH, "stale pidfile");
  }
  ::close(fd);
  return lck.l_pid;
}

Status check_already_running(const std::string& path) {
  auto pid = read_pidfile_impl(path, true);
  if (!pid.ok())
    return Error(pid.error().code(), path + ": pidfile check failed (" +
                                         errno_string(pid.error().code()) + "), aborting");
  if (*pid > 0)
    return Error(EALREADY,
                 path + ": already running as pid " + std::to_string(*pid) + ", aborting");
  return ok_status();
}

}  // namespace

std::string default_pidfile() { return ovs_rundir() + "/" + program_name() + ".pid"; }

Result<pid_t> read_pidfile(const std::string& path) { return read_pidfile_impl(path, false); }

Status make_pidfile(const std::string& path, bool overwrite) {
  pid_t pid = getpid();
  // Everyone races on the same ".tmp" file, whose lock decides the winner;
  // --overwrite-pidfile skips the check, so it uses a private name.
  std::string tmp = overwrite ? path + ".tmp" + std::to_string(pid) : path + ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error(errno, tmp + ": create failed (" + errno_string(errno) + ")");
  struct flock lck;
  if (Status s = lock_fd(fd, F_SETLK, &lck); !s.ok()) {
    ::close(fd);
    return Error(s.error().code(), tmp + ": fcntl(F_SETLK) failed (" +
                                       errno_string(s.error().code()) + ")");
  }
  auto fail = [&](Error e) -> Status {
    ::unlink(tmp.c_str());
    ::close(fd);
    return e;
  };
  if (!overwrite) {
    if (Status s = check_already_running(path); !s.ok()) return fail(s.take_error());
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(Error(errno, tmp + ": fstat failed"));
  std::string text = std::to_string(pid) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) !=
                                   static_cast<ssize_t>(text.size()))
    return fail(Error(errno ? errno : EIO, tmp + ": write failed (" + errno_string(errno) + ")"));
  if (rename(tmp.c_str(), path.c_str()) != 0)
    return fail(Error(errno, "failed to rename \"" + tmp + "\" to \"" + path + "\" (" +
                                 errno_string(errno) + ")"));
  g_pidfile = path;
  g_pidfile_fd = fd;  // kept open: it holds the lock
  g_pidfile_dev = st.st_dev;
  g_pidfile_ino = st.st_ino;
  unlink_at_exit(path);
  return ok_status();
}

void remove_pidfile() {
  if (g_pidfile.empty()) return;
  ::unlink(g_pidfile.c_str());
  g_pidfile.clear();
  if (g_pidfile_fd >= 0) ::close(g_pidfile_fd);
  g_pidfile_fd = -1;
}

}  // namespace grebe::daemon
