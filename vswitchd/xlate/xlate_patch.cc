// Patch ports: output to a patch port continues translation in the peer
// bridge's tables, with the peer port as in_port and fresh metadata
// (registers, metadata, tunnel, conntrack state), as OVS does.  Whatever
// the peer bridge does to the flow or its action set stays there; the
// datapath actions it emits are part of this translation.
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

void xlate_patch_port(XlateCtx& ctx, const XlateHooks::PatchPeer& peer) {
  if (!peer.tables || !peer.hooks) {
    ctx.trace_line(" >> patch port has no peer bridge, dropping");
    return;
  }
  Flow saved_flow = ctx.flow;
  FlowTnl saved_tnl_mask = ctx.out.wc.masks.tunnel;
  const ofproto::OfprotoTables* saved_tables = ctx.tables;
  const XlateHooks* saved_hooks = ctx.hooks;
  std::string saved_bridge = ctx.bridge;
  openflow::ActionList saved_set = std::move(ctx.action_set);
  ctx.action_set.clear();
  bool saved_conntracked = ctx.conntracked;

  Flow& f = ctx.flow;
  f.in_port = peer.ofp_port;
  f.metadata = 0;
  std::memset(&f.tunnel, 0, sizeof f.tunnel);
  std::memset(&ctx.out.wc.masks.tunnel, 0, sizeof ctx.out.wc.masks.tunnel);
  for (uint32_t& r : f.regs) r = 0;
  f.actset_output = kOfppUnset;
  f.ct_state = 0;
  f.ct_zone = 0;
  f.ct_mark = 0;
  f.ct_label = U128{0, 0};
  ctx.conntracked = false;
  ctx.tables = peer.tables;
  ctx.hooks = peer.hooks;
  ctx.bridge = peer.bridge;
  {
    XlateCtx::TraceScope scope(ctx, TraceType::kBridge, "bridge(\"" + peer.bridge + "\")");
    xlate_table(ctx, 0, peer.ofp_port);
    xlate_run_action_set(ctx);
  }
  ctx.flow = saved_flow;
  ctx.out.wc.masks.tunnel = saved_tnl_mask;
  ctx.tables = saved_tables;
  ctx.hooks = saved_hooks;
  ctx.bridge = saved_bridge;
  ctx.action_set = std::move(saved_set);
  ctx.conntracked = saved_conntracked;
  // The peer exiting (or freezing) does not end the calling bridge's work.
  ctx.exit = false;
  ctx.frozen = false;
  ctx.action_set_done = false;
}

}  // namespace grebe::xlate
