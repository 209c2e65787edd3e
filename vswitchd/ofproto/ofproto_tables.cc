// OfprotoTables: construction, lookup, statistics accounting, timeouts.
#include "ofproto/ofproto_tables.h"

#include <algorithm>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

namespace grebe::ofproto {

OfprotoTables::OfprotoTables() : tables_(kNumTables) {
  for (Table& t : tables_) t.cls = std::make_unique<classifier::FlowClassifier>();
}

OfprotoTables::~OfprotoTables() {
  // Rules must leave their classifiers before they are destroyed.
  for (auto& [ptr, rule] : rules_) tables_[rule->table_id].cls->remove(rule.get());
}

const OfRule* OfprotoTables::lookup(uint8_t table_id, const Flow& flow, FlowWildcards* wc) const {
  if (table_id >= kNumTables) return nullptr;
  const classifier::Rule* r = tables_[table_id].cls->lookup(version_, flow, wc);
  return static_cast<const OfRule*>(r);
}

void OfprotoTables::credit_stats(const OfRule* rule, uint64_t packets, uint64_t bytes,
                                 long long now) {
  auto it = rules_.find(rule);
  if (it == rules_.end()) return;  // already removed: the stats are lost, as in OVS
  it->second->packet_count += packets;
  it->second->byte_count += bytes;
  it->second->used = std::max(it->second->used, now);
}

void OfprotoTables::retire(OfRule* rule) {
  auto it = rules_.find(rule);
  if (it == rules_.end()) return;
  tables_[rule->table_id].cls->remove(rule);
  dead_.push_back(std::move(it->second));
  rules_.erase(it);
}

std::vector<FlowRemoved> OfprotoTables::run(long long now, std::vector<FlowRemoved>* expired) {
  // Rules retired before this call: no lookup can still hold them.
  dead_.clear();

  std::vector<std::pair<OfRule*, RemovedReason>> victims;
  for (auto& [ptr, rule] : rules_) {
    RemovedReason reason = RemovedReason::kIdleTimeout;
    if (rule->expiry(&reason) <= now) victims.emplace_back(rule.get(), reason);
  }
  // Deterministic order: table, then priority descending.
  std::sort(victims.begin(), victims.end(), [](const auto& a, const auto& b) {
    if (a.first->table_id != b.first->table_id) return a.first->table_id < b.first->table_id;
    return a.first->priority() > b.first->priority();
  });
  std::vector<FlowRemoved> out;
  for (auto& [rule, reason] : victims) {
    FlowRemoved fr = make_flow_removed(*rule, reason, now);
    VLOG_DBG("expiring rule in table %d (%s timeout)", rule->table_id, removed_reason_name(reason));
    if (expired) expired->push_back(fr);
    if (rule->flags & openflow::kFfSendFlowRem) out.push_back(std::move(fr));
    retire(rule);
  }
  return out;
}

}  // namespace grebe::ofproto
