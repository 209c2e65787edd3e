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
#include <mutex>
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
  // Sets the level for this module name: every Module object sharing the
  // name (files of one program may each define it) changes together.
  void set_level(Dest dest, Level level);
  // The most verbose level of any destination: the fast "is enabled" check.
  bool enabled(Level level) const {
    return static_cast<int>(level) <= min_level_.load(std::memory_order_relaxed);
  }
  // vlog/disable-rate-limit: when false, *_RL messages are never suppressed.
  bool honor_rate_limits() const { return honor_rate_limits_.load(std::memory_order_relaxed); }
  void set_honor_rate_limits(bool honor) { honor_rate_limits_.store(honor); }

 private:
  void set_level_one(Dest dest, Level level);

  const char* name_;
  Module* first_ = this;      // the registered Module with this name
  Module* next_ = nullptr;    // further Modules with the same name
  std::atomic<Level> levels_[kNumDests];
  std::atomic<int> min_level_;
  std::atomic<bool> honor_rate_limits_{true};
};

// Token bucket: `rate` messages per minute, up to `burst` at once.  Messages
// suppressed are counted and reported, as OVS does, just before the next one
// that passes ("Dropped N log messages in last S seconds (most recently, T
// seconds ago) due to excessive rate").  Thread-safe.
class RateLimit {
 public:
  RateLimit(unsigned rate_per_minute, unsigned burst);
  // True if a message may be logged now; otherwise counts it as dropped.
  bool allow();
  struct Dropped {
    unsigned n = 0;                   // messages dropped since the last report
    unsigned first_elapsed_sec = 0;   // age of the first of them
    unsigned last_elapsed_sec = 0;    // age of the most recent
  };
  // Returns and resets the dropped count.
  Dropped take_dropped();
  unsigned take_suppressed() { return take_dropped().n; }

 private:
  std::mutex mutex_;
  long long tokens_;  // in thousandths of a message
  long long last_fill_ = 0;
  unsigned n_dropped_ = 0;
  long long first_dropped_ = 0, last_dropped_ = 0;  // time_msec()
  unsigned rate_;
  unsigned burst_;
};

void log(const Module& module, Level level, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vlog(const Module& module, Level level, const char* fmt, va_list args)
    __attribute__((format(printf, 3, 0)));
void log_rl(const Module& module, Level level, RateLimit* rl, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Configuration.  All of these may be called from any thread.
//
// Parses one -v/--verbose argument ("", "dbg", "console:emer", "file:info",
// "ANY:dbg", "bridge:file:dbg", "PATTERN:file:%D %m", "FACILITY:daemon") and
// applies it.  On failure nothing is changed and the Error's message is OVS's
// text (e.g. `no destination, level, or module "foo"`), code EINVAL.
Status set_levels_from_string(std::string_view spec);
// The -v[SPEC] option: a null spec sets every module and destination to dbg;
// otherwise as set_levels_from_string() with the error message prefixed
// `processing "SPEC": ` as OVS prints it before exiting.
Status set_verbosity(const char* spec);
void set_levels(Module* module /* null = all */, Dest dest, Level level, bool all_dests);
// Exact name first, then case-insensitively (OVS matches names that way).
Module* find_module(std::string_view name);
std::vector<Module*> all_modules();  // sorted by name
void set_all_rate_limits(bool honor);

// Log file.  set_log_file(path) opens (creating) it for appending; an empty
// path selects the default <logdir>/<program>.log.  Logs "opened log file X"
// (and "closing log file" for a previous one) as OVS does.  On failure the
// previous file stays in use and the Error carries errno.
Status set_log_file(std::string_view path);
std::string log_file_name();  // "" when no log file is configured
bool log_file_is_open();
// vlog/reopen and SIGHUP: reopens the configured file by name (after log
// rotation).  No-op success if no file is configured.
Status reopen_log_file();
// vlog/close: closes the file but remembers its name, so reopen works.
void close_log_file();
// A null/ANY destination is not expressible here: call once per Dest.
void set_pattern(Dest dest, std::string_view pattern);
std::string pattern(Dest dest);
// Sets the syslog facility by name ("daemon", "local0", ...); false if the
// name is unknown.
bool set_syslog_facility(std::string_view facility);
// --syslog-target=HOST:PORT: also send RFC 5424 messages over UDP.
Status set_syslog_target(std::string_view target);

// The thread's name for %t/%T (e.g. "handler3"); "" for the main thread.
void set_subprogram_name(std::string_view name);
const std::string& subprogram_name();

// `vlog/list` and `vlog/list-pattern` output, exactly as OVS prints them.
std::string list_levels();
std::string list_patterns();

// Renders a line for a destination with its pattern (exposed for tests).
std::string format_message(Dest dest, const Module& module, Level level,
                           unsigned seq, long long wall_msec, std::string_view msg);
// Renders `pattern` (OVS's %A %B %c %d %D %E %H %m %N %n %p %P %r %t %T %%
// with optional [-][0]WIDTH) for one message.
std::string format_pattern(std::string_view pattern, const Module& module, Level level,
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
