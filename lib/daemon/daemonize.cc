// --detach and --monitor: the fork dance of OVS's daemon-unix.c.
//
//   foreground ──fork──▶ (session leader) ──fork──▶ daemon
//       waits on a pipe       monitor (if --monitor): waits, restarts the
//       for one byte          daemon after a crash signal
//
// Each waiting parent reads one byte from a pipe that the child writes when
// startup completed (daemonize_complete()); if the child exits first, the
// parent exits with the child's status, so `daemon --detach` fails visibly.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "grebe/daemon/daemon.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "pidfile_internal.h"

static grebe::vlog::Module& vlog_this_module_ = grebe::daemon::daemon_unix_module();

namespace grebe::daemon {

namespace {

Options g_opts;
int g_daemonize_fd = -1;  // write end of the startup pipe, -1 if none
bool g_completed = false;
bool g_started = false;

// Forks.  In the parent, blocks until the child reports startup (returns
// the child's pid) or dies (exits like the child, or returns an error).  In
// the child returns 0 with *notify_fd set to the pipe's write end.
Result<pid_t> fork_and_wait_for_startup(int* notify_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe failed");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    Error e = errno_error("fork failed");
    ::close(fds[0]);
    ::close(fds[1]);
    return e;
  }
  if (pid == 0) {
    ::close(fds[0]);
    *notify_fd = fds[1];
    return pid_t(0);
  }
  ::close(fds[1]);
  char c;
  ssize_t n;
  do {
    n = ::read(fds[0], &c, 1);
  } while (n < 0 && errno == EINTR);
  ::close(fds[0]);
  if (n == 1) return pid;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r == pid && WIFEXITED(status) && WEXITSTATUS(status)) std::exit(WEXITSTATUS(status));
  std::string msg = r == pid ? process_status_msg(status) : errno_string(errno);
  VLOG_ERR("fork child died before signaling startup (%s)", msg.c_str());
  return Error(ECHILD, "fork child died before signaling startup (" + msg + ")");
}

