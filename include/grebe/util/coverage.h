// Coverage counters: cheap event counts for `coverage/show`.
//
//     COVERAGE_DEFINE(flow_extract);
//     ... COVERAGE_INC(flow_extract);
//
// Increments are relaxed atomics (per-packet paths may use them).  The
// `coverage/show` view prints, as OVS does, each non-zero counter's average
// rate per second over the last 5 seconds, minute and hour, plus its total.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grebe::coverage {

class Counter {
 public:
  explicit Counter(const char* name);  // registers itself; static storage only
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;
  void inc(uint64_t n = 1) { count_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t total() const { return count_.load(std::memory_order_relaxed); }
  const char* name() const { return name_; }

 private:
  const char* name_;
  std::atomic<uint64_t> count_{0};
};

std::vector<Counter*> all_counters();  // sorted by name
Counter* find_counter(std::string_view name);

// Records a sample of every counter; the daemon calls it about once a second
// (from its main loop) so rates can be computed.  `now_msec` is time_msec().
void run(long long now_msec);
// `coverage/show` text.
std::string show(long long now_msec);

}  // namespace grebe::coverage

#define COVERAGE_DEFINE(NAME) static ::grebe::coverage::Counter NAME##_coverage_(#NAME)
#define COVERAGE_INC(NAME) NAME##_coverage_.inc()
#define COVERAGE_ADD(NAME, N) NAME##_coverage_.inc(N)
