// Translation driver: table lookups, resubmit depth, the megaflow mask's
// fixed part, and the ofproto/trace text.
#include "xlate/xlate.h"

#include <cinttypes>

#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_commit.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/util/vlog.h"
#include "xlate/xlate_ctx.h"

VLOG_DEFINE_THIS_MODULE(xlate);

namespace grebe::xlate {

using namespace openflow;

bool mf_bit(const uint8_t* v, size_t n_bytes, unsigned bit) {
  return (v[n_bytes - 1 - bit / 8] >> (bit % 8)) & 1;
}
void mf_set_bit(uint8_t* v, size_t n_bytes, unsigned bit, bool on) {
  uint8_t& byte = v[n_bytes - 1 - bit / 8];
  byte = static_cast<uint8_t>(on ? byte | (1u << (bit % 8)) : byte & ~(1u << (bit % 8)));
}

void xlate_table(XlateCtx& ctx, uint8_t table_id, uint32_t in_port) {
  if (ctx.depth >= kMaxResubmitDepth) {
    ctx.out.error = "over max translation depth " + std::to_string(kMaxResubmitDepth);
    ctx.trace_line(ctx.out.error);
    ctx.exit = true;
    return;
  }
  // resubmit(port,...) looks up with a different in_port, then restores it.
  uint32_t saved_in_port = ctx.flow.in_port;
  ctx.flow.in_port = in_port;
  const ofproto::OfRule* rule = ctx.in.tables->lookup(table_id, ctx.flow, &ctx.out.wc);
  char head[16];
  snprintf(head, sizeof head, "%2d. ", table_id);
  if (ctx.in.want_trace) ctx.out.trace += std::string(ctx.indent - 4, ' ') + head;
  if (!rule) {
    if (ctx.in.want_trace) ctx.out.trace += "No match.\n";
    ctx.trace_line("drop");
    ctx.flow.in_port = saved_in_port;
    return;
  }
  if (ctx.in.want_trace) {
    Match m = rule->to_match();
    std::string match_text = format_match(m, kDefaultPriority);
    ctx.out.trace += match_text.empty() ? "" : match_text + ", ";
    ctx.out.trace += "priority " + std::to_string(rule->priority());
    if (rule->cookie) {
      char c[32];
      snprintf(c, sizeof c, ", cookie %#" PRIx64, rule->cookie);
      ctx.out.trace += c;
    }
    ctx.out.trace += '\n';
  }
  ctx.out.rules.push_back(rule);
  ctx.flow.in_port = saved_in_port;
  ++ctx.depth;
  uint64_t saved_cookie = ctx.rule_cookie;
  uint8_t saved_table = ctx.cur_table;
  ctx.rule_cookie = rule->cookie;
  ctx.cur_table = table_id;
  if (rule->actions.empty()) ctx.trace_line("drop");
  do_xlate_actions(ctx, rule->actions);
  ctx.rule_cookie = saved_cookie;
  ctx.cur_table = saved_table;
  --ctx.depth;
}

namespace {

// Fields every translation depends on (OVS's xlate_wc_init).
void init_wc(const Flow& flow, FlowWildcards& wc) {
  wc.masks.packet_type = ~0u;
  wc.masks.in_port = ~0u;
  wc.masks.dl_type = 0xffff;
  wc.masks.recirc_id = ~0u;
  if (flow.is_ip()) wc.masks.nw_frag |= kFlowNwFragMask;
}

// Drops what the datapath cannot match on (OVS's xlate_wc_finish).
void finish_wc(FlowWildcards& wc) {
  wc.masks.metadata = 0;
  for (uint32_t& r : wc.masks.regs) r = 0;
  wc.masks.conj_id = 0;
  wc.masks.actset_output = 0;
  for (FlowVlan& v : wc.masks.vlans)
    if (v.tci) v.tci |= kVlanCfi;
}

}  // namespace

XlateOut xlate_actions(const XlateIn& in) {
  XlateOut out;
  XlateCtx ctx{in, out, in.flow, in.flow};
  init_wc(in.flow, out.wc);
  xlate_table(ctx, in.table_id, in.flow.in_port);
  if (!ctx.action_set.empty() && out.error.empty()) {
    openflow::ActionList set = std::move(ctx.action_set);
    do_xlate_actions(ctx, set);
  }
  if (!out.error.empty()) ctx.odp.clear();  // errors drop the packet
  finish_wc(out.wc);
  out.odp_actions = ctx.odp.take();
  out.final_flow = ctx.flow;
  return out;
}

std::string format_flow_for_trace(const Flow& flow) {
  Match m;
  m.flow = flow;
  // ofproto/trace shows the fields an Ethernet packet has (flow_format);
  // recirc_id 0 and packet_type eth are left out, as OVS does.
  m.wc.masks.in_port = ~0u;
  m.wc.masks.vlans[0].tci = 0xffff;
  m.wc.masks.dl_src = Match::all_ones<EthAddr>();
  m.wc.masks.dl_dst = Match::all_ones<EthAddr>();
  m.wc.masks.dl_type = 0xffff;
  m.normalize();
  return format_match(m, kDefaultPriority);
}

std::string format_trace(const XlateIn& in, const XlateOut& out) {
  std::string s = "Flow: " + format_flow_for_trace(in.flow) + "\n\n";
  s += "bridge(\"" + in.bridge + "\")\n" + std::string(in.bridge.size() + 10, '-') + "\n";
  s += out.trace;
  s += "\nFinal flow: ";
  s += out.final_flow == in.flow ? "unchanged" : format_flow_for_trace(out.final_flow);
  Match mega;
  mega.flow = in.flow;
  mega.wc = out.wc;
  mega.normalize();
  s += "\nMegaflow: " + format_match(mega, kDefaultPriority);
  s += "\nDatapath actions: " +
       odp::format_odp_actions(nl::Bytes(out.odp_actions.data(), out.odp_actions.size())) + "\n";
  return s;
}

}  // namespace grebe::xlate
