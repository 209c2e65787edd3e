// Private: command table lookups for the server.
#pragma once

#include <optional>
#include <string>

#include "grebe/unixctl/unixctl.h"
#include "grebe/util/vlog.h"

namespace grebe::unixctl {

struct Command {
  std::optional<std::string> usage;
  int min_args;
  int max_args;
  Handler handler;
};

// A copy of the command, so it can run without holding the table lock.
std::optional<Command> find_command(std::string_view name);

// The shared "unixctl" log module.
grebe::vlog::Module& unixctl_vlog_module();

}  // namespace grebe::unixctl
