// ovs-appctl: sends one command to a running daemon's control socket and
// prints the reply.  Options, messages and exit codes are OVS's:
//   0 success, 1 usage/connection failure, 2 the server reported an error.
#include <getopt.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/jsonrpc/connection.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(fatal_signal);

namespace {

using namespace grebe;

// --timeout expiry: say so the way OVS's fatal_signal module does, then die
// of the signal.  Only async-signal-tolerable calls here (no allocation, no
// locks); the main thread is blocked waiting for the reply.
void on_alarm(int signo) {
  if (vlog_this_module_.level(vlog::Dest::kConsole) >= vlog::Level::kWarn) {
    char ts[32] = "";
    time_t now = time(nullptr);
    struct tm tm;
    if (gmtime_r(&now, &tm)) strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char line[160];
    int n = std::snprintf(line, sizeof line,
                          "%s|00001|fatal_signal|WARN|terminating with signal %d (%s)\n", ts,
                          signo, sigdescr_np(signo));
    if (n > 0) (void)!write(STDERR_FILENO, line, static_cast<size_t>(n));
  }
  std::signal(signo, SIG_DFL);
  raise(signo);
}

// OVS's ovs_error()/ovs_fatal(): "PROGRAM: message[ (strerror)]".
std::string retval_string(int code) {
  return code == jsonrpc::kEof ? "End of file" : errno_string(code);
}

[[noreturn]] void fatal(int code, const std::string& msg) {
  std::fprintf(stderr, "%s: %s", program_name().c_str(), msg.c_str());
  if (code) std::fprintf(stderr, " (%s)", retval_string(code).c_str());
  std::fputc('\n', stderr);
  std::exit(EXIT_FAILURE);
}

[[noreturn]] void usage() {
  const char* p = program_name().c_str();
  std::printf(
      "%s, for querying and controlling Open vSwitch daemon\n"
      "usage: %s [TARGET] COMMAND [ARG...]\n"
      "Targets:\n"
      "  -t, --target=TARGET  pidfile or socket to contact\n"
      "Common commands:\n"
      "  list-commands      List commands supported by the target\n"
      "  version            Print version of the target\n"
      "  vlog/list          List current logging levels\n"
      "  vlog/list-pattern  List logging patterns for each destination.\n"
      "  vlog/set [SPEC]\n"
      "      Set log levels as detailed in SPEC, which may include:\n"
      "      A valid module name (all modules, by default)\n"
      "      'syslog', 'console', 'file' (all destinations, by default))\n"
      "      'off', 'emer', 'err', 'warn', 'info', or 'dbg' ('dbg', bydefault)\n"
      "  vlog/reopen        Make the program reopen its log file\n"
      "Other options:\n"
      "  --timeout=SECS     wait at most SECS seconds for a response\n"
      "  -h, --help         Print this helpful information\n"
      "  -V, --version      Display ovs-appctl version information\n",
      p, p);
  std::exit(EXIT_SUCCESS);
}

enum { kOptLogFile = UCHAR_MAX + 1, kOptSyslogMethod, kOptSyslogTarget };

const struct option kLongOptions[] = {
    {"target", required_argument, nullptr, 't'},
    {"execute", no_argument, nullptr, 'e'},
    {"help", no_argument, nullptr, 'h'},
    {"option", no_argument, nullptr, 'o'},
    {"version", no_argument, nullptr, 'V'},
    {"timeout", required_argument, nullptr, 'T'},
    {"verbose", optional_argument, nullptr, 'v'},
    {"log-file", optional_argument, nullptr, kOptLogFile},
    {"syslog-method", required_argument, nullptr, kOptSyslogMethod},
    {"syslog-target", required_argument, nullptr, kOptSyslogTarget},
    {nullptr, 0, nullptr, 0},
};

void print_options() {
  for (const struct option* o = kLongOptions; o->name; o++) {
    const char* arg = o->has_arg == required_argument ? "ARG" : "[ARG]";
    std::printf("--%s%s%s\n", o->name, o->has_arg ? "=" : "", o->has_arg ? arg : "");
    if (o->val > 0 && o->val <= UCHAR_MAX) std::printf("-%c %s\n", o->val, o->has_arg ? arg : "");
  }
}

bool parse_uint(const char* s, unsigned* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(s, &end, 10);
  if (errno || end == s || *end || *s == '-' || v > UINT_MAX) return false;
  *out = static_cast<unsigned>(v);
  return true;
}

// Returns the target (default "ovs-vswitchd"); leaves optind at the command.
std::string parse_command_line(int argc, char* argv[]) {
  const char* target = nullptr;
  int e_options = 0;
  unsigned timeout = 0;
  for (;;) {
    int c = getopt_long(argc, argv, "+t:eho VT:v::", kLongOptions, nullptr);
    if (c == -1) break;
    switch (c) {
      case 't':
        if (target) fatal(0, "-t or --target may be specified only once");
        target = optarg;
        break;
      case 'e':
        // Accepted for compatibility: old versions took the command as -e's
        // argument, which still works because the command follows anyway.
        if (e_options++) fatal(0, "-e or --execute may be speciifed only once");
        break;
      case 'h': usage();
      case 'o': print_options(); std::exit(EXIT_SUCCESS);
      case 'T':
        if (!parse_uint(optarg, &timeout) || !timeout)
          fatal(0, std::string("value ") + optarg + " on -T or --timeout is invalid");
        break;
      case 'V': std::fputs(daemon::version_text().c_str(), stdout); std::exit(EXIT_SUCCESS);
      case 'v': {
        Status s = vlog::set_verbosity(optarg);
        if (!s.ok()) fatal(0, s.error().message());
        break;
      }
      case kOptLogFile:
        if (!vlog::set_log_file(optarg ? optarg : "").ok() && optarg) std::exit(EXIT_FAILURE);
        break;
      case kOptSyslogMethod: break;  // nothing is sent to syslog by a short-lived tool
      case kOptSyslogTarget: (void)vlog::set_syslog_target(optarg); break;
      case '?': std::exit(EXIT_FAILURE);
      default: std::exit(EXIT_FAILURE);
    }
  }
  if (!timeout) {
    const char* env = std::getenv("OVS_CTL_TIMEOUT");
    if (env && *env) parse_uint(env, &timeout);
  }
  // As OVS: the default SIGALRM action ends a tool that waits too long.
  if (timeout) {
    std::signal(SIGALRM, on_alarm);
    alarm(timeout);
  }
  if (optind >= argc) fatal(0, "at least one non-option argument is required (use --help for help)");
  return target ? target : "ovs-vswitchd";
}

// The socket of the daemon whose pidfile is DIR/NAME.pid: DIR/NAME.PID.ctl.
std::string socket_from_pidfile(const std::string& dir, const std::string& name) {
  std::string pidfile = dir + "/" + name + ".pid";
  auto pid = daemon::read_pidfile(pidfile);
  if (!pid.ok()) fatal(pid.error().code(), "cannot read pidfile \"" + pidfile + "\"");
  return dir + "/" + name + "." + std::to_string(*pid) + ".ctl";
}

// TARGET is a program name (its pidfile in the run directory names the
// socket), an absolute socket path, or (an extension over OVS 3.1) an
// absolute pidfile path ending in ".pid".
std::unique_ptr<unixctl::Client> connect_to_target(const std::string& target) {
  std::string socket_name;
  if (target[0] != '/') {
    socket_name = socket_from_pidfile(ovs_rundir(), target);
  } else if (target.size() > 4 && target.ends_with(".pid")) {
    size_t slash = target.rfind('/');
    socket_name = socket_from_pidfile(target.substr(0, slash),
                                      target.substr(slash + 1, target.size() - slash - 5));
  } else {
    socket_name = target;
  }
  auto client = unixctl::Client::connect(socket_name);
  if (!client.ok()) fatal(client.error().code(), "cannot connect to \"" + socket_name + "\"");
  return std::move(*client);
}

}  // namespace

int main(int argc, char* argv[]) {
  set_program_name(argv[0]);
  // A one-shot tool warns on the console only (OVS's default for tools).
  vlog::set_levels(nullptr, vlog::Dest::kConsole, vlog::Level::kWarn, false);
  vlog::set_levels(nullptr, vlog::Dest::kSyslog, vlog::Level::kOff, false);
  std::string target = parse_command_line(argc, argv);
  auto client = connect_to_target(target);
  std::string command = argv[optind++];
  std::vector<std::string> args(argv + optind, argv + argc);
  auto response = client->transact(command, args);
  if (!response.ok()) fatal(response.error().code(), target + ": transaction error");
  if (response->is_error) {
    client.reset();
    std::fputs(response->body.c_str(), stderr);
    std::fprintf(stderr, "%s: %s: server returned an error\n", program_name().c_str(),
                 target.c_str());
    return 2;
  }
  std::fputs(response->body.c_str(), stdout);
  return 0;
}
