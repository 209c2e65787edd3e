// xlate: translation of a packet's Flow through the OpenFlow pipeline of
// one bridge into datapath actions (OVS_ACTION_ATTR_* netlink attributes)
// plus the megaflow mask: every bit of the flow the decision depended on.
//
// Translation never changes the OpenFlow tables.  Side effects it decides
// on (learn() flows, fin_timeout) are returned for the caller (the ofproto
// main thread) to apply.  Two side effects happen during translation, each
// through a thread-safe structure the hooks hand out: NORMAL learns source
// MACs (only with XlateIn::may_learn, see normal/mac_learning.h), and
// freezing (controller actions, ct(table=N)) registers states in the
// RecircRegistry (references returned in XlateOut::recirc_refs).
// A flow with recirc_id != 0 resumes the frozen state it names.
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

namespace grebe::normal {
class MacLearning;
struct NormalConfig;
}  // namespace grebe::normal

namespace grebe::xlate {

class RecircRegistry;

inline constexpr int kMaxResubmitDepth = 64;

// What translation needs from the bridge.  Implementations must be safe to
// call from the translating thread (upcall handlers, revalidators, the main
// thread for ofproto/trace); none may block.  Pointers returned stay valid
// for the whole translation (the caller pins the snapshot they belong to);
// translation never deletes or keeps them.
class XlateHooks {
 public:
  virtual ~XlateHooks() = default;
  // Datapath port of an OpenFlow port; nullopt if the port does not exist.
  virtual std::optional<uint32_t> odp_port(uint32_t ofp_port) const = 0;
  // OpenFlow ports FLOOD / ALL output to (ascending).  Default: none.
  virtual std::vector<uint32_t> flood_ports() const { return {}; }
  // NORMAL, the bridge's port VLAN configuration: an immutable snapshot
  // the bridge publishes.  nullptr: NORMAL uses normal() below instead.
  virtual const normal::NormalConfig* normal_config() const { return nullptr; }
  // NORMAL, the bridge's MAC table (thread-safe, see mac_learning.h).
  // nullptr: nothing is learned and every packet floods.
  virtual normal::MacLearning* mac_learning() const { return nullptr; }
  // NORMAL without normal_config() (a simplified bridge): appends OpenFlow
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
  // The datapath meter id of OpenFlow meter `meter_id`; nullopt if the
  // meter does not exist (the meter action is then skipped, as OVS does).
  // Default: identity.
  virtual std::optional<uint32_t> dp_meter_id(uint32_t meter_id) const { return meter_id; }
  // Where frozen states (controller actions, ct(table=N), recirculation)
  // are registered.  nullptr: controller actions carry recirc_id 0 (no
  // table id / userdata / metadata for the packet-in) and ct(table=N)
  // cannot recirculate (the packet is dropped with an error).
  virtual RecircRegistry* recirc_registry() const { return nullptr; }
  // Whether a table miss sends a packet-in (no_match) rather than dropping
  // (OpenFlow 1.0-1.2 controllers want that by default).
  virtual bool packet_in_on_miss(uint8_t /*table_id*/) const { return false; }
  // Patch port: if `ofp_port` is a patch port, the peer bridge to continue
  // translation in (its tables and hooks) and the peer port's OpenFlow
  // number.  The peer's hooks are used for everything inside the peer.
  struct PatchPeer {
    const ofproto::OfprotoTables* tables = nullptr;
    const XlateHooks* hooks = nullptr;
    std::string bridge;
    uint32_t ofp_port = 0;
  };
  virtual std::optional<PatchPeer> patch_peer(uint32_t /*ofp_port*/) const { return std::nullopt; }
  // skb_priority for OpenFlow queue `queue_id` (enqueue, set_queue);
  // nullopt if the datapath has no such queue.  Default: the Linux
  // datapath's mapping, TC_H_MAKE(1:0, queue_id + 1).
  virtual std::optional<uint32_t> queue_to_priority(uint32_t queue_id) const {
    return 0x10000u | (queue_id + 1);
  }
  // Whether flow sampling (IPFIX) is configured for this collector set:
  // sample actions do nothing otherwise, as in OVS.  Default: no.
  virtual bool flow_sample_enabled(uint32_t /*collector_set_id*/) const { return false; }
};

struct XlateIn {
  const ofproto::OfprotoTables* tables = nullptr;
  const XlateHooks* hooks = nullptr;
  std::string bridge = "br0";  // for the trace header
  Flow flow = make_flow();
  uint8_t table_id = 0;  // first table
  bool want_trace = false;
  // If set, these actions run instead of a lookup in `table_id` (a
  // packet_out's actions; fail-open's NORMAL).  Must outlive the call.
  const openflow::ActionList* actions = nullptr;
  // Side effects allowed: NORMAL learns source MACs (upcall handlers and
  // ofproto/trace -generate; not revalidators).
  bool may_learn = false;
};

// A source MAC that NORMAL learned (or would learn) in a translation: a
// revalidator replays these for flows that saw traffic, which keeps MACs
// behind megaflows from aging out (OVS's xlate cache XC_NORMAL).
struct MacLearnRecord {
  EthAddr mac{};
  uint16_t vlan = 0;
  uint32_t ofp_port = 0;
  bool is_grat_arp = false;
};

struct XlateOut {
  std::vector<uint8_t> odp_actions;           // empty = drop
  FlowWildcards wc;                           // the megaflow mask
  Flow final_flow = make_flow();              // the flow after all actions
  std::vector<openflow::FlowMod> learned;     // learn() side effects
  std::vector<const ofproto::OfRule*> rules;  // rules matched, in order
  std::string trace;                          // the table-by-table part of ofproto/trace
  std::string error;                          // "over max translation depth 64" etc., empty if none
  // NORMAL: what was learned, and the MAC table's change_seq() when it was
  // read.  A revalidator re-translates the flow when the table's current
  // seq differs (a MAC moved, aged out or was flushed).
  std::vector<MacLearnRecord> mac_learned;
  bool uses_mac_learning = false;
  uint64_t mac_seq = 0;
  // Recirculation ids this translation took a reference on (controller
  // actions, ct(table=N)).  The owner of the datapath flow (the ukey)
  // releases them with RecircRegistry::unref when the flow goes away.
  std::vector<uint32_t> recirc_refs;
  // fin_timeout actions seen: the caller applies them to the rule when the
  // packet has TCP FIN or RST (the packet's tcp_flags, not the flow's).
  struct FinTimeout {
    const ofproto::OfRule* rule;
    uint16_t idle, hard;
  };
  std::vector<FinTimeout> fin_timeouts;
  // SlowPathReason bits (odp_actions.h): the flow must be handled in
  // userspace for these reasons (e.g. kSlowAction for set(arp)).
  uint32_t slow = 0;
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
