// Controller cookie encoding and packet-in recovery.
#include "xlate/upcall_cookie.h"

#include <cerrno>

namespace grebe::xlate {

std::vector<uint8_t> encode_controller_cookie(const ControllerUpcall& up, uint16_t ofp_in_port) {
  odp::UserActionCookie c;
  c.type = odp::UserActionCookieType::kController;
  c.ofp_in_port = ofp_in_port;
  c.dont_send = up.dont_send;
  c.continuation = up.pause;
  c.controller_reason = up.reason;
  c.recirc_id = up.recirc_id;
  c.rule_cookie = up.rule_cookie;
  c.controller_id = up.controller_id;
  c.max_len = up.max_len;
  return c.encode();
}

Result<ControllerUpcall> decode_controller_upcall(nl::Bytes userdata,
                                                  const RecircRegistry* registry) {
  auto c = odp::UserActionCookie::decode(userdata);
  if (!c.ok()) return c.error();
  if (c->type != odp::UserActionCookieType::kController)
    return Error(EINVAL, "userspace cookie is not a controller cookie");
  ControllerUpcall up;
  up.reason = static_cast<uint8_t>(c->controller_reason);
  up.max_len = c->max_len;
  up.controller_id = c->controller_id;
  up.rule_cookie = c->rule_cookie;
  up.pause = c->continuation;
  up.dont_send = c->dont_send;
  up.recirc_id = c->recirc_id;
  if (up.recirc_id) {
    up.frozen = registry ? registry->find(up.recirc_id) : nullptr;
    if (!up.frozen)
      return Error(ENOENT, "unknown recirculation id " + std::to_string(up.recirc_id));
    up.table_id = up.frozen->table_id;
    up.userdata = up.frozen->userdata;
  }
  return up;
}

}  // namespace grebe::xlate
