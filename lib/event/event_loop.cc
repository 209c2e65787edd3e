// EventLoop on epoll.  See grebe/event/event_loop.h for the contract.
//
// fd watches: epoll allows one registration per fd, so watches are grouped
// by fd and the union of their events is registered; a ready fd dispatches to
// each of its watches.  Timers: a min-heap of (deadline, id) with lazy
// deletion; the callbacks live in a map so cancel_timer() is O(log n) and
// safe on stale ids.
#include "grebe/event/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <queue>
#include <set>
#include <unordered_map>
#include <vector>

#include "grebe/util/assert.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "post_queue.h"

VLOG_DEFINE_THIS_MODULE(poll_loop);  // OVS's name for the same job

namespace grebe::event {

namespace {

using Callback = std::function<void()>;
using FdCallback = std::function<void(uint32_t)>;

// Every live loop's wake-up queue, for notify_clock_changed().
struct LoopRegistry {
  std::mutex mutex;
  std::set<detail::PostQueue*> queues;
};

LoopRegistry& loop_registry() {
  static LoopRegistry* r = new LoopRegistry;  // never destroyed: loops may die at exit
  return *r;
}

// True if timer deadlines cannot be turned into a real-time wait: the process
// clock is stopped, or a replacement clock (FakeClock) is installed whose
// progress the loop cannot predict.
bool clock_is_frozen() {
  const Clock* current = &grebe::clock();
  ProcessClock& pc = process_clock();
  return current != static_cast<const Clock*>(&pc) || pc.stopped();
}

constexpr uint32_t kAlwaysReported = kError | kHangup;

}  // namespace

struct EventLoop::Impl {
  struct Watch {
    int fd;
    uint32_t events;
    std::shared_ptr<FdCallback> cb;  // shared: a callback may unwatch itself
  };
  struct TimerEntry {
    long long when;
    TimerId id;
    bool operator>(const TimerEntry& o) const {
      return when != o.when ? when > o.when : id > o.id;
    }
  };

  int epfd = -1;
  std::shared_ptr<detail::PostQueue> posts = std::make_shared<detail::PostQueue>();
  std::atomic<bool> stop_requested{false};

  uint64_t next_id = 1;
  std::unordered_map<WatchId, Watch> watches;
  std::unordered_map<int, std::vector<WatchId>> fd_watches;
  std::unordered_map<int, uint32_t> registered;  // fd -> events given to epoll

  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timer_heap;
  struct Timer {
    long long when;
    Callback cb;
  };
  std::unordered_map<TimerId, Timer> timers;

  std::map<uint64_t, std::shared_ptr<Callback>> hooks;

  void sync_fd(int fd, bool force = false);
  long long compute_timeout(long long max_wait_msec);
  void dispatch_fd(int fd, uint32_t revents);
  void run_timers();
  void compact_timer_heap();
  void run_posts();
  void run_hooks();
};

// Brings epoll's registration for `fd` in line with its watches.  `force`
// re-checks the kernel's view even if ours looks current: a new watch may be
// for an fd number whose previous owner was closed (so silently dropped
// from epoll) without being unwatched.
void EventLoop::Impl::sync_fd(int fd, bool force) {
  uint32_t want = 0;
  bool active = false;  // some watch on fd has non-zero events
  auto it = fd_watches.find(fd);
  if (it != fd_watches.end()) {
    for (WatchId id : it->second) {
      want |= watches[id].events;
      active |= watches[id].events != 0;
    }
  }
  want &= ~kAlwaysReported;  // epoll reports these regardless

  auto reg = registered.find(fd);
  if (!active) {
    // No interested watch: deregister, or ERR/HUP would make the loop spin.
    if (reg != registered.end()) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);  // fails harmlessly if fd closed
      registered.erase(reg);
    }
    return;
  }
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  if (reg != registered.end()) {
    if (reg->second == want && !force) return;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == 0) {
      reg->second = want;
      return;
    }
    // ENOENT: the fd was closed and its number reused; register it afresh.
  }
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
      !(errno == EEXIST && epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == 0)) {
    VLOG_EMER("epoll_ctl(fd %d) failed: %s", fd, errno_string(errno).c_str());
    GREBE_NOT_REACHED();  // a closed or invalid fd is a programming error
  }
  registered[fd] = want;
}

long long EventLoop::Impl::compute_timeout(long long max_wait_msec) {
  if (stop_requested.load() || posts->has_pending()) return 0;
  while (!timer_heap.empty() && !timers.count(timer_heap.top().id)) timer_heap.pop();

  long long timeout = max_wait_msec < 0 ? -1 : max_wait_msec;
  if (!timer_heap.empty()) {
    long long delta = timer_heap.top().when - time_msec();
    if (delta <= 0) return 0;
    if (!clock_is_frozen()) timeout = timeout < 0 ? delta : std::min(timeout, delta);
  }
  return timeout;
}

void EventLoop::Impl::dispatch_fd(int fd, uint32_t revents) {
  auto it = fd_watches.find(fd);
  if (it == fd_watches.end()) return;
  // Copy: callbacks may add or remove watches on this fd.
  std::vector<WatchId> ids = it->second;
  for (WatchId id : ids) {
    auto w = watches.find(id);
    if (w == watches.end() || !w->second.events) continue;
    uint32_t mine = revents & (w->second.events | kAlwaysReported);
    if (!mine) continue;
    std::shared_ptr<FdCallback> cb = w->second.cb;
    (*cb)(mine);
  }
}

