// Errors as values.
//
// Result<T> holds either a T or an Error.  Error carries an errno-style code
// (0 is never an error) and a human-readable message in OVS's style.  Domain
// modules (OpenFlow, OVSDB) define their own error types and use
// Result<T, TheirError>.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "grebe/util/assert.h"

namespace grebe {

class [[nodiscard]] Error {
 public:
  Error() = default;
  // `code` is a positive errno value (EINVAL, EAGAIN, ...) or a module code.
  explicit Error(int code, std::string message = {})
      : code_(code), message_(std::move(message)) {}

  int code() const { return code_; }
  const std::string& message() const { return message_; }

  // "message (strerror)" if both present, else whichever exists.
  std::string to_string() const;

  bool would_block() const { return code_ == EAGAIN || code_ == EWOULDBLOCK; }

 private:
  int code_ = EINVAL;
  std::string message_;
};

// Builds an Error from errno at the call site.
Error errno_error(std::string context);
// strerror() as a std::string, thread-safe.
std::string errno_string(int code);

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(const T& value) : v_(std::in_place_index<0>, value) {}
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(const E& error) : v_(std::in_place_index<1>, error) {}
  Result(E&& error) : v_(std::in_place_index<1>, std::move(error)) {}
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, E> &&
             !std::is_same_v<std::decay_t<U>, Result>)
  Result(U&& value) : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    GREBE_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    GREBE_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    GREBE_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const {
    GREBE_ASSERT(!ok());
    return std::get<1>(v_);
  }
  E&& take_error() {
    GREBE_ASSERT(!ok());
    return std::get<1>(std::move(v_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(const E& error) : error_(error), failed_(true) {}
  Result(E&& error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const E& error() const {
    GREBE_ASSERT(failed_);
    return error_;
  }
  E&& take_error() {
    GREBE_ASSERT(failed_);
    return std::move(error_);
  }

 private:
  E error_{};
  bool failed_ = false;
};

using Status = Result<void>;
inline Status ok_status() { return Status(); }

}  // namespace grebe

// Propagates a failed Result from the enclosing function.
#define GREBE_TRY(expr)                        \
  do {                                         \
    auto _grebe_r = (expr);                    \
    if (!_grebe_r.ok()) return _grebe_r.take_error(); \
  } while (0)
