// Datapath action text -> action attributes.
#include <linux/openvswitch.h>
#include <strings.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "action_private.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/util/byteorder.h"
#include "odp_private.h"
#include "text.h"

namespace grebe::odp {

using namespace text;

namespace {

bool is_delimiter(char c) { return c == '\0' || std::strchr(kDelimiters, c) != nullptr; }

// Actions up to (not including) the closing ')'; returns chars consumed.
Result<size_t> parse_action_list(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                                 int depth) {
  size_t n = 0;
  for (;;) {
    n += std::strspn(s + n, kDelimiters);
    if (s[n] == ')') return n;
    auto r = parse_odp_action(s + n, actions, names, depth);
    if (!r.ok()) return r;
    if (actions.size() > nl::kAttrMaxLen) return Error(E2BIG, "actions too long");
    n += *r;
  }
}

// set(KEY) -> OVS_ACTION_ATTR_SET, or SET_MASKED when the parsed mask is not
// all-ones (the key payload is then followed by the mask payload).
Result<size_t> parse_set(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                         int depth) {
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_SET);
  size_t key_off = actions.size();
  nl::AttrBuilder mask;
  auto r = parse_odp_key_mask_attr(s + 4, actions, &mask, names, depth);
  if (!r.ok()) return r;
  if (s[4 + *r] != ')') return action_syntax_error();
  nl::Attr key(actions.data().data() + key_off);
  nl::AttrIterator mit(mask.bytes());
  if (mit.ok() && mit.attr().size() == key.size() &&
      !is_all_ones(mit.attr().data(), mit.attr().size())) {
    std::vector<uint8_t> both(key.data(), key.data() + key.size());
    both.insert(both.end(), mit.attr().data(), mit.attr().data() + mit.attr().size());
    uint16_t type = key.type();
    actions.truncate(key_off);
    actions.put_unspec(type, both.data(), both.size());
    uint16_t masked = OVS_ACTION_ATTR_SET_MASKED;
    std::memcpy(actions.mutable_data().data() + nest + 2, &masked, 2);
  }
  actions.end_nested(nest);
  return 4 + *r + 1;
}

Result<size_t> parse_push_vlan(const char* s, nl::AttrBuilder& actions) {
  uint32_t tpid = 0x8100, vid = 0, pcp = 0, cfi = 1;
  size_t n = 0;
  for (int form = 0; form < 4 && !n; form++) {
    Scan sc(s);
    sc.lit("push_vlan(");
    if (form >= 2) sc.lit("tpid=").num(&tpid);
    sc.lit(form >= 2 ? ",vid=" : "vid=").num(&vid).lit(",pcp=").num(&pcp);
    if (form % 2) sc.lit(",cfi=").num(&cfi);
    sc.lit(")");
    if (sc.ok()) n = sc.consumed();
  }
  if (!n || (vid & ~0xfffu) || (pcp & ~7u)) return action_syntax_error();
  uint8_t push[4];
  store_be16(push, static_cast<uint16_t>(tpid));
  store_be16(push + 2, static_cast<uint16_t>(vid | pcp << 13 | (cfi ? 0x1000 : 0)));
  actions.put_unspec(OVS_ACTION_ATTR_PUSH_VLAN, push, sizeof push);
  return n;
}

Result<size_t> parse_sample(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                            int depth) {
  size_t pre = match(s, "sample(sample=");
  char* end;
  double pct = std::strtod(s + pre, &end);
  if (end == s + pre || !match(end, "%,actions(") || !(pct >= 0.0 && pct <= 100.0)) {
    return action_syntax_error();
  }
  size_t n = end + std::strlen("%,actions(") - s;
  double prob = std::floor(UINT32_MAX * (pct / 100.0) + .5);
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_SAMPLE);
  actions.put_u32(OVS_SAMPLE_ATTR_PROBABILITY, prob <= 0            ? 0
                                               : prob >= UINT32_MAX ? UINT32_MAX
                                                                    : static_cast<uint32_t>(prob));
  size_t acts = actions.start_nested(OVS_SAMPLE_ATTR_ACTIONS);
  auto r = parse_action_list(s + n, actions, names, depth);
  if (!r.ok()) return r;
  n += *r;
  actions.end_nested(acts);
  actions.end_nested(nest);
  if (s[n + 1] != ')') return action_syntax_error();
  return n + 2;
}