void notify_startup(int& fd) {
  if (fd < 0) return;
  ssize_t n;
  do {
    n = ::write(fd, "", 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  fd = -1;
}

bool g_saved_fds[3];  // daemon_save_fd(): stdio kept open after detaching

void close_standard_fds() {
  int null = ::open("/dev/null", O_RDWR);
  if (null < 0) return;
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
    if (!g_saved_fds[fd]) ::dup2(null, fd);
  }
  if (null > STDERR_FILENO) ::close(null);
}

bool should_restart(int status) {
  if (!WIFSIGNALED(status)) return false;
  switch (WTERMSIG(status)) {
    case SIGABRT: case SIGALRM: case SIGBUS: case SIGFPE: case SIGILL:
    case SIGPIPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ:
      return true;
    default:
      return false;
  }
}

// The monitor process: returns only in a freshly forked daemon child.
void monitor_daemon(pid_t daemon_pid) {
  vlog::set_subprogram_name("monitor");
  time_t last_restart = 0;
  bool restarted_once = false;
  int crashes = 0;
  for (;;) {
    int status = 0;
    pid_t r;
    // The daemon owns the log file while it runs: do not hold it open here.
    std::string log = vlog::log_file_name();
    vlog::close_log_file();
    do {
      r = waitpid(daemon_pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (!log.empty()) (void)vlog::set_log_file(log);
    if (r < 0) fatal("waitpid failed (" + errno_string(errno) + ")");
    std::string s = process_status_msg(status);
    if (!should_restart(status)) {
      VLOG_INFO("pid %lu died, %s, exiting", static_cast<unsigned long>(daemon_pid), s.c_str());
      std::exit(0);
    }
    std::string status_msg = std::to_string(++crashes) + " crashes: pid " +
                             std::to_string(daemon_pid) + " died, " + s;
    if (WCOREDUMP(status)) {
      struct rlimit rl = {0, 0};  // one core dump is enough
      if (setrlimit(RLIMIT_CORE, &rl) != 0)
        VLOG_WARN("failed to disable core dumps: %s", errno_string(errno).c_str());
    }
    // Throttle restarts to one per 10 seconds, as OVS.  (Real time on
    // purpose: the monitor must not be fooled by time/warp in the daemon.)
    if (restarted_once && time(nullptr) < last_restart + 10) {
      VLOG_WARN("%s, waiting until 10 seconds since last restart", status_msg.c_str());
      while (time(nullptr) < last_restart + 10) sleep(1);
    }
    last_restart = time(nullptr);
    restarted_once = true;
    VLOG_ERR("%s, restarting", status_msg.c_str());
    auto child = fork_and_wait_for_startup(&g_daemonize_fd);
    if (!child.ok()) fatal("could not restart " + program_name());
    if (*child == 0) break;      // we are the new daemon
    daemon_pid = *child;
    // The startup pipe was only for this child's readiness.
    if (g_daemonize_fd >= 0) ::close(g_daemonize_fd);
    g_daemonize_fd = -1;
  }
  vlog::set_subprogram_name("");
}

}  // namespace

Status daemonize_start(const Options& opts) {
  g_opts = opts;
  g_started = true;
  if (opts.user_spec) GREBE_TRY(become_user(*opts.user_spec, opts.capabilities));
  if (opts.detach) {
    auto pid = fork_and_wait_for_startup(&g_daemonize_fd);
    if (!pid.ok()) return Error(pid.error().code(), "could not detach from foreground session");
    if (*pid > 0) std::exit(0);
    setsid();
  }
  if (opts.monitor) {
    int saved_fd = g_daemonize_fd;
    g_daemonize_fd = -1;
    auto pid = fork_and_wait_for_startup(&g_daemonize_fd);
    if (!pid.ok()) return Error(pid.error().code(), "could not initiate process monitoring");
    if (*pid > 0) {
      notify_startup(saved_fd);  // the foreground parent may exit now
      if (opts.detach) close_standard_fds();
      monitor_daemon(*pid);
    } else if (saved_fd >= 0) {
      ::close(saved_fd);
    }
  }
  if (opts.pidfile) GREBE_TRY(make_pidfile(*opts.pidfile, opts.overwrite_pidfile));
  return ok_status();
}

void daemon_save_fd(int fd) {
  if (fd >= STDIN_FILENO && fd <= STDERR_FILENO) g_saved_fds[fd] = true;
}

void daemonize_complete() {
  if (g_completed) return;
  g_completed = true;
  notify_startup(g_daemonize_fd);
  if (g_opts.detach) {
    if (g_opts.chdir && ::chdir("/") != 0) VLOG_WARN("chdir(\"/\") failed");
    close_standard_fds();
  }
}

bool is_detached() { return g_started && g_opts.detach; }

std::string process_status_msg(int status) {
  std::string s;
  if (WIFEXITED(status)) {
    s = "exit status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    const char* d = sigdescr_np(WTERMSIG(status));
    s = std::string("killed (") + (d ? d : "signal " + std::to_string(WTERMSIG(status))) + ")";
  } else if (WIFSTOPPED(status)) {
    const char* d = sigdescr_np(WSTOPSIG(status));
    s = std::string("stopped (") + (d ? d : "signal " + std::to_string(WSTOPSIG(status))) + ")";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "terminated abnormally (%x)", status);
    s = buf;
  }
  if (WCOREDUMP(status)) s += ", core dumped";
  return s;
}

void fatal(const std::string& message) {
  // Like OVS's VLOG_FATAL: the log gets it at EMER, stderr gets it once.
  vlog_this_module_.set_level(vlog::Dest::kConsole, vlog::Level::kOff);
  VLOG_EMER("%s", message.c_str());
  std::fprintf(stderr, "%s: %s\n", program_name().c_str(), message.c_str());
  std::exit(EXIT_FAILURE);
}

}  // namespace grebe::daemon
