// The OpenFlow action families: output, header changes (committed to the
// datapath lazily, before anything that needs the packet as modified),
// VLAN, TTL, pipeline control (resubmit, goto_table, exit, action sets),
// controller, learn.
#include <linux/openvswitch.h>

#include <variant>

#include "grebe/odp/odp_commit.h"
#include "grebe/odp/odp_put.h"
#include "grebe/util/vlog.h"
#include "xlate/upcall_cookie.h"
#include "xlate/xlate_ctx.h"

VLOG_DEFINE_THIS_MODULE(xlate_actions);

namespace grebe::xlate {

using namespace openflow;

void xlate_commit(XlateCtx& ctx) {
  ctx.out.slow |= odp::commit_odp_actions(ctx.flow, &ctx.base, ctx.odp, &ctx.out.wc, true);
}

void xlate_output_odp(XlateCtx& ctx, uint32_t ofp_port) {
  if (ctx.exit) return;
  if (ctx.hooks) {
    if (auto peer = ctx.hooks->patch_peer(ofp_port)) {
      xlate_patch_port(ctx, *peer);
      return;
    }
  }
  std::optional<uint32_t> odp = ctx.hooks ? ctx.hooks->odp_port(ofp_port) : std::nullopt;
  if (!odp) {
    ctx.trace_line("Nonexistent output port");
    return;
  }
  xlate_commit(ctx);
  ctx.odp.put_u32(OVS_ACTION_ATTR_OUTPUT, *odp);
}

// Reason of a packet-in sent by an output to CONTROLLER here.
static uint8_t output_reason(const XlateCtx& ctx) {
  return ctx.in_group ? kOfprGroup : ctx.in_action_set ? kOfprActionSet : kOfprAction;
}

void xlate_output(XlateCtx& ctx, uint32_t port, uint16_t max_len) {
  uint32_t in_port = ctx.flow.in_port;
  switch (port) {
    case kOfppInPort:
      xlate_output_odp(ctx, in_port);
      return;
    case kOfppTable:
      xlate_table(ctx, 0, in_port);
      return;
    case kOfppNormal:
      xlate_normal(ctx);
      return;
    case kOfppFlood:
    case kOfppAll:
      if (ctx.hooks)
        for (uint32_t p : ctx.hooks->flood_ports())
          if (p != in_port) xlate_output_odp(ctx, p);
      return;
    case kOfppController:
      xlate_controller(ctx, max_len, output_reason(ctx), 0);
      return;
    case kOfppNone:
      return;
    default:
      if (port == in_port) {
        ctx.trace_line("skipping output to input port");
        return;
      }
      xlate_output_odp(ctx, port);
  }
}

namespace {

// Reads subfield `sf` of the flow as an integer (n_bits <= 64).
uint64_t read_subfield(const Subfield& sf, const Flow& flow) {
  MfValue v = mf_get_value(*sf.field, flow);
  uint64_t out = 0;
  for (unsigned i = 0; i < sf.n_bits && i < 64; ++i)
    if (mf_bit(v.b, sf.field->n_bytes, sf.ofs + i)) out |= uint64_t{1} << i;
  return out;
}

void unwildcard_field(XlateCtx& ctx, const MfField& mf) { mf_set_all_bits(mf, ctx.out.wc.masks); }

void xlate_set_field(XlateCtx& ctx, const ActSetField& sf) {
  const MfField& mf = *sf.field;
  if (!mf_are_prereqs_ok(mf, ctx.flow)) return;  // OVS ignores such set_fields
  MfValue cur = mf_get_value(mf, ctx.flow);
  for (unsigned i = 0; i < mf.n_bytes; ++i)
    cur.b[i] = static_cast<uint8_t>((cur.b[i] & ~sf.mask.b[i]) | (sf.value.b[i] & sf.mask.b[i]));
  unwildcard_field(ctx, mf);
  mf_set_flow_value(mf, cur, ctx.flow);
}

void xlate_move(XlateCtx& ctx, const ActRegMove& mv) {
  MfValue src = mf_get_value(*mv.src.field, ctx.flow);
  MfValue dst = mf_get_value(*mv.dst.field, ctx.flow);
  for (unsigned i = 0; i < mv.src.n_bits; ++i)
    mf_set_bit(dst.b, mv.dst.field->n_bytes, mv.dst.ofs + i,
               mf_bit(src.b, mv.src.field->n_bytes, mv.src.ofs + i));
  unwildcard_field(ctx, *mv.src.field);
  unwildcard_field(ctx, *mv.dst.field);
  mf_set_flow_value(*mv.dst.field, dst, ctx.flow);
}

void push_vlan(Flow& flow, uint16_t tpid) {
  flow.vlans[1] = flow.vlans[0];
  flow.vlans[0].tpid = tpid;
  flow.vlans[0].tci = kVlanCfi;
}

void xlate_vlan(XlateCtx& ctx, const Action& a) {
  FlowVlan& v = ctx.flow.vlans[0];
  ctx.out.wc.masks.vlans[0].tci |= kVlanCfi;
  if (auto* vid = std::get_if<ActSetVlanVid>(&a.v)) {
    if (!(v.tci & kVlanCfi)) {
      if (!vid->push_vlan_if_needed) return;
      push_vlan(ctx.flow, 0x8100);
    }
    ctx.out.wc.masks.vlans[0].tci |= 0x0fff;
    v.tci = static_cast<uint16_t>((v.tci & ~0x0fff) | (vid->vid & 0x0fff) | kVlanCfi);
  } else if (auto* pcp = std::get_if<ActSetVlanPcp>(&a.v)) {
    if (!(v.tci & kVlanCfi)) {
      if (!pcp->push_vlan_if_needed) return;
      push_vlan(ctx.flow, 0x8100);
    }
    ctx.out.wc.masks.vlans[0].tci |= 0xe000;
    v.tci = static_cast<uint16_t>((v.tci & ~0xe000) | ((pcp->pcp & 7) << 13) | kVlanCfi);
  } else if (std::holds_alternative<ActStripVlan>(a.v)) {
    ctx.flow.vlans[0] = ctx.flow.vlans[1];
    ctx.flow.vlans[1] = FlowVlan{};
  } else if (auto* pv = std::get_if<ActPushVlan>(&a.v)) {
    push_vlan(ctx.flow, pv->ethertype);
  }
}

// Header-rewriting actions that are plain assignments to the flow.
bool xlate_simple_set(XlateCtx& ctx, const Action& a) {
  Flow& f = ctx.flow;
  FlowWildcards& wc = ctx.out.wc;
  if (auto* x = std::get_if<ActSetEthSrc>(&a.v))
    f.dl_src = x->mac, wc.masks.dl_src = Match::all_ones<EthAddr>();
  else if (auto* x = std::get_if<ActSetEthDst>(&a.v))
    f.dl_dst = x->mac, wc.masks.dl_dst = Match::all_ones<EthAddr>();
  else if (auto* x = std::get_if<ActSetIpv4Src>(&a.v)) {
    if (f.dl_type == kEthTypeIp) f.nw_src = x->ip, wc.masks.nw_src = ~0u;
  } else if (auto* x = std::get_if<ActSetIpv4Dst>(&a.v)) {
    if (f.dl_type == kEthTypeIp) f.nw_dst = x->ip, wc.masks.nw_dst = ~0u;
  } else if (auto* x = std::get_if<ActSetIpDscp>(&a.v)) {
    if (f.is_ip())
      f.nw_tos = static_cast<uint8_t>((f.nw_tos & 3) | (x->dscp & 0xfc)), wc.masks.nw_tos |= 0xfc;
  } else if (auto* x = std::get_if<ActSetIpEcn>(&a.v)) {
    if (f.is_ip())
      f.nw_tos = static_cast<uint8_t>((f.nw_tos & 0xfc) | (x->ecn & 3)), wc.masks.nw_tos |= 3;
  } else if (auto* x = std::get_if<ActSetIpTtl>(&a.v)) {
    if (f.is_ip()) f.nw_ttl = x->ttl, wc.masks.nw_ttl = 0xff;
  } else if (auto* x = std::get_if<ActSetL4SrcPort>(&a.v)) {
    if (f.is_ip()) f.tp_src = x->port, wc.masks.tp_src = 0xffff;
  } else if (auto* x = std::get_if<ActSetL4DstPort>(&a.v)) {
    if (f.is_ip()) f.tp_dst = x->port, wc.masks.tp_dst = 0xffff;
  } else if (auto* x = std::get_if<ActSetTunnel>(&a.v))
    f.tunnel.tun_id = x->tun_id;
  else if (auto* x = std::get_if<InstWriteMetadata>(&a.v))
    f.metadata = (f.metadata & ~x->mask) | (x->metadata & x->mask);
  else
    return false;
  return true;
}

void xlate_clone(XlateCtx& ctx, const ActionList& actions) {
  Flow saved_flow = ctx.flow, saved_base = ctx.base;
  size_t tok = ctx.odp.start_nested(OVS_ACTION_ATTR_CLONE);
  do_xlate_actions(ctx, actions);
  ctx.odp.end_nested_drop_if_empty(tok);
  ctx.flow = saved_flow;
  ctx.base = saved_base;
  ctx.exit = false;
}

// Pipeline control; returns false if `a` is not one of these actions.
bool xlate_control(XlateCtx& ctx, const Action& a) {
  if (auto* r = std::get_if<ActResubmit>(&a.v)) {
    uint32_t port = r->in_port == kOfppInPort ? ctx.flow.in_port : r->in_port;
    xlate_table(ctx, r->table_id == 255 ? ctx.cur_table : r->table_id, port);
  } else if (auto* g = std::get_if<InstGotoTable>(&a.v)) {
    xlate_table(ctx, g->table_id, ctx.flow.in_port);
  } else if (std::holds_alternative<ActExit>(a.v)) {
    ctx.exit = true;
  } else if (auto* w = std::get_if<InstWriteActions>(&a.v)) {
    ctx.action_set.insert(ctx.action_set.end(), w->actions.begin(), w->actions.end());
  } else if (std::holds_alternative<InstClearActions>(a.v)) {
    ctx.action_set.clear();
  } else if (auto* c = std::get_if<ActClone>(&a.v)) {
    xlate_clone(ctx, c->actions);
  } else if (auto* g = std::get_if<ActGroup>(&a.v)) {
    xlate_group(ctx, g->group_id);
  } else if (auto* l = std::get_if<ActLearn>(&a.v)) {
    ctx.out.learned.push_back(xlate_learn(ctx, *l));
  } else {
    return false;
  }
  return true;
}

}  // namespace

void do_xlate_actions(XlateCtx& ctx, const ActionList& actions) {
  for (size_t i = 0; i < actions.size(); ++i) {
    const Action& a = actions[i];
    if (ctx.exit) return;
    if (ctx.stop_list) {
      ctx.stop_list = false;
      return;
    }
    if (ctx.in.want_trace) ctx.trace_line(format_actions({a}));
    if (xlate_simple_set(ctx, a) || xlate_control(ctx, a)) continue;
    if (auto* o = std::get_if<ActOutput>(&a.v)) {
      xlate_output(ctx, o->port, o->max_len);
    } else if (auto* r = std::get_if<ActOutputReg>(&a.v)) {
      unwildcard_field(ctx, *r->src.field);
      xlate_output(ctx, static_cast<uint32_t>(read_subfield(r->src, ctx.flow)), r->max_len);
    } else if (auto* c = std::get_if<ActController>(&a.v)) {
      xlate_controller(ctx, c->max_len, c->reason, c->controller_id, c->userdata, c->pause,
                       c->meter_id);
    } else if (auto* s = std::get_if<ActSetField>(&a.v)) {
      xlate_set_field(ctx, *s);
    } else if (auto* m = std::get_if<ActRegMove>(&a.v)) {
      xlate_move(ctx, *m);
    } else if (auto* d = std::get_if<ActDecTtl>(&a.v)) {
      if (!xlate_dec_ttl(ctx, *d)) return;  // ends this action list only, as OVS
    } else if (std::holds_alternative<ActSetVlanVid>(a.v) ||
               std::holds_alternative<ActSetVlanPcp>(a.v) ||
               std::holds_alternative<ActStripVlan>(a.v) ||
               std::holds_alternative<ActPushVlan>(a.v)) {
      xlate_vlan(ctx, a);
    } else if (auto* ct = std::get_if<ActCt>(&a.v)) {
      xlate_ct(ctx, *ct);
    } else if (std::holds_alternative<ActCtClear>(a.v)) {
      xlate_ct_clear(ctx);
    } else if (auto* cpl = std::get_if<ActCheckPktLarger>(&a.v)) {
      ActionList rest(actions.begin() + static_cast<std::ptrdiff_t>(i) + 1, actions.end());
      xlate_check_pkt_larger(ctx, *cpl, rest);
      return;
    } else {
      // note and conjunction (the classifier's job) do nothing.
      (void)xlate_misc_action(ctx, a);
    }
  }
  ctx.stop_list = false;
}

uint64_t xlate_read_subfield(const Subfield& sf, const Flow& flow) {
  return read_subfield(sf, flow);
}

}  // namespace grebe::xlate

namespace grebe::xlate {

void xlate_write_subfield(const Subfield& sf, uint64_t value, Flow& flow) {
  MfValue v = mf_get_value(*sf.field, flow);
  for (unsigned i = 0; i < sf.n_bits && i < 64; ++i)
    mf_set_bit(v.b, sf.field->n_bytes, sf.ofs + i, (value >> i) & 1);
  mf_set_flow_value(*sf.field, v, flow);
}

}  // namespace grebe::xlate
