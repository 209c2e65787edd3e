// Flow modification requests (add-flow/mod-flows/del-flows) and the flow
// text syntax of ovs-ofctl(8): "table=1,priority=5,tcp,tp_dst=80,actions=..".
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

enum class FlowModCommand : uint8_t {
  kAdd = 0,
  kModify = 1,
  kModifyStrict = 2,
  kDelete = 3,
  kDeleteStrict = 4,
};

// Flow-mod flags (OVS's OFPUTIL_FF_*).
inline constexpr uint16_t kFfSendFlowRem = 1 << 0;
inline constexpr uint16_t kFfCheckOverlap = 1 << 1;
inline constexpr uint16_t kFfResetCounts = 1 << 2;
inline constexpr uint16_t kFfNoPktCounts = 1 << 3;
inline constexpr uint16_t kFfNoBytCounts = 1 << 4;

inline constexpr uint16_t kDefaultPriority = 0x8000;
inline constexpr uint32_t kOfpgAny = 0xffffffff;

struct FlowMod {
  Match match;
  uint16_t priority = kDefaultPriority;
  uint64_t cookie = 0;       // cookie to match (with cookie_mask)
  uint64_t cookie_mask = 0;
  uint64_t new_cookie = 0;   // cookie to set; ~0 = leave unchanged
  bool modify_cookie = false;
  uint8_t table_id = 0xff;   // 0xff = unspecified / all tables
  FlowModCommand command = FlowModCommand::kAdd;
  uint16_t idle_timeout = 0, hard_timeout = 0, importance = 0;
  uint32_t buffer_id = 0xffffffff;
  uint32_t out_port = kOfppNone;  // OFPP_ANY
  uint32_t out_group = kOfpgAny;
  uint16_t flags = 0;
  ActionList actions;
};

struct ParsedFlowMod {
  FlowMod fm;
  Protocols usable = kPAny;  // protocols able to express this flow_mod
};

// Parses a flow in ovs-ofctl syntax.  `command` is the command the caller
// implies (add-flow: kAdd); with `command_from_text` the string may start
// with add/modify/modify_strict/delete/delete_strict (add-flows files).
// Errors use OVS's text ("unknown keyword foo", "must specify an action").
Result<ParsedFlowMod> parse_flow_mod(std::string_view s, FlowModCommand command,
                                     const PortMap* ports = nullptr,
                                     bool command_from_text = false);

// Match as ovs-ofctl prints it (match_format()); priority printed unless
// it is the default.
std::string format_match(const Match& match, int priority, const PortMap* ports = nullptr);

// Drops match fields whose prerequisites the match does not establish
// (tp_dst without tcp ...), as encoding onto the wire does.
void match_normalize_prereqs(Match& match);

// The match/flow_mod after an encode+decode round trip in `protocol`, i.e.
// what ovs-ofctl prints back.
Match match_for_protocol(const Match& match, Protocols protocol);

// "OFPT_FLOW_MOD (OF1.3) (xid=0x1): ADD table:1 priority=5 actions=..."
// exactly as ovs-ofctl parse-flow / ofp-print print the message.
std::string format_flow_mod_message(const FlowMod& fm, Protocols protocol, uint32_t xid,
                                    const PortMap* ports = nullptr);

// What "ovs-ofctl parse-flow(s)" prints for already-parsed flows: the
// usable protocols, the first one among `allowed`, then each message.
// `error` is "no usable protocol" when none fits (out then holds only the
// first line, as ovs-ofctl prints it before failing).
struct ParseFlowsReport {
  std::string out;
  std::string error;
};
ParseFlowsReport report_parse_flows(const std::vector<FlowMod>& fms, Protocols usable,
                                    Protocols allowed, const PortMap* ports = nullptr);

}  // namespace grebe::openflow
