#include "grebe/util/result.h"

#include <cstdio>

namespace grebe {

std::string errno_string(int code) {
  char buf[128];
  // GNU strerror_r may return a static string instead of filling buf.
  const char* s = strerror_r(code, buf, sizeof buf);
  return s;
}

std::string Error::to_string() const {
  if (message_.empty()) return errno_string(code_);
  if (code_ <= 0 || code_ >= 4096) return message_;
  return message_ + " (" + errno_string(code_) + ")";
}

Error errno_error(std::string context) {
  int code = errno;
  return Error(code, std::move(context));
}

}  // namespace grebe
