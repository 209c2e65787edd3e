// FIRST CUT: registry and totals; rate windows completed by the foundation work.
#include "grebe/util/coverage.h"

#include <map>
#include <mutex>

namespace grebe::coverage {

namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, Counter*, std::less<>> counters;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}
}  // namespace

Counter::Counter(const char* name) : name_(name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.counters.emplace(name, this);
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

void run(long long) {}
std::string show(long long) { return {}; }

}  // namespace grebe::coverage
