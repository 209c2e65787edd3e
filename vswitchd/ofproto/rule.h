// OfRule: one OpenFlow flow entry of an ofproto table (OVS's struct rule).
//
// Owned by OfprotoTables (unique_ptr); linked into one table's
// FlowClassifier.  Immutable except for the statistics and `modified`/`used`
// times, which the writer thread (ofproto main thread) updates; xlate only
// reads the match, priority and actions of rules it looked up.
#pragma once

#include <cstdint>

#include "grebe/classifier/flow_classifier.h"
#include "grebe/openflow/actions.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"

namespace grebe::ofproto {

// Why a rule went away (OFPRR_*), as in flow_removed messages.
enum class RemovedReason : uint8_t {
  kIdleTimeout = 0,
  kHardTimeout = 1,
  kDelete = 2,
  kGroupDelete = 3,
  kMeterDelete = 4,
  kEviction = 5,
};
const char* removed_reason_name(RemovedReason reason);  // "idle", "hard", ...

class OfRule : public classifier::FlowRule {
 public:
  OfRule(const Match& match, int priority, uint8_t table_id,
         std::vector<classifier::Conjunction> conjunctions = {})
      : FlowRule(match, priority, std::move(conjunctions)), table_id(table_id) {}

  const uint8_t table_id;
  uint64_t cookie = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0, importance = 0;
  uint16_t flags = 0;  // openflow::kFf*
  openflow::ActionList actions;

  long long created = 0;   // time_msec() at creation (kept across modify)
  long long modified = 0;  // last add/modify
  long long used = 0;      // last packet (or creation)
  uint64_t packet_count = 0, byte_count = 0;

  // True if any action (also inside write_actions/clone) outputs to `port`
  // (OFPP_ANY/OFPP_NONE matches everything) — the out_port filter.
  bool outputs_to_port(uint32_t port) const;
  // Likewise for group actions and the out_group filter.
  bool outputs_to_group(uint32_t group) const;
  // Milliseconds since the epoch of time_msec() when this rule expires by
  // its idle or hard timeout (LLONG_MAX if never), and which.
  long long expiry(RemovedReason* reason) const;
  // Flow stats as a flow_stats reply carries them, at time `now`.
  openflow::FlowStats to_stats(long long now) const;
};

// A flow_removed event (OFPT_FLOW_REMOVED content) for a rule that had
// OFPFF_SEND_FLOW_REM set.
struct FlowRemoved {
  Match match;
  uint16_t priority = 0;
  uint8_t table_id = 0;
  RemovedReason reason = RemovedReason::kDelete;
  uint64_t cookie = 0;
  uint32_t duration_sec = 0, duration_nsec = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0;
  uint64_t packet_count = 0, byte_count = 0;
};
FlowRemoved make_flow_removed(const OfRule& rule, RemovedReason reason, long long now);

}  // namespace grebe::ofproto
