// vlog patterns: renders one message with an OVS log pattern.
//
// The conversions and their padding rules are OVS's (ovs-appctl(8), "LOG
// PATTERN"): %[-][0][WIDTH]C where C is one of
//   A program name      B RFC 5424 priority (facility + severity)
//   c module name       d/D local/UTC time, optional {strftime format}
//   E host name         m the message (trailing newlines trimmed)
//   N message serial    n newline
//   p level (EMER..)    P process id
//   r msecs since start t/T thread name ("main" / "(name)" or nothing)
// Any other character after % (including %) is copied.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "grebe/util/clock.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "vlog_internal.h"

namespace grebe::vlog {

namespace {

// Start of the process, for %r.  Static-init time is close enough to OVS's
// "boot" time (it records it at the first time read).
const long long g_boot_msec = time_msec();

thread_local std::string t_subprogram_name;

// Bounds a field width so a typo in a pattern cannot exhaust memory.
constexpr size_t kMaxWidth = 1024;

std::string upper_level_name(Level level) {
  std::string s = level_name(level);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// strftime() plus OVS's extension: a run of '#' becomes the milliseconds
// (first three digits, then zeros).
std::string strftime_msec(const std::string& fmt, long long when, bool utc) {
  time_t secs = static_cast<time_t>(when / 1000);
  int msec = static_cast<int>(when % 1000);
  if (msec < 0) msec += 1000;
  struct tm tm;
  if (utc) {
    gmtime_r(&secs, &tm);
  } else {
    localtime_r(&secs, &tm);
  }
  std::string out;
  if (fmt.empty()) return out;
  size_t cap = 64;
  for (;;) {
    out.resize(cap);
    size_t n = strftime(out.data(), cap, fmt.c_str(), &tm);
    if (n > 0 || cap > 4096) {
      out.resize(n);
      break;
    }
    cap *= 2;
  }
  char digits[8];
  std::snprintf(digits, sizeof digits, "%03d", msec);
  for (size_t i = 0; i < out.size(); i++) {
    if (out[i] != '#') continue;
    const char* d = digits;
    while (i < out.size() && out[i] == '#') out[i++] = *d ? *d++ : '0';
  }
  return out;
}

// Reads an optional "{...}" argument at `p`, advancing past it.
std::string fetch_braces(std::string_view pattern, size_t& p, const char* def) {
  if (p < pattern.size() && pattern[p] == '{') {
    size_t close = pattern.find('}', p + 1);
    if (close == std::string_view::npos) close = pattern.size();
    std::string arg(pattern.substr(p + 1, close - p - 1));
    p = close + 1 > pattern.size() ? pattern.size() : close + 1;
    return arg;
  }
  return def;
}

std::string host_name() {
  char buf[256];
  if (gethostname(buf, sizeof buf) != 0) return {};
  buf[sizeof buf - 1] = '\0';
  return buf;
}

struct Message {
  const Module& module;
  Level level;
  unsigned seq;
  long long wall_msec;
  std::string_view text;
};

// Appends the expansion of conversion `conv` (pattern[p-1]) to `s`.
void expand(std::string_view pattern, size_t& p, char conv, const Message& m,
            std::string& s) {
  switch (conv) {
    case 'A': s += program_name(); break;
    case 'B': {
      int facility = syslog_facility_value();
      if (!facility) facility = 16 << 3;  // LOG_LOCAL0, RFC 5424's default
      s += std::to_string(facility + syslog_severity(m.level));
      break;
    }
    case 'c':
      fetch_braces(pattern, p, "");
      s += m.module.name();
      break;
    case 'd':
    case 'D':
      s += strftime_msec(fetch_braces(pattern, p, "%Y-%m-%d %H:%M:%S.###"), m.wall_msec,
                         conv == 'D');
      break;
    case 'E': s += host_name(); break;
    case 'm': {
      std::string_view t = m.text;
      while (!t.empty() && t.back() == '\n') t.remove_suffix(1);
      s += t;
      break;
    }
    case 'N': s += std::to_string(m.seq); break;
    case 'n': s += '\n'; break;
    case 'p': s += upper_level_name(m.level); break;
    case 'P': s += std::to_string(static_cast<long>(getpid())); break;
    case 'r': s += std::to_string(time_msec() - g_boot_msec); break;
    case 't': s += t_subprogram_name.empty() ? "main" : t_subprogram_name; break;
    case 'T':
      if (!t_subprogram_name.empty()) s += "(" + t_subprogram_name + ")";
      break;
    default: s += conv; break;
  }
}

}  // namespace

void set_subprogram_name(std::string_view name) { t_subprogram_name = name; }
const std::string& subprogram_name() { return t_subprogram_name; }

std::string format_pattern(std::string_view pattern, const Module& module, Level level,
                           unsigned seq, long long wall_msec, std::string_view msg) {
  const Message m{module, level, seq, wall_msec, msg};
  std::string s;
  s.reserve(pattern.size() + msg.size() + 64);
  size_t p = 0;
  while (p < pattern.size()) {
    if (pattern[p] != '%') {
      s += pattern[p++];
      continue;
    }
    p++;
    bool left = false;
    char pad = ' ';
    if (p < pattern.size() && pattern[p] == '-') {
      left = true;
      p++;
    }
    if (p < pattern.size() && pattern[p] == '0') {
      pad = '0';
      p++;
    }
    size_t width = 0;
    while (p < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[p])))
      width = std::min<size_t>(width * 10 + static_cast<size_t>(pattern[p++] - '0'),
                               kMaxWidth);
    if (p >= pattern.size()) break;  // a lone trailing '%' expands to nothing
    size_t start = s.size();
    char conv = pattern[p++];
    expand(pattern, p, conv, m, s);
    size_t used = s.size() - start;
    if (used < width) {
      if (left) {
        s.append(width - used, pad);
      } else {
        s.insert(start, width - used, pad);
      }
    }
  }
  return s;
}

std::string format_message(Dest dest, const Module& module, Level level, unsigned seq,
                           long long wall_msec, std::string_view msg) {
  return format_pattern(pattern(dest), module, level, seq, wall_msec, msg);
}

}  // namespace grebe::vlog
