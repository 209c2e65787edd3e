// Private interfaces between lib/daemon source files.
#pragma once

#include <sys/types.h>

#include <string>

#include "grebe/daemon/daemon.h"
#include "grebe/util/vlog.h"

namespace grebe::daemon {

// Creates `path` holding our pid and keeps it locked for the life of the
// process.  Unless `overwrite`, fails with "PATH: already running as pid N,
// aborting" when a live daemon holds it.  Registers it for removal at exit.
Status make_pidfile(const std::string& path, bool overwrite);

// The "daemon_unix" log module shared by this library's files.
vlog::Module& daemon_unix_module();

// --user: resolves "USER[:GROUP]" (OVS's rules and messages), then switches
// to it keeping only `caps`.  Must run as root.
Status become_user(const std::string& spec, const Capabilities& caps);

}  // namespace grebe::daemon
