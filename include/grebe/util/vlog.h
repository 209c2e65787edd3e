// vlog: OVS-style per-module logging.
//
// Each source file that logs declares its module once:
//     VLOG_DEFINE_THIS_MODULE(bridge);
// and logs with printf-style macros:
//     VLOG_INFO("added interface %s on port %d", name, ofport);
//     static grebe::vlog::RateLimit rl(5, 20);   // 5/minute, burst 20
//     VLOG_WARN_RL(&rl, "bad packet on %s", name);
//
// Levels per module and destination (console, syslog, file) are set with the
// OVS option syntax (-v, --verbose=..., -vconsole:emer -vfile:info -vANY:dbg)
// and at run time with `ovs-appctl vlog/set`.  The log file line format is
// OVS's: 2026-11-21T10:00:00.123Z|00042|module|LEVEL|message
//
// WARN and ERR are for real problems only: tests and tools scan logs for them.
//
// Thread-safety: logging is safe from any thread; configuration calls are
// serialized internally.
#pragma once

#include <atomic>
#include <cstdarg>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::vlog {

enum class Level : int { kOff = 0, kEmer, kErr, kWarn, kInfo, kDbg };
enum class Dest : int { kConsole = 0, kSyslog, kFile };
inline constexpr int kNumDests = 3;

const char* level_name(Level level);           // "off", "emer", "err", ...
Result<Level> level_from_name(std::string_view name);
const char* dest_name(Dest dest);              // "console", "syslog", "file"
Result<Dest> dest_from_name(std::string_view name);

class Module {
 public:
  explicit Module(const char* name);  // registers itself; static storage only
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const char* name() const { return name_; }
  Level level(Dest dest) const { return levels_[static_cast<int>(dest)].load(std::memory_order_relaxed); }
  void set_level(Dest dest, Level level);
  // The most verbose level of any destination: the fast "is enabled" check.
  bool enabled(Level level) const {
    return static_cast<int>(level) <= min_level_.load(std::memory_order_relaxed);
  }

 private:
  const char* name_;
  std::atomic<Level> levels_[kNumDests];
  std::atomic<int> min_level_;
};

// Token bucket: `rate` messages per minute, up to `burst` at once.  Messages
// suppressed are counted and reported with the next one that passes.
class RateLimit {
 public:
  RateLimit(unsigned rate_per_minute, unsigned burst);
  // True if a message may be logged now.
  bool allow();
  unsigned take_suppressed() { return suppressed_.exchange(0); }

 private:
  std::atomic<long long> tokens_;  // in thousandths of a message
  std::atomic<long long> last_fill_;
  std::atomic<unsigned> suppressed_{0};
  unsigned rate_;
  unsigned burst_;
};

void log(const Module& module, Level level, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vlog(const Module& module, Level level, const char* fmt, va_list args)
    __attribute__((format(printf, 3, 0)));
void log_rl(const Module& module, Level level, RateLimit* rl, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Configuration.
// Parses one -v/--verbose argument ("", "dbg", "console:emer", "file:info",
// "ANY:dbg", "bridge:file:dbg", "PATTERN:file:%D %m", "FACILITY:daemon") and
// applies it.  Error text is OVS's.
Status set_levels_from_string(std::string_view spec);
void set_levels(Module* module /* null = all */, Dest dest, Level level, bool all_dests);
Module* find_module(std::string_view name);
std::vector<Module*> all_modules();  // sorted by name

// Log file.  set_log_file(path) opens (creating) it for appending; an empty
// path selects the default <logdir>/<program>.log.
Status set_log_file(std::string_view path);
const std::string& log_file_name();
Status reopen_log_file();  // vlog/reopen and SIGHUP
void close_log_file();
void set_pattern(Dest dest, std::string_view pattern);
void set_syslog_facility(std::string_view facility);

// `vlog/list` output, exactly as OVS prints it.
std::string list_levels();

// Renders a line for a destination with its pattern (exposed for tests).
std::string format_message(Dest dest, const Module& module, Level level,
                           unsigned seq, long long wall_msec, std::string_view msg);

}  // namespace grebe::vlog

#define VLOG_DEFINE_THIS_MODULE(NAME) \
  static ::grebe::vlog::Module vlog_this_module_(#NAME)

#define GREBE_VLOG_(LEVEL, ...)                                           \
  do {                                                                    \
    if (vlog_this_module_.enabled(LEVEL))                                 \
      ::grebe::vlog::log(vlog_this_module_, LEVEL, __VA_ARGS__);          \
  } while (0)
#define GREBE_VLOG_RL_(LEVEL, RL, ...)                                    \
  do {                                                                    \
    if (vlog_this_module_.enabled(LEVEL))                                 \
      ::grebe::vlog::log_rl(vlog_this_module_, LEVEL, RL, __VA_ARGS__);   \
  } while (0)

#define VLOG_EMER(...) GREBE_VLOG_(::grebe::vlog::Level::kEmer, __VA_ARGS__)
#define VLOG_ERR(...) GREBE_VLOG_(::grebe::vlog::Level::kErr, __VA_ARGS__)
#define VLOG_WARN(...) GREBE_VLOG_(::grebe::vlog::Level::kWarn, __VA_ARGS__)
#define VLOG_INFO(...) GREBE_VLOG_(::grebe::vlog::Level::kInfo, __VA_ARGS__)
#define VLOG_DBG(...) GREBE_VLOG_(::grebe::vlog::Level::kDbg, __VA_ARGS__)
#define VLOG_ERR_RL(RL, ...) GREBE_VLOG_RL_(::grebe::vlog::Level::kErr, RL, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) GREBE_VLOG_RL_(::grebe::vlog::Level::kWarn, RL, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) GREBE_VLOG_RL_(::grebe::vlog::Level::kInfo, RL, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) GREBE_VLOG_RL_(::grebe::vlog::Level::kDbg, RL, __VA_ARGS__)
#define VLOG_IS_DBG_ENABLED() (vlog_this_module_.enabled(::grebe::vlog::Level::kDbg))
