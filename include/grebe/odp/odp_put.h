// Typed builders for datapath actions, for the translation layer (xlate)
// and the upcall handlers, plus the user_action_cookie that userspace()
// actions carry back to vswitchd.
//
// Pure functions on caller-owned buffers: safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/packet/flow.h"
#include "grebe/util/result.h"

namespace grebe::odp {

// OVS's struct user_action_cookie, decoded.  Which members matter depends
// on `type`; the rest stay zero.  Encoded it is exactly 48 bytes.
struct UserActionCookie {
  UserActionCookieType type = UserActionCookieType::kUnspec;
  uint16_t ofp_in_port = 0xffff;           // OFPP_NONE
  std::array<uint8_t, 16> ofproto_uuid{};  // the bridge's ofproto
  // kSflow
  uint16_t sflow_vlan_tci = 0;
  uint32_t sflow_output = 0;
  // kSlowPath
  uint32_t slow_path_reason = 0;  // SlowPathReason bits
  // kFlowSample
  uint16_t probability = 0;
  uint32_t collector_set_id = 0;
  uint32_t obs_domain_id = 0;
  uint32_t obs_point_id = 0;
  uint32_t output_odp_port = 0;  // also kIpfix
  int32_t direction = 0;         // 0 default, 1 ingress, 2 egress
  // kController
  bool dont_send = false;
  bool continuation = false;
  uint16_t controller_reason = 0;
  uint32_t recirc_id = 0;
  uint64_t rule_cookie = 0;  // host order
  uint16_t controller_id = 0;
  uint16_t max_len = 0;

  std::vector<uint8_t> encode() const;
  // Decodes a userdata payload; EINVAL unless it is exactly 48 bytes.
  static Result<UserActionCookie> decode(nl::Bytes userdata);
};

// OVS_ACTION_ATTR_USERSPACE with PID, USERDATA (padded to at least 8 bytes,
// as old kernels require), optional EGRESS_TUN_PORT and ACTIONS flag.
// `userdata_offset`, if non-null, receives the offset of the userdata
// payload in `actions` (to patch it later, as xlate does).  E2BIG if the
// result does not fit in a netlink attribute.
Status odp_put_userspace_action(uint32_t pid, nl::Bytes userdata,
                                std::optional<uint32_t> tunnel_out_port, bool include_actions,
                                nl::AttrBuilder& actions, size_t* userdata_offset = nullptr);

// set(tunnel(...)) for an output tunnel (OVS's odp_put_tunnel_action).
void odp_put_tunnel_action(const FlowTnl& tunnel, nl::AttrBuilder& actions);
// OVS_ACTION_ATTR_SET with one key attribute.
void odp_put_set_action(uint16_t key_type, nl::Bytes key, nl::AttrBuilder& actions);
// OVS_ACTION_ATTR_SET_MASKED: key then mask, same length; key bits outside
// the mask are cleared as the kernel requires.
void odp_put_set_masked_action(uint16_t key_type, nl::Bytes key, nl::Bytes mask,
                               nl::AttrBuilder& actions);
void odp_put_push_vlan_action(uint16_t tpid, uint16_t tci, nl::AttrBuilder& actions);
void odp_put_push_mpls_action(uint32_t lse, uint16_t ethertype, nl::AttrBuilder& actions);
void odp_put_pop_mpls_action(uint16_t ethertype, nl::AttrBuilder& actions);
void odp_put_hash_action(uint32_t alg, uint32_t basis, nl::AttrBuilder& actions);

}  // namespace grebe::odp
