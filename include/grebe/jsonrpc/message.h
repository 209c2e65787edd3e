// JSON-RPC 1.0 messages as OVS uses them (lib/jsonrpc.c):
//
//   request       {"method":M, "params":[...], "id":ID}
//   notification  {"method":M, "params":[...], "id":null}
//   reply         {"result":R, "error":null, "id":ID}
//   error         {"result":null, "error":E, "id":ID}
//
// A JSON null in any member counts as absent, as in OVS, and the type is
// inferred from which members are present.  nlohmann::json is the in-memory
// form at this edge.  Thread-safety: plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "grebe/util/result.h"

namespace grebe::jsonrpc {

using Json = nlohmann::json;

struct Message {
  enum class Type { kRequest, kNotify, kReply, kError };

  Type type = Type::kNotify;
  std::string method;  // request, notify
  Json params;         // request, notify: an array
  Json result;         // reply
  Json error;          // error
  Json id;             // request, reply, error

  // A request with a fresh process-wide integer id (0, 1, 2, ...).
  static Message request(std::string method, Json params);
  static Message request(std::string method, Json params, Json id);
  static Message notify(std::string method, Json params);
  static Message reply(Json result, Json id);
  static Message error_reply(Json error, Json id);

  // Validates and converts.  Errors (EPROTO) carry OVS's text: "message is
  // not a JSON object", "method is not a JSON string", "message has
  // unexpected member \"x\"", "\"params\" must be JSON array",
  // "request must have \"id\"", ...
  static Result<Message> from_json(Json json);
  Json to_json() const;
  // Compact JSON text (what goes on the wire).
  std::string to_string() const;
};

// "request", "notification", "reply", "error".
const char* type_to_string(Message::Type type);

}  // namespace grebe::jsonrpc
