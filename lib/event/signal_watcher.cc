// SignalWatcher: signals delivered as readable events on a signalfd.
//
// Signals handled here are blocked in the calling thread (and, if called
// before other threads start, in every thread), so they queue up for the
// signalfd instead of running their default action.
#include <sys/signalfd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "grebe/event/event_loop.h"
#include "grebe/util/assert.h"
#include "grebe/util/result.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(signals);

namespace grebe::event {

struct SignalWatcher::Impl {
  EventLoop& loop;
  int fd = -1;
  WatchId watch = 0;
  sigset_t mask;       // signals routed to callbacks
  sigset_t newly_blocked;  // signals we blocked that were not blocked before
  std::map<int, std::function<void()>> callbacks;

  explicit Impl(EventLoop& l) : loop(l) {
    sigemptyset(&mask);
    sigemptyset(&newly_blocked);
  }
  void drain();
};

void SignalWatcher::Impl::drain() {
  for (;;) {
    signalfd_siginfo info;
    ssize_t n = ::read(fd, &info, sizeof info);
    if (n != static_cast<ssize_t>(sizeof info)) {
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        VLOG_WARN("reading signalfd failed: %s", errno_string(errno).c_str());
      }
      return;
    }
    auto it = callbacks.find(static_cast<int>(info.ssi_signo));
    if (it != callbacks.end()) {
      std::function<void()> cb = it->second;  // copy: cb may call on()
      cb();
    }
  }
}

SignalWatcher::SignalWatcher(EventLoop& loop) : impl_(std::make_unique<Impl>(loop)) {}

SignalWatcher::~SignalWatcher() {
  if (impl_->fd < 0) return;
  impl_->loop.unwatch_fd(impl_->watch);
  // Discard what is pending before unblocking, so a queued SIGTERM does not
  // kill the process after its handler is gone.
  impl_->callbacks.clear();
  impl_->drain();
  pthread_sigmask(SIG_UNBLOCK, &impl_->newly_blocked, nullptr);
  ::close(impl_->fd);
}

void SignalWatcher::on(int signo, std::function<void()> cb) {
  sigset_t one, old;
  sigemptyset(&one);
  sigaddset(&one, signo);
  GREBE_ASSERT(pthread_sigmask(SIG_BLOCK, &one, &old) == 0);
  if (!sigismember(&old, signo) && !sigismember(&impl_->mask, signo)) {
    sigaddset(&impl_->newly_blocked, signo);
  }
  sigaddset(&impl_->mask, signo);
  impl_->callbacks[signo] = std::move(cb);

  int fd = signalfd(impl_->fd, &impl_->mask, SFD_NONBLOCK | SFD_CLOEXEC);
  GREBE_ASSERT(fd >= 0);
  if (impl_->fd < 0) {
    impl_->fd = fd;
    Impl* impl = impl_.get();
    impl_->watch = impl_->loop.watch_fd(fd, kReadable, [impl](uint32_t) { impl->drain(); });
  }
}

}  // namespace grebe::event
