// Internal: the state of one translation, shared by the action families.
#pragma once

#include <string>

#include "grebe/netlink/attr.h"
#include "grebe/openflow/actions.h"
#include "xlate/xlate.h"

namespace grebe::xlate {

struct XlateCtx {
  XlateCtx(const XlateIn& i, XlateOut& o, const Flow& f, const Flow& b)
      : in(i), out(o), flow(f), base(b) {}
  const XlateIn& in;
  XlateOut& out;
  Flow flow;  // what the OpenFlow actions want the packet to be
  Flow base;  // what the datapath actions emitted so far made it
  nl::AttrBuilder odp;
  int depth = 0;
  uint8_t cur_table = 0;            // table of the rule being executed
  bool exit = false;                // exit action / error: stop everything
  int indent = 4;                   // trace indentation of action lines
  openflow::ActionList action_set;  // write_actions
  uint64_t rule_cookie = 0;

  void trace_line(const std::string& s) {
    if (in.want_trace) out.trace += std::string(indent, ' ') + s + '\n';
  }
};

// xlate.cc: looks up `table_id` and runs the matching rule's actions.
void xlate_table(XlateCtx& ctx, uint8_t table_id, uint32_t in_port);
// xlate_actions.cc: runs a list of actions.
void do_xlate_actions(XlateCtx& ctx, const openflow::ActionList& actions);
// xlate_group.cc: runs group `group_id`'s buckets (all/select/indirect/ff).
void xlate_group(XlateCtx& ctx, uint32_t group_id);
// xlate_learn.cc: builds the flow_mod a learn action asks for.
openflow::FlowMod xlate_learn(XlateCtx& ctx, const openflow::ActLearn& learn);

// Subfield bit access on a field value in network order (n_bytes wide).
// Subfield `sf` of `flow` as an integer (n_bits <= 64).
uint64_t xlate_read_subfield(const openflow::Subfield& sf, const Flow& flow);
bool mf_bit(const uint8_t* v, size_t n_bytes, unsigned bit);
void mf_set_bit(uint8_t* v, size_t n_bytes, unsigned bit, bool on);

}  // namespace grebe::xlate
