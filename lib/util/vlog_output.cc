// vlog output: destinations, patterns, the log file, and -v parsing.
// FIRST CUT: console only with the default pattern; completed by the
// foundation work (syslog, file, patterns, reopen, option parsing).
#include <cstdio>
#include <ctime>
#include <mutex>

#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

namespace grebe::vlog {

namespace {
std::mutex g_output_mutex;
std::string g_log_file_name;

std::string upper(const char* s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::toupper(c));
  return r;
}
}  // namespace

std::string format_message(Dest dest, const Module& module, Level level, unsigned seq,
                           long long wall_msec, std::string_view msg) {
  char ts[64] = "";
  time_t secs = wall_msec / 1000;
  struct tm tm;
  gmtime_r(&secs, &tm);
  if (dest == Dest::kFile) {
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03lldZ|", wall_msec % 1000);
  } else if (dest == Dest::kConsole) {
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ|", &tm);
  } else {
    std::snprintf(ts, sizeof ts, "ovs|");
  }
  char head[128];
  std::snprintf(head, sizeof head, "%05u|%s|%s|", seq, module.name(),
                upper(level_name(level)).c_str());
  return std::string(ts) + head + std::string(msg);
}

void emit(Dest dest, const Module& module, Level level, unsigned seq, long long wall,
          std::string_view msg) {
  if (dest != Dest::kConsole) return;
  std::string line = format_message(dest, module, level, seq, wall, msg);
  line += '\n';
  std::lock_guard lock(g_output_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

Status set_levels_from_string(std::string_view) { return Error(ENOSYS, "not yet"); }
Status set_log_file(std::string_view) { return Error(ENOSYS, "not yet"); }
const std::string& log_file_name() { return g_log_file_name; }
Status reopen_log_file() { return ok_status(); }
void close_log_file() {}
void set_pattern(Dest, std::string_view) {}
void set_syslog_facility(std::string_view) {}
std::string list_levels() { return {}; }

}  // namespace grebe::vlog
