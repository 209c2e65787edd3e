// vlog destinations: console (stderr), syslog (syslog(3) and an optional UDP
// RFC 5424 target) and the log file, plus their patterns.
//
// Locking: g_mutex guards the patterns, the log file and the syslog target.
// Nothing here logs while holding it (logging takes it again).
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "vlog_internal.h"

VLOG_DEFINE_THIS_MODULE(vlog);

namespace grebe::vlog {

namespace {

// Default patterns, exactly OVS's (include/openvswitch/vlog.h).
constexpr const char* kDefaultPatterns[kNumDests] = {
    "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",        // console
    "ovs|%05N|%c%T|%p|%m",                           // syslog
    "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",    // file
};

// The RFC 5424 line sent to --syslog-target (OVS's format).
constexpr const char* kSyslogTargetPattern =
    "<%B>1 %D{%Y-%m-%dT%H:%M:%S.###Z} %E %A %P %c - \xef\xbb\xbf%m";

struct State {
  std::mutex mutex;
  std::string patterns[kNumDests] = {kDefaultPatterns[0], kDefaultPatterns[1],
                                     kDefaultPatterns[2]};
  std::string log_file_name;  // "" = no log file configured
  int log_fd = -1;
  int syslog_target_fd = -1;
  bool syslog_opened = false;
  bool syslog_null = false;
};

State& state() {
  static State* s = new State;  // never destroyed: logging may happen at exit
  return *s;
}

std::atomic<int> g_facility{0};

struct FacilityName {
  const char* name;
  int value;
};
constexpr FacilityName kFacilities[] = {
    {"kern", LOG_KERN},       {"user", LOG_USER},       {"mail", LOG_MAIL},
    {"daemon", LOG_DAEMON},   {"auth", LOG_AUTH},       {"syslog", LOG_SYSLOG},
    {"lpr", LOG_LPR},         {"news", LOG_NEWS},       {"uucp", LOG_UUCP},
    {"clock", LOG_CRON},      {"ftp", LOG_FTP},         {"ntp", 12 << 3},
    {"audit", 13 << 3},       {"alert", 14 << 3},       {"clock2", 15 << 3},
    {"local0", LOG_LOCAL0},   {"local1", LOG_LOCAL1},   {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3},   {"local4", LOG_LOCAL4},   {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6},   {"local7", LOG_LOCAL7},
};

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a logging failure
    s.remove_prefix(static_cast<size_t>(n));
  }
}

// Caller holds s.mutex.
void syslog_line(State& s, int priority, const std::string& line) {
  if (s.syslog_null) return;
  if (!s.syslog_opened) {
    const char* method = std::getenv("OVS_SYSLOG_METHOD");
    if (method && std::string_view(method) == "null") {
      s.syslog_null = true;
      return;
    }
    // openlog() keeps the pointer: give it storage that lives forever.
    static std::string* ident = new std::string(program_name());
    int facility = g_facility.load();
    openlog(ident->c_str(), LOG_NDELAY, facility ? facility : LOG_DAEMON);
    s.syslog_opened = true;
  }
  ::syslog(priority, "%s", line.c_str());
}

void emit_syslog(State& s, const Module& module, Level level, unsigned seq, long long wall,
                 std::string_view msg) {
  std::string text = format_pattern(s.patterns[static_cast<int>(Dest::kSyslog)], module,
                                    level, seq, wall, msg);
  int facility = g_facility.load();
  int priority = syslog_severity(level) | facility;
  size_t start = 0;
  while (start < text.size()) {  // one syslog record per line, as OVS
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start) syslog_line(s, priority, text.substr(start, nl - start));
    start = nl + 1;
  }
  if (s.syslog_target_fd >= 0) {
    std::string rfc = format_pattern(kSyslogTargetPattern, module, level, seq, wall, msg);
    (void)::send(s.syslog_target_fd, rfc.data(), rfc.size(), MSG_DONTWAIT);
  }
}

}  // namespace

int syslog_severity(Level level) {
  switch (level) {
    case Level::kOff:
    case Level::kEmer: return LOG_ALERT;
    case Level::kErr: return LOG_ERR;
    case Level::kWarn: return LOG_WARNING;
    case Level::kInfo: return LOG_NOTICE;
    case Level::kDbg: return LOG_DEBUG;
  }
  return LOG_DEBUG;
}

int syslog_facility_value() { return g_facility.load(std::memory_order_relaxed); }

void emit(Dest dest, const Module& module, Level level, unsigned seq, long long wall,
          std::string_view msg) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  switch (dest) {
    case Dest::kConsole: {
      std::string line = format_pattern(s.patterns[0], module, level, seq, wall, msg);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
      break;
    }
    case Dest::kSyslog:
      emit_syslog(s, module, level, seq, wall, msg);
      break;
    case Dest::kFile:
      if (s.log_fd >= 0) {
        std::string line = format_pattern(s.patterns[2], module, level, seq, wall, msg);
        line += '\n';
        write_all(s.log_fd, line);
      }
      break;
  }
}

void set_pattern(Dest dest, std::string_view p) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.patterns[static_cast<int>(dest)] = std::string(p);
}

std::string pattern(Dest dest) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.patterns[static_cast<int>(dest)];
}

bool set_syslog_facility(std::string_view name) {
  for (const auto& f : kFacilities) {
    std::string_view n = f.name;
    if (n.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < n.size() && eq; i++)
      eq = std::tolower(static_cast<unsigned char>(name[i])) == n[i];
    if (eq) {
      g_facility.store(f.value);
      return true;
    }
  }
  return false;
}

Status set_syslog_target(std::string_view target) {
  std::string t(target);
  size_t colon = t.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == t.size())
    return Error(EINVAL, t + ": bad peer name format");
  std::string host = t.substr(0, colon), port = t.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    return Error(EINVAL, t + ": bad peer name format");
  int fd = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
    Error e = errno_error(t + ": connect");
    if (fd >= 0) ::close(fd);
    freeaddrinfo(res);
    return e;
  }
  freeaddrinfo(res);
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.syslog_target_fd >= 0) ::close(s.syslog_target_fd);
  s.syslog_target_fd = fd;
  return ok_status();
}

Status set_log_file(std::string_view path) {
  std::string name = path.empty() ? ovs_logdir() + "/" + program_name() + ".log"
                                  : std::string(path);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660);
  if (fd < 0) {
    Error e = errno_error("failed to open " + name + " for logging");
    VLOG_WARN("failed to open %s for logging: %s", name.c_str(),
              errno_string(e.code()).c_str());
    return e;
  }
  State& s = state();
  bool had_file;
  {
    std::lock_guard lock(s.mutex);
    struct stat a, b;
    if (s.log_fd >= 0 && fstat(s.log_fd, &a) == 0 && fstat(fd, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
      ::close(fd);  // already logging to this very file
      s.log_file_name = name;
      return ok_status();
    }
    had_file = s.log_fd >= 0;
  }
  if (had_file) VLOG_INFO("closing log file");
  {
    std::lock_guard lock(s.mutex);
    if (s.log_fd >= 0) ::close(s.log_fd);
    s.log_fd = fd;
    s.log_file_name = name;
  }
  VLOG_INFO("opened log file %s", name.c_str());
  return ok_status();
}

std::string log_file_name() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.log_file_name;
}

bool log_file_is_open() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.log_fd >= 0;
}

Status reopen_log_file() {
  std::string name = log_file_name();
  if (name.empty()) return ok_status();
  return set_log_file(name);
}

void close_log_file() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.log_fd >= 0) ::close(s.log_fd);
  s.log_fd = -1;
}

}  // namespace grebe::vlog
