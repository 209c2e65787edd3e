// The controller upcall: what a userspace(controller(...)) datapath action
// carries back to vswitchd, and how the upcall handler recovers the whole
// packet-in from it.
//
// The userdata is OVS's 48-byte user_action_cookie (odp_put.h), so
// `Datapath actions:` read exactly like OVS's.  The cookie holds the
// reason, max_len, controller id, rule cookie and a recirculation id; the
// recirculation id names a FrozenState (recirc.h) with the rest: the table
// the action ran in, the controller(userdata=...) bytes, the flow metadata
// at the time of the action (registers, metadata, in_port, tunnel) and,
// for pause, what to resume.  The packet itself arrives as modified by the
// actions before the controller action (translation commits them first).
//
// Pure functions, any thread.  decode_controller_upcall() locks the
// registry briefly.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_put.h"
#include "grebe/packet/flow.h"
#include "grebe/util/result.h"
#include "xlate/recirc.h"

namespace grebe::xlate {

// ofp_packet_in_reason as OVS numbers it internally.
enum PacketInReason : uint8_t {
  kOfprNoMatch = 0,
  kOfprAction = 1,
  kOfprInvalidTtl = 2,
  kOfprActionSet = 3,
  kOfprGroup = 4,
  kOfprPacketOut = 5,
  kOfprExplicitMiss = 6,  // controller action in a table-miss rule
  kOfprImplicitMiss = 7,  // the table-miss behaviour itself
};

struct ControllerUpcall {
  uint8_t reason = kOfprAction;
  uint16_t max_len = 0xffff;
  uint16_t controller_id = 0;
  uint8_t table_id = 0;
  uint64_t rule_cookie = 0;
  std::vector<uint8_t> userdata;
  bool pause = false;     // continuation: the handler must resume later
  bool dont_send = false;
  uint32_t recirc_id = 0;
  // The frozen state (nullptr when recirc_id is 0): metadata for the
  // packet-in's match, and for pause what to resume.
  std::shared_ptr<const FrozenState> frozen;
};

// The cookie bytes for a controller action.
std::vector<uint8_t> encode_controller_cookie(const ControllerUpcall& up, uint16_t ofp_in_port);

// Decodes the userdata of a userspace() upcall.  EINVAL if it is not a
// controller cookie; ENOENT if it names a recirculation id `registry` does
// not know (the flow was deleted meanwhile: drop the upcall).
Result<ControllerUpcall> decode_controller_upcall(nl::Bytes userdata,
                                                  const RecircRegistry* registry);

}  // namespace grebe::xlate
