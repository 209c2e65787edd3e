// The NORMAL action: a VLAN-aware learning switch over the bridge's ports
// (OVS's xlate_normal).  Input VLAN admission per the port's vlan_mode,
// reserved multicast dropped, the source learned (on the handler thread,
// through the MAC table's own lock), then the destination's learned port or
// a flood over every port in the VLAN, each output tagged for its port.
//
// Learning is a side effect done here, only when XlateIn::may_learn (upcall
// handlers; not revalidators or ofproto/trace without -generate).  Every
// translation through NORMAL also reports in XlateOut what it learned and
// the MAC table's change_seq, so revalidators can refresh the entries of
// flows still in use and re-translate flows when a MAC moves.
#include "normal/mac_learning.h"
#include "normal/normal_config.h"
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

using normal::NormalConfig;
using normal::NormalPort;
using normal::VlanMode;

namespace {

// The VLAN headers of a packet as NORMAL sees them (OVS's struct xvlan).
struct XVlanHdr {
  uint16_t tpid = 0;
  uint16_t vid = 0;
  uint16_t pcp = 0;  // in TCI position (kVlanPcpMask bits)
};
struct XVlan {
  XVlanHdr v[kFlowMaxVlans];
};

bool eth_type_vlan(uint16_t t) { return t == kEthTypeVlan8021Q || t == kEthTypeVlan8021AD; }

XVlan xvlan_extract(const Flow& flow) {
  XVlan x;
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    if (!eth_type_vlan(flow.vlans[i].tpid) || !(flow.vlans[i].tci & kVlanCfi)) break;
    x.v[i].tpid = flow.vlans[i].tpid;
    x.v[i].vid = flow.vlans[i].tci & kVlanVidMask;
    x.v[i].pcp = flow.vlans[i].tci & kVlanPcpMask;
  }
  return x;
}

void xvlan_put(Flow& flow, const XVlan& x, normal::PriorityTags prio) {
  for (int i = 0; i < kFlowMaxVlans; ++i) {
    uint16_t tci = static_cast<uint16_t>(x.v[i].vid | (x.v[i].pcp & kVlanPcpMask));
    if (tci || (prio == normal::PriorityTags::kAlways && x.v[i].tpid)) {
      tci |= kVlanCfi;
      flow.vlans[i].tpid = x.v[i].tpid ? x.v[i].tpid : kEthTypeVlan8021Q;
    }
    flow.vlans[i].tci = tci;
  }
}

void xvlan_pop(XVlan& x) {
  for (int i = 0; i + 1 < kFlowMaxVlans; ++i) x.v[i] = x.v[i + 1];
  x.v[kFlowMaxVlans - 1] = XVlanHdr{};
}

void xvlan_push(XVlan& x) {
  for (int i = kFlowMaxVlans - 1; i > 0; --i) x.v[i] = x.v[i - 1];
  x.v[0] = XVlanHdr{};
}

bool includes_vlan(const NormalPort& p, const XVlan& x) {
  switch (p.vlan_mode) {
    case VlanMode::kAccess:
      return x.v[0].vid == p.tag && x.v[1].vid == 0;
    case VlanMode::kTrunk:
    case VlanMode::kNativeTagged:
    case VlanMode::kNativeUntagged:
      return p.trunks_vlan(x.v[0].vid);
    case VlanMode::kDot1qTunnel:
      return x.v[0].vid == p.tag && p.cvlans.contains(x.v[1].vid);
  }
  return false;
}

// The VLANs inside the bridge for a packet received with `in` on `p`.
XVlan input_translate(const NormalPort& p, const XVlan& in) {
  XVlan x = in;
  switch (p.vlan_mode) {
    case VlanMode::kAccess:
      x = XVlan{};
      x.v[0].tpid = in.v[0].tpid ? in.v[0].tpid : kEthTypeVlan8021Q;
      x.v[0].vid = p.tag;
      x.v[0].pcp = in.v[0].pcp;
      break;
    case VlanMode::kTrunk:
      break;
    case VlanMode::kNativeTagged:
    case VlanMode::kNativeUntagged:
      if (!in.v[0].vid) {
        x.v[0].tpid = in.v[0].tpid ? in.v[0].tpid : kEthTypeVlan8021Q;
        x.v[0].vid = p.tag;
      }
      break;
    case VlanMode::kDot1qTunnel:
      xvlan_push(x);
      x.v[0].tpid = p.qinq_ethtype;
      x.v[0].vid = p.tag;
      x.v[0].pcp = 0;
      break;
  }
  return x;
}

// The VLANs a packet carries when it leaves on `p`.
XVlan output_translate(const NormalPort& p, const XVlan& x) {
  XVlan out = x;
  switch (p.vlan_mode) {
    case VlanMode::kAccess:
      out = XVlan{};
      break;
    case VlanMode::kTrunk:
    case VlanMode::kNativeTagged:
      break;
    case VlanMode::kNativeUntagged:
      if (x.v[0].vid == p.tag) xvlan_pop(out);
      break;
    case VlanMode::kDot1qTunnel:
      xvlan_pop(out);
      break;
  }
  return out;
}

