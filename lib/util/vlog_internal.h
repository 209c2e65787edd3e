// Private glue between the vlog source files (not a public header).
#pragma once

#include <string_view>

#include "grebe/util/vlog.h"

namespace grebe::vlog {

// Writes one composed message to `dest` if that destination is active
// (console: always; syslog: always; file: only while a log file is open).
// Thread-safe.  Never logs (it is the logger).
void emit(Dest dest, const Module& module, Level level, unsigned seq, long long wall,
          std::string_view msg);

// Syslog severity (LOG_*) for a level, as OVS maps them.
int syslog_severity(Level level);
// The configured facility (LOG_* facility value), 0 if never set.
int syslog_facility_value();

}  // namespace grebe::vlog
