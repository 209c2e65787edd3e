// Connection tracking: ct() becomes OVS_ACTION_ATTR_CT (commit, zone,
// mark, labels, helper, nat), and with table=N a recirculation whose
// frozen state makes the handler of the recirculated miss continue at
// table N.  The packet itself goes on untracked: after ct() the ct_*
// fields read as cleared, as in OVS.
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "xlate/recirc.h"
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

using namespace openflow;

namespace {

void clear_conntrack(Flow& f) {
  f.ct_state = 0;
  f.ct_zone = 0;
  f.ct_mark = 0;
  f.ct_label = U128{0, 0};
  f.ct_nw_proto = 0;
  f.ct_nw_src = f.ct_nw_dst = 0;
  f.ct_ipv6_src = In6Addr{};
  f.ct_ipv6_dst = In6Addr{};
  f.ct_tp_src = f.ct_tp_dst = 0;
}

// Applies exec(set_field:...->ct_mark / ct_label) to the flow and returns
// the bits set, which become the masks of the mark / labels attributes.
void run_exec(XlateCtx& ctx, const ActionList& exec, uint32_t* mark_mask, U128* label_mask) {
  for (const Action& a : exec) {
    const auto* sf = std::get_if<ActSetField>(&a.v);
    if (!sf || !sf->field) continue;  // only ct_mark / ct_label are allowed
    if (sf->field->id == MfId::kCtMark) {
      uint32_t v = 0, m = 0;
      for (int i = 0; i < 4; ++i) v = (v << 8) | sf->value.b[i], m = (m << 8) | sf->mask.b[i];
      ctx.flow.ct_mark = (ctx.flow.ct_mark & ~m) | (v & m);
      *mark_mask |= m;
    } else if (sf->field->id == MfId::kCtLabel) {
      uint64_t vh = 0, vl = 0, mh = 0, ml = 0;
      for (int i = 0; i < 8; ++i) {
        vh = (vh << 8) | sf->value.b[i], vl = (vl << 8) | sf->value.b[8 + i];
        mh = (mh << 8) | sf->mask.b[i], ml = (ml << 8) | sf->mask.b[8 + i];
      }
      ctx.flow.ct_label.hi = (ctx.flow.ct_label.hi & ~mh) | (vh & mh);
      ctx.flow.ct_label.lo = (ctx.flow.ct_label.lo & ~ml) | (vl & ml);
      label_mask->hi |= mh;
      label_mask->lo |= ml;
    }
  }
}

void put_nat(XlateCtx& ctx, const ActNat& nat) {
  size_t tok = ctx.odp.start_nested(OVS_CT_ATTR_NAT);
  if (nat.src || nat.dst) {
    ctx.odp.put_flag(nat.src ? OVS_NAT_ATTR_SRC : OVS_NAT_ATTR_DST);
    if (nat.has_addr()) {
      if (nat.ipv6) {
        ctx.odp.put_unspec(OVS_NAT_ATTR_IP_MIN, nat.ip6_min.b, 16);
        if (!(nat.ip6_max == nat.ip6_min) && !nat.ip6_max.is_zero())
          ctx.odp.put_unspec(OVS_NAT_ATTR_IP_MAX, nat.ip6_max.b, 16);
      } else {
        uint32_t lo = htonl(nat.ip4_min), hi = htonl(nat.ip4_max);
        ctx.odp.put_unspec(OVS_NAT_ATTR_IP_MIN, &lo, 4);
        if (nat.ip4_max && nat.ip4_max != nat.ip4_min)
          ctx.odp.put_unspec(OVS_NAT_ATTR_IP_MAX, &hi, 4);
      }
    }
    if (nat.port_min) {
      ctx.odp.put_u16(OVS_NAT_ATTR_PROTO_MIN, nat.port_min);
      if (nat.port_max && nat.port_max != nat.port_min)
        ctx.odp.put_u16(OVS_NAT_ATTR_PROTO_MAX, nat.port_max);
    }
    if (nat.persistent) ctx.odp.put_flag(OVS_NAT_ATTR_PERSISTENT);
    if (nat.hash) ctx.odp.put_flag(OVS_NAT_ATTR_PROTO_HASH);
    if (nat.random) ctx.odp.put_flag(OVS_NAT_ATTR_PROTO_RANDOM);
  }
  ctx.odp.end_nested(tok);
}

}  // namespace

