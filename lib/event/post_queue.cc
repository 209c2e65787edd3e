#include "post_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "grebe/util/assert.h"

namespace grebe::event::detail {

PostQueue::PostQueue() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  GREBE_ASSERT(fd_ >= 0);
}

PostQueue::~PostQueue() { ::close(fd_); }

void PostQueue::post(std::function<void()> cb) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    queue_.push_back(std::move(cb));
  }
  wake();
}

void PostQueue::wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop is already awake.
  ssize_t n = ::write(fd_, &one, sizeof one);
  (void)n;
}

std::vector<std::function<void()>> PostQueue::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::function<void()>> out;
  out.swap(queue_);
  return out;
}

bool PostQueue::has_pending() {
  std::lock_guard<std::mutex> lock(mutex_);
  return !queue_.empty();
}

void PostQueue::clear_wakeup() {
  uint64_t count;
  ssize_t n = ::read(fd_, &count, sizeof count);
  (void)n;
}

void PostQueue::close() {
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    dropped.swap(queue_);
  }
  // `dropped` is destroyed here, outside the lock: a callback's captures may
  // have destructors that post elsewhere.
}

}  // namespace grebe::event::detail
