// Datapath action attributes -> text.
#include <linux/openvswitch.h>

#include <cstring>

#include "action_private.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

constexpr int kLenVariable = -2;
constexpr int kLenInvalid = -1;

// Expected payload length of an action, as OVS's odp_action_len().
int odp_action_len(uint16_t type) {
  switch (type) {
    case OVS_ACTION_ATTR_OUTPUT:
    case kActionLbOutput:
    case OVS_ACTION_ATTR_TRUNC:
    case kActionTunnelPop:
    case OVS_ACTION_ATTR_METER:
    case OVS_ACTION_ATTR_RECIRC:
    case kActionDrop:
      return 4;
    case kActionTunnelPush:
    case OVS_ACTION_ATTR_USERSPACE:
    case OVS_ACTION_ATTR_SET:
    case OVS_ACTION_ATTR_SET_MASKED:
    case OVS_ACTION_ATTR_SAMPLE:
    case OVS_ACTION_ATTR_CT:
    case OVS_ACTION_ATTR_CLONE:
    case OVS_ACTION_ATTR_PUSH_NSH:
    case OVS_ACTION_ATTR_CHECK_PKT_LEN:
      return kLenVariable;
    case OVS_ACTION_ATTR_PUSH_VLAN:
      return sizeof(ovs_action_push_vlan);
    case OVS_ACTION_ATTR_POP_VLAN:
    case OVS_ACTION_ATTR_CT_CLEAR:
    case OVS_ACTION_ATTR_POP_ETH:
    case OVS_ACTION_ATTR_POP_NSH:
      return 0;
    case OVS_ACTION_ATTR_PUSH_MPLS:
      return sizeof(ovs_action_push_mpls);
    case OVS_ACTION_ATTR_POP_MPLS:
      return 2;
    case OVS_ACTION_ATTR_HASH:
      return sizeof(ovs_action_hash);
    case OVS_ACTION_ATTR_PUSH_ETH:
      return sizeof(ovs_action_push_eth);
    case OVS_ACTION_ATTR_ADD_MPLS:
      return sizeof(ovs_action_add_mpls);
    default:
      return kLenInvalid;
  }
}

void format_generic_action(std::string& out, nl::Attr a) {
  appendf(out, "action%d", a.type());
  for (size_t i = 0; i < a.size(); i++) appendf(out, "%c%02x", i ? ' ' : '(', a.data()[i]);
  if (a.size()) out += ')';
}

void format_sample(std::string& out, nl::Attr attr) {
  static constexpr nl::AttrPolicyTable<OVS_SAMPLE_ATTR_ACTIONS + 1> kPolicy = [] {
    nl::AttrPolicyTable<OVS_SAMPLE_ATTR_ACTIONS + 1> t{};
    t[OVS_SAMPLE_ATTR_PROBABILITY] = {nl::AttrKind::kU32, false, 0, 0, "probability"};
    t[OVS_SAMPLE_ATTR_ACTIONS] = {nl::AttrKind::kNested, false, 0, 0, "actions"};
    return t;
  }();
  out += "sample";
  auto a = nl::parse_attrs(attr.payload(), kPolicy);
  if (!a.ok()) {
    out += "(error)";
    return;
  }
  double pct = 100.0 * (*a)[OVS_SAMPLE_ATTR_PROBABILITY].get_u32() / UINT32_MAX;
  appendf(out, "(sample=%.1f%%,actions(", pct);
  format_odp_actions(out, (*a)[OVS_SAMPLE_ATTR_ACTIONS].payload());
  out += "))";
}

