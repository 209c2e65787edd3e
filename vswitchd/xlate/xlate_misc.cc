// The remaining action families: meter, output_trunc, enqueue/set_queue/
// pop_queue, MPLS push/pop/set/dec_mpls_ttl, multipath, bundle and
// bundle_load, sample (flow sampling to userspace), fin_timeout, and the
// check_pkt_larger fork (xlate_check_pkt_larger, run from
// do_xlate_actions because it needs the rest of the action list).
#include <linux/openvswitch.h>

#include <cstring>

#include "grebe/odp/odp_put.h"
#include "xlate/upcall_cookie.h"
#include "xlate/xlate_ctx.h"
#include "xlate/xlate_hash.h"

namespace grebe::xlate {

using namespace openflow;

namespace {

bool is_mpls(uint16_t t) { return t == kEthTypeMpls || t == kEthTypeMplsMcast; }

// Labels in the stack, unwildcarding the BOS bits looked at (OVS's
// flow_count_mpls_labels).
int count_mpls(const Flow& f, FlowWildcards& wc) {
  if (!is_mpls(f.dl_type)) return 0;
  int n = 0;
  for (int i = 0; i < kFlowMaxMplsLabels; ++i) {
    wc.masks.mpls_lse[i] |= kMplsBosMask;
    if (f.mpls_lse[i] & kMplsBosMask) return i + 1;
    if (f.mpls_lse[i]) ++n;
  }
  return n;
}

void xlate_push_mpls(XlateCtx& ctx, uint16_t ethertype) {
  Flow& f = ctx.flow;
  FlowWildcards& wc = ctx.out.wc;
  int n = count_mpls(f, wc);
  if (n >= kFlowMaxMplsLabels) {
    ctx.out.error = "dropping packet on which an MPLS push action can't be performed as it "
                    "would have more MPLS LSEs than the 3 supported.";
    ctx.trace_error(ctx.out.error);
    ctx.exit = true;
    return;
  }
  if (n) {
    for (int i = 0; i < n; ++i) wc.masks.mpls_lse[i] = ~0u;
    for (int i = n; i >= 1; --i) f.mpls_lse[i] = f.mpls_lse[i - 1];
    f.mpls_lse[0] = f.mpls_lse[1] & ~kMplsBosMask;
  } else {
    xlate_commit(ctx);  // L3 changes go out before the L3 header is hidden
    uint32_t label = f.dl_type == kEthTypeIpv6 ? 2 : 0;  // IPv4/IPv6 explicit null
    uint32_t tc = 0, ttl = 64;
    if (f.is_ip()) {
      tc = (f.nw_tos & 0xfc) >> 2;
      wc.masks.nw_tos |= 0xfc;
      wc.masks.nw_ttl = 0xff;
      if (f.nw_ttl) ttl = f.nw_ttl;
    }
    f.mpls_lse[0] = (label << kMplsLabelShift) | ((tc << kMplsTcShift) & kMplsTcMask) |
                    kMplsBosMask | (ttl & kMplsTtlMask);
    // L3 and L4 are now payload.
    uint8_t* p = reinterpret_cast<uint8_t*>(&f);
    std::memset(p + offsetof(Flow, nw_src), 0, sizeof(Flow) - offsetof(Flow, nw_src));
    f.dp_hash = 0;
  }
  f.dl_type = ethertype;
}

void xlate_pop_mpls(XlateCtx& ctx, uint16_t ethertype) {
  Flow& f = ctx.flow;
  FlowWildcards& wc = ctx.out.wc;
  int n = count_mpls(f, wc);
  if (!n) return;
  if (n == kFlowMaxMplsLabels && !(f.mpls_lse[n - 1] & kMplsBosMask)) {
    ctx.out.error = "dropping packet on which an MPLS pop action can't be performed as it has "
                    "more MPLS LSEs than the 3 supported.";
    ctx.trace_error(ctx.out.error);
    ctx.exit = true;
    return;
  }
  for (int i = 1; i < n; ++i) wc.masks.mpls_lse[i] = ~0u;
  for (int i = 1; i < n; ++i) f.mpls_lse[i - 1] = f.mpls_lse[i];
  f.mpls_lse[n - 1] = 0;
  f.dl_type = ethertype;
}

void set_lse_bits(XlateCtx& ctx, uint32_t mask, uint32_t value) {
  if (!is_mpls(ctx.flow.dl_type)) return;
  ctx.out.wc.masks.mpls_lse[0] |= mask;
  ctx.flow.mpls_lse[0] = (ctx.flow.mpls_lse[0] & ~mask) | (value & mask);
}

// False if the MPLS TTL expired (packet-in invalid_ttl; the list stops).
bool xlate_dec_mpls_ttl(XlateCtx& ctx) {
  Flow& f = ctx.flow;
  if (!is_mpls(f.dl_type)) return true;
  ctx.out.wc.masks.mpls_lse[0] |= kMplsTtlMask;
  uint32_t ttl = f.mpls_lse[0] & kMplsTtlMask;
  if (ttl > 1) {
    f.mpls_lse[0] = (f.mpls_lse[0] & ~kMplsTtlMask) | (ttl - 1);
    return true;
  }
  xlate_controller(ctx, 0xffff, kOfprInvalidTtl, 0);
  ctx.trace_line(" >> MPLS decrement TTL exception");
  return false;
}

bool member_enabled(XlateCtx& ctx, uint32_t port) {
  return ctx.hooks && ctx.hooks->odp_port(port) && ctx.hooks->port_is_live(port);
}

// OVS's bundle_execute: the chosen member, or OFPP_NONE.
uint32_t bundle_choose(XlateCtx& ctx, const ActBundle& b) {
  if (b.algorithm == "active_backup") {
    for (uint32_t m : b.members)
      if (member_enabled(ctx, m)) return m;
    return kOfppNone;
  }
  if (b.members.size() > 1) flow_mask_hash_fields(ctx.flow, ctx.out.wc, b.fields);
  uint32_t flow_hash = flow_hash_fields(ctx.flow, b.fields, b.basis);
  int best = -1;
  uint32_t best_hash = 0;
  for (size_t i = 0; i < b.members.size(); ++i) {
    if (!member_enabled(ctx, b.members[i])) continue;
    uint32_t h = ovs_hash_2words(static_cast<uint32_t>(i), flow_hash);
    if (best < 0 || h > best_hash) best_hash = h, best = static_cast<int>(i);
  }
  return best >= 0 ? b.members[best] : kOfppNone;
}

void load_subfield(XlateCtx& ctx, const Subfield& dst, uint64_t value) {
  xlate_write_subfield(dst, value, ctx.flow);
  MfValue m = mf_get_mask(*dst.field, ctx.out.wc);
  for (unsigned i = 0; i < dst.n_bits; ++i) mf_set_bit(m.b, dst.field->n_bytes, dst.ofs + i, true);
  mf_set_flow_value(*dst.field, m, ctx.out.wc.masks);
}

uint16_t multipath_link(uint32_t hash, const std::string& alg, unsigned n_links, unsigned arg) {
  auto iter_hash = [&](unsigned modulo) -> uint16_t {
    if (modulo < n_links || modulo / 2 > n_links) {
      modulo = 1;
      while (modulo < n_links) modulo <<= 1;
    }
    uint16_t link;
    uint32_t i = 0;
    do {
      link = static_cast<uint16_t>(ovs_hash_2words(hash, i++) % modulo);
    } while (link >= n_links);
    return link;
  };
  if (alg == "modulo_n") return static_cast<uint16_t>(hash % n_links);
  if (alg == "hash_threshold")
    return n_links == 1 ? 0 : static_cast<uint16_t>(hash / (UINT32_MAX / n_links + 1));
  if (alg == "hrw" && n_links <= 64) {
    uint16_t best = 0;
    uint32_t best_w = ovs_hash_2words(hash, 0);
    for (unsigned l = 1; l < n_links; ++l) {
      uint32_t w = ovs_hash_2words(hash, l);
      if (w > best_w) best = static_cast<uint16_t>(l), best_w = w;
    }
    return best;
  }
  return iter_hash(alg == "iter_hash" ? arg : 0);
}

void xlate_multipath(XlateCtx& ctx, const ActMultipath& mp) {
  uint32_t hash = flow_hash_fields(ctx.flow, mp.fields, mp.basis);
  uint16_t link = multipath_link(hash, mp.algorithm, mp.max_link + 1u, mp.arg);
  flow_mask_hash_fields(ctx.flow, ctx.out.wc, mp.fields);
  load_subfield(ctx, mp.dst, link);
}

void xlate_output_trunc(XlateCtx& ctx, uint32_t port, uint32_t max_len) {
  if (port >= kOfppMax && port != kOfppLocal) {
    ctx.trace_error("output_trunc does not support port: " + std::to_string(port));
    return;
  }
  if (port == ctx.flow.in_port) return;
  bool patch = ctx.hooks && ctx.hooks->patch_peer(port);
  if (!ctx.hooks || !ctx.hooks->odp_port(port) || patch) {
    // Truncation applies to the next output in the datapath; a patch port
    // has none, so OVS refuses it.
    ctx.trace_error("output_trunc does not support patch port " + std::to_string(port));
    return;
  }
  xlate_commit(ctx);
  ctx.odp.put_u32(OVS_ACTION_ATTR_TRUNC, max_len);
  xlate_output_odp(ctx, port);
}

void xlate_enqueue(XlateCtx& ctx, const ActEnqueue& e) {
  std::optional<uint32_t> prio = ctx.hooks ? ctx.hooks->queue_to_priority(e.queue) : std::nullopt;
  uint32_t port = e.port == kOfppInPort ? ctx.flow.in_port : e.port;
  if (!prio) {  // no such queue: a plain output
    xlate_output(ctx, e.port, 0);
    return;
  }
  if (e.port != kOfppInPort && port == ctx.flow.in_port) return;
  uint32_t saved = ctx.flow.skb_priority;
  ctx.flow.skb_priority = *prio;
  xlate_output_odp(ctx, port);
  ctx.flow.skb_priority = saved;
}

void xlate_sample(XlateCtx& ctx, const ActSample& s) {
  if (!ctx.hooks || !ctx.hooks->flow_sample_enabled(s.collector_set_id)) return;
  uint32_t output_odp = 0xffffffff;  // ODPP_NONE
  if (s.sampling_port != kOfppNone && s.sampling_port != ctx.flow.in_port) {
    std::optional<uint32_t> odp = ctx.hooks->odp_port(s.sampling_port);
    if (!odp) {
      ctx.trace_error("can't use unknown port " + std::to_string(s.sampling_port) +
                      " in flow sample action");
      return;
    }
    output_odp = *odp;
  }
  xlate_commit(ctx);
  if (!s.probability) return;
  uint32_t probability = (uint32_t{s.probability} << 16) | s.probability;
  odp::UserActionCookie c;
  c.type = odp::UserActionCookieType::kFlowSample;
  c.ofp_in_port = static_cast<uint16_t>(ctx.flow.in_port);
  c.probability = s.probability;
  c.collector_set_id = s.collector_set_id;
  c.obs_domain_id = s.obs_domain_id;
  c.obs_point_id = s.obs_point_id;
  c.output_odp_port = output_odp;
  c.direction = s.direction;
  std::vector<uint8_t> cookie = c.encode();
  bool nested = probability < UINT32_MAX;
  size_t sample = 0, acts = 0;
  if (nested) {
    sample = ctx.odp.start_nested(OVS_ACTION_ATTR_SAMPLE);
    ctx.odp.put_u32(OVS_SAMPLE_ATTR_PROBABILITY, probability);
    acts = ctx.odp.start_nested(OVS_SAMPLE_ATTR_ACTIONS);
  }
  (void)odp::odp_put_userspace_action(ctx.hooks->upcall_pid(),
                                      nl::Bytes(cookie.data(), cookie.size()), std::nullopt,
                                      false, ctx.odp);
  if (nested) {
    ctx.odp.end_nested(acts);
    ctx.odp.end_nested(sample);
  }
}

}  // namespace

bool xlate_misc_action(XlateCtx& ctx, const Action& a) {
  if (auto* m = std::get_if<InstMeter>(&a.v)) {
    std::optional<uint32_t> dp = ctx.hooks ? ctx.hooks->dp_meter_id(m->meter_id) : std::nullopt;
    if (dp)
      ctx.odp.put_u32(OVS_ACTION_ATTR_METER, *dp);
    else
      ctx.trace_line(" -> meter " + std::to_string(m->meter_id) + " does not exist");
  } else if (auto* o = std::get_if<ActOutputTrunc>(&a.v)) {
    xlate_output_trunc(ctx, o->port, o->max_len);
  } else if (auto* e = std::get_if<ActEnqueue>(&a.v)) {
    ctx.out.wc.masks.skb_priority = ~0u;
    xlate_enqueue(ctx, *e);
  } else if (auto* q = std::get_if<ActSetQueue>(&a.v)) {
    ctx.out.wc.masks.skb_priority = ~0u;
    std::optional<uint32_t> prio =
        ctx.hooks ? ctx.hooks->queue_to_priority(q->queue_id) : std::nullopt;
    ctx.flow.skb_priority = prio ? *prio : ctx.in.flow.skb_priority;
  } else if (std::holds_alternative<ActPopQueue>(a.v)) {
    ctx.out.wc.masks.skb_priority = ~0u;
    ctx.flow.skb_priority = ctx.in.flow.skb_priority;
  } else if (auto* p = std::get_if<ActPushMpls>(&a.v)) {
    xlate_push_mpls(ctx, p->ethertype);
  } else if (auto* p = std::get_if<ActPopMpls>(&a.v)) {
    xlate_pop_mpls(ctx, p->ethertype);
  } else if (auto* l = std::get_if<ActSetMplsLabel>(&a.v)) {
    set_lse_bits(ctx, kMplsLabelMask, l->label << kMplsLabelShift);
  } else if (auto* t = std::get_if<ActSetMplsTc>(&a.v)) {
    set_lse_bits(ctx, kMplsTcMask, uint32_t{t->tc} << kMplsTcShift);
  } else if (auto* t = std::get_if<ActSetMplsTtl>(&a.v)) {
    set_lse_bits(ctx, kMplsTtlMask, t->ttl);
  } else if (std::holds_alternative<ActDecMplsTtl>(a.v)) {
    if (!xlate_dec_mpls_ttl(ctx)) ctx.stop_list = true;
  } else if (auto* mp = std::get_if<ActMultipath>(&a.v)) {
    xlate_multipath(ctx, *mp);
  } else if (auto* b = std::get_if<ActBundle>(&a.v)) {
    uint32_t port = bundle_choose(ctx, *b);
    if (b->load)
      load_subfield(ctx, b->dst, port);
    else if (port != kOfppNone)
      xlate_output(ctx, port, 0);
  } else if (auto* s = std::get_if<ActSample>(&a.v)) {
    xlate_sample(ctx, *s);
  } else if (auto* ft = std::get_if<ActFinTimeout>(&a.v)) {
    if (ctx.rule) ctx.out.fin_timeouts.push_back({ctx.rule, ft->idle, ft->hard});
  } else {
    return false;
  }
  return true;
}

void xlate_check_pkt_larger(XlateCtx& ctx, const ActCheckPktLarger& c, const ActionList& rest) {
  Flow old_flow = ctx.flow;
  xlate_commit(ctx);
  Flow old_base = ctx.base;
  ActionList old_set = ctx.action_set;
  bool old_ct = ctx.conntracked;
  size_t outer = ctx.odp.start_nested(OVS_ACTION_ATTR_CHECK_PKT_LEN);
  ctx.odp.put_u16(OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, c.pkt_len);
  for (int greater = 1; greater >= 0; --greater) {
    size_t branch = ctx.odp.start_nested(greater ? OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER
                                                 : OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
    ctx.flow = old_flow;
    ctx.base = old_base;
    ctx.action_set = old_set;
    ctx.conntracked = old_ct;
    ctx.exit = false;
    xlate_write_subfield(c.dst, greater, ctx.flow);
    do_xlate_actions(ctx, rest);
    if (!ctx.action_set.empty()) {
      ActionList set = std::move(ctx.action_set);
      ctx.action_set.clear();
      ctx.exit = false;
      bool saved = ctx.in_action_set;
      ctx.in_action_set = true;
      do_xlate_actions(ctx, set);
      ctx.in_action_set = saved;
    }
    ctx.odp.end_nested(branch);
  }
  ctx.odp.end_nested(outer);
  ctx.flow = old_flow;
  ctx.base = old_base;
  ctx.action_set.clear();
  ctx.conntracked = old_ct;
  // Both branches ran everything that follows, action set included.
  ctx.exit = true;
  ctx.action_set_done = true;
}

}  // namespace grebe::xlate
