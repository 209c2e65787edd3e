// Typed action builders and the user_action_cookie codec (grebe/odp/odp_put.h).
#include "grebe/odp/odp_put.h"

#include <linux/openvswitch.h>

#include <algorithm>
#include <cstring>

#include "action_private.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"

namespace grebe::odp {

namespace {

template <typename T>
T get(const uint8_t* c, size_t off) {
  T v;
  std::memcpy(&v, c + off, sizeof v);
  return v;
}
template <typename T>
void put(uint8_t* c, size_t off, T v) {
  std::memcpy(c + off, &v, sizeof v);
}

}  // namespace

std::vector<uint8_t> UserActionCookie::encode() const {
  std::vector<uint8_t> v(kUserActionCookieLen, 0);
  uint8_t* c = v.data();
  const size_t u = kCookieUnion;
  put<uint16_t>(c, kCookieType, static_cast<uint16_t>(type));
  put<uint16_t>(c, kCookieInPort, ofp_in_port);
  std::memcpy(c + kCookieUuid, ofproto_uuid.data(), 16);
  switch (type) {
    case UserActionCookieType::kSflow:
      store_be16(c + u, sflow_vlan_tci);
      put<uint32_t>(c, u + 4, sflow_output);
      break;
    case UserActionCookieType::kSlowPath:
      put<uint32_t>(c, u + 4, slow_path_reason);
      break;
    case UserActionCookieType::kFlowSample:
      put<uint16_t>(c, u, probability);
      put<uint32_t>(c, u + 4, collector_set_id);
      put<uint32_t>(c, u + 8, obs_domain_id);
      put<uint32_t>(c, u + 12, obs_point_id);
      put<uint32_t>(c, u + 16, output_odp_port);
      put<int32_t>(c, u + 20, direction);
      break;
    case UserActionCookieType::kIpfix:
      put<uint32_t>(c, u, output_odp_port);
      break;
    case UserActionCookieType::kController:
      c[u] = dont_send;
      c[u + 1] = continuation;
      put<uint16_t>(c, u + 2, controller_reason);
      put<uint32_t>(c, u + 4, recirc_id);
      store_be64(c + u + 8, rule_cookie);
      put<uint16_t>(c, u + 16, controller_id);
      put<uint16_t>(c, u + 18, max_len);
      break;
    case UserActionCookieType::kUnspec:
      break;
  }
  return v;
}

Result<UserActionCookie> UserActionCookie::decode(nl::Bytes userdata) {
  if (userdata.size() != kUserActionCookieLen) {
    return Error(EINVAL, "userspace action cookie has length " + std::to_string(userdata.size()) +
                             " (expected 48)");
  }
  const uint8_t* c = userdata.data();
  const size_t u = kCookieUnion;
  UserActionCookie k;
  uint16_t type = get<uint16_t>(c, kCookieType);
  if (type > static_cast<uint16_t>(UserActionCookieType::kController)) {
    return Error(EINVAL, "unknown userspace action cookie type " + std::to_string(type));
  }
  k.type = static_cast<UserActionCookieType>(type);
  k.ofp_in_port = get<uint16_t>(c, kCookieInPort);
  std::memcpy(k.ofproto_uuid.data(), c + kCookieUuid, 16);
  switch (k.type) {
    case UserActionCookieType::kSflow:
      k.sflow_vlan_tci = load_be16(c + u);
      k.sflow_output = get<uint32_t>(c, u + 4);
      break;
    case UserActionCookieType::kSlowPath:
      k.slow_path_reason = get<uint32_t>(c, u + 4);
      break;
    case UserActionCookieType::kFlowSample:
      k.probability = get<uint16_t>(c, u);
      k.collector_set_id = get<uint32_t>(c, u + 4);
      k.obs_domain_id = get<uint32_t>(c, u + 8);
      k.obs_point_id = get<uint32_t>(c, u + 12);
      k.output_odp_port = get<uint32_t>(c, u + 16);
      k.direction = get<int32_t>(c, u + 20);
      break;
    case UserActionCookieType::kIpfix:
      k.output_odp_port = get<uint32_t>(c, u);
      break;
    case UserActionCookieType::kController:
      k.dont_send = c[u];
      k.continuation = c[u + 1];
      k.controller_reason = get<uint16_t>(c, u + 2);
      k.recirc_id = get<uint32_t>(c, u + 4);
      k.rule_cookie = load_be64(c + u + 8);
      k.controller_id = get<uint16_t>(c, u + 16);
      k.max_len = get<uint16_t>(c, u + 18);
      break;
    case UserActionCookieType::kUnspec:
      break;
  }
  return k;
}

Status odp_put_userspace_action(uint32_t pid, nl::Bytes userdata,
                                std::optional<uint32_t> tunnel_out_port, bool include_actions,
                                nl::AttrBuilder& actions, size_t* userdata_offset) {
  if (userdata.size() > nl::kAttrMaxLen - nl::kAttrHdrLen) {
    return Error(E2BIG, "userspace action userdata too long");
  }
  size_t start = actions.size();
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_USERSPACE);
  actions.put_u32(OVS_USERSPACE_ATTR_PID, pid);
  size_t off =
      actions.put_uninit(OVS_USERSPACE_ATTR_USERDATA, std::max<size_t>(8, userdata.size()));
  if (!userdata.empty()) {
    std::memcpy(actions.mutable_data().data() + off, userdata.data(), userdata.size());
  }
  if (tunnel_out_port) actions.put_u32(OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, *tunnel_out_port);
  if (include_actions) actions.put_flag(OVS_USERSPACE_ATTR_ACTIONS);
  if (actions.size() - nest - nl::kAttrHdrLen > nl::kAttrMaxLen - nl::kAttrHdrLen) {
    actions.truncate(start);
    return Error(E2BIG, "userspace action too long");
  }
  actions.end_nested(nest);
  if (userdata_offset) *userdata_offset = off;
  return ok_status();
}

