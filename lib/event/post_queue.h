// PostQueue: the part of an EventLoop that other threads touch.
//
// It is shared (shared_ptr) between the loop and anything that may outlive
// it or live on another thread (Seq waiters), so that posting to a loop that
// has been destroyed is a harmless no-op instead of a use-after-free.
//
// Thread-safety: every method may be called from any thread.  The mutex is a
// leaf lock: nothing else is locked while it is held, and no callback runs
// under it.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

namespace grebe::event::detail {

class PostQueue {
 public:
  // Creates the eventfd; aborts if the process is out of fds (a loop cannot
  // work without one).
  PostQueue();
  ~PostQueue();
  PostQueue(const PostQueue&) = delete;
  PostQueue& operator=(const PostQueue&) = delete;

  // Queues `cb` and wakes the loop.  Dropped silently after close().
  void post(std::function<void()> cb);
  // Makes the loop's current or next wait return.
  void wake();
  // Takes everything queued so far (loop thread).
  std::vector<std::function<void()>> take();
  bool has_pending();
  // Drains the eventfd counter after it became readable (loop thread).
  void clear_wakeup();
  // Called by the loop's destructor: later posts are dropped.
  void close();

  int fd() const { return fd_; }

 private:
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;
  bool closed_ = false;
  int fd_;
};

}  // namespace grebe::event::detail
