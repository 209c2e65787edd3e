// ovs-ofctl internals: global options and the command table.
#pragma once

#include <string>
#include <vector>

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/result.h"

namespace grebe::ofctl {

// One --sort/--rsort criterion.
struct SortKey {
  std::string field;
  bool descending = false;
};

struct Options {
  // OpenFlow versions enabled by -O (bit v = version v).  The Debian build
  // of ovs-ofctl enables only OpenFlow 1.0 unless -O says otherwise.
  uint32_t versions = 1u << openflow::kOfp10;
  openflow::Protocols allowed = openflow::kPAny;  // -F
  bool names = false;
  int verbosity = 0;
  bool show_stats = true;           // --no-stats clears
  bool strict = false;              // --strict
  bool bundle = false;              // --bundle: flow/group changes in one atomic bundle
  std::vector<SortKey> sort_keys;   // --sort / --rsort
};

// Runs an offline command; returns the process exit status.  Errors print
// "ovs-ofctl: MESSAGE" on stderr as OVS does.
using CommandFn = int (*)(const Options& opts, const std::vector<std::string>& args);

struct Command {
  const char* name;
  int min_args;
  int max_args;
  CommandFn fn;
};

// The offline commands (parse-flow, parse-flows, ...).
const std::vector<Command>& offline_commands();

// The commands that talk to a switch (show, dump-flows, add-flow, ...).
const std::vector<Command>& online_commands();

// Prints the error of opening a switch connection ("ovs-ofctl: br0: ...")
// as OVS words it ("X is not a bridge or a socket" carries no errno);
// returns 1.
int open_error(const Error& e);

// Prints "ovs-ofctl: msg" to stderr and returns 1.
int fail(const std::string& msg);

}  // namespace grebe::ofctl
