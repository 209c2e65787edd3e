// vlog core: module registry, levels, rate limits and message composition.
// Destinations live in vlog_output.cc, patterns in vlog_pattern.cc and
// -v parsing / vlog/list in vlog_config.cc.
#include "grebe/util/vlog.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include "grebe/util/clock.h"
#include "vlog_internal.h"

namespace grebe::vlog {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, Module*, std::less<>> modules;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: modules log at exit
  return *r;
}

// OVS numbers messages per thread (%N), so each thread's sequence is dense.
thread_local unsigned t_seq = 0;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

const char* const kLevelNames[] = {"off", "emer", "err", "warn", "info", "dbg"};
const char* const kDestNames[] = {"console", "syslog", "file"};

}  // namespace

const char* level_name(Level level) { return kLevelNames[static_cast<int>(level)]; }

Result<Level> level_from_name(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Level::kDbg); i++) {
    if (iequals(name, kLevelNames[i])) return static_cast<Level>(i);
  }
  return Error(EINVAL, "unknown log level \"" + std::string(name) + "\"");
}

const char* dest_name(Dest dest) { return kDestNames[static_cast<int>(dest)]; }

Result<Dest> dest_from_name(std::string_view name) {
  for (int i = 0; i < kNumDests; i++)
    if (iequals(name, kDestNames[i])) return static_cast<Dest>(i);
  return Error(EINVAL, "unknown log destination \"" + std::string(name) + "\"");
}

Module::Module(const char* name) : name_(name), min_level_(static_cast<int>(Level::kInfo)) {
  for (auto& l : levels_) l.store(Level::kInfo);
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto [it, inserted] = r.modules.emplace(name, this);
  if (!inserted) {
    // Another file of the program uses the same module name: share levels.
    first_ = it->second;
    next_ = first_->next_;
    first_->next_ = this;
    for (int d = 0; d < kNumDests; d++) {
      auto dest = static_cast<Dest>(d);
      set_level_one(dest, first_->level(dest));
    }
  }
}

void Module::set_level(Dest dest, Level level) {
  for (Module* m = first_; m; m = m->next_) m->set_level_one(dest, level);
}

void Module::set_level_one(Dest dest, Level level) {
  levels_[static_cast<int>(dest)].store(level);
  int m = 0;
  for (auto& l : levels_) m = std::max(m, static_cast<int>(l.load()));
  min_level_.store(m);
}

Module* find_module(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.modules.find(name);
  if (it != r.modules.end()) return it->second;
  for (auto& [n, m] : r.modules)
    if (iequals(n, name)) return m;
  return nullptr;
}

void set_all_rate_limits(bool honor) {
  for (Module* m : all_modules()) m->set_honor_rate_limits(honor);
}

std::vector<Module*> all_modules() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<Module*> v;
  for (auto& [_, m] : r.modules) v.push_back(m);
  return v;
}

void set_levels(Module* module, Dest dest, Level level, bool all_dests) {
  auto apply = [&](Module* m) {
    if (all_dests) {
      for (int d = 0; d < kNumDests; d++) m->set_level(static_cast<Dest>(d), level);
    } else {
      m->set_level(dest, level);
    }
  };
  if (module) {
    apply(module);
  } else {
    for (Module* m : all_modules()) apply(m);
  }
}

RateLimit::RateLimit(unsigned rate_per_minute, unsigned burst)
    : tokens_(static_cast<long long>(burst) * 1000), rate_(rate_per_minute), burst_(burst) {}

bool RateLimit::allow() {
  long long now = time_msec();
  std::lock_guard lock(mutex_);
  if (last_fill_ != 0 && now > last_fill_) {
    // rate_ messages per 60000 ms = rate_ thousandths per 60 ms
    tokens_ = std::min<long long>(static_cast<long long>(burst_) * 1000,
                                  tokens_ + (now - last_fill_) * rate_ / 60);
  }
  last_fill_ = now;
  if (tokens_ >= 1000) {
    tokens_ -= 1000;
    return true;
  }
  if (!n_dropped_) first_dropped_ = now;
  last_dropped_ = now;
  n_dropped_++;
  return false;
}

RateLimit::Dropped RateLimit::take_dropped() {
  long long now = time_msec();
  std::lock_guard lock(mutex_);
  Dropped d;
  d.n = n_dropped_;
  if (n_dropped_) {
    d.first_elapsed_sec = static_cast<unsigned>((now - first_dropped_) / 1000);
    d.last_elapsed_sec = static_cast<unsigned>((now - last_dropped_) / 1000);
  }
  n_dropped_ = 0;
  return d;
}

void vlog(const Module& module, Level level, const char* fmt, va_list args) {
  int saved_errno = errno;  // callers log errors and then read errno
  char buf[1024];
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  std::string msg;
  if (n >= static_cast<int>(sizeof buf)) {
    msg.resize(n);
    std::vsnprintf(msg.data(), n + 1, fmt, args);
  } else {
    msg.assign(buf, n < 0 ? 0 : n);
  }
  unsigned seq = ++t_seq;
  long long wall = time_wall_msec();
  for (int d = 0; d < kNumDests; d++) {
    if (static_cast<int>(level) <= static_cast<int>(module.level(static_cast<Dest>(d))))
      emit(static_cast<Dest>(d), module, level, seq, wall, msg);
  }
  errno = saved_errno;
}

void log(const Module& module, Level level, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vlog(module, level, fmt, args);
  va_end(args);
}

void log_rl(const Module& module, Level level, RateLimit* rl, const char* fmt, ...) {
  if (module.honor_rate_limits()) {
    if (!rl->allow()) return;
    RateLimit::Dropped d = rl->take_dropped();
    if (d.n)
      log(module, level,
          "Dropped %u log messages in last %u seconds (most recently, %u seconds ago) due to "
          "excessive rate",
          d.n, d.first_elapsed_sec, d.last_elapsed_sec);
  }
  va_list args;
  va_start(args, fmt);
  vlog(module, level, fmt, args);
  va_end(args);
}

}  // namespace grebe::vlog
