// Files to remove when the process ends: at normal exit and when a fatal
// signal (SIGTERM, SIGINT, SIGALRM) reaches its default action.  Programs
// that route those signals through event::SignalWatcher exit normally and
// get the atexit path.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "grebe/daemon/daemon.h"

namespace grebe::daemon {

namespace {

// Fixed storage: the signal handler must not allocate or take locks.
constexpr int kMaxFiles = 16;
constexpr size_t kMaxPath = 4096;
char g_files[kMaxFiles][kMaxPath];
volatile sig_atomic_t g_n_files = 0;
std::mutex g_mutex;
pid_t g_owner_pid = 0;  // forked children must not remove the parent's files

void unlink_all() {
  if (getpid() != g_owner_pid) return;
  for (int i = 0; i < g_n_files; i++)
    if (g_files[i][0]) ::unlink(g_files[i]);
}

void on_fatal_signal(int signo) {
  unlink_all();
  std::signal(signo, SIG_DFL);
  raise(signo);
}

void install_once() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  std::atexit([] { unlink_all(); });
  for (int signo : {SIGTERM, SIGINT, SIGALRM}) {
    struct sigaction old;
    if (sigaction(signo, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_handler = on_fatal_signal;
      sigemptyset(&sa.sa_mask);
      sigaction(signo, &sa, nullptr);
    }
  }
}

}  // namespace

void unlink_at_exit(const std::string& path) {
  std::lock_guard lock(g_mutex);
  install_once();
  g_owner_pid = getpid();
  if (g_n_files >= kMaxFiles || path.size() >= kMaxPath) return;
  std::memcpy(g_files[g_n_files], path.c_str(), path.size() + 1);
  g_n_files = g_n_files + 1;
}

}  // namespace grebe::daemon
