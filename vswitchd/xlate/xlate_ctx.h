// Internal: the state of one translation, shared by the action families.
#pragma once

#include <list>
#include <string>

#include "grebe/netlink/attr.h"
#include "grebe/openflow/actions.h"
#include "xlate/xlate.h"

namespace grebe::xlate {

struct FrozenState;

// ofproto/trace's tree (OVS's oftrace_node): rendered at the end with
// OVS's indentation rules (format_trace_tree in xlate.cc).
enum class TraceType { kAction, kDetail, kWarn, kError, kBridge, kTable, kBucket };
struct TraceNode {
  TraceType type;
  std::string text;
  std::list<TraceNode> subs;
};
std::string format_trace_tree(const std::list<TraceNode>& nodes, int level);

struct XlateCtx {
  XlateCtx(const XlateIn& i, XlateOut& o, const Flow& f, const Flow& b)
      : in(i), out(o), flow(f), base(b), tables(i.tables), hooks(i.hooks), bridge(i.bridge) {}
  const XlateIn& in;
  XlateOut& out;
  Flow flow;  // what the OpenFlow actions want the packet to be
  Flow base;  // what the datapath actions emitted so far made it
  nl::AttrBuilder odp;
  // The bridge being translated (changes across patch ports).
  const ofproto::OfprotoTables* tables;
  const XlateHooks* hooks;
  std::string bridge;
  int depth = 0;
  uint8_t cur_table = 0;            // table of the rule being executed
  const ofproto::OfRule* rule = nullptr;  // the rule being executed
  bool exit = false;                // exit action / error: stop everything
  bool stop_list = false;           // end the current action list (TTL exception)
  bool action_set_done = false;
  bool frozen = false;              // a paused controller action froze the rest     // check_pkt_larger already ran the action set
  bool in_action_set = false;
  bool in_group = false;
  bool conntracked = false;         // a ct() ran in this translation
  std::list<TraceNode> trace_root;
  std::list<TraceNode>* trace_cur = &trace_root;  // where nodes are appended
  openflow::ActionList action_set;  // write_actions
  uint64_t rule_cookie = 0;

  // Appends a trace node to the current level: " -> x" is a detail,
  // " >> x" a warning, " >>>> x <<<<" an error, anything else an action.
  void trace_line(const std::string& s);
  // An OVS OFT_ERROR trace node.
  void trace_error(const std::string& s) { trace_line(" >>>> " + s + " <<<<"); }
  // Appends a node and makes its children the current level until the
  // returned scope ends.
  class TraceScope {
   public:
    TraceScope(XlateCtx& ctx, TraceType type, std::string text);
    ~TraceScope();
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

   private:
    XlateCtx& ctx_;
    std::list<TraceNode>* saved_;
  };
};

// xlate.cc: looks up `table_id` and runs the matching rule's actions.
void xlate_table(XlateCtx& ctx, uint8_t table_id, uint32_t in_port);
// xlate_actions.cc: runs a list of actions.
void do_xlate_actions(XlateCtx& ctx, const openflow::ActionList& actions);
// xlate_actions.cc: commits pending header changes as datapath actions.
void xlate_commit(XlateCtx& ctx);
// xlate_actions.cc: output to OpenFlow port `ofp_port` of the current
// bridge (commit + OVS_ACTION_ATTR_OUTPUT, or the peer bridge of a patch
// port).  No in_port check.
void xlate_output_odp(XlateCtx& ctx, uint32_t ofp_port);
// xlate_actions.cc: an output action to any port number (IN_PORT, TABLE,
// NORMAL, FLOOD, ALL, CONTROLLER, LOCAL, a port).
void xlate_output(XlateCtx& ctx, uint32_t port, uint16_t max_len);
// xlate_patch.cc: continues translation in a patch port's peer bridge.
void xlate_patch_port(XlateCtx& ctx, const XlateHooks::PatchPeer& peer);
// xlate_group.cc: runs group `group_id`'s buckets (all/select/indirect/ff).
void xlate_group(XlateCtx& ctx, uint32_t group_id);
// xlate_learn.cc: builds the flow_mod a learn action asks for.
openflow::FlowMod xlate_learn(XlateCtx& ctx, const openflow::ActLearn& learn);
// xlate_normal.cc: the NORMAL action.
void xlate_normal(XlateCtx& ctx);
// xlate_controller.cc: sends the packet (as modified so far) to the
// controller through a userspace() action with a controller cookie.
void xlate_controller(XlateCtx& ctx, uint16_t max_len, uint8_t reason, uint16_t controller_id,
                      const std::vector<uint8_t>& userdata = {}, bool pause = false,
                      uint32_t meter_id = 0xffffffff);
// xlate_controller.cc: dec_ttl; false if the TTL expired (the current
// action list must stop; packet-ins with reason invalid_ttl were emitted).
bool xlate_dec_ttl(XlateCtx& ctx, const openflow::ActDecTtl& a);
// xlate_controller.cc: registers `state` (filled with the context's
// bridge, metadata and action set) and returns its recirculation id, or 0.
uint32_t xlate_freeze(XlateCtx& ctx, FrozenState state);
// xlate_ct.cc: ct() and ct_clear.
void xlate_ct(XlateCtx& ctx, const openflow::ActCt& ct);
void xlate_ct_clear(XlateCtx& ctx);
// xlate_misc.cc: the remaining families; false if `a` is not one of them.
bool xlate_misc_action(XlateCtx& ctx, const openflow::Action& a);
// xlate_misc.cc: check_pkt_larger forks `rest` (the actions after it) and
// the action set into the datapath's two branches, then ends translation.
void xlate_check_pkt_larger(XlateCtx& ctx, const openflow::ActCheckPktLarger& c,
                            const openflow::ActionList& rest);
// xlate.cc: runs the action set (OVS's xlate_action_set).
void xlate_run_action_set(XlateCtx& ctx);

// Subfield bit access on a field value in network order (n_bytes wide).
// Subfield `sf` of `flow` as an integer (n_bits <= 64).
uint64_t xlate_read_subfield(const openflow::Subfield& sf, const Flow& flow);
// Writes the low sf.n_bits of `value` into subfield `sf` of `flow` and
// unwildcards nothing (the caller decides).
void xlate_write_subfield(const openflow::Subfield& sf, uint64_t value, Flow& flow);
bool mf_bit(const uint8_t* v, size_t n_bytes, unsigned bit);
void mf_set_bit(uint8_t* v, size_t n_bytes, unsigned bit, bool on);

}  // namespace grebe::xlate