void EventLoop::Impl::run_timers() {
  long long now = time_msec();
  // Collect first, so that a timer re-arming itself for `now` runs on the
  // next iteration instead of starving everything else.
  std::vector<TimerId> due;
  while (!timer_heap.empty() && timer_heap.top().when <= now) {
    due.push_back(timer_heap.top().id);
    timer_heap.pop();
  }
  for (TimerId id : due) {
    auto t = timers.find(id);
    if (t == timers.end()) continue;  // cancelled
    Callback cb = std::move(t->second.cb);
    timers.erase(t);
    cb();
  }
}

// Cancelled timers stay in the heap until their deadline (lazy deletion).
// A module that re-arms a long timer on every message (an inactivity probe)
// would grow the heap without bound, so rebuild it once most entries are
// dead.
void EventLoop::Impl::compact_timer_heap() {
  if (timer_heap.size() < 64 || timer_heap.size() < 4 * timers.size()) return;
  std::vector<TimerEntry> live;
  live.reserve(timers.size());
  for (const auto& [id, t] : timers) live.push_back(TimerEntry{t.when, id});
  timer_heap = decltype(timer_heap)(std::greater<>(), std::move(live));
}

void EventLoop::Impl::run_posts() {
  for (Callback& cb : posts->take()) cb();
}

void EventLoop::Impl::run_hooks() {
  std::vector<uint64_t> ids;
  ids.reserve(hooks.size());
  for (const auto& [id, cb] : hooks) ids.push_back(id);
  for (uint64_t id : ids) {
    auto h = hooks.find(id);
    if (h == hooks.end()) continue;  // removed by an earlier hook
    std::shared_ptr<Callback> cb = h->second;
    (*cb)();
  }
}

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {
  impl_->epfd = epoll_create1(EPOLL_CLOEXEC);
  GREBE_ASSERT(impl_->epfd >= 0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = impl_->posts->fd();
  GREBE_ASSERT(epoll_ctl(impl_->epfd, EPOLL_CTL_ADD, impl_->posts->fd(), &ev) == 0);
  LoopRegistry& r = loop_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.queues.insert(impl_->posts.get());
}

EventLoop::~EventLoop() {
  {
    LoopRegistry& r = loop_registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.queues.erase(impl_->posts.get());
  }
  impl_->posts->close();
  ::close(impl_->epfd);
}

WatchId EventLoop::watch_fd(int fd, uint32_t events, FdCallback cb) {
  GREBE_ASSERT(fd >= 0 && fd != impl_->posts->fd());
  WatchId id = impl_->next_id++;
  impl_->watches[id] = Impl::Watch{fd, events, std::make_shared<FdCallback>(std::move(cb))};
  impl_->fd_watches[fd].push_back(id);
  impl_->sync_fd(fd, true);
  return id;
}

void EventLoop::modify_fd(WatchId id, uint32_t events) {
  auto w = impl_->watches.find(id);
  if (w == impl_->watches.end()) return;
  w->second.events = events;
  impl_->sync_fd(w->second.fd);
}

void EventLoop::unwatch_fd(WatchId id) {
  auto w = impl_->watches.find(id);
  if (w == impl_->watches.end()) return;
  int fd = w->second.fd;
  impl_->watches.erase(w);
  auto& ids = impl_->fd_watches[fd];
  ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
  if (ids.empty()) impl_->fd_watches.erase(fd);
  impl_->sync_fd(fd);
}

TimerId EventLoop::add_timer_at(long long when_msec, Callback cb) {
  TimerId id = impl_->next_id++;
  impl_->timers[id] = Impl::Timer{when_msec, std::move(cb)};
  impl_->timer_heap.push(Impl::TimerEntry{when_msec, id});
  return id;
}

TimerId EventLoop::add_timer(long long delay_msec, Callback cb) {
  return add_timer_at(time_msec() + std::max(delay_msec, 0LL), std::move(cb));
}

void EventLoop::cancel_timer(TimerId id) {
  if (impl_->timers.erase(id)) impl_->compact_timer_heap();
}

uint64_t EventLoop::add_hook(Callback cb) {
  uint64_t id = impl_->next_id++;
  impl_->hooks[id] = std::make_shared<Callback>(std::move(cb));
  return id;
}

void EventLoop::remove_hook(uint64_t id) { impl_->hooks.erase(id); }

void EventLoop::post(Callback cb) { impl_->posts->post(std::move(cb)); }

void EventLoop::wake() { impl_->posts->wake(); }

bool EventLoop::run_once(long long max_wait_msec) {
  long long timeout = impl_->compute_timeout(max_wait_msec);
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  int n = epoll_wait(impl_->epfd, events, kMaxEvents,
                     static_cast<int>(std::min<long long>(timeout, 1 << 30)));
  if (n < 0) {
    if (errno != EINTR) VLOG_WARN("epoll_wait failed: %s", errno_string(errno).c_str());
    n = 0;
  }
  for (int i = 0; i < n; i++) {
    int fd = events[i].data.fd;
    if (fd == impl_->posts->fd()) {
      impl_->posts->clear_wakeup();
    } else {
      impl_->dispatch_fd(fd, events[i].events);
    }
  }
  impl_->run_timers();
  impl_->run_posts();
  impl_->run_hooks();
  return !impl_->stop_requested.load();
}

void EventLoop::run() {
  while (run_once(-1)) {
  }
}

void EventLoop::stop() {
  impl_->stop_requested.store(true);
  impl_->posts->wake();
}

bool EventLoop::stopped() const { return impl_->stop_requested.load(); }

void EventLoop::notify_clock_changed() {
  LoopRegistry& r = loop_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (detail::PostQueue* q : r.queues) q->wake();
}

size_t EventLoop::n_watches() const { return impl_->watches.size(); }
size_t EventLoop::n_timers() const { return impl_->timers.size(); }

std::shared_ptr<detail::PostQueue> EventLoop::post_queue() const { return impl_->posts; }

}  // namespace grebe::event
