// OvsdbError construction and OVS-compatible JSON text.
#include "grebe/ovsdb/error.h"

#include <cstdarg>
#include <cstdio>

namespace grebe::ovsdb {

namespace {

std::string vformat(const char* fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(n > 0 ? size_t(n) : 0, '\0');
  if (n > 0) vsnprintf(out.data(), out.size() + 1, fmt, args);
  return out;
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void put_string(std::string& out, const std::string& s) {
  out += '"';
  // Copy runs of plain bytes at once: most strings need no escaping.
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s, start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        char buf[8];
        snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(s, start, std::string::npos);
  out += '"';
}

void serialize(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(j.get<int64_t>()); break;
    case Json::value_t::number_unsigned: {
      // Beyond int64, OVS's parser has made the number a real.
      uint64_t v = j.get<uint64_t>();
      if (v <= uint64_t(INT64_MAX)) {
        out += std::to_string(v);
      } else {
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", double(v));
        out += buf;
      }
      break;
    }
    case Json::value_t::number_float: {
      char buf[64];
      snprintf(buf, sizeof buf, "%.15g", j.get<double>());
      out += buf;
      break;
    }
    case Json::value_t::string: put_string(out, j.get_ref<const std::string&>()); break;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : j) {
        if (!first) out += ',';
        first = false;
        serialize(out, e);
      }
      out += ']';
      break;
    }
    case Json::value_t::object: {
      // nlohmann's default object is a std::map: already sorted bytewise,
      // which is the order OVS's JSSF_SORT produces.
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ',';
        first = false;
        put_string(out, it.key());
        out += ':';
        serialize(out, it.value());
      }
      out += '}';
      break;
    }
    default: out += "null"; break;
  }
}

std::string retval_string(int e) { return e == EOF ? "End of file" : errno_string(e); }

}  // namespace

Json OvsdbError::to_json() const {
  Json j = Json::object();
  j["error"] = tag;
  if (!details.empty()) j["details"] = details;
  if (!syntax.empty()) j["syntax"] = syntax;
  if (errno_value) j["io-error"] = retval_string(errno_value);
  return j;
}

std::string OvsdbError::to_string() const {
  std::string s;
  if (!syntax.empty()) s += "syntax \"" + syntax + "\": ";
  s += tag;
  if (!details.empty()) s += ": " + details;
  if (errno_value) s += " (" + retval_string(errno_value) + ")";
  return s;
}

OvsdbError make_error(const char* tag, const char* fmt, ...) {
  OvsdbError e;
  e.tag = tag ? tag : "ovsdb error";
  va_list args;
  va_start(args, fmt);
  e.details = vformat(fmt, args);
  va_end(args);
  return e;
}

OvsdbError syntax_error(const Json* json, const char* tag, const char* fmt, ...) {
  OvsdbError e;
  e.tag = tag ? tag : "syntax error";
  va_list args;
  va_start(args, fmt);
  e.details = vformat(fmt, args);
  va_end(args);
  if (json) e.syntax = json_to_string(*json);
  return e;
}

OvsdbError io_error(int errno_value, const char* fmt, ...) {
  OvsdbError e;
  e.tag = "I/O error";
  e.errno_value = errno_value;
  va_list args;
  va_start(args, fmt);
  e.details = vformat(fmt, args);
  va_end(args);
  return e;
}

OvsdbError wrap_error(OvsdbError error, const std::string& context) {
  error.details = error.details.empty() ? context : context + ": " + error.details;
  return error;
}

std::string json_to_string(const Json& json) {
  std::string out;
  serialize(out, json);
  return out;
}

void append_json(std::string& out, const Json& json) { serialize(out, json); }

std::optional<int64_t> json_integer(const Json& json) {
  switch (json.type()) {
    case Json::value_t::number_integer: return json.get<int64_t>();
    case Json::value_t::number_unsigned: {
      uint64_t v = json.get<uint64_t>();
      if (v > uint64_t(INT64_MAX)) return std::nullopt;
      return int64_t(v);
    }
    case Json::value_t::number_float: {
      double d = json.get<double>();
      // [-2^63, 2^63): the doubles that convert to int64 exactly.
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == double(int64_t(d))) {
        return int64_t(d);
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

const char* json_type_name(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return json.get<bool>() ? "true" : "false";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    default: return "number";
  }
}

}  // namespace grebe::ovsdb
