// Seq: a change counter whose waiters are woken through their loops'
// PostQueues (shared, so a waiter whose loop died is simply dropped).
//
// Lock order: Seq::Impl::mutex, then PostQueue's mutex (a leaf).
#include <mutex>
#include <vector>

#include "grebe/event/event_loop.h"
#include "post_queue.h"

namespace grebe::event {


struct Seq::Impl {
  struct Waiter {
    std::weak_ptr<detail::PostQueue> queue;
    std::function<void()> cb;
  };
  mutable std::mutex mutex;
  uint64_t value = 1;
  std::vector<Waiter> waiters;
};

Seq::Seq() : impl_(std::make_unique<Impl>()) {}
Seq::~Seq() = default;

uint64_t Seq::read() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->value;
}

void Seq::change() {
  std::vector<Impl::Waiter> woken;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->value++;
    woken.swap(impl_->waiters);
  }
  for (Impl::Waiter& w : woken) {
    if (auto q = w.queue.lock()) q->post(std::move(w.cb));
  }
}

void Seq::wait(EventLoop& loop, uint64_t seen, std::function<void()> cb) {
  std::shared_ptr<detail::PostQueue> queue = loop.post_queue();
  std::unique_lock<std::mutex> lock(impl_->mutex);
  if (impl_->value != seen) {
    lock.unlock();
    queue->post(std::move(cb));
    return;
  }
  impl_->waiters.push_back(Impl::Waiter{queue, std::move(cb)});
}

}  // namespace grebe::event
