// Translation driver: table lookups, resubmit depth, the megaflow mask's
// fixed part, and the ofproto/trace text.
#include "xlate/xlate.h"

#include <cinttypes>

#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_commit.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/util/vlog.h"
#include "xlate/recirc.h"
#include "xlate/upcall_cookie.h"
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

void XlateCtx::trace_line(const std::string& s) {
  if (!in.want_trace) return;
  auto starts = [&](const char* p) { return s.rfind(p, 0) == 0; };
  if (starts(" >>>> "))
    trace_cur->push_back({TraceType::kError, s.substr(6, s.size() - 11), {}});
  else if (starts(" >> "))
    trace_cur->push_back({TraceType::kWarn, s.substr(4), {}});
  else if (starts(" -> "))
    trace_cur->push_back({TraceType::kDetail, s.substr(4), {}});
  else
    trace_cur->push_back({TraceType::kAction, s, {}});
}

XlateCtx::TraceScope::TraceScope(XlateCtx& ctx, TraceType type, std::string text)
    : ctx_(ctx), saved_(ctx.trace_cur) {
  if (!ctx.in.want_trace) return;
  ctx.trace_cur->push_back({type, std::move(text), {}});
  ctx.trace_cur = &ctx.trace_cur->back().subs;
}

XlateCtx::TraceScope::~TraceScope() { ctx_.trace_cur = saved_; }

// OVS's oftrace_node_print_details: a node is indented one step more when
// it has a following sibling or is a leaf kind; children go two steps
// deeper under such nodes.
std::string format_trace_tree(const std::list<TraceNode>& nodes, int level) {
  std::string out;
  for (auto it = nodes.begin(); it != nodes.end(); ++it) {
    const TraceNode& n = *it;
    bool terminal = n.type != TraceType::kBridge && n.type != TraceType::kTable;
    int more = (std::next(it) != nodes.end() || terminal) ? 1 : 0;
    std::string pad((level + more) * 4, ' ');
    switch (n.type) {
      case TraceType::kDetail: out += pad + " -> " + n.text + "\n"; break;
      case TraceType::kWarn: out += pad + " >> " + n.text + "\n"; break;
      case TraceType::kError: out += pad + " >>>> " + n.text + " <<<<\n"; break;
      case TraceType::kBridge:
        out += "\n" + pad + n.text + "\n" + pad + std::string(n.text.size(), '-') + "\n";
        break;
      default: out += pad + n.text + "\n"; break;
    }
    out += format_trace_tree(n.subs, level + 2 * more);
  }
  return out;
}

// The table-miss behaviour: drop, or a packet-in (reason no_match) when
// the bridge's controllers want one.
static void xlate_table_miss(XlateCtx& ctx, uint8_t table_id) {
  if (ctx.hooks && ctx.hooks->packet_in_on_miss(table_id)) {
    ctx.trace_line("CONTROLLER:65535");
    uint8_t saved = ctx.cur_table;
    ctx.cur_table = table_id;
    xlate_controller(ctx, 0xffff, kOfprImplicitMiss, 0);
    ctx.cur_table = saved;
  } else {
    ctx.trace_line("drop");
  }
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
  const ofproto::OfRule* rule = ctx.tables->lookup(table_id, ctx.flow, &ctx.out.wc);
  char head[16];
  snprintf(head, sizeof head, "%2d. ", table_id);
  std::string text = head;
  if (!rule) {
    text += "No match.";
  } else if (ctx.in.want_trace) {
    Match m = rule->to_match();
    std::string match_text = format_match(m, kDefaultPriority);
    text += match_text.empty() ? "" : match_text + ", ";
    text += "priority " + std::to_string(rule->priority());
    if (rule->cookie) {
      char c[32];
      snprintf(c, sizeof c, ", cookie %#" PRIx64, rule->cookie);
      text += c;
    }
  }
  XlateCtx::TraceScope scope(ctx, TraceType::kTable, std::move(text));
  if (!rule) {
    xlate_table_miss(ctx, table_id);
    ctx.flow.in_port = saved_in_port;
    return;
  }
  ctx.out.rules.push_back(rule);
  ctx.flow.in_port = saved_in_port;
  ++ctx.depth;
  uint64_t saved_cookie = ctx.rule_cookie;
  uint8_t saved_table = ctx.cur_table;
  const ofproto::OfRule* saved_rule = ctx.rule;
  ctx.rule_cookie = rule->cookie;
  ctx.cur_table = table_id;
  ctx.rule = rule;
  if (rule->actions.empty()) ctx.trace_line("drop");
  do_xlate_actions(ctx, rule->actions);
  ctx.rule_cookie = saved_cookie;
  ctx.cur_table = saved_table;
  ctx.rule = saved_rule;
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

// Drops what the datapath cannot or need not match on (OVS's
// xlate_wc_finish): non-packet metadata, headers the received packet does
// not have (VLAN, MPLS, tunnel, Ethernet for L3 packets), bits ICMP keys
// cannot carry, and L4 ports of later fragments.
void finish_wc(const Flow& upcall, FlowWildcards& wc) {
  Flow& m = wc.masks;
  m.metadata = 0;
  for (uint32_t& r : m.regs) r = 0;
  m.conj_id = 0;
  m.actset_output = 0;
  if (upcall.packet_type != kPacketTypeEthernet) {
    m.dl_src = EthAddr{};
    m.dl_dst = EthAddr{};
  }
  bool icmp = (upcall.dl_type == kEthTypeIp && upcall.nw_proto == kIpProtoIcmp) ||
              (upcall.dl_type == kEthTypeIpv6 && upcall.nw_proto == kIpProtoIcmpv6);
  if (icmp) {
    m.tp_src &= 0xff;
    m.tp_dst &= 0xff;
  }
  for (FlowVlan& v : m.vlans)
    if (v.tci) v.tci |= kVlanCfi;
  if (upcall.nw_frag & kFlowNwFragLater) m.tp_src = m.tp_dst = 0;
  if (upcall.dl_type != kEthTypeMpls && upcall.dl_type != kEthTypeMplsMcast)
    for (uint32_t& l : m.mpls_lse) l = 0;
  for (int i = 0; i < kFlowMaxVlans; ++i)
    if (upcall.vlans[i].tpid != kEthTypeVlan8021Q && upcall.vlans[i].tpid != kEthTypeVlan8021AD)
      m.vlans[i] = FlowVlan{};
  if (!upcall.tunnel.ip_dst && upcall.tunnel.ipv6_dst.is_zero())
    std::memset(&m.tunnel, 0, sizeof m.tunnel);
}

}  // namespace

