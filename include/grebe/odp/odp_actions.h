// Datapath actions: OVS_ACTION_ATTR_* netlink attributes <-> the text of
// `ovs-dpctl dump-flows` ("actions:push_vlan(vid=100,pcp=0),2") and
// `dpctl/add-flow`.
//
// Pure functions: safe from any thread, never block.  The formatter accepts
// any bytes (malformed actions print as OVS prints them: "bad length ...",
// "action<N>(..)", "***N leftover bytes***").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_key.h"
#include "grebe/util/result.h"

namespace grebe::odp {

// Userspace-datapath-only action types, numbered as OVS 3.1 numbers them
// after OVS_ACTION_ATTR_ADD_MPLS (the kernel never sees them; note that
// newer kernels reuse 24 for OVS_ACTION_ATTR_DEC_TTL).
inline constexpr uint16_t kActionTunnelPush = 24;  // tnl_push(...)
inline constexpr uint16_t kActionTunnelPop = 25;   // tnl_pop(port)
inline constexpr uint16_t kActionDrop = 26;        // explicit drop, u32 xlate_error
inline constexpr uint16_t kActionLbOutput = 27;    // lb_output(bond-id)

// Parses datapath actions ("1,2", "push_vlan(vid=1,pcp=0),2", "drop", ...)
// and appends them to `actions`.  Errors: EINVAL "syntax error at <rest of
// input>" (OVS's parser only returns the errno; dpctl prints "parsing
// actions (Invalid argument)"), or E2BIG if the actions do not fit in one
// netlink attribute.  On error `actions` is unchanged.
Status odp_actions_from_string(std::string_view s, nl::AttrBuilder& actions,
                               const PortNameMap* port_names = nullptr);

// Formats actions; an empty list prints as "drop".
// With `port_names`, output ports print as names where known.
std::string format_odp_actions(nl::Bytes actions, const PortNoNames* port_names = nullptr);
void format_odp_actions(std::string& out, nl::Bytes actions,
                        const PortNoNames* port_names = nullptr);

// The 48-byte userdata OVS's ofproto puts in userspace() actions
// (struct user_action_cookie), so its text form round-trips.
enum class UserActionCookieType : uint16_t {
  kUnspec = 0,
  kSflow = 1,
  kSlowPath = 2,
  kFlowSample = 3,
  kIpfix = 4,
  kController = 5,
};
inline constexpr size_t kUserActionCookieLen = 48;

// Slow-path reasons (OVS's SLOW_* bits) and their names.
enum SlowPathReason : uint32_t {
  kSlowCfm = 1 << 0,
  kSlowBfd = 1 << 1,
  kSlowLacp = 1 << 2,
  kSlowStp = 1 << 3,
  kSlowLldp = 1 << 4,
  kSlowAction = 1 << 5,
  kSlowMatch = 1 << 6,
};
const char* slow_path_reason_to_string(uint32_t reason);

}  // namespace grebe::odp
