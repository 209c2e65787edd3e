// Parser: OVS-compatible validation of JSON object members.
#include "grebe/ovsdb/parser.h"

#include <cstdarg>
#include <cstdio>

#include "grebe/ovsdb/datum.h"

namespace grebe::ovsdb {

namespace {

unsigned type_bit(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return Parser::kNull;
    case Json::value_t::boolean: return j.get<bool>() ? Parser::kTrue : Parser::kFalse;
    case Json::value_t::object: return Parser::kObject;
    case Json::value_t::array: return Parser::kArray;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      // As OVS's parser classifies numbers: integral values within int64
      // are integers ("1.0" too), anything else is a real.
      return json_integer(j) ? Parser::kInteger : Parser::kReal;
    case Json::value_t::string: return Parser::kString;
    default: return 0;
  }
}

}  // namespace

Parser::Parser(const Json& json, std::string name)
    : json_(json.is_object() ? &json : nullptr), name_(std::move(name)) {
  if (!json_) raise("Object expected.");
}

const Json* Parser::member(const char* name, unsigned types) {
  if (!json_) return nullptr;
  auto it = json_->find(name);
  if (it == json_->end()) {
    if (!(types & kOptional)) raise("Required '%s' member is missing.", name);
    return nullptr;
  }
  const Json& value = *it;
  bool ok = (types & type_bit(value)) ||
            ((types & kId) && value.is_string() && is_id(value.get_ref<const std::string&>()));
  if (!ok) {
    raise("Type mismatch for member '%s'.", name);
    return nullptr;
  }
  used_.insert(name);
  return &value;
}

void Parser::raise(const char* fmt, ...) {
  if (error_) return;
  va_list args;
  va_start(args, fmt);
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  error_ = syntax_error(json_, nullptr, "Parsing %s failed: %s", name_.c_str(), buf);
}

void Parser::put_error(OvsdbError error) {
  if (!error_) error_ = std::move(error);
}

std::optional<OvsdbError> Parser::finish() {
  if (!error_ && json_) {
    size_t n_unused = json_->size() - used_.size();
    if (n_unused) {
      for (auto it = json_->begin(); it != json_->end(); ++it) {
        if (used_.count(it.key())) continue;
        if (n_unused > 1) {
          raise("Member '%s' and %zu other member%s are present but not allowed here.",
                it.key().c_str(), n_unused - 1, n_unused > 2 ? "s" : "");
        } else {
          raise("Member '%s' is present but not allowed here.", it.key().c_str());
        }
        break;
      }
    }
  }
  return error_;
}

}  // namespace grebe::ovsdb
