// ovs-dpctl: manages kernel datapaths from the command line (OVS's
// utilities/ovs-dpctl.c).  Every command is lib/dpctl; this file parses
// options and prints.  Exit status: 0 success, 1 failure.
#include <getopt.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "grebe/daemon/options.h"
#include "grebe/dpctl/dpctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

namespace {

using namespace grebe;

[[noreturn]] void usage() {
  const char* p = program_name().c_str();
  std::printf(
      "%s: Open vSwitch datapath management utility\n"
      "usage: %s [OPTIONS] COMMAND [ARG...]\n"
      "  add-dp DP [IFACE...]     add new datapath DP (with IFACEs)\n"
      "  del-dp DP                delete local datapath DP\n"
      "  add-if DP IFACE...       add each IFACE as a port on DP\n"
      "  set-if DP IFACE...       reconfigure each IFACE within DP\n"
      "  del-if DP IFACE...       delete each IFACE from DP\n"
      "  dump-dps                 display names of all datapaths\n"
      "  show                     show basic info on all datapaths\n"
      "  show DP...               show basic info on each DP\n"
      "  dump-flows [DP]          display flows in DP\n"
      "  add-flow [DP] FLOW ACTIONS add FLOW with ACTIONS to DP\n"
      "  add-flows [DP] FILE        add flows from FILE\n"
      "  mod-flow [DP] FLOW ACTIONS change FLOW actions to ACTIONS in DP\n"
      "  mod-flows [DP] FILE        change flows from FILE\n"
      "  get-flow [DP] ufid:UFID    fetch flow corresponding to UFID\n"
      "  del-flow [DP] FLOW         delete FLOW from DP\n"
      "  del-flows [DP] [FILE]      delete all or specified flows from DP\n"
      "Each IFACE on add-dp, add-if, and set-if may be followed by\n"
      "comma-separated options.  See ovs-dpctl(8) for syntax, or the\n"
      "Interface table in ovs-vswitchd.conf.db(5) for an options list.\n"
      "For COMMAND dump-flows, add-flow, add-flows, mod-flow,\n"
      "mod-flows, del-flow and del-flows, DP is optional if there is\n"
      "only one datapath.\n",
      p, p);
  std::printf(
      "\nLogging options:\n"
      "  -vSPEC, --verbose=SPEC   set logging levels\n"
      "  -v, --verbose            set maximum verbosity level\n"
      "  --log-file[=FILE]        enable logging to specified FILE\n"
      "                           (default: %s/%s.log)\n"
      "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
      "                           specify how to send messages to syslog daemon\n"
      "  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT via UDP\n",
      ovs_logdir().c_str(), p);
  std::printf(
      "\nOptions for show and mod-flow:\n"
      "  -s,  --statistics           print statistics for port or flow\n"
      "\nOptions for dump-flows:\n"
      "  -m, --more                  increase verbosity of output\n"
      "  --names                     use port names in output\n"
      "\nOptions for mod-flow:\n"
      "  --may-create                create flow if it doesn't exist\n"
      "  --read-only                 do not run read/write commands\n"
      "  --clear                     reset existing stats to zero\n"
      "\nOther options:\n"
      "  -t, --timeout=SECS          give up after SECS seconds\n"
      "  -h, --help                  display this help message\n"
      "  -V, --version               display version information\n");
  std::exit(EXIT_SUCCESS);
}

[[noreturn]] void fatal(const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", program_name().c_str(), msg.c_str());
  std::exit(EXIT_FAILURE);
}

enum {
  kOptClear = UCHAR_MAX + 1,
  kOptMayCreate,
  kOptReadOnly,
  kOptNames,
  kOptNoNames,
  kOptLogFile,
  kOptSyslogMethod,
  kOptSyslogTarget,
};

void parse_options(int argc, char* argv[], dpctl::Params& p) {
  static const option kLong[] = {
      {"statistics", no_argument, nullptr, 's'},
      {"clear", no_argument, nullptr, kOptClear},
      {"may-create", no_argument, nullptr, kOptMayCreate},
      {"read-only", no_argument, nullptr, kOptReadOnly},
      {"more", no_argument, nullptr, 'm'},
      {"names", no_argument, nullptr, kOptNames},
      {"no-names", no_argument, nullptr, kOptNoNames},
      {"timeout", required_argument, nullptr, 't'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"verbose", optional_argument, nullptr, 'v'},
      {"log-file", optional_argument, nullptr, kOptLogFile},
      {"syslog-method", required_argument, nullptr, kOptSyslogMethod},
      {"syslog-target", required_argument, nullptr, kOptSyslogTarget},
      {nullptr, 0, nullptr, 0},
  };
  bool set_names = false;
  int c;
  while ((c = getopt_long(argc, argv, "smt:hVv::", kLong, nullptr)) != -1) {
    switch (c) {
      case 's': p.print_statistics = true; break;
      case kOptClear: p.zero_statistics = true; break;
      case kOptMayCreate: p.may_create = true; break;
      case kOptReadOnly: p.read_only = true; break;
      case 'm': p.verbosity++; break;
      case kOptNames: p.names = true; set_names = true; break;
      case kOptNoNames: p.names = false; set_names = true; break;
      case 't': {
        char* end = nullptr;
        unsigned long secs = std::strtoul(optarg, &end, 10);
        if (!*optarg || *end || secs == 0 || secs > UINT_MAX) {
          fatal(std::string("value ") + optarg + " on -t or --timeout is invalid");
        }
        // Default SIGALRM action ends the process, as OVS's time_alarm().
        alarm(static_cast<unsigned>(secs));
        break;
      }
      case 'h': usage();
      case 'V':
        std::fputs(daemon::version_text().c_str(), stdout);
        std::exit(EXIT_SUCCESS);
      case 'v': {
        Status st = vlog::set_verbosity(optarg ? optarg : "");
        if (!st.ok()) fatal(st.error().message());
        break;
      }
      case kOptLogFile:
        if (!vlog::set_log_file(optarg ? optarg : "").ok()) std::exit(EXIT_FAILURE);
        break;
      case kOptSyslogMethod: break;  // accepted; we log to syslog through libc
      case kOptSyslogTarget: (void)vlog::set_syslog_target(optarg); break;
      default: std::exit(EXIT_FAILURE);  // getopt printed the complaint
    }
  }
  if (!set_names) p.names = p.verbosity > 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  set_program_name(argv[0]);
  std::signal(SIGPIPE, SIG_IGN);
  dpctl::Params p;
  parse_options(argc, argv, p);
  p.is_appctl = false;
  p.output = [](bool error, std::string_view msg) {
    std::fwrite(msg.data(), 1, msg.size(), error ? stderr : stdout);
  };
  p.usage = usage;
  std::vector<std::string> args(argv + optind, argv + argc);
  auto host = dpctl::make_system_datapath_host();
  int error = dpctl::run_command(*host, args, p);
  return error ? EXIT_FAILURE : EXIT_SUCCESS;
}
