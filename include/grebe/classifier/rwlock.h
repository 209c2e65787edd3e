// RwLock: a reader-writer lock built for many readers and one rare writer.
//
// Lookups from several handler threads would all bounce the one counter
// cache line of an ordinary rwlock.  Here each reader thread counts itself in
// its own cache-line slot, so taking the shared side is one uncontended
// atomic add and a load.  The writer raises a flag that holds off new
// readers, then waits for every slot to drain; it keeps the lock only for one
// in-memory change, so readers wait at most that long.  (Like a
// writer-preferring rwlock: flow_mods are never starved by lookups.)
//
// Consequence: a thread must never take the shared side twice (a waiting
// writer would deadlock it), and must not hold it while blocking.
//
// Meets the SharedMutex requirements, so std::shared_lock / std::unique_lock
// work with it.  Writers are serialized by an internal mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>

namespace grebe::classifier {

class RwLock {
 public:
  RwLock() = default;
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock_shared() {
    std::atomic<long>& n = slots_[slot_index()].readers;
    for (;;) {
      // Announce, then check for a writer: with both sides sequentially
      // consistent, either the writer sees us or we see the writer.
      n.fetch_add(1, std::memory_order_seq_cst);
      if (!writer_.load(std::memory_order_seq_cst)) return;
      n.fetch_sub(1, std::memory_order_seq_cst);
      writer_.wait(true, std::memory_order_acquire);
    }
  }
  bool try_lock_shared() {
    std::atomic<long>& n = slots_[slot_index()].readers;
    n.fetch_add(1, std::memory_order_seq_cst);
    if (!writer_.load(std::memory_order_seq_cst)) return true;
    n.fetch_sub(1, std::memory_order_seq_cst);
    return false;
  }
  void unlock_shared() { slots_[slot_index()].readers.fetch_sub(1, std::memory_order_release); }

  void lock() {
    writer_mutex_.lock();
    writer_.store(true, std::memory_order_seq_cst);
    for (Slot& s : slots_) {
      while (s.readers.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    }
  }
  bool try_lock() {
    if (!writer_mutex_.try_lock()) return false;
    writer_.store(true, std::memory_order_seq_cst);
    for (Slot& s : slots_) {
      if (s.readers.load(std::memory_order_seq_cst) != 0) {
        unlock();
        return false;
      }
    }
    return true;
  }
  void unlock() {
    writer_.store(false, std::memory_order_release);
    writer_.notify_all();
    writer_mutex_.unlock();
  }

 private:
  static constexpr size_t kSlots = 32;
  struct alignas(64) Slot {
    std::atomic<long> readers{0};
  };

  // Threads get slots round-robin on first use; sharing a slot is correct,
  // only slower.
  static size_t slot_index() {
    static std::atomic<size_t> next{0};
    thread_local const size_t index = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return index;
  }

  Slot slots_[kSlots];
  std::atomic<bool> writer_{false};
  std::mutex writer_mutex_;
};

}  // namespace grebe::classifier