void format_check_pkt_len(std::string& out, nl::Attr attr) {
  constexpr uint16_t kLe = OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL;
  constexpr uint16_t kGt = OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER;
  static constexpr nl::AttrPolicyTable<kLe + 1> kPolicy = [] {
    nl::AttrPolicyTable<kLe + 1> t{};
    t[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN] = {nl::AttrKind::kU16, false, 0, 0, "pkt_len"};
    t[kGt] = {nl::AttrKind::kNested, false, 0, 0, "actions_if_greater"};
    t[kLe] = {nl::AttrKind::kNested, false, 0, 0, "actions_if_less_equal"};
    return t;
  }();
  out += "check_pkt_len";
  auto a = nl::parse_attrs(attr.payload(), kPolicy);
  if (!a.ok()) {
    out += "(error)";
    return;
  }
  appendf(out, "(size=%u,gt(", (*a)[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN].get_u16());
  format_odp_actions(out, (*a)[kGt].payload());
  out += "),le(";
  format_odp_actions(out, (*a)[kLe].payload());
  out += "))";
}

void format_set_masked(std::string& out, nl::Attr nested) {
  nl::AttrIterator it(nested.payload());
  out += "set(";
  if (!it.ok()) {
    out += ')';
    return;
  }
  nl::Attr a = it.attr();
  size_t size = a.size() / 2;
  if (size <= sizeof(ovs_key_ipv6)) {
    // Split "key || mask" into two attributes of the same type.
    nl::AttrBuilder kb, mb;
    kb.put_unspec(a.type(), a.data(), size);
    mb.put_unspec(a.type(), a.data() + size, size);
    format_odp_key_attr(out, nl::Attr(kb.data().data()), nl::Attr(mb.data().data()), false);
  } else {
    format_odp_key_attr(out, a, nl::Attr(), false);
  }
  out += ')';
}

void format_push_vlan(std::string& out, nl::Attr a) {
  uint16_t tpid = load_be16(a.data()), tci = load_be16(a.data() + 2);
  out += "push_vlan(";
  if (tpid != 0x8100) appendf(out, "tpid=0x%04x,", tpid);
  format_vlan_tci(out, tci, 0xffff, false);
  out += ')';
}

void format_hash(std::string& out, nl::Attr a) {
  uint32_t alg, basis;
  std::memcpy(&alg, a.data(), 4);
  std::memcpy(&basis, a.data() + 4, 4);
  out += "hash(";
  if (alg == OVS_HASH_ALG_L4) {
    appendf(out, "l4(%u)", basis);
  } else if (alg == 1) {  // OVS_HASH_ALG_SYM_L4
    appendf(out, "sym_l4(%u)", basis);
  } else {
    appendf(out, "Unknown hash algorithm(%u)", alg);
  }
  out += ')';
}

void format_mpls_push(std::string& out, const char* name, nl::Attr a) {
  appendf(out, "%s(", name);
  format_mpls_lse(out, load_be32(a.data()));
  appendf(out, ",eth_type=0x%x)", load_be16(a.data() + 4));
}

// Actions printed as a fixed word or "name(<u32>)"; false if `a` is not one.
bool format_simple_action(std::string& out, nl::Attr a) {
  static constexpr struct {
    uint16_t type;
    const char* text;  // a printf format taking the u32 argument, if any
    bool has_arg;
  } kSimple[] = {
      {OVS_ACTION_ATTR_METER, "meter(%u)", true},
      {kActionLbOutput, "lb_output(%u)", true},
      {OVS_ACTION_ATTR_TRUNC, "trunc(%u)", true},
      {OVS_ACTION_ATTR_RECIRC, "recirc(%#x)", true},
      {OVS_ACTION_ATTR_POP_ETH, "pop_eth", false},
      {OVS_ACTION_ATTR_POP_VLAN, "pop_vlan", false},
      {OVS_ACTION_ATTR_CT_CLEAR, "ct_clear", false},
      {OVS_ACTION_ATTR_POP_NSH, "pop_nsh()", false},
      {kActionDrop, "drop", false},
  };
  for (const auto& s : kSimple) {
    if (s.type != a.type()) continue;
    if (s.has_arg) {
      appendf(out, s.text, a.get_u32());
    } else {
      out += s.text;
    }
    return true;
  }
  return false;
}

