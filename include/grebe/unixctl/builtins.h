// The commands every Grebe daemon answers, with OVS's names, usage strings,
// replies and error texts:
//   exit, vlog/set, vlog/list, vlog/list-pattern, vlog/reopen, vlog/close,
//   vlog/enable-rate-limit, vlog/disable-rate-limit, coverage/show,
//   coverage/read-counter, memory/show, time/stop, time/warp
// (list-commands and version come with every Server).
#pragma once

#include <functional>
#include <map>
#include <string>

namespace grebe::event {
class EventLoop;
}

namespace grebe::unixctl {

void register_vlog_commands();
void register_coverage_commands();
// Samples coverage counters every second on `loop` (coverage::run()), so
// coverage/show has rates.  Call once per daemon loop.
void start_coverage_sampling(event::EventLoop& loop);
// time/stop and time/warp [LARGE_MSECS] MSECS: drive process_clock() and
// wake every loop; replies "warped" when the warp completes.
void register_time_commands();

// memory/show prints "name:value" pairs from all reporters, sorted by name.
using MemoryReporter = std::function<void(std::map<std::string, unsigned long long>& usage)>;
void add_memory_reporter(MemoryReporter reporter);  // thread-safe
void register_memory_command();
std::string memory_report_text();

// "exit": replies, then calls `on_exit` (typically loop.stop()).  Calling
// it again replaces the callback.
void register_exit_command(std::function<void()> on_exit);

// All of the above, plus start_coverage_sampling(loop).
void register_builtin_commands(event::EventLoop& loop, std::function<void()> on_exit);

}  // namespace grebe::unixctl
