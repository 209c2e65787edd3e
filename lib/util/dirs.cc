#include "grebe/util/dirs.h"

#include <unistd.h>

#include <cstdlib>

namespace grebe {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : std::string(fallback);
}

std::string& program_name_storage() {
  static std::string name = "grebe";
  return name;
}

}  // namespace

std::string ovs_rundir() { return env_or("OVS_RUNDIR", "/var/run/openvswitch"); }
std::string ovs_logdir() { return env_or("OVS_LOGDIR", "/var/log/openvswitch"); }
std::string ovs_dbdir() {
  const char* v = std::getenv("OVS_DBDIR");
  if (v && *v) return v;
  return ovs_sysconfdir() + "/openvswitch";
}
std::string ovs_sysconfdir() { return env_or("OVS_SYSCONFDIR", "/etc"); }
std::string ovs_pkgdatadir() { return env_or("OVS_PKGDATADIR", "/usr/share/openvswitch"); }

void set_program_name(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  if (slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
  // libtool-style "lt-" prefixes never occur here, but OVS strips them too.
  if (argv0.starts_with("lt-")) argv0.remove_prefix(3);
  program_name_storage() = std::string(argv0);
}

const std::string& program_name() { return program_name_storage(); }

std::string abs_file_name(std::string_view dir, std::string_view file) {
  if (!file.empty() && file[0] == '/') return std::string(file);
  std::string base;
  if (!dir.empty()) {
    base = dir;
  } else {
    char buf[4096];
    if (getcwd(buf, sizeof buf)) base = buf;
  }
  if (!base.empty() && base.back() != '/') base += '/';
  return base + std::string(file);
}

}  // namespace grebe
