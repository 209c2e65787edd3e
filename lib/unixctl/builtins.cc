// Built-in unixctl commands shared by all daemons (OVS's vlog, coverage,
// memory and timeval commands).
#include "grebe/unixctl/builtins.h"

#include <strings.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "grebe/event/event_loop.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/clock.h"
#include "grebe/util/coverage.h"
#include "grebe/util/vlog.h"

namespace grebe::unixctl {

namespace {

using Argv = std::vector<std::string>;

void vlog_set(const Argv& argv, const Reply& r) {
  if (argv.size() == 1) vlog::set_levels(nullptr, vlog::Dest::kConsole, vlog::Level::kDbg, true);
  for (size_t i = 1; i < argv.size(); i++) {
    Status s = vlog::set_levels_from_string(argv[i]);
    if (!s.ok()) return r.error(s.error().message());
  }
  r.ok();
}

void set_rate_limits(const Argv& argv, const Reply& r, bool enable) {
  if (argv.size() == 1) {
    vlog::set_all_rate_limits(enable);
    return r.ok();
  }
  for (size_t i = 1; i < argv.size(); i++) {
    if (strcasecmp(argv[i].c_str(), "ANY") == 0) {
      vlog::set_all_rate_limits(enable);
    } else if (vlog::Module* m = vlog::find_module(argv[i])) {
      m->set_honor_rate_limits(enable);
    } else {
      return r.error("unknown module");
    }
  }
  r.ok();
}

struct MemoryReporters {
  std::mutex mutex;
  std::vector<MemoryReporter> reporters;
};
MemoryReporters& memory_reporters() {
  static MemoryReporters* m = new MemoryReporters;
  return *m;
}

// time/warp LARGE MSECS advances LARGE in MSECS steps, one per loop turn, so
// timers and other threads see each step (OVS's large warp).
void warp_step(event::EventLoop& loop, long long left, long long step, Reply reply) {
  long long now = std::min(left, step);
  process_clock().warp(now);
  event::EventLoop::notify_clock_changed();
  left -= now;
  if (left <= 0) return reply.ok("warped");
  loop.post([&loop, left, step, reply] { warp_step(loop, left, step, reply); });
}

}  // namespace

void register_vlog_commands() {
  register_command("vlog/set", "{spec | PATTERN:destination:pattern}", 0, INT_MAX, vlog_set);
  register_command("vlog/list", "", 0, 0,
                   [](const Argv&, const Reply& r) { r.ok(vlog::list_levels()); });
  register_command("vlog/list-pattern", "", 0, 0,
                   [](const Argv&, const Reply& r) { r.ok(vlog::list_patterns()); });
  register_command("vlog/enable-rate-limit", "[module]...", 0, INT_MAX,
                   [](const Argv& a, const Reply& r) { set_rate_limits(a, r, true); });
  register_command("vlog/disable-rate-limit", "[module]...", 0, INT_MAX,
                   [](const Argv& a, const Reply& r) { set_rate_limits(a, r, false); });
  register_command("vlog/reopen", "", 0, 0, [](const Argv&, const Reply& r) {
    if (vlog::log_file_name().empty()) return r.error("Logging to file not configured");
    Status s = vlog::reopen_log_file();
    if (!s.ok()) return r.error(errno_string(s.error().code()));
    r.ok();
  });
  register_command("vlog/close", "", 0, 0, [](const Argv&, const Reply& r) {
    vlog::close_log_file();
    r.ok();
  });
}

void register_coverage_commands() {
  register_command("coverage/show", "", 0, 0,
                   [](const Argv&, const Reply& r) { r.ok(coverage::show(time_msec())); });
  register_command("coverage/read-counter", "COUNTER", 1, 1, [](const Argv& a, const Reply& r) {
    coverage::Counter* c = coverage::find_counter(a[1]);
    if (!c) return r.error("No such counter");
    r.ok(std::to_string(c->total()) + "\n");
  });
}

void start_coverage_sampling(event::EventLoop& loop) {
  // Once a second; coverage::run() itself keeps the 5 s cadence.
  struct Sampler {
    static void arm(event::EventLoop& l) {
      l.add_timer(1000, [&l] {
        coverage::run(time_msec());
        arm(l);
      });
    }
  };
  coverage::run(time_msec());
  Sampler::arm(loop);
}

void register_time_commands() {
  register_command("time/stop", "", 0, 0, [](const Argv&, const Reply& r) {
    process_clock().stop();
    event::EventLoop::notify_clock_changed();
    r.ok();
  });
  register_command("time/warp", "[large_msecs] msecs", 1, 2, [](const Argv& a, const Reply& r) {
    long long total = a.size() > 2 ? std::atoll(a[1].c_str()) : 0;
    long long msecs = a.size() > 2 ? std::atoll(a[2].c_str()) : std::atoll(a[1].c_str());
    if (msecs <= 0 || total < 0) return r.error("invalid MSECS");
    warp_step(r.loop(), total > 0 ? total : msecs, msecs, r);
  });
}

void add_memory_reporter(MemoryReporter reporter) {
  auto& m = memory_reporters();
  std::lock_guard lock(m.mutex);
  m.reporters.push_back(std::move(reporter));
}

std::string memory_report_text() {
  std::map<std::string, unsigned long long> usage;
  {
    auto& m = memory_reporters();
    std::lock_guard lock(m.mutex);
    for (auto& r : m.reporters) r(usage);
  }
  std::string out;
  for (const auto& [name, value] : usage) {
    if (!out.empty()) out += ' ';
    out += name + ":" + std::to_string(value);
  }
  return out;
}

void register_memory_command() {
  register_command("memory/show", "", 0, 0,
                   [](const Argv&, const Reply& r) { r.ok(memory_report_text()); });
}

void register_exit_command(std::function<void()> on_exit) {
  static std::mutex mutex;
  static auto* callback = new std::function<void()>;
  {
    std::lock_guard lock(mutex);
    *callback = std::move(on_exit);
  }
  register_command("exit", "", 0, 0, [](const Argv&, const Reply& r) {
    r.ok();
    std::function<void()> cb;
    {
      std::lock_guard lock(mutex);
      cb = *callback;
    }
    if (cb) cb();
  });
}

void register_builtin_commands(event::EventLoop& loop, std::function<void()> on_exit) {
  register_vlog_commands();
  register_coverage_commands();
  start_coverage_sampling(loop);
  register_time_commands();
  register_memory_command();
  register_exit_command(std::move(on_exit));
}

}  // namespace grebe::unixctl