void xlate_run_action_set(XlateCtx& ctx) {
  if (ctx.action_set.empty() || ctx.action_set_done || ctx.frozen) return;
  openflow::ActionList set = std::move(ctx.action_set);
  ctx.action_set.clear();
  ctx.exit = false;  // exit does not cancel the action set (ovs-actions(7))
  XlateCtx::TraceScope scope(ctx, TraceType::kTable, "--. Executing action set:");
  bool saved = ctx.in_action_set;
  ctx.in_action_set = true;
  do_xlate_actions(ctx, set);
  ctx.in_action_set = saved;
}

// A recirculated packet (recirc_id != 0) continues where translation
// froze: the frozen metadata, action set and remaining actions come back,
// then the lookup resumes at the frozen table.  Returns false (drop) if the
// id is unknown.
static bool resume_frozen(XlateCtx& ctx) {
  RecircRegistry* reg = ctx.hooks ? ctx.hooks->recirc_registry() : nullptr;
  std::shared_ptr<const FrozenState> st = reg ? reg->find(ctx.flow.recirc_id) : nullptr;
  if (!st) {
    ctx.out.error = "no recirculation data for recirc_id " + std::to_string(ctx.flow.recirc_id);
    ctx.trace_error(ctx.out.error);
    return false;
  }
  restore_frozen_metadata(st->metadata, &ctx.flow);
  ctx.base = ctx.flow;  // the datapath packet already is what it is
  ctx.action_set = st->action_set;
  ctx.conntracked = st->conntracked;
  ctx.rule_cookie = st->rule_cookie;
  ctx.cur_table = st->table_id;
  ctx.trace_line(" -> Resuming from table " + std::to_string(st->table_id));
  if (!st->actions.empty()) do_xlate_actions(ctx, st->actions);
  if (!ctx.exit) xlate_table(ctx, st->table_id, ctx.flow.in_port);
  return true;
}

// A flow parsed from text ("dl_vlan=10") has a VLAN header without a TPID;
// translation treats it as 802.1Q, the TPID such a header gets on the wire.
static Flow with_vlan_tpids(const Flow& flow) {
  Flow f = flow;
  for (FlowVlan& v : f.vlans)
    if ((v.tci & kVlanCfi) && !v.tpid) v.tpid = kEthTypeVlan8021Q;
  return f;
}

XlateOut xlate_actions(const XlateIn& in) {
  XlateOut out;
  Flow start = with_vlan_tpids(in.flow);
  XlateCtx ctx{in, out, start, start};
  init_wc(in.flow, out.wc);
  {
    XlateCtx::TraceScope top(ctx, TraceType::kBridge, "bridge(\"" + in.bridge + "\")");
    if (in.flow.recirc_id) {
      resume_frozen(ctx);
    } else if (in.actions) {
      do_xlate_actions(ctx, *in.actions);
    } else {
      xlate_table(ctx, in.table_id, in.flow.in_port);
    }
    if (out.error.empty()) xlate_run_action_set(ctx);
  }
  if (!out.error.empty()) ctx.odp.clear();  // errors drop the packet
  finish_wc(start, out.wc);
  out.odp_actions = ctx.odp.take();
  out.final_flow = ctx.flow;
  if (in.want_trace && !ctx.trace_root.empty())
    out.trace = format_trace_tree(ctx.trace_root.front().subs, 0);
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
  s += out.final_flow == with_vlan_tpids(in.flow) ? "unchanged" : format_flow_for_trace(out.final_flow);
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
