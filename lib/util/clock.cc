#include "grebe/util/clock.h"

#include <ctime>

namespace grebe {

namespace {

long long real_msec(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

ProcessClock g_process_clock;
std::atomic<Clock*> g_clock{&g_process_clock};

}  // namespace

long long ProcessClock::monotonic_msec() const {
  if (stopped_.load(std::memory_order_acquire)) return frozen_mono_.load();
  return real_msec(CLOCK_MONOTONIC) + offset_.load(std::memory_order_relaxed);
}

// As in OVS, time/stop and time/warp move monotonic time only: wall time
// (log timestamps, pcap records, "_date" in database records) stays real.
long long ProcessClock::wall_msec() const { return real_msec(CLOCK_REALTIME); }

void ProcessClock::stop() {
  if (stopped_.load()) return;
  frozen_mono_ = monotonic_msec();
  stopped_.store(true, std::memory_order_release);
}

void ProcessClock::warp(long long msecs) {
  if (stopped_.load()) {
    frozen_mono_ += msecs;
  } else {
    offset_ += msecs;
  }
}

Clock& clock() { return *g_clock.load(std::memory_order_acquire); }
ProcessClock& process_clock() { return g_process_clock; }
void set_clock(Clock* c) { g_clock.store(c ? c : &g_process_clock); }

}  // namespace grebe