void odp_put_tunnel_action(const FlowTnl& tunnel, nl::AttrBuilder& actions) {
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_SET);
  put_tunnel_key(actions, tunnel);
  actions.end_nested(nest);
}

void odp_put_set_action(uint16_t key_type, nl::Bytes key, nl::AttrBuilder& actions) {
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_SET);
  actions.put_unspec(key_type, key);
  actions.end_nested(nest);
}

void odp_put_set_masked_action(uint16_t key_type, nl::Bytes key, nl::Bytes mask,
                               nl::AttrBuilder& actions) {
  size_t n = std::min(key.size(), mask.size());
  std::vector<uint8_t> both(2 * n);
  for (size_t i = 0; i < n; i++) {
    both[i] = key[i] & mask[i];
    both[n + i] = mask[i];
  }
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_SET_MASKED);
  actions.put_unspec(key_type, both.data(), both.size());
  actions.end_nested(nest);
}

void odp_put_push_vlan_action(uint16_t tpid, uint16_t tci, nl::AttrBuilder& actions) {
  uint8_t v[4];
  store_be16(v, tpid);
  store_be16(v + 2, tci);
  actions.put_unspec(OVS_ACTION_ATTR_PUSH_VLAN, v, sizeof v);
}

void odp_put_push_mpls_action(uint32_t lse, uint16_t ethertype, nl::AttrBuilder& actions) {
  uint8_t v[8] = {};
  store_be32(v, lse);
  store_be16(v + 4, ethertype);
  actions.put_unspec(OVS_ACTION_ATTR_PUSH_MPLS, v, sizeof v);
}

void odp_put_pop_mpls_action(uint16_t ethertype, nl::AttrBuilder& actions) {
  actions.put_be16(OVS_ACTION_ATTR_POP_MPLS, ethertype);
}

void odp_put_hash_action(uint32_t alg, uint32_t basis, nl::AttrBuilder& actions) {
  uint32_t v[2] = {alg, basis};
  actions.put_unspec(OVS_ACTION_ATTR_HASH, v, sizeof v);
}

}  // namespace grebe::odp
