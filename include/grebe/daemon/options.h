// Command-line options shared by all daemons, spelled as OVS spells them:
//   --detach --no-chdir --pidfile[=FILE] --overwrite-pidfile --monitor
//   --user=USER[:GROUP] --no-self-confinement (accepted, no effect)
//   -v[SPEC] --verbose[=SPEC] --log-file[=FILE] --syslog-target=HOST:PORT
//   --syslog-method=METHOD --unixctl=SOCKET -h/--help -V/--version
//
// For getopt_long() mains: append long_options() to the program's own table,
// add kShortOptions to its short option string, and pass every option to
// handle() before the program's own switch.  Thread: main thread only.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

#include "grebe/daemon/daemon.h"
#include "grebe/util/result.h"

namespace grebe::daemon {

// getopt_long() values for the long-only options (clear of ASCII and of
// anything a program would pick for its own options).
enum OptionId : int {
  kOptDetach = 0x4000,
  kOptNoChdir,
  kOptPidfile,
  kOptOverwritePidfile,
  kOptMonitor,
  kOptUser,
  kOptNoSelfConfinement,
  kOptLogFile,
  kOptSyslogTarget,
  kOptSyslogMethod,
  kOptUnixctl,
};

class OptionParser {
 public:
  static constexpr const char* kShortOptions = "v::hV";

  // `with_unixctl`: whether --unixctl is accepted (ovs-vswitchd and
  // ovsdb-server take it; some daemons do not).
  explicit OptionParser(bool with_unixctl = true) : with_unixctl_(with_unixctl) {}

  // Our long options, without the terminating all-zero entry.
  std::vector<struct option> long_options() const;

  enum class Outcome { kNotMine, kHandled, kHelp, kVersion };
  // Applies one option from getopt_long().  -v and --log-file take effect at
  // once (as in OVS, so later options log as configured).  Errors carry
  // OVS's text, e.g. `processing "foo": no destination, level, or module
  // "foo"`.
  Result<Outcome> handle(int option, const char* arg);

  const Options& options() const { return opts_; }
  Options& options() { return opts_; }

 private:
  bool with_unixctl_;
  Options opts_;
};

// Parses a daemon with no options of its own (tests, small tools).  Prints
// usage / version itself and exits 0 for -h / -V; returns an Error (already
// in OVS's words) for anything bad; `non_options` receives the remaining
// arguments.
Result<Options> parse_command_line(int argc, char* argv[], const std::string& usage_head,
                                   std::vector<std::string>* non_options = nullptr);

// "PROGRAM (Open vSwitch) 3.1.0\n" followed by our own "Grebe X.Y.Z\n": what
// -V/--version prints.  version_line() is the first line alone (without
// newline), which the unixctl `version` command replies.
std::string version_text();
std::string version_line();

// OVS's "Daemon options:" and "Logging options:" usage sections.
std::string daemon_usage();
std::string vlog_usage();
std::string unixctl_usage();

}  // namespace grebe::daemon
