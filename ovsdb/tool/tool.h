// ovsdb-tool internals shared by its source files.
#pragma once

#include <string>
#include <vector>

#include "grebe/ovsdb/error.h"

namespace grebe::ovsdb::tool {

// Prints "ovsdb-tool: <message>" on stderr and exits with status 1.
[[noreturn]] void fatal(const std::string& message);
// Exits via fatal() if 'st' failed, printing the error as OVS does.
void check(const OvsdbError* error);
template <typename R>
void check_result(const R& r) {
  if (!r.ok()) check(&r.error());
}

// "show-log": prints every record of 'file' at the given verbosity (-m count).
void show_log(const std::string& file, int verbosity);

}  // namespace grebe::ovsdb::tool
