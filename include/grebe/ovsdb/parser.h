// Parser: validates the members of a JSON object the way OVS does, so that
// error messages match ("Parsing <what> failed: Required 'x' member is
// missing.", "Type mismatch for member 'x'.", "Member 'y' is present but not
// allowed here.").  The first error raised wins.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "grebe/ovsdb/error.h"

namespace grebe::ovsdb {

class Parser {
 public:
  // Member type flags (combine with |).
  enum : unsigned {
    kNull = 1u << 0,
    kFalse = 1u << 1,
    kTrue = 1u << 2,
    kObject = 1u << 3,
    kArray = 1u << 4,
    kInteger = 1u << 5,
    kReal = 1u << 6,
    kString = 1u << 7,
    kId = 1u << 8,        // a string that is an <id>
    kOptional = 1u << 9,  // the member may be absent
    kBoolean = kFalse | kTrue,
    kNumber = kInteger | kReal,
    kAny = kNull | kFalse | kTrue | kObject | kArray | kInteger | kReal | kString,
  };

  // 'name' completes "Parsing <name> failed"; a non-object raises
  // "Object expected.".
  Parser(const Json& json, std::string name);

  // The member 'name' if present with an accepted type, else null (raising
  // an error unless it is absent and kOptional).
  const Json* member(const char* name, unsigned types);
  void raise(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  // Records 'error' unless an error is already recorded.
  void put_error(OvsdbError error);
  bool has_error() const { return error_.has_value(); }
  const std::optional<OvsdbError>& error() const { return error_; }
  // Checks for members that were not asked for, then returns the first error.
  std::optional<OvsdbError> finish();

 private:
  const Json* json_;  // null unless an object
  std::string name_;
  std::set<std::string> used_;
  std::optional<OvsdbError> error_;
};

}  // namespace grebe::ovsdb
