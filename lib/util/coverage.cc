// Coverage counters: registry, OVS's sampling windows and `coverage/show`.
//
// Every kRunInterval (5 s) run() records, per counter, how much it grew into
// a ring of 12 five-second slots (the last minute); each minute's sum goes
// into a ring of 60 (the last hour).  When run() is called late, the growth
// is spread evenly over the missed slots, as OVS does, so averages stay
// meaningful after a stall or a time/warp.
#include "grebe/util/coverage.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <mutex>

#include "grebe/util/hash.h"

namespace grebe::coverage {

namespace {

constexpr long long kRunInterval = 5000;  // msec, OVS's COVERAGE_RUN_INTERVAL
constexpr unsigned kMinAvgLen = 60000 / kRunInterval;
constexpr unsigned kHrAvgLen = 60;

struct Window {
  uint64_t last_total = 0;
  unsigned min[kMinAvgLen] = {};
  unsigned hr[kHrAvgLen] = {};
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Counter*, std::less<>> counters;
  std::map<const Counter*, Window> windows;
  long long next_run = LLONG_MIN;
  unsigned idx_count = 0;
};

Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

unsigned sum(const unsigned* a, unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n; i++) s += a[i];
  return s;
}

// Distributes `count` over `slots` consecutive slots starting at `idx`.
void record(Window& w, unsigned count, int slots, unsigned idx) {
  unsigned portion = count / static_cast<unsigned>(slots);
  for (int j = 0; j < slots; j++) {
    unsigned m = idx % kMinAvgLen, h = idx / kMinAvgLen;
    w.min[m] = portion + (j == slots - 1 ? count % static_cast<unsigned>(slots) : 0);
    w.hr[h] = m == 0 ? w.min[m] : w.hr[h] + w.min[m];
    idx = (idx + 1) % (kMinAvgLen * kHrAvgLen);
  }
}

// A hash of which counters are non-zero and their ranking by total: equal
// hashes mean "the same shape of activity" (OVS uses it to skip duplicate
// coverage logs).
uint32_t coverage_hash(const std::vector<std::pair<const char*, uint64_t>>& totals) {
  auto sorted = totals;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return std::string_view(a.first) < std::string_view(b.first);
  });
  uint32_t hash = 0;
  uint32_t n_groups = 0;
  for (size_t i = 0; i < sorted.size() && sorted[i].second;) {
    n_groups++;
    hash = hash_int(static_cast<uint32_t>(i), hash);
    size_t j = i;
    for (; j < sorted.size() && sorted[j].second == sorted[i].second; j++)
      hash = hash_string(sorted[j].first, hash);
    i = j;
  }
  return hash_int(n_groups, hash);
}

}  // namespace

Counter::Counter(const char* name) : name_(name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.counters.emplace(name, this);
  r.windows.emplace(this, Window{});
}

std::vector<Counter*> all_counters() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<Counter*> v;
  for (auto& [_, c] : r.counters) v.push_back(c);
  return v;
}

Counter* find_counter(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.counters.find(name);
  return it == r.counters.end() ? nullptr : it->second;
}

void run(long long now) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.next_run == LLONG_MIN) r.next_run = now + kRunInterval;
  if (now < r.next_run) return;
  long long missed = (now - r.next_run) / kRunInterval + 1;
  // More than an hour of missed slots overwrites every slot anyway.
  int slots = static_cast<int>(std::min<long long>(missed, kMinAvgLen * kHrAvgLen));
  for (auto& [counter, w] : r.windows) {
    uint64_t total = counter->total();
    auto count = static_cast<unsigned>(total - w.last_total);
    w.last_total = total;
    record(w, count, slots, r.idx_count);
  }
  r.idx_count = (r.idx_count + static_cast<unsigned>(slots)) % (kMinAvgLen * kHrAvgLen);
  r.next_run = now + kRunInterval;
}

std::string show(long long /*now_msec*/) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::pair<const char*, uint64_t>> totals;
  for (auto& [name, c] : r.counters) totals.emplace_back(c->name(), c->total());

  char line[256];
  std::snprintf(line, sizeof line,
                "Event coverage, avg rate over last: %d seconds, last minute, last hour,  "
                "hash=%08x:\n",
                static_cast<int>(kRunInterval / 1000), coverage_hash(totals));
  std::string out = line;
  size_t never_hit = 0;
  unsigned last = (r.idx_count + kMinAvgLen * kHrAvgLen - 1) % kMinAvgLen;
  for (auto& [name, c] : r.counters) {
    uint64_t total = c->total();
    if (!total) {
      never_hit++;
      continue;
    }
    const Window& w = r.windows[c];
    std::snprintf(line, sizeof line, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   total: %llu\n",
                  c->name(), w.min[last] * 1000.0 / kRunInterval,
                  sum(w.min, kMinAvgLen) / 60.0, sum(w.hr, kHrAvgLen) / 3600.0,
                  static_cast<unsigned long long>(total));
    out += line;
  }
  out += std::to_string(never_hit) + " events never hit\n";
  return out;
}

}  // namespace grebe::coverage
