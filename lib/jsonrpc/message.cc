// JSON-RPC message construction, validation and conversion (OVS's rules).
#include "grebe/jsonrpc/message.h"

#include <atomic>

namespace grebe::jsonrpc {

namespace {

std::atomic<long long> g_next_id{0};

// Validates presence of members for the message's type (OVS's patterns).
Status check_members(const Message& m, bool has_method, bool has_params, bool has_result,
                     bool has_error, bool has_id) {
  bool want_method = false, want_params = false, want_result = false, want_error = false,
       want_id = false;
  switch (m.type) {
    case Message::Type::kRequest: want_method = want_params = want_id = true; break;
    case Message::Type::kNotify: want_method = want_params = true; break;
    case Message::Type::kReply: want_result = want_id = true; break;
    case Message::Type::kError: want_error = want_id = true; break;
  }
  const std::string type = type_to_string(m.type);
  auto check = [&](bool have, bool want, const char* member) -> Status {
    if (have == want) return ok_status();
    return Error(EPROTO, type + " must" + (want ? "" : " not") + " have \"" + member + "\"");
  };
  GREBE_TRY(check(has_method, want_method, "method"));
  GREBE_TRY(check(has_params, want_params, "params"));
  GREBE_TRY(check(has_result, want_result, "result"));
  GREBE_TRY(check(has_error, want_error, "error"));
  GREBE_TRY(check(has_id, want_id, "id"));
  return ok_status();
}

}  // namespace

const char* type_to_string(Message::Type type) {
  switch (type) {
    case Message::Type::kRequest: return "request";
    case Message::Type::kNotify: return "notification";
    case Message::Type::kReply: return "reply";
    case Message::Type::kError: return "error";
  }
  return "(\?\?\?)";
}

Message Message::request(std::string method, Json params) {
  return request(std::move(method), std::move(params), Json(g_next_id.fetch_add(1)));
}

Message Message::request(std::string method, Json params, Json id) {
  Message m;
  m.type = Type::kRequest;
  m.method = std::move(method);
  m.params = std::move(params);
  m.id = std::move(id);
  return m;
}

Message Message::notify(std::string method, Json params) {
  Message m;
  m.type = Type::kNotify;
  m.method = std::move(method);
  m.params = std::move(params);
  return m;
}

Message Message::reply(Json result, Json id) {
  Message m;
  m.type = Type::kReply;
  m.result = std::move(result);
  m.id = std::move(id);
  return m;
}

Message Message::error_reply(Json error, Json id) {
  Message m;
  m.type = Type::kError;
  m.error = std::move(error);
  m.id = std::move(id);
  return m;
}

Result<Message> Message::from_json(Json json) {
  if (!json.is_object()) return Error(EPROTO, "message is not a JSON object");
  Message m;
  bool has_method = false;
  auto take = [&](const char* key, Json* out) {
    auto it = json.find(key);
    if (it == json.end()) return false;
    *out = std::move(*it);
    json.erase(it);
    return !out->is_null();  // null counts as absent
  };
  Json method;
  if (json.contains("method")) {
    take("method", &method);
    if (!method.is_string()) return Error(EPROTO, "method is not a JSON string");
    has_method = true;
  }
  bool has_params = take("params", &m.params);
  bool has_result = take("result", &m.result);
  bool has_error = take("error", &m.error);
  bool has_id = take("id", &m.id);
  if (!json.empty())
    return Error(EPROTO, "message has unexpected member \"" + json.begin().key() + "\"");
  if (has_method) m.method = method.get<std::string>();
  m.type = has_result ? Type::kReply
           : has_error ? Type::kError
           : has_id    ? Type::kRequest
                       : Type::kNotify;
  if (has_params && !m.params.is_array()) return Error(EPROTO, "\"params\" must be JSON array");
  GREBE_TRY(check_members(m, has_method, has_params, has_result, has_error, has_id));
  return m;
}

Json Message::to_json() const {
  Json j = Json::object();
  switch (type) {
    case Type::kRequest:
      j["method"] = method;
      j["params"] = params.is_null() ? Json::array() : params;
      j["id"] = id;
      break;
    case Type::kNotify:
      j["method"] = method;
      j["params"] = params.is_null() ? Json::array() : params;
      j["id"] = nullptr;
      break;
    case Type::kReply:
      j["result"] = result;
      j["error"] = nullptr;
      j["id"] = id;
      break;
    case Type::kError:
      j["result"] = nullptr;
      j["error"] = error;
      j["id"] = id;
      break;
  }
  return j;
}

std::string Message::to_string() const {
  // Invalid UTF-8 in strings is replaced rather than thrown about.
  return to_json().dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace grebe::jsonrpc