void format_odp_action(std::string& out, nl::Attr a) {
  int expected = odp_action_len(a.type());
  if (expected != kLenVariable && a.size() != static_cast<size_t>(expected)) {
    appendf(out, "bad length %zu, expected %d for: ", a.size(), expected);
    format_generic_action(out, a);
    return;
  }
  if (format_simple_action(out, a)) return;
  switch (a.type()) {
    case OVS_ACTION_ATTR_OUTPUT:
      format_odp_port(out, a.get_u32());
      break;
    case kActionTunnelPop:
      out += "tnl_pop(";
      format_odp_port(out, a.get_u32());
      out += ')';
      break;
    case kActionTunnelPush:
      format_tnl_push_action(out, a);
      break;
    case OVS_ACTION_ATTR_USERSPACE:
      format_userspace_action(out, a);
      break;
    case OVS_ACTION_ATTR_HASH:
      format_hash(out, a);
      break;
    case OVS_ACTION_ATTR_SET_MASKED:
      format_set_masked(out, a);
      break;
    case OVS_ACTION_ATTR_SET: {
      out += "set(";
      nl::AttrIterator it(a.payload());
      if (it.ok()) format_odp_key_attr(out, it.attr(), nl::Attr(), true);
      out += ')';
      break;
    }
    case OVS_ACTION_ATTR_PUSH_ETH:
      out += "push_eth(src=" + eth_to_string(a.data()) + ",dst=" + eth_to_string(a.data() + 6);
      out += ')';
      break;
    case OVS_ACTION_ATTR_PUSH_VLAN:
      format_push_vlan(out, a);
      break;
    case OVS_ACTION_ATTR_PUSH_MPLS:
      format_mpls_push(out, "push_mpls", a);
      break;
    case OVS_ACTION_ATTR_POP_MPLS:
      appendf(out, "pop_mpls(eth_type=0x%x)", a.get_be16());
      break;
    case OVS_ACTION_ATTR_SAMPLE:
      format_sample(out, a);
      break;
    case OVS_ACTION_ATTR_CT:
      format_ct_action(out, a);
      break;
    case OVS_ACTION_ATTR_CLONE:
      out += "clone(";
      format_odp_actions(out, a.payload());
      out += ')';
      break;
    case OVS_ACTION_ATTR_CHECK_PKT_LEN:
      format_check_pkt_len(out, a);
      break;
    case OVS_ACTION_ATTR_PUSH_NSH:
      format_push_nsh_action(out, a);
      break;
    case OVS_ACTION_ATTR_ADD_MPLS:
      format_mpls_push(out, "add_mpls", a);
      break;
    default:
      format_generic_action(out, a);
      break;
  }
}

}  // namespace

void format_odp_actions(std::string& out, nl::Bytes actions, const PortNoNames* port_names) {
  PortNamesScope names_scope(port_names);
  // Hostile input can nest clone()/sample() thousands deep; bound recursion.
  FormatDepthGuard guard;
  if (guard.too_deep()) {
    out += "...";
    return;
  }
  if (actions.empty()) {
    out += "drop";
    return;
  }
  nl::AttrIterator it(actions);
  bool first = true;
  for (; it.ok(); it.next()) {
    if (!first) out += ',';
    first = false;
    format_odp_action(out, it.attr());
  }
  if (it.left()) {
    if (it.left() == actions.size()) out += "<empty>";
    appendf(out, ",***%zu leftover bytes*** (", it.left());
    for (size_t i = actions.size() - it.left(); i < actions.size(); i++) {
      appendf(out, "%02x", actions[i]);
    }
    out += ')';
  }
}

std::string format_odp_actions(nl::Bytes actions, const PortNoNames* port_names) {
  std::string out;
  format_odp_actions(out, actions, port_names);
  return out;
}

}  // namespace grebe::odp
