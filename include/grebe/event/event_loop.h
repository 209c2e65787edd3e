// EventLoop: one thread's epoll loop with fd watches, timers on the process
// clock (so `time/warp` fires them), cross-thread posts and per-iteration
// hooks.
//
// Ownership and threads: an EventLoop belongs to the thread that calls run()
// or run_once(); every method except post() and wake() must be called from
// that thread.  post() and wake() are safe from any thread.  Callbacks run on
// the loop's thread and may add or remove watches and timers (including their
// own).
//
// Timers use time_msec() (grebe/util/clock.h).  When the process clock is
// stopped (`time/stop`), timers fire only when `time/warp` moves time past
// them; the warp wakes every loop (see notify_clock_changed()).  The same
// holds for any replacement clock installed with set_clock() (a FakeClock in
// tests): the loop cannot know how such a clock moves, so a pending timer
// never bounds the wait; only fds, wake()/post(), max_wait_msec (real time)
// and notify_clock_changed() end it.  A frozen clock therefore never makes a
// loop spin.
//
// Several watches may share one fd (e.g. one for reading, one for writing):
// the loop registers the union of their events with epoll.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace grebe::event {

// Readiness bits, the same values as EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP.
inline constexpr uint32_t kReadable = 0x001;
inline constexpr uint32_t kWritable = 0x004;
inline constexpr uint32_t kError = 0x008;
inline constexpr uint32_t kHangup = 0x010;

namespace detail {
class PostQueue;
}  // namespace detail

using WatchId = uint64_t;
using TimerId = uint64_t;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `cb(revents)` whenever `fd` is ready for any of `events`
  // (level-triggered).  kError and kHangup are always reported to a watch
  // whose `events` is non-zero; a watch with `events` == 0 is dormant.  The
  // loop does not own `fd`: unwatch it before closing it.  Returns an id for
  // modify_fd()/unwatch_fd(); never fails for a valid open fd (aborts on a
  // programming error such as a closed fd).
  WatchId watch_fd(int fd, uint32_t events, std::function<void(uint32_t revents)> cb);
  void modify_fd(WatchId id, uint32_t events);  // ignored for a removed id
  void unwatch_fd(WatchId id);  // safe on an already-removed id

  // Runs `cb` once when time_msec() >= when_msec.
  TimerId add_timer_at(long long when_msec, std::function<void()> cb);
  TimerId add_timer(long long delay_msec, std::function<void()> cb);  // relative
  void cancel_timer(TimerId id);  // safe on fired or cancelled ids

  // Runs `cb` on every iteration, after ready events and timers: the place for
  // a module's periodic run() work.  Returns an id for remove_hook().
  uint64_t add_hook(std::function<void()> cb);
  void remove_hook(uint64_t id);

  // Thread-safe: queue `cb` to run on the loop thread and wake it.
  void post(std::function<void()> cb);
  // Thread-safe: make the current or next wait return immediately.
  void wake();

  // One iteration: wait (at most `max_wait_msec`, -1 = until something
  // happens), then dispatch ready fds, expired timers, posted callbacks and
  // hooks.  Returns false once stop() has been called.
  bool run_once(long long max_wait_msec = -1);
  // Loops until stop().
  void run();
  // Makes run() return after the current iteration; safe from any thread.
  void stop();
  bool stopped() const;

  // Wakes every live EventLoop in the process (called after time/warp).
  // Thread-safe.
  static void notify_clock_changed();

  // Number of watches, timers and hooks currently registered (tests, and
  // `memory/show`-style introspection).  Loop thread only.
  size_t n_watches() const;
  size_t n_timers() const;

 private:
  friend class Seq;
  // The thread-safe wake-up queue, shared so it can outlive the loop.
  std::shared_ptr<detail::PostQueue> post_queue() const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Seq: a change counter.  Producers call change(); consumers remember
// read() and learn later whether anything changed, and may wait for it on
// an EventLoop.  Thread-safe.
class Seq {
 public:
  Seq();
  ~Seq();
  uint64_t read() const;
  void change();  // increments and wakes waiters
  // Calls `cb` once on `loop`'s thread when the value differs from `seen`.
  void wait(EventLoop& loop, uint64_t seen, std::function<void()> cb);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Signals: routes SIGTERM/SIGINT/SIGHUP/... to callbacks on a loop (via
// signalfd), blocking them for normal delivery.  Call from the main thread
// before creating other threads so they inherit the blocked mask.
class SignalWatcher {
 public:
  explicit SignalWatcher(EventLoop& loop);
  ~SignalWatcher();
  void on(int signo, std::function<void()> cb);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace grebe::event
