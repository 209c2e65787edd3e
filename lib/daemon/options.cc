// Daemon and logging command-line options (OVS's DAEMON_LONG_OPTIONS and
// VLOG_LONG_OPTIONS), usage and version text.
#include "grebe/daemon/options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "grebe/util/dirs.h"
#include "grebe/util/version.h"
#include "grebe/util/vlog.h"

namespace grebe::daemon {

std::vector<struct option> OptionParser::long_options() const {
  std::vector<struct option> v = {
      {"detach", no_argument, nullptr, kOptDetach},
      {"no-self-confinement", no_argument, nullptr, kOptNoSelfConfinement},
      {"no-chdir", no_argument, nullptr, kOptNoChdir},
      {"pidfile", optional_argument, nullptr, kOptPidfile},
      {"overwrite-pidfile", no_argument, nullptr, kOptOverwritePidfile},
      {"monitor", no_argument, nullptr, kOptMonitor},
      {"user", required_argument, nullptr, kOptUser},
      {"verbose", optional_argument, nullptr, 'v'},
      {"log-file", optional_argument, nullptr, kOptLogFile},
      {"syslog-method", required_argument, nullptr, kOptSyslogMethod},
      {"syslog-target", required_argument, nullptr, kOptSyslogTarget},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
  };
  if (with_unixctl_) v.push_back({"unixctl", required_argument, nullptr, kOptUnixctl});
  return v;
}

Result<OptionParser::Outcome> OptionParser::handle(int option, const char* arg) {
  switch (option) {
    case kOptDetach:
      opts_.detach = true;
      // A detached daemon has no terminal: OVS turns console logging off.
      vlog::set_levels(nullptr, vlog::Dest::kConsole, vlog::Level::kOff, false);
      break;
    case kOptNoSelfConfinement: break;  // SELinux/AppArmor hint; nothing to do
    case kOptNoChdir: opts_.chdir = false; break;
    case kOptPidfile:
      opts_.pidfile = arg ? abs_file_name(ovs_rundir(), arg) : default_pidfile();
      break;
    case kOptOverwritePidfile: opts_.overwrite_pidfile = true; break;
    case kOptMonitor: opts_.monitor = true; break;
    case kOptUser: opts_.user_spec = arg ? arg : ""; break;
    case 'v': GREBE_TRY(vlog::set_verbosity(arg)); break;
    case kOptLogFile: {
      Status s = vlog::set_log_file(arg ? arg : "");
      // As OVS: an explicitly named file that cannot be opened is fatal; the
      // default one is not (the failure was logged).
      if (!s.ok() && arg) return s.take_error();
      break;
    }
    case kOptSyslogMethod: {
      std::string_view m = arg ? arg : "";
      if (m != "libc" && m != "null" && !m.starts_with("udp:") && !m.starts_with("unix:"))
        return Error(EINVAL, "unsupported syslog method '" + std::string(m) + "'");
      if (m.starts_with("udp:")) GREBE_TRY(vlog::set_syslog_target(m.substr(4)));
      if (m == "null") setenv("OVS_SYSLOG_METHOD", "null", 1);
      break;
    }
    case kOptSyslogTarget: GREBE_TRY(vlog::set_syslog_target(arg ? arg : "")); break;
    case kOptUnixctl:
      if (!with_unixctl_) return Outcome::kNotMine;
      opts_.unixctl_path = arg ? arg : "";
      break;
    case 'h': return Outcome::kHelp;
    case 'V': return Outcome::kVersion;
    default: return Outcome::kNotMine;
  }
  return Outcome::kHandled;
}

Result<Options> parse_command_line(int argc, char* argv[], const std::string& usage_head,
                                   std::vector<std::string>* non_options) {
  OptionParser parser;
  std::vector<struct option> table = parser.long_options();
  table.push_back({nullptr, 0, nullptr, 0});
  std::string shorts = std::string("+") + OptionParser::kShortOptions;
  optind = 1;
  for (;;) {
    int c = getopt_long(argc, argv, shorts.c_str(), table.data(), nullptr);
    if (c == -1) break;
    if (c == '?') return Error(EINVAL, "");  // getopt already printed why
    auto outcome = parser.handle(c, optarg);
    if (!outcome.ok()) return outcome.take_error();
    switch (*outcome) {
      case OptionParser::Outcome::kHelp:
        std::printf("%s%s%s\nOther options:\n%s", usage_head.c_str(), daemon_usage().c_str(),
                    vlog_usage().c_str(), unixctl_usage().c_str());
        std::printf("  -h, --help              display this help message\n"
                    "  -V, --version           display version information\n");
        std::exit(EXIT_SUCCESS);
      case OptionParser::Outcome::kVersion:
        std::fputs(version_text().c_str(), stdout);
        std::exit(EXIT_SUCCESS);
      case OptionParser::Outcome::kNotMine:
        return Error(EINVAL, "unexpected option");
      case OptionParser::Outcome::kHandled: break;
    }
  }
  if (non_options) {
    for (int i = optind; i < argc; i++) non_options->emplace_back(argv[i]);
  } else if (optind < argc) {
    return Error(EINVAL, "too many arguments (use --help for help)");
  }
  return parser.options();
}

std::string version_line() {
  return program_name() + " (Open vSwitch) " + kOvsCompatVersion;
}

std::string version_text() {
  return version_line() + "\nGrebe " + kGrebeVersion + "\n";
}

std::string daemon_usage() {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "\nDaemon options:\n"
                "  --detach                run in background as daemon\n"
                "  --monitor               creates a process to monitor this daemon\n"
                "  --user=username[:group] changes the effective daemon user:group\n"
                "  --no-chdir              do not chdir to '/'\n"
                "  --pidfile[=FILE]        create pidfile (default: %s/%s.pid)\n"
                "  --overwrite-pidfile     with --pidfile, start even if already running\n",
                ovs_rundir().c_str(), program_name().c_str());
  return buf;
}

std::string vlog_usage() {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "\nLogging options:\n"
                "  -vSPEC, --verbose=SPEC   set logging levels\n"
                "  -v, --verbose            set maximum verbosity level\n"
                "  --log-file[=FILE]        enable logging to specified FILE\n"
                "                           (default: %s/%s.log)\n"
                "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
                "                           specify how to send messages to syslog daemon\n"
                "  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT via UDP\n",
                ovs_logdir().c_str(), program_name().c_str());
  return buf;
}

std::string unixctl_usage() {
  return "  --unixctl=SOCKET        override default control socket name\n";
}

}  // namespace grebe::daemon
