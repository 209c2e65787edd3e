// RwLock: a reader-writer lock that prefers the writer.
//
// std::shared_mutex (glibc's default rwlock) lets new readers in while a
// writer waits, so a steady stream of lookups from handler threads could
// starve flow_mods forever.  With writer preference a waiting writer holds
// off new readers; since the writer keeps the lock only for one in-memory
// change, readers wait at most that long.  Consequence: a thread must never
// take the shared side twice (a waiting writer would deadlock it).
//
// Meets the SharedMutex requirements, so std::shared_lock / std::unique_lock
// work with it.
#pragma once

#include <pthread.h>

namespace grebe::classifier {

class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  bool try_lock() { return pthread_rwlock_trywrlock(&lock_) == 0; }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&lock_) == 0; }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace grebe::classifier
