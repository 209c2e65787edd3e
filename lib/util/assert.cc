#include "grebe/util/assert.h"

#include <cstdio>
#include <cstdlib>

#include "grebe/util/dirs.h"

namespace grebe::detail {

void assert_failed(const char* file, int line, const char* func, const char* cond) {
  std::fprintf(stderr, "%s: %s:%d: %s: assertion %s failed\n",
               program_name().c_str(), file, line, func, cond);
  std::fflush(stderr);
  std::abort();
}

}  // namespace grebe::detail
