// Packet-ins: the controller action, the table-miss packet-in and dec_ttl's
// invalid_ttl exception, plus freezing (registering the state a later
// continuation needs under a recirculation id).
//
// As in OVS, a controller action is a userspace() datapath action whose
// cookie carries a recirculation id; the frozen state behind it keeps the
// table id, the controller userdata and the flow metadata at the time of
// the action.  Header changes before the action are committed first, so
// the packet reaches userspace as modified so far.
#include <linux/openvswitch.h>

#include "grebe/odp/odp_put.h"
#include "xlate/recirc.h"
#include "xlate/upcall_cookie.h"
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

using namespace openflow;

uint32_t xlate_freeze(XlateCtx& ctx, FrozenState state) {
  RecircRegistry* reg = ctx.hooks ? ctx.hooks->recirc_registry() : nullptr;
  if (!reg) return 0;
  state.bridge = ctx.bridge;
  state.metadata = ctx.flow;
  state.action_set = ctx.action_set;
  state.conntracked = ctx.conntracked;
  uint32_t id = reg->alloc(state);
  if (!id) {
    ctx.trace_error("Failed to allocate recirculation id");
    return 0;
  }
  ctx.out.recirc_refs.push_back(id);
  return id;
}

namespace {

// A rule that matches everything at priority 0: OpenFlow's table-miss flow.
bool rule_is_table_miss(const ofproto::OfRule* rule) {
  if (!rule || rule->priority() != 0) return false;
  return rule->to_match().wc.is_catchall();
}

}  // namespace

void xlate_controller(XlateCtx& ctx, uint16_t max_len, uint8_t reason, uint16_t controller_id,
                      const std::vector<uint8_t>& userdata, bool pause, uint32_t meter_id) {
  if (ctx.exit) return;
  xlate_commit(ctx);
  if (reason == kOfprAction && rule_is_table_miss(ctx.rule)) reason = kOfprExplicitMiss;

  FrozenState state;
  state.table_id = ctx.cur_table;
  state.userdata = userdata;
  state.rule_cookie = ctx.rule_cookie;
  ControllerUpcall up;
  up.reason = reason;
  up.max_len = max_len;
  up.controller_id = controller_id;
  up.rule_cookie = ctx.rule_cookie;
  up.pause = pause;
  up.recirc_id = xlate_freeze(ctx, std::move(state));

  // A controller meter limits packet-ins in the datapath, before upcall.
  if (meter_id != 0xffffffff && ctx.hooks) {
    if (auto dp = ctx.hooks->dp_meter_id(meter_id)) ctx.odp.put_u32(OVS_ACTION_ATTR_METER, *dp);
  }
  std::vector<uint8_t> cookie =
      encode_controller_cookie(up, static_cast<uint16_t>(ctx.flow.in_port));
  uint32_t pid = ctx.hooks ? ctx.hooks->upcall_pid() : 0;
  (void)odp::odp_put_userspace_action(pid, nl::Bytes(cookie.data(), cookie.size()), std::nullopt,
                                      false, ctx.odp);
  // A paused pipeline continues in userspace only, after the controller
  // resumes it; nothing after the action runs in this translation.
  if (pause) ctx.exit = ctx.frozen = true;
}

bool xlate_dec_ttl(XlateCtx& ctx, const ActDecTtl& a) {
  Flow& f = ctx.flow;
  if (!f.is_ip()) return true;
  ctx.out.wc.masks.nw_ttl = 0xff;
  ctx.out.wc.masks.nw_proto = 0xff;  // as OVS: the megaflow says what dec_ttl saw
  if (f.nw_ttl > 1) {
    --f.nw_ttl;
    return true;
  }
  // One packet-in per listed controller id; plain dec_ttl means id 0.
  if (a.controller_ids.empty() && !a.explicit_ids) {
    xlate_controller(ctx, 0xffff, kOfprInvalidTtl, 0);
  } else {
    for (uint16_t id : a.controller_ids) xlate_controller(ctx, 0xffff, kOfprInvalidTtl, id);
  }
  ctx.trace_line(std::string(" >> IPv") + (f.dl_type == kEthTypeIp ? "4" : "6") +
                 " decrement TTL exception");
  return false;
}

}  // namespace grebe::xlate
