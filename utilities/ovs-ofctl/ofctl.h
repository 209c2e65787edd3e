// ovs-ofctl internals: global options and the command table.
#pragma once

#include <string>
#include <vector>

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/result.h"

namespace grebe::ofctl {

struct Options {
  // OpenFlow versions enabled by -O (bit v = version v).  The Debian build
  // of ovs-ofctl enables only OpenFlow 1.0 unless -O says otherwise.
  uint32_t versions = 1u << openflow::kOfp10;
  openflow::Protocols allowed = openflow::kPAny;  // -F
  bool names = false;
  int verbosity = 0;
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

// Prints "ovs-ofctl: msg" to stderr and returns 1.
int fail(const std::string& msg);

}  // namespace grebe::ofctl
