#include "odp_fuzz_targets.h"

#include <linux/openvswitch.h>

#include <string>
#include <string_view>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_commit.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp::fuzz {

namespace {

constexpr nl::AttrPolicyTable<OVS_FLOW_ATTR_MASK + 1> kFlowPolicy = [] {
  nl::AttrPolicyTable<OVS_FLOW_ATTR_MASK + 1> t{};
  t[OVS_FLOW_ATTR_KEY] = {nl::AttrKind::kNested, true, 0, 0, "key"};
  t[OVS_FLOW_ATTR_ACTIONS] = {nl::AttrKind::kNested, true, 0, 0, "actions"};
  t[OVS_FLOW_ATTR_STATS] = {nl::AttrKind::kUnspec, true, 16, 16, "stats"};
  t[OVS_FLOW_ATTR_TCP_FLAGS] = {nl::AttrKind::kU8, true, 0, 0, "tcp_flags"};
  t[OVS_FLOW_ATTR_USED] = {nl::AttrKind::kU64, true, 0, 0, "used"};
  t[OVS_FLOW_ATTR_CLEAR] = {nl::AttrKind::kFlag, true, 0, 0, "clear"};
  t[OVS_FLOW_ATTR_MASK] = {nl::AttrKind::kNested, true, 0, 0, "mask"};
  return t;
}();

}  // namespace

void fuzz_odp_attrs(const uint8_t* data, size_t size) {
  nl::Bytes all(data, size);
  (void)odp_flow_key_format(all);
  std::string acts = format_odp_actions(all);
  if (size > 0) {
    size_t split = std::min<size_t>(size - 1, data[0] * 4u);
    nl::Bytes rest = all.subspan(1);
    (void)odp_flow_format(rest.subspan(0, split), rest.subspan(split), false);
    (void)odp_flow_format(rest.subspan(0, split), rest.subspan(split), true);
    // Key/mask -> Flow/FlowWildcards -> key/mask must not crash either.
    Flow flow;
    FlowWildcards wc;
    std::string err;
    if (odp_flow_key_to_flow(rest.subspan(0, split), &flow, &err) != OdpKeyFitness::kError &&
        odp_flow_key_to_mask(rest.subspan(split), &wc, flow, &err) != OdpKeyFitness::kError) {
      OdpFlowKeyParms parms;
      parms.flow = &flow;
      parms.mask = &wc.masks;
      nl::AttrBuilder k, m;
      odp_flow_key_from_flow(parms, k);
      odp_flow_key_from_mask(parms, m);
      // Commit the difference between the flow and its mask viewed as a
      // flow: arbitrary but well-typed inputs for commit_odp_actions().
      Flow base = wc.masks;
      FlowWildcards touched;
      nl::AttrBuilder acts;
      (void)commit_odp_actions(flow, &base, acts, &touched, size & 1);
      commit_odp_tunnel_action(flow, &base, acts);
      (void)format_odp_actions(acts.bytes());
    }
  }
  auto parsed = nl::parse_attrs(all, kFlowPolicy);
  if (parsed.ok() && parsed->has(OVS_FLOW_ATTR_KEY)) {
    (void)odp_flow_format((*parsed)[OVS_FLOW_ATTR_KEY].payload(),
                          (*parsed)[OVS_FLOW_ATTR_MASK].valid()
                              ? (*parsed)[OVS_FLOW_ATTR_MASK].payload()
                              : nl::Bytes(),
                          false);
  }
  // Whatever the formatter printed must not crash the parser either.
  nl::AttrBuilder again;
  (void)odp_actions_from_string(acts, again);
}

void fuzz_odp_text(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nl::AttrBuilder key, mask;
  if (odp_flow_from_string(text, key, &mask).ok()) {
    std::string out = odp_flow_format(key.bytes(), mask.bytes(), false);
    nl::AttrBuilder k2, m2;
    (void)odp_flow_from_string(out, k2, &m2);
    (void)odp_flow_key_format(key.bytes());
  }
  nl::AttrBuilder actions;
  if (odp_actions_from_string(text, actions).ok()) {
    std::string out = format_odp_actions(actions.bytes());
    nl::AttrBuilder a2;
    (void)odp_actions_from_string(out, a2);
  }
}

}  // namespace grebe::odp::fuzz
