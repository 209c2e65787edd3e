// ovs-vswitchd: the switch daemon.  Reads its configuration from the
// Open_vSwitch database and runs the bridges it describes, with the command
// line and control commands of OVS 3.1's ovs-vswitchd.
#include <getopt.h>
#include <sys/mman.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/event/event_loop.h"
#include "grebe/stream/ssl.h"
#include "grebe/stream/stream.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/version.h"
#include "grebe/util/vlog.h"
#include "main/switch_daemon.h"

VLOG_DEFINE_THIS_MODULE(vswitchd);

namespace {

using namespace grebe;

enum {
  kOptMlockall = 0x5000,
  kOptEnableDummy,
  kOptDisableSystem,
  kOptDisableSystemRoute,
  kOptBootstrapCaCert,
  kOptPeerCaCert,
  kOptSslProtocols,
  kOptSslCiphers,
  kOptDpdk,
  kOptHwRxqBind,
};

struct VswitchdOptions {
  daemon::Options daemon;
  std::string remote;
  bridge::DummyMode dummy = bridge::DummyMode::kNone;
  bool mlockall = false;
  std::map<std::string, std::string> ssl;
};

[[noreturn]] void usage() {
  std::printf(
      "%s: Open vSwitch daemon\n"
      "usage: %s [OPTIONS] [DATABASE]\n"
      "where DATABASE is a socket on which ovsdb-server is listening\n"
      "      (default: \"unix:%s/db.sock\").\n",
      program_name().c_str(), program_name().c_str(), ovs_rundir().c_str());
  std::fputs(stream::stream_usage("DATABASE", true, false, true).c_str(), stdout);
  std::fputs(daemon::daemon_usage().c_str(), stdout);
  std::fputs(daemon::vlog_usage().c_str(), stdout);
  std::printf(
      "\nDPDK options:\n"
      "Configuration of DPDK via command-line is removed from this\n"
      "version of Open vSwitch. DPDK is configured through ovsdb.\n"
      "\nOther options:\n"
      "  --unixctl=SOCKET          override default control socket name\n"
      "  -h, --help                display this help message\n"
      "  -V, --version             display version information\n");
  std::exit(EXIT_SUCCESS);
}

bool handle_own_option(int c, const char* arg, VswitchdOptions& o) {
  switch (c) {
    case kOptMlockall: o.mlockall = true; return true;
    case kOptEnableDummy:
      if (!arg || !*arg) o.dummy = bridge::DummyMode::kAdd;
      else if (!std::strcmp(arg, "override")) o.dummy = bridge::DummyMode::kOverride;
      else if (!std::strcmp(arg, "system")) o.dummy = bridge::DummyMode::kAdd;
      else daemon::fatal(std::string("unknown --enable-dummy option ") + arg);
      return true;
    case kOptDisableSystem:
    case kOptDisableSystemRoute: return true;
    case 'p': o.ssl["private-key"] = arg; return true;
    case 'c': o.ssl["certificate"] = arg; return true;
    case 'C': o.ssl["ca-cert"] = arg; return true;
    case kOptBootstrapCaCert: o.ssl["bootstrap-ca-cert"] = arg; return true;
    case kOptPeerCaCert: o.ssl["peer-ca-cert"] = arg; return true;
    case kOptSslProtocols: o.ssl["ssl-protocols"] = arg; return true;
    case kOptSslCiphers: o.ssl["ssl-ciphers"] = arg; return true;
    case kOptDpdk:
      daemon::fatal("Using --dpdk to configure DPDK is not supported.");
    case kOptHwRxqBind: return true;
    default: return false;
  }
}

VswitchdOptions parse_options(int argc, char* argv[]) {
  VswitchdOptions o;
  daemon::OptionParser parser(true);
  std::vector<struct option> longs = {
      {"mlockall", no_argument, nullptr, kOptMlockall},
      {"enable-dummy", optional_argument, nullptr, kOptEnableDummy},
      {"disable-system", no_argument, nullptr, kOptDisableSystem},
      {"disable-system-route", no_argument, nullptr, kOptDisableSystemRoute},
      {"private-key", required_argument, nullptr, 'p'},
      {"certificate", required_argument, nullptr, 'c'},
      {"ca-cert", required_argument, nullptr, 'C'},
      {"bootstrap-ca-cert", required_argument, nullptr, kOptBootstrapCaCert},
      {"peer-ca-cert", required_argument, nullptr, kOptPeerCaCert},
      {"ssl-protocols", required_argument, nullptr, kOptSslProtocols},
      {"ssl-ciphers", required_argument, nullptr, kOptSslCiphers},
      {"dpdk", optional_argument, nullptr, kOptDpdk},
      {"hw-rxq-bind", required_argument, nullptr, kOptHwRxqBind},
  };
  for (const auto& opt : parser.long_options()) longs.push_back(opt);
  longs.push_back({nullptr, 0, nullptr, 0});
  std::string shorts = std::string("p:c:C:") + daemon::OptionParser::kShortOptions;
  for (;;) {
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == '?') std::exit(EXIT_FAILURE);
    if (handle_own_option(c, optarg, o)) continue;
    auto outcome = parser.handle(c, optarg);
    if (!outcome.ok()) daemon::fatal(outcome.error().message());
    switch (*outcome) {
      case daemon::OptionParser::Outcome::kHelp: usage();
      case daemon::OptionParser::Outcome::kVersion:
        std::fputs(daemon::version_text().c_str(), stdout);
        std::exit(EXIT_SUCCESS);
      case daemon::OptionParser::Outcome::kHandled: break;
      case daemon::OptionParser::Outcome::kNotMine: std::abort();
    }
  }
  int n = argc - optind;
  if (n == 0) {
    o.remote = "unix:" + ovs_rundir() + "/db.sock";
  } else if (n == 1) {
    o.remote = argv[optind];
  } else {
    daemon::fatal("at most one non-option argument accepted; use --help for usage");
  }
  o.daemon = parser.options();
  return o;
}

}  // namespace

int main(int argc, char* argv[]) {
  set_program_name(argv[0]);
  VswitchdOptions opts = parse_options(argc, argv);
  for (const auto& [name, value] : opts.ssl) {
    Status st;
    stream::ssl_handle_option(name, value, &st);
  }
  if (Status s = daemon::daemonize_start(opts.daemon); !s.ok()) daemon::fatal(s.error().message());
  if (opts.mlockall && ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    VLOG_ERR("mlockall failed: %s", std::strerror(errno));
  }

  event::EventLoop loop;
  event::SignalWatcher signals(loop);
  daemon::handle_signals(loop, signals);

  auto ctl = unixctl::Server::create(loop, opts.daemon.unixctl_path);
  if (!ctl.ok()) daemon::fatal(ctl.error().to_string());
  unixctl::register_builtin_commands(loop, [&loop] { loop.stop(); });

  VLOG_INFO("%s", daemon::version_line().c_str());
  VLOG_INFO("ovs-vswitchd (Grebe) %s", kGrebeVersion);
  vswitchd::SwitchDaemon sw(loop, opts.remote, opts.dummy);
  daemon::daemonize_complete();
  loop.run();
  VLOG_INFO("ovs-vswitchd (Grebe) exiting");
  return 0;
}