const char* vlan_mode_name(VlanMode m) {
  switch (m) {
    case VlanMode::kAccess: return "access";
    case VlanMode::kTrunk: return "trunk";
    case VlanMode::kNativeTagged: return "native-tagged";
    case VlanMode::kNativeUntagged: return "native-untagged";
    case VlanMode::kDot1qTunnel: return "dot1q-tunnel";
  }
  return "?";
}

// OVS's input_vid_is_valid.
bool input_vid_is_valid(XlateCtx& ctx, uint16_t vid, const NormalPort& p, bool is_none) {
  if (is_none) return true;
  std::string v = std::to_string(vid);
  switch (p.vlan_mode) {
    case VlanMode::kAccess:
      if (vid) {
        ctx.trace_error("dropping VLAN " + v + " tagged packet received on port " + p.name +
                        " configured as VLAN " + std::to_string(p.tag) + " access port");
        return false;
      }
      return true;
    case VlanMode::kNativeTagged:
    case VlanMode::kNativeUntagged:
      if (!vid) return true;  // the native VLAN
      [[fallthrough]];
    case VlanMode::kTrunk:
      if (!p.trunks_vlan(vid)) {
        ctx.trace_error("dropping VLAN " + v + " packet received on port " + p.name +
                        " not configured for trunking VLAN " + v);
        return false;
      }
      return true;
    case VlanMode::kDot1qTunnel:
      if (!p.cvlans.contains(vid)) {
        ctx.trace_error("dropping VLAN " + v + " packet received on dot1q-tunnel port " + p.name +
                        " that excludes this VLAN");
        return false;
      }
      return true;
  }
  (void)vlan_mode_name;
  return false;
}

bool eth_addr_is_reserved(const EthAddr& ea) {
  uint64_t x = 0;
  for (uint8_t b : ea.b) x = (x << 8) | b;
  if ((x & ~0xfULL) == 0x0180c2000000ULL) return true;  // STP, pause, LLDP, ...
  switch (x) {
    case 0x00e02b000000ULL:  // EDP
    case 0x00e02b000004ULL:  // EAPS
    case 0x00e02b000006ULL:
    case 0x01000c000000ULL:  // ISL
    case 0x01000cccccccULL:  // PAgP, UDLD, CDP, DTP, VTP
    case 0x01000ccccccdULL:  // PVST+
    case 0x01000ccdcdcdULL:  // STP Uplink Fast, FlexLink
      return true;
    default:
      return (x & ~0x7ULL) == 0x01000cccccc0ULL;  // Cisco CFM
  }
}

// A VM announcing itself after migration (OVS's is_gratuitous_arp).
bool is_gratuitous_arp(const Flow& flow, FlowWildcards& wc) {
  if (flow.dl_type != kEthTypeArp) return false;
  wc.masks.dl_dst = Match::all_ones<EthAddr>();
  if (!flow.dl_dst.is_broadcast()) return false;
  wc.masks.nw_proto = 0xff;
  if (flow.nw_proto == 2) return true;  // reply
  if (flow.nw_proto != 1) return false;
  wc.masks.nw_src = ~0u;
  wc.masks.nw_dst = ~0u;
  return flow.nw_src == flow.nw_dst;
}

void output_normal(XlateCtx& ctx, const NormalPort& out_port, const XVlan& xvlan) {
  if (out_port.vlan_mode == VlanMode::kDot1qTunnel && !out_port.cvlans.all())
    ctx.out.wc.masks.vlans[1].tci = 0xffff;
  XVlan out = output_translate(out_port, xvlan);
  if (out_port.priority_tags != normal::PriorityTags::kNever)
    out.v[0].pcp = ctx.flow.vlans[0].tci & kVlanPcpMask;
  FlowVlan saved[kFlowMaxVlans];
  std::copy(std::begin(ctx.flow.vlans), std::end(ctx.flow.vlans), saved);
  xvlan_put(ctx.flow, out, out_port.priority_tags);
  xlate_output_odp(ctx, out_port.ofp_port);
  std::copy(std::begin(saved), std::end(saved), ctx.flow.vlans);
}

void flood(XlateCtx& ctx, const NormalConfig& cfg, const NormalPort& in, const XVlan& xvlan) {
  for (const NormalPort& p : cfg.ports)
    if (p.ofp_port != in.ofp_port && includes_vlan(p, xvlan) && p.floodable && !p.mirror_out)
      output_normal(ctx, p, xvlan);
}

