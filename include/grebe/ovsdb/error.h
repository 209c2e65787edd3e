// OVSDB errors as values, in RFC 7047's shape.
//
// An OvsdbError carries the RFC 7047 error tag ("syntax error", "constraint
// violation", "referential integrity violation", ...), a human-readable
// details string, and optionally the offending JSON (compact, sorted keys),
// exactly the fields OVS reports.  to_json() yields the <error> object sent
// to clients; to_string() yields the text OVS tools print.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "grebe/util/result.h"

namespace grebe::ovsdb {

using Json = nlohmann::json;

struct OvsdbError {
  std::string tag = "ovsdb error";
  std::string details;
  std::string syntax;  // offending JSON; empty when there is none
  int errno_value = 0;  // nonzero for I/O errors

  // {"error":tag,"details":...,"syntax":...,"io-error":...}
  Json to_json() const;
  // 'syntax "<json>": <tag>: <details> (<strerror>)', as OVS prints it.
  std::string to_string() const;
};

template <typename T>
using OResult = Result<T, OvsdbError>;
using OStatus = Result<void, OvsdbError>;

// printf-style constructors.  A null tag means "ovsdb error".
OvsdbError make_error(const char* tag, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
// A null tag means "syntax error"; 'json' (may be null) becomes 'syntax'.
OvsdbError syntax_error(const Json* json, const char* tag, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
OvsdbError io_error(int errno_value, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));
// Prefixes the details with "<context>: ", keeping tag and syntax.
OvsdbError wrap_error(OvsdbError error, const std::string& context);

// Compact JSON with sorted keys, OVS's JSSF_SORT serialization (numbers
// formatted as OVS formats them: reals with %.17g).
std::string json_to_string(const Json& json);
// Appends json_to_string(json) to 'out' (no temporary string).
void append_json(std::string& out, const Json& json);
// The value of 'json' if OVS's JSON parser would read it as an integer: an
// integer literal within int64, or a number written with a fraction or
// exponent whose value is integral (OVS reads "1.0" and "1e2" as integers).
std::optional<int64_t> json_integer(const Json& json);

// The JSON type name OVS uses in messages: "null", "false", "true",
// "object", "array", "number", "string".
const char* json_type_name(const Json& json);

}  // namespace grebe::ovsdb
