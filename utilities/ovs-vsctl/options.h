// ovs-vsctl's command line: global options and "--"-separated commands.
#pragma once

#include <string>
#include <vector>

#include "ctl.h"

namespace grebe::vsctl {

struct Options {
  std::string db;
  bool wait_for_reload = true;
  bool dry_run = false;
  bool oneline = false;
  bool retry = false;
  bool leader_only = true;
  unsigned timeout = 0;  // -t/--timeout, else $OVS_CTL_TIMEOUT, else 0
  TableStyle style;
  std::string args;  // the command line, escaped, for the txn comment
};

// Parses argv; prints errors as OVS does and exits on failure (this is the
// program's top level).  Fills 'commands'.
void parse_command_line(int argc, char* argv[], Options* options,
                        std::vector<Command>* commands);
[[noreturn]] void fatal(const std::string& message);

}  // namespace grebe::vsctl
