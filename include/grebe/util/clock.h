// Time, through one replaceable clock.
//
// Every timer, timeout, probe interval and aging decision in Grebe reads time
// through these functions, never std::chrono::*::now() directly.  This is what
// lets OVS's `time/stop` and `time/warp MSECS [STEP]` test hooks make timeout
// tests exact and fast, and lets unit tests inject a FakeClock.
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace grebe {

// Monotonic milliseconds (arbitrary epoch) and wall-clock milliseconds since
// the Unix epoch.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual long long monotonic_msec() const = 0;
  virtual long long wall_msec() const = 0;
};

// The process clock: real time, unless stopped or warped by the test hooks.
// When stopped, monotonic time advances only through warp().  Wall time is
// always real, as in OVS.
class ProcessClock final : public Clock {
 public:
  long long monotonic_msec() const override;
  long long wall_msec() const override;

  void stop();          // freeze at the current time (time/stop)
  bool stopped() const { return stopped_.load(); }
  void warp(long long msecs);  // advance time by msecs (time/warp)

 private:
  std::atomic<bool> stopped_{false};
  std::atomic<long long> offset_{0};      // added to the real clock
  std::atomic<long long> frozen_mono_{0};  // monotonic time while stopped
};

// Test clock: time moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(long long start_msec = 1'000'000) : now_(start_msec) {}
  long long monotonic_msec() const override { return now_.load(); }
  long long wall_msec() const override { return 1'700'000'000'000LL + now_.load(); }
  void advance(long long msecs) { now_ += msecs; }
  void set(long long msec) { now_ = msec; }

 private:
  std::atomic<long long> now_;
};

// The clock every module reads.  Defaults to the process clock.
Clock& clock();
ProcessClock& process_clock();
// Replaces the clock (tests).  Pass nullptr to restore the process clock.
// Not thread-safe against concurrent readers: call before starting threads.
void set_clock(Clock* clock);

inline long long time_msec() { return clock().monotonic_msec(); }
inline long long time_wall_msec() { return clock().wall_msec(); }

}  // namespace grebe
