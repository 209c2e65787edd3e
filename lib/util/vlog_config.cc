// vlog configuration text: the -v / vlog/set spec language and the
// vlog/list, vlog/list-pattern tables, with OVS's words and layout.
#include <cstdio>
#include <optional>
#include <string>

#include "grebe/util/vlog.h"

namespace grebe::vlog {

namespace {

constexpr std::string_view kDelims = " ,:\t";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// strtok_r() over a string_view: returns the next word and leaves `rest`
// just past the delimiter that ended it (what OVS hands to PATTERN and
// FACILITY as "the rest of the spec").
std::optional<std::string_view> next_word(std::string_view& rest) {
  size_t start = rest.find_first_not_of(kDelims);
  if (start == std::string_view::npos) {
    rest = {};
    return std::nullopt;
  }
  size_t end = rest.find_first_of(kDelims, start);
  std::string_view word = rest.substr(start, end == std::string_view::npos ? end : end - start);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return word;
}

Status set_pattern_spec(std::string_view rest) {
  auto word = next_word(rest);
  if (!word) return Error(EINVAL, "missing destination");
  if (iequals(*word, "ANY")) {
    for (int d = 0; d < kNumDests; d++) set_pattern(static_cast<Dest>(d), rest);
    return ok_status();
  }
  auto dest = dest_from_name(*word);
  if (!dest.ok()) return Error(EINVAL, "unknown destination \"" + std::string(*word) + "\"");
  set_pattern(*dest, rest);
  return ok_status();
}

Status set_levels_spec(std::string_view rest) {
  Module* module = nullptr;
  std::optional<Level> level;
  std::optional<Dest> dest;
  while (auto word = next_word(rest)) {
    if (iequals(*word, "ANY")) continue;
    if (auto d = dest_from_name(*word); d.ok()) {
      if (dest) return Error(EINVAL, "cannot specify multiple destinations");
      dest = *d;
    } else if (auto l = level_from_name(*word); l.ok()) {
      if (level) return Error(EINVAL, "cannot specify multiple levels");
      level = *l;
    } else if (Module* m = find_module(*word)) {
      if (module) return Error(EINVAL, "cannot specify multiple modules");
      module = m;
    } else {
      return Error(EINVAL,
                   "no destination, level, or module \"" + std::string(*word) + "\"");
    }
  }
  set_levels(module, dest.value_or(Dest::kConsole), level.value_or(Level::kDbg),
             !dest.has_value());
  return ok_status();
}

}  // namespace

Status set_levels_from_string(std::string_view spec) {
  std::string_view rest = spec;
  std::string_view probe = rest;
  auto first = next_word(probe);
  if (first && iequals(*first, "PATTERN")) return set_pattern_spec(probe);
  if (first && iequals(*first, "FACILITY")) {
    if (!set_syslog_facility(probe)) return Error(EINVAL, "invalid facility");
    return ok_status();
  }
  return set_levels_spec(rest);
}

Status set_verbosity(const char* spec) {
  if (!spec) {
    set_levels(nullptr, Dest::kConsole, Level::kDbg, true);
    return ok_status();
  }
  Status s = set_levels_from_string(spec);
  if (!s.ok())
    return Error(EINVAL, "processing \"" + std::string(spec) + "\": " + s.error().message());
  return ok_status();
}

std::string list_levels() {
  std::string out =
      "                 console    syslog    file\n"
      "                 -------    ------    ------\n";
  auto upper = [](Level l) {
    std::string s = level_name(l);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  // all_modules() is sorted by name, which is the order OVS sorts lines in
  // (names are the only varying prefix).
  for (Module* m : all_modules()) {
    char line[256];
    std::snprintf(line, sizeof line, "%-16s  %4s       %4s       %4s", m->name(),
                  upper(m->level(Dest::kConsole)).c_str(),
                  upper(m->level(Dest::kSyslog)).c_str(), upper(m->level(Dest::kFile)).c_str());
    out += line;
    if (!m->honor_rate_limits()) out += "    (rate limiting disabled)";
    out += '\n';
  }
  return out;
}

std::string list_patterns() {
  std::string out =
      "         prefix                            format\n"
      "         ------                            ------\n";
  // OVS's destination order and upper-case names; only syslog(3) adds a prefix.
  struct Row {
    const char* name;
    const char* prefix;
    Dest dest;
  };
  const Row rows[] = {{"SYSLOG", "<%B> %D{%h %e %T} %E %A:", Dest::kSyslog},
                      {"CONSOLE", "none", Dest::kConsole},
                      {"FILE", "none", Dest::kFile}};
  for (const Row& r : rows) {
    char line[512];
    std::snprintf(line, sizeof line, "%-7s  %-32s  ", r.name, r.prefix);
    out += line;
    out += pattern(r.dest);
    out += '\n';
  }
  return out;
}

}  // namespace grebe::vlog