// "drop" or an action list, inside check_pkt_len's gt(...) / le(...).
Result<size_t> parse_branch(const char* s, nl::AttrBuilder& actions, uint16_t type,
                            const PortNameMap* names, int depth) {
  size_t nest = actions.start_nested(type);
  size_t n = 4;
  if (strncasecmp(s, "drop", 4) != 0) {
    auto r = parse_action_list(s, actions, names, depth);
    if (!r.ok()) return r;
    n = *r;
  }
  actions.end_nested(nest);
  return n;
}

Result<size_t> parse_check_pkt_len(const char* s, nl::AttrBuilder& actions,
                                   const PortNameMap* names, int depth) {
  uint16_t len;
  Scan sc(s);
  sc.lit("check_pkt_len(size=").num(&len).lit(",gt(");
  if (!sc.ok()) return action_syntax_error();
  size_t n = sc.consumed();
  size_t nest = actions.start_nested(OVS_ACTION_ATTR_CHECK_PKT_LEN);
  actions.put_u16(OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, len);
  auto gt = parse_branch(s + n, actions, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER, names, depth);
  if (!gt.ok()) return gt;
  n += *gt;
  size_t m = match(s + n, "),le(");
  if (!m) return action_syntax_error();
  n += m;
  auto le =
      parse_branch(s + n, actions, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL, names, depth);
  if (!le.ok()) return le;
  n += *le;
  actions.end_nested(nest);
  if (s[n] != ')' || s[n + 1] != ')') return action_syntax_error();
  return n + 2;
}

// push_mpls(...) / add_mpls(label=..,tc=..,ttl=..,bos=..,eth_type=0x..).
Result<size_t> parse_mpls_push(const char* s, const char* name, uint16_t type,
                               nl::AttrBuilder& actions) {
  uint32_t label, tc, ttl, bos, eth_type;
  Scan sc(s);
  sc.lit(name).lit("(label=").num(&label).lit(",tc=").num(&tc, 10).lit(",ttl=").num(&ttl, 10);
  sc.lit(",bos=").num(&bos, 10).lit(",eth_type=0x").num(&eth_type, 16).lit(")");
  if (!sc.ok()) return action_syntax_error();
  uint8_t buf[8] = {};
  store_be32(buf, label << 12 | (tc & 7) << 9 | (bos & 1) << 8 | (ttl & 0xff));
  store_be16(buf + 4, static_cast<uint16_t>(eth_type));
  actions.put_unspec(type, buf, sizeof buf);
  return sc.consumed();
}

// Simple "name(N)" actions carrying one u32.
Result<size_t> parse_u32_action(const char* s, nl::AttrBuilder& actions) {
  static constexpr struct {
    const char* name;
    uint16_t type;
  } kU32Actions[] = {
      {"lb_output(", kActionLbOutput},     {"trunc(", OVS_ACTION_ATTR_TRUNC},
      {"recirc(", OVS_ACTION_ATTR_RECIRC}, {"meter(", OVS_ACTION_ATTR_METER},
      {"tnl_pop(", kActionTunnelPop},
  };
  for (const auto& a : kU32Actions) {
    uint32_t v;
    Scan sc(s);
    sc.lit(a.name).num(&v).lit(")");
    if (sc.ok()) {
      actions.put_u32(a.type, v);
      return sc.consumed();
    }
  }
  return static_cast<size_t>(0);
}

// Actions without arguments and other fixed forms; 0 if none matched.
Result<size_t> parse_simple_action(const char* s, nl::AttrBuilder& actions) {
  size_t n;
  if ((n = match(s, "pop_vlan"))) {
    actions.put_flag(OVS_ACTION_ATTR_POP_VLAN);
    return n;
  }
  if ((n = match(s, "pop_nsh()"))) {
    actions.put_flag(OVS_ACTION_ATTR_POP_NSH);
    return n;
  }
  if ((n = match(s, "ct_clear"))) {
    actions.put_flag(OVS_ACTION_ATTR_CT_CLEAR);
    return n;
  }
  if ((n = match(s, "pop_eth"))) {
    actions.put_flag(OVS_ACTION_ATTR_POP_ETH);
    return n;
  }
  uint32_t v;
  Scan pm(s);
  pm.lit("pop_mpls(eth_type=0x").num(&v, 16).lit(")");
  if (pm.ok()) {
    actions.put_be16(OVS_ACTION_ATTR_POP_MPLS, static_cast<uint16_t>(v));
    return pm.consumed();
  }
  for (uint32_t alg : {0u, 1u}) {
    uint32_t basis;
    Scan h(s);
    h.lit(alg ? "hash(sym_l4(" : "hash(l4(").num(&basis).lit("))");
    if (h.ok()) {
      uint32_t buf[2] = {alg, basis};
      actions.put_unspec(OVS_ACTION_ATTR_HASH, buf, sizeof buf);
      return h.consumed();
    }
  }
  if ((n = match(s, "push_eth(src="))) {
    uint8_t eth[12];
    size_t a = scan_eth_addr(s + n, eth);
    size_t d = a ? match(s + n + a, ",dst=") : 0;
    size_t b = d ? scan_eth_addr(s + n + a + d, eth + 6) : 0;
    if (!b || s[n + a + d + b] != ')') return action_syntax_error();
    actions.put_unspec(OVS_ACTION_ATTR_PUSH_ETH, eth, sizeof eth);
    return n + a + d + b + 1;
  }
  return parse_u32_action(s, actions);
}

