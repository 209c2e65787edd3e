// Datapath action executor.  See grebe/dpif/odp_execute.h.
#include "grebe/dpif/odp_execute.h"

#include <linux/openvswitch.h>

#include <cstring>
#include <random>

#include "grebe/odp/odp_actions.h"
#include "grebe/packet/headers.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/hash.h"

namespace grebe::dpif {
namespace {

// Execution state shared by nested action lists (clone, sample, ...).
struct Ctx {
  const ExecuteHooks& hooks;
  uint32_t trunc = 0;  // 0 = no truncation pending
  bool dropped = false;
};

Status run(Ctx& ctx, Packet& pkt, Flow& md, nl::Bytes actions);

Status malformed(const char* what) {
  return Error(EINVAL, std::string("malformed datapath action: ") + what);
}

uint32_t random_u32(const ExecuteHooks& hooks) {
  if (hooks.random) return hooks.random();
  thread_local std::minstd_rand prng(std::random_device{}());
  return static_cast<uint32_t>(prng()) ^ (static_cast<uint32_t>(prng()) << 16);
}

void do_output(Ctx& ctx, const Packet& pkt, const Flow& md, uint32_t port) {
  if (!ctx.hooks.output) return;
  if (ctx.trunc && ctx.trunc < pkt.size()) {
    Packet cut = Packet::copy_of(pkt.data(), ctx.trunc);
    ctx.hooks.output(cut, md, port);
  } else {
    ctx.hooks.output(pkt, md, port);
  }
  ctx.trunc = 0;  // trunc applies to the next output only
}

Status push_vlan(Packet& pkt, nl::Attr a) {
  if (a.size() != sizeof(ovs_action_push_vlan)) return malformed("push_vlan");
  if (pkt.size() < 12) return ok_status();
  ovs_action_push_vlan v;
  std::memcpy(&v, a.data(), sizeof v);
  uint8_t* p = pkt.push(4);
  std::memmove(p, p + 4, 12);  // MACs move to the new front
  std::memcpy(p + 12, &v.vlan_tpid, 2);
  // The CFI bit marks "tag present" in the key; it is not sent on the wire.
  store_be16(p + 14, static_cast<uint16_t>(load_be16(&v.vlan_tci) & ~kVlanCfi));
  return ok_status();
}

void pop_vlan(Packet& pkt) {
  if (pkt.size() < 18) return;
  uint16_t tpid = load_be16(pkt.data() + 12);
  if (tpid != kEthTypeVlan8021Q && tpid != kEthTypeVlan8021AD) return;
  std::memmove(pkt.data() + 4, pkt.data(), 12);
  (void)pkt.pull(4);
}

// The MPLS label stack starts after the MACs and any VLAN tags.
size_t l2_end(const Packet& pkt) {
  size_t off = 12;
  while (off + 4 <= pkt.size()) {
    uint16_t t = load_be16(pkt.data() + off);
    if (t != kEthTypeVlan8021Q && t != kEthTypeVlan8021AD) break;
    off += 4;
  }
  return off;  // offset of the ethertype
}

Status push_mpls(Packet& pkt, nl::Attr a) {
  if (a.size() != sizeof(ovs_action_push_mpls)) return malformed("push_mpls");
  size_t et = l2_end(pkt);
  if (et + 2 > pkt.size()) return ok_status();
  ovs_action_push_mpls m;
  std::memcpy(&m, a.data(), sizeof m);
  bool already_mpls =
      load_be16(pkt.data() + et) == kEthTypeMpls || load_be16(pkt.data() + et) == kEthTypeMplsMcast;
  uint32_t lse = load_be32(&m.mpls_lse);
  if (already_mpls) {
    lse &= ~kMplsBosMask;
  } else {
    lse |= kMplsBosMask;
  }
  uint8_t* p = pkt.push(4);
  std::memmove(p, p + 4, et);
  std::memcpy(p + et, &m.mpls_ethertype, 2);
  store_be32(p + et + 2, lse);
  return ok_status();
}

Status pop_mpls(Packet& pkt, nl::Attr a) {
  if (a.size() != 2) return malformed("pop_mpls");
  size_t et = l2_end(pkt);
  if (et + 6 > pkt.size()) return ok_status();
  uint16_t t = load_be16(pkt.data() + et);
  if (t != kEthTypeMpls && t != kEthTypeMplsMcast) return ok_status();
  std::memcpy(pkt.data() + et, a.data(), 2);  // new ethertype over the old
  std::memmove(pkt.data() + 4, pkt.data(), et + 2);
  (void)pkt.pull(4);
  return ok_status();
}

Status do_set(Packet& pkt, Flow& md, nl::Attr a, bool masked) {
  nl::AttrIterator it(a.payload());
  if (!it.ok()) return malformed("set");
  nl::Attr key = it.attr();
  if (!masked) return odp_set_field(pkt, md, key.type(), key.data(), nullptr, key.size());
  if (key.size() % 2) return malformed("set_masked");
  size_t half = key.size() / 2;
  return odp_set_field(pkt, md, key.type(), key.data(), key.data() + half, half);
}

// dp_hash over the 5-tuple (OVS_HASH_ALG_L4; the symmetric variant sorts
// the endpoints so both directions of a connection hash alike).
Status do_hash(Packet& pkt, Flow& md, nl::Attr a) {
  if (a.size() != sizeof(ovs_action_hash)) return malformed("hash");
  ovs_action_hash h;
  std::memcpy(&h, a.data(), sizeof h);
  Flow f = flow_extract(pkt.data(), pkt.size());
  uint32_t src = f.nw_src, dst = f.nw_dst;
  uint16_t sp = f.tp_src, dp = f.tp_dst;
  if (h.hash_alg == 1 && (src > dst || (src == dst && sp > dp))) {  // symmetric
    std::swap(src, dst);
    std::swap(sp, dp);
  }
  uint32_t v = hash_add(h.hash_basis, src);
  v = hash_add(v, dst);
  v = hash_add(v, hash_bytes(f.ipv6_src.b, 16, 0) ^ hash_bytes(f.ipv6_dst.b, 16, 0));
  v = hash_add(v, (uint32_t{sp} << 16) | dp);
  v = hash_add(v, f.nw_proto);
  v = hash_finish(v, 20);
  md.dp_hash = v ? v : 1;  // 0 means "not computed" in the key
  return ok_status();
}

Status do_sample(Ctx& ctx, Packet& pkt, Flow& md, nl::Attr a) {
  nl::Attr prob = nl::find_attr(a.payload(), OVS_SAMPLE_ATTR_PROBABILITY);
  nl::Attr acts = nl::find_attr(a.payload(), OVS_SAMPLE_ATTR_ACTIONS);
  if (!prob.valid() || prob.size() != 4 || !acts.valid()) return malformed("sample");
  uint32_t p = prob.get_u32();
  if (p == 0 || (p != UINT32_MAX && random_u32(ctx.hooks) > p)) return ok_status();
  // Sample works on a copy: the original continues with the outer list.
  Packet copy = Packet::copy_of(pkt.data(), pkt.size());
  Flow md_copy = md;
  Ctx inner{ctx.hooks};
  return run(inner, copy, md_copy, acts.payload());
}

Status do_clone(Ctx& ctx, Packet& pkt, Flow& md, nl::Attr a) {
  Packet copy = Packet::copy_of(pkt.data(), pkt.size());
  Flow md_copy = md;
  Ctx inner{ctx.hooks, ctx.trunc};
  return run(inner, copy, md_copy, a.payload());
}

Status do_check_pkt_len(Ctx& ctx, Packet& pkt, Flow& md, nl::Attr a) {
  nl::Attr len = nl::find_attr(a.payload(), OVS_CHECK_PKT_LEN_ATTR_PKT_LEN);
  nl::Attr gt = nl::find_attr(a.payload(), OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER);
  nl::Attr le = nl::find_attr(a.payload(), OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
  if (!len.valid() || len.size() != 2 || !gt.valid() || !le.valid()) {
    return malformed("check_pkt_len");
  }
  // The length compared is the L2 frame, as OVS does for the userspace dp.
  return run(ctx, pkt, md, pkt.size() > len.get_u16() ? gt.payload() : le.payload());
}

Status do_userspace(Ctx& ctx, const Packet& pkt, const Flow& md, nl::Attr a) {
  if (!nl::AttrIterator(a.payload()).ok() && a.size()) return malformed("userspace");
  if (ctx.hooks.userspace) ctx.hooks.userspace(pkt, md, a.payload());
  return ok_status();
}

Status do_ct_clear(Flow& md) {
  md.ct_state = 0;
  md.ct_zone = 0;
  md.ct_mark = 0;
  md.ct_label = U128{0, 0};
  md.ct_nw_proto = 0;
  md.ct_nw_src = md.ct_nw_dst = 0;
  md.ct_ipv6_src = md.ct_ipv6_dst = In6Addr{};
  md.ct_tp_src = md.ct_tp_dst = 0;
  return ok_status();
}

// One action; returns with ctx.dropped set when the packet's life ends.
Status run_one(Ctx& ctx, Packet& pkt, Flow& md, nl::Attr a) {
  switch (a.type()) {
    case OVS_ACTION_ATTR_OUTPUT:
      if (a.size() != 4) return malformed("output");
      do_output(ctx, pkt, md, a.get_u32());
      return ok_status();
    case OVS_ACTION_ATTR_USERSPACE:
      return do_userspace(ctx, pkt, md, a);
    case OVS_ACTION_ATTR_SET:
      return do_set(pkt, md, a, false);
    case OVS_ACTION_ATTR_SET_MASKED:
      return do_set(pkt, md, a, true);
    case OVS_ACTION_ATTR_PUSH_VLAN:
      return push_vlan(pkt, a);
    case OVS_ACTION_ATTR_POP_VLAN:
      pop_vlan(pkt);
      return ok_status();
    case OVS_ACTION_ATTR_PUSH_MPLS:
      return push_mpls(pkt, a);
    case OVS_ACTION_ATTR_POP_MPLS:
      return pop_mpls(pkt, a);
    case OVS_ACTION_ATTR_SAMPLE:
      return do_sample(ctx, pkt, md, a);
    case OVS_ACTION_ATTR_CLONE:
      return do_clone(ctx, pkt, md, a);
    case OVS_ACTION_ATTR_CHECK_PKT_LEN:
      return do_check_pkt_len(ctx, pkt, md, a);
    case OVS_ACTION_ATTR_HASH:
      return do_hash(pkt, md, a);
    case OVS_ACTION_ATTR_TRUNC:
      if (a.size() != 4) return malformed("trunc");
      ctx.trunc = a.get_u32();
      return ok_status();
    case OVS_ACTION_ATTR_RECIRC:
      if (a.size() != 4) return malformed("recirc");
      md.recirc_id = a.get_u32();
      if (ctx.hooks.recirc) ctx.hooks.recirc(pkt, md);
      ctx.dropped = true;  // recirculation consumes the packet, as in OVS
      return ok_status();
    case OVS_ACTION_ATTR_METER:
      if (a.size() != 4) return malformed("meter");
      if (ctx.hooks.meter && !ctx.hooks.meter(pkt, a.get_u32())) ctx.dropped = true;
      return ok_status();
    case OVS_ACTION_ATTR_CT:
      if (!ctx.hooks.ct) return Error(EOPNOTSUPP, "ct action is not supported by this datapath");
      return ctx.hooks.ct(pkt, md, a.payload());
    case OVS_ACTION_ATTR_CT_CLEAR:
      return do_ct_clear(md);
    case odp::kActionDrop:
      ctx.dropped = true;
      return ok_status();
    default:
      return Error(EOPNOTSUPP, "unsupported datapath action " + std::to_string(a.type()));
  }
}

Status run(Ctx& ctx, Packet& pkt, Flow& md, nl::Bytes actions) {
  nl::AttrIterator it(actions);
  for (; it.ok() && !ctx.dropped; it.next()) {
    GREBE_TRY(run_one(ctx, pkt, md, it.attr()));
  }
  if (it.malformed()) return malformed("truncated attribute");
  return ok_status();
}

}  // namespace

Status odp_execute_actions(Packet& pkt, Flow& md, nl::Bytes actions, const ExecuteHooks& hooks) {
  Ctx ctx{hooks};
  return run(ctx, pkt, md, actions);
}

}  // namespace grebe::dpif
