// xlate: translation of a packet's Flow through the OpenFlow pipeline of
// one bridge into datapath actions (OVS_ACTION_ATTR_* netlink attributes)
// plus the megaflow mask: every bit of the flow the decision depended on.
//
// Translation is a pure function of the tables, the hooks and the flow: it
// never changes the tables.  Side effects it decides on (learned flows) are
// returned for the caller (the ofproto main thread) to apply.
//
// Threads: any thread that may read the tables (upcall handlers,
// revalidators, ofproto/trace on the main thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"
#include "ofproto/ofproto_tables.h"

namespace grebe::xlate {

inline constexpr int kMaxResubmitDepth = 64;

// What translation needs from the bridge.  Implementations must be safe to
// call from the translating thread; none may block.
class XlateHooks {
 public:
  virtual ~XlateHooks() = default;
  // Datapath port of an OpenFlow port; nullopt if the port does not exist.
  virtual std::optional<uint32_t> odp_port(uint32_t ofp_port) const = 0;
  // OpenFlow ports FLOOD / ALL output to (ascending).  Default: none.
  virtual std::vector<uint32_t> flood_ports() const { return {}; }
  // The NORMAL action (MAC learning, written later): appends OpenFlow
  // output ports for `flow` and ORs what it looked at into `wc`.  Default:
  // drop.
  virtual void normal(const Flow& /*flow*/, FlowWildcards* /*wc*/,
                      std::vector<uint32_t>* /*out_ports*/) const {}
  // The group table: the group with this id, or nullptr.
  virtual const openflow::GroupMod* group(uint32_t /*group_id*/) const { return nullptr; }
  // Fast-failover liveness of an OpenFlow port.  Default: every port is up.
  virtual bool port_is_live(uint32_t /*ofp_port*/) const { return true; }
  // Netlink pid of the handler to receive userspace() upcalls.
  virtual uint32_t upcall_pid() const { return 0; }
};

struct XlateIn {
  const ofproto::OfprotoTables* tables = nullptr;
  const XlateHooks* hooks = nullptr;
  std::string bridge = "br0";  // for the trace header
  Flow flow = make_flow();
  uint8_t table_id = 0;  // first table
  bool want_trace = false;
};

struct XlateOut {
  std::vector<uint8_t> odp_actions;           // empty = drop
  FlowWildcards wc;                           // the megaflow mask
  Flow final_flow = make_flow();              // the flow after all actions
  std::vector<openflow::FlowMod> learned;     // learn() side effects
  std::vector<const ofproto::OfRule*> rules;  // rules matched, in order
  std::string trace;                          // the table-by-table part of ofproto/trace
  std::string error;                          // "over max translation depth 64" etc., empty if none
};

// Translates `in.flow`.  Never fails: problems (loops, depth) end the
// translation with a drop and set `error`, as OVS does.
XlateOut xlate_actions(const XlateIn& in);

// The whole ofproto/trace text for a translation, as OVS prints it:
// "Flow: ...\n\nbridge(\"br0\")\n-------------\n<trace>\nFinal flow: ...\n
// Megaflow: ...\nDatapath actions: ...\n".
std::string format_trace(const XlateIn& in, const XlateOut& out);

// A flow in ofproto/trace's syntax (match_format of an exact flow).
std::string format_flow_for_trace(const Flow& flow);

}  // namespace grebe::xlate
