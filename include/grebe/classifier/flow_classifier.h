// The classifier bound to grebe::Flow: keys are Flows, matches are Matches,
// megaflow masks are FlowWildcards.  This is what ofproto's flow tables and
// xlate use; the generic Classifier stays key-agnostic.
//
// Threading and ownership are Classifier's (see classifier.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/classifier/classifier.h"
#include "grebe/classifier/key_layout.h"
#include "grebe/classifier/rule.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/match.h"

namespace grebe::classifier {

// Flow's layout: OVS's four stages (metadata, L2, L3, L4), the prefix
// fields nw_dst, nw_src (the default tries, as in OVS) and every other field
// OVS 3.1 accepts in Flow_Table "prefixes" (ipv6_dst, ipv6_src, tun_dst,
// tun_src, ct_nw_dst, ct_nw_src, tun_id, tun_ipv6_*, ct_ipv6_*), the ports
// (tp_src, tp_dst) and conj_id.
const KeyLayout& flow_layout();

// The layout name for an OVS field name usable in Flow_Table "prefixes"
// ("ip_src" -> "nw_src"); empty if the field cannot be a prefix field here.
std::string_view canonical_prefix_field(std::string_view ovs_name);

inline std::span<const uint64_t> flow_words(const Flow& flow) { return {flow.words(), kFlowU64s}; }
inline MatchView match_view(const Match& match) {
  return {flow_words(match.flow), flow_words(match.wc.masks)};
}
// The Match a rule of a FlowClassifier was built from.
Match rule_match(const Rule& rule);

// A rule over Flows.  ofproto's rule type derives from it.
class FlowRule : public Rule {
 public:
  FlowRule(const Match& match, int priority, std::vector<Conjunction> conjunctions = {})
      : Rule(match_view(match), priority, std::move(conjunctions)) {}
  Match to_match() const { return rule_match(*this); }
};

class FlowClassifier : public Classifier {
 public:
  // Uses nw_dst and nw_src tries, as OVS does by default.
  FlowClassifier();

  using Classifier::find_exactly;
  using Classifier::find_rules_loose;
  using Classifier::lookup;
  using Classifier::rule_overlaps;

  // Any thread.  Highest-priority rule visible in `version` matching `flow`;
  // ORs the bits examined into `wc` when non-null.
  const Rule* lookup(Version version, const Flow& flow, FlowWildcards* wc,
                     LookupStats* stats = nullptr) const {
    return Classifier::lookup(version, flow.words(), wc ? wc->masks.words() : nullptr, stats);
  }
  const Rule* find_exactly(const Match& match, int priority, Version version) const {
    return Classifier::find_exactly(match_view(match), priority, version);
  }
  std::vector<const Rule*> find_rules_loose(const Match& criteria, Version version) const {
    return Classifier::find_rules_loose(match_view(criteria), version);
  }
  bool rule_overlaps(const Match& match, int priority, Version version) const {
    return Classifier::rule_overlaps(match_view(match), priority, version);
  }
  // OVS Flow_Table "prefixes" semantics: OVS field names (aliases allowed),
  // "none" alone for no tries.  EINVAL with OVS-style text otherwise.
  Status set_prefixes(const std::vector<std::string>& ovs_names);
};

}  // namespace grebe::classifier