void xlate_ct(XlateCtx& ctx, const ActCt& ct) {
  uint16_t zone = ct.zone_imm;
  if (ct.zone_src.field) {
    zone = static_cast<uint16_t>(xlate_read_subfield(ct.zone_src, ctx.flow));
    mf_set_all_bits(*ct.zone_src.field, ctx.out.wc.masks);
  }
  xlate_commit(ctx);  // the datapath tracks the packet as modified so far

  uint32_t mark_mask = 0;
  U128 label_mask{0, 0};
  run_exec(ctx, ct.exec, &mark_mask, &label_mask);

  size_t tok = ctx.odp.start_nested(OVS_ACTION_ATTR_CT);
  if (ct.commit) ctx.odp.put_flag(ct.force ? OVS_CT_ATTR_FORCE_COMMIT : OVS_CT_ATTR_COMMIT);
  ctx.odp.put_u16(OVS_CT_ATTR_ZONE, zone);
  if (mark_mask) {
    uint32_t mark[2] = {ctx.flow.ct_mark, mark_mask};
    ctx.odp.put_unspec(OVS_CT_ATTR_MARK, mark, sizeof mark);
  }
  if (!label_mask.is_zero()) {
    // Kernel layout: the 128-bit value then mask, each as host-order
    // 64-bit halves, low half first (OVS's ovs_u128).
    uint64_t labels[4] = {ctx.flow.ct_label.lo, ctx.flow.ct_label.hi, label_mask.lo,
                          label_mask.hi};
    ctx.odp.put_unspec(OVS_CT_ATTR_LABELS, labels, sizeof labels);
  }
  if (ct.alg == 21) ctx.odp.put_string(OVS_CT_ATTR_HELPER, "ftp");
  if (ct.alg == 69) ctx.odp.put_string(OVS_CT_ATTR_HELPER, "tftp");
  if (!ct.nat.empty()) put_nat(ctx, ct.nat[0]);
  ctx.odp.end_nested(tok);

  if (ct.recirc_table != 255) {
    ctx.conntracked = true;
    FrozenState state;
    state.table_id = ct.recirc_table;
    state.rule_cookie = ctx.rule_cookie;
    uint32_t id = xlate_freeze(ctx, std::move(state));
    if (id) {
      ctx.odp.put_u32(OVS_ACTION_ATTR_RECIRC, id);
      ctx.trace_line(" -> A clone of the packet is forked to recirculate. The forked pipeline "
                     "will be resumed at table " +
                     std::to_string(ct.recirc_table) + ".");
    } else {
      ctx.out.error = "no recirculation context for ct(table=" + std::to_string(ct.recirc_table) + ")";
      ctx.trace_error(ctx.out.error);
      ctx.exit = true;
    }
  }
  // The ct_* fields exist only in the recirculated pipeline.
  clear_conntrack(ctx.flow);
  ctx.trace_line(" -> Sets the packet to an untracked state, and clears all the conntrack fields.");
  ctx.conntracked = false;
}

void xlate_ct_clear(XlateCtx& ctx) {
  // Only a packet that went through ct() (in this pipeline or before the
  // recirculation that resumed it) can be tracked.
  if (!ctx.conntracked) return;
  clear_conntrack(ctx.flow);
  clear_conntrack(ctx.base);
  ctx.odp.put_flag(OVS_ACTION_ATTR_CT_CLEAR);
}

}  // namespace grebe::xlate
