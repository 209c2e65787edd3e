// Assertions for programming errors only.  Input from the network, OVSDB, a
// file or the kernel must never reach an assertion: validate it and return an
// Error instead.
#pragma once

namespace grebe::detail {
[[noreturn]] void assert_failed(const char* file, int line, const char* func,
                                const char* cond);
}  // namespace grebe::detail

#define GREBE_ASSERT(cond)                                                     \
  do {                                                                         \
    if (__builtin_expect(!(cond), 0))                                          \
      ::grebe::detail::assert_failed(__FILE__, __LINE__, __func__, #cond);     \
  } while (0)

#define GREBE_NOT_REACHED() \
  ::grebe::detail::assert_failed(__FILE__, __LINE__, __func__, "not reached")