// Learns the source and records it for the revalidators.
void learn_source(XlateCtx& ctx, normal::MacLearning* ml, const NormalPort& in, uint16_t vlan,
                  bool is_grat_arp) {
  const Flow& flow = ctx.flow;
  if (!ml || flow.packet_type != kPacketTypeEthernet) return;
  if (ctx.in.may_learn) {
    normal::LearnResult r = ml->learn(flow.dl_src, vlan, in.ofp_port, is_grat_arp);
    if (r == normal::LearnResult::kLearned || r == normal::LearnResult::kMoved) {
      char buf[96];
      const uint8_t* m = flow.dl_src.b;
      snprintf(buf, sizeof buf, "learned that %02x:%02x:%02x:%02x:%02x:%02x is on port %s in VLAN %d",
               m[0], m[1], m[2], m[3], m[4], m[5], in.name.c_str(), vlan);
      ctx.trace_line(std::string(" -> ") + buf);
    }
  }
  ctx.out.mac_learned.push_back(MacLearnRecord{flow.dl_src, vlan, in.ofp_port, is_grat_arp});
}

// When NORMAL has no bridge configuration (older callers): the flat
// normal() hook decides the output ports.
void xlate_normal_legacy(XlateCtx& ctx) {
  std::vector<uint32_t> ports;
  if (ctx.hooks) ctx.hooks->normal(ctx.flow, &ctx.out.wc, &ports);
  for (uint32_t p : ports)
    if (p != ctx.flow.in_port) xlate_output_odp(ctx, p);
}

}  // namespace

void xlate_normal(XlateCtx& ctx) {
  const NormalConfig* cfg = ctx.hooks ? ctx.hooks->normal_config() : nullptr;
  if (!cfg) {
    xlate_normal_legacy(ctx);
    return;
  }
  FlowWildcards& wc = ctx.out.wc;
  Flow& flow = ctx.flow;
  wc.masks.dl_src = Match::all_ones<EthAddr>();
  wc.masks.dl_dst = Match::all_ones<EthAddr>();
  wc.masks.vlans[0].tci |= kVlanVidMask | kVlanCfi;

  // Packets a controller sends from OFPP_NONE/CONTROLLER act as if from
  // a trunk port carrying every VLAN that learns nothing.
  static const NormalPort none_port = [] {
    NormalPort p;
    p.ofp_port = kOfppNone;
    p.name = "OFPP_NONE";
    return p;
  }();
  const NormalPort* in = cfg->find(flow.in_port);
  bool is_none = false;
  if (!in && (flow.in_port == kOfppController || flow.in_port == kOfppNone)) {
    in = &none_port;
    is_none = true;
  }
  if (!in) {
    ctx.trace_error("received packet on unknown port " + std::to_string(flow.in_port));
    ctx.trace_line(" >> no input bundle, dropping");
    return;
  }
  if (eth_type_vlan(flow.dl_type) && !(flow.vlans[0].tci & kVlanCfi)) {
    ctx.trace_line(" >> partial VLAN tag, dropping");
    return;
  }
  if (in->mirror_out) {
    ctx.trace_error("dropping packet received on port " + in->name +
                    ", which is reserved exclusively for mirroring");
    ctx.trace_line(" >> input port is mirror output port, dropping");
    return;
  }
  XVlan in_xvlan = xvlan_extract(flow);
  if (!input_vid_is_valid(ctx, in_xvlan.v[0].vid, *in, is_none)) {
    ctx.trace_line(" >> disallowed VLAN VID for this input port, dropping");
    return;
  }
  XVlan xvlan = input_translate(*in, in_xvlan);
  uint16_t vlan = xvlan.v[0].vid;

  if (!cfg->forward_bpdu && eth_addr_is_reserved(flow.dl_dst)) {
    ctx.trace_line(" -> packet has reserved destination MAC, dropping");
    return;
  }

  normal::MacLearning* ml = ctx.hooks->mac_learning();
  bool is_grat_arp = is_gratuitous_arp(flow, wc);
  if (!is_none) learn_source(ctx, ml, *in, vlan, is_grat_arp);
  if (ml && !ctx.out.uses_mac_learning) {
    // Read after learning: what the lookup below sees is at least this new.
    ctx.out.uses_mac_learning = true;
    ctx.out.mac_seq = ml->change_seq();
  }

  std::optional<uint32_t> learned = ml ? ml->lookup(flow.dl_dst, vlan) : std::nullopt;
  if (!learned) {
    ctx.trace_line(" -> no learned MAC for destination, flooding");
    flood(ctx, *cfg, *in, xvlan);
    return;
  }
  const NormalPort* out = cfg->find(*learned);
  if (out && out->mirror_out) {
    ctx.trace_line(" >> learned port is a mirror port, dropping");
  } else if (!out) {
    ctx.trace_line(" >> learned port is unknown, dropping");
  } else if (out->ofp_port == in->ofp_port) {
    ctx.trace_line(" -> learned port is input port, dropping");
  } else {
    ctx.trace_line(" -> forwarding to learned port");
    output_normal(ctx, *out, xvlan);
  }
}

}  // namespace grebe::xlate
