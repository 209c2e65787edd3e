// OVS-compatible lock files for databases.
#pragma once

#include <string>

#include "grebe/ovsdb/error.h"

namespace grebe::ovsdb {

// "<dir>/.<base>.~lock~", OVS's lock file name for 'file'.
std::string lockfile_name(const std::string& file);

// Takes the lock for 'file' without blocking and returns the lock file's
// descriptor (closing it releases the lock).  Fails with "I/O error:
// <file>: failed to lock lockfile (...)", after logging who holds it.
// Note: fcntl() locks belong to the process, so do not open and close
// another descriptor of the same lock file while holding it.
OResult<int> lock_file(const std::string& file);

}  // namespace grebe::ovsdb