Result<size_t> parse_odp_action__(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                                  int depth) {
  unsigned long long port;
  if (size_t n = scan_uint(s, &port)) {
    actions.put_u32(OVS_ACTION_ATTR_OUTPUT, static_cast<uint32_t>(port));
    return n;
  }
  auto simple = parse_simple_action(s, actions);
  if (!simple.ok() || *simple) return simple;
  if (names) {
    size_t len = std::strcspn(s, kDelimiters);
    auto it = names->find(std::string_view(s, len));
    if (it != names->end()) {
      actions.put_u32(OVS_ACTION_ATTR_OUTPUT, it->second);
      return len;
    }
  }
  if (match(s, "userspace(")) return parse_userspace_action(s, actions);
  if (match(s, "set(")) return parse_set(s, actions, names, depth);
  if (match(s, "push_vlan(")) return parse_push_vlan(s, actions);
  if (match(s, "push_mpls("))
    return parse_mpls_push(s, "push_mpls", OVS_ACTION_ATTR_PUSH_MPLS, actions);
  if (match(s, "add_mpls("))
    return parse_mpls_push(s, "add_mpls", OVS_ACTION_ATTR_ADD_MPLS, actions);
  if (match(s, "sample(sample=")) return parse_sample(s, actions, names, depth);
  if (size_t n = match(s, "clone(")) {
    size_t nest = actions.start_nested(OVS_ACTION_ATTR_CLONE);
    auto r = parse_action_list(s + n, actions, names, depth);
    if (!r.ok()) return r;
    actions.end_nested(nest);
    return n + *r + 1;
  }
  if (match(s, "check_pkt_len(")) return parse_check_pkt_len(s, actions, names, depth);
  if (match(s, "tnl_push(")) return parse_tnl_push_action(s, actions);
  if (match(s, "push_nsh(")) {
    size_t n = parse_push_nsh_action(s, actions);
    return n ? Result<size_t>(n) : action_syntax_error();
  }
  auto ct = parse_ct_action(s, actions);
  if (!ct.ok() || *ct) return ct;
  return action_syntax_error();
}

}  // namespace

Result<size_t> parse_odp_action(const char* s, nl::AttrBuilder& actions, const PortNameMap* names,
                                int depth) {
  if (depth + 1 >= kMaxOdpNested) return action_syntax_error();
  return parse_odp_action__(s, actions, names, depth + 1);
}

Status odp_actions_from_string(std::string_view input, nl::AttrBuilder& actions,
                               const PortNameMap* names) {
  if (input.find('\0') != std::string_view::npos) return action_syntax_error();
  std::string copy(input);
  if (strcasecmp(copy.c_str(), "drop") == 0) {
    actions.put_u32(kActionDrop, 0);  // XLATE_OK
    return ok_status();
  }
  const char* s = copy.c_str();
  size_t old_size = actions.size();
  for (;;) {
    s += std::strspn(s, kDelimiters);
    if (!*s) return ok_status();
    auto r = parse_odp_action(s, actions, names, 0);
    if (r.ok() && actions.size() - old_size > nl::kAttrMaxLen) {
      r = Error(E2BIG, "odp_actions_from_string: error (actions too long)");
    }
    if (!r.ok() || !is_delimiter(s[*r])) {
      actions.truncate(old_size);
      if (!r.ok() && r.error().code() == E2BIG) return r.take_error();
      return Error(EINVAL, std::string("syntax error at ") + s);
    }
    s += *r;
  }
}

}  // namespace grebe::odp
