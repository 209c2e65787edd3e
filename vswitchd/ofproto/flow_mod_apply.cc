// flow_mod semantics: add / modify / delete, applied as a transaction in the
// next classifier version and published (or reverted) as a whole.
#include <algorithm>
#include <climits>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ofproto/ofproto_tables.h"

VLOG_DEFINE_THIS_MODULE(ofproto_flow_mod);

namespace grebe::ofproto {

using namespace openflow;

// Changes prepared in version `v` but not yet published.
struct OfprotoTables::Txn {
  classifier::Version v;
  long long now;
  std::vector<OfRule*> added;  // inserted with add_version v
  struct Hidden {
    OfRule* rule;
    RemovedReason reason;
    bool notify;  // emit flow_removed on commit
  };
  std::vector<Hidden> hidden;  // made invisible in v
  FlowModOutcome outcome;
};

Result<FlowModOutcome> OfprotoTables::handle_flow_mod(const FlowMod& fm) {
  return apply_bundle({fm});
}

Result<FlowModOutcome> OfprotoTables::apply_bundle(const std::vector<FlowMod>& fms) {
  Txn txn{version_ + 1, time_msec(), {}, {}, {}};
  for (size_t i = 0; i < fms.size(); ++i) {
    Status s = start_flow_mod(txn, fms[i]);
    if (!s.ok()) {
      revert(txn);
      if (fms.size() == 1) return s.error();
      return Error(s.error().code(),
                   s.error().message() + " (bundle message " + std::to_string(i) + ")");
    }
  }
  finish(txn);
  return std::move(txn.outcome);
}

Status OfprotoTables::start_flow_mod(Txn& txn, const FlowMod& fm) {
  if (fm.table_id != kTableAll && fm.table_id >= kNumTables)
    return Error(EINVAL, "OFPBRC_BAD_TABLE_ID");
  switch (fm.command) {
    case FlowModCommand::kAdd:
      return add_flow(txn, fm);
    case FlowModCommand::kModify:
      return modify_flows(txn, fm, false);
    case FlowModCommand::kModifyStrict:
      return modify_flows(txn, fm, true);
    case FlowModCommand::kDelete:
      delete_flows(txn, fm, false);
      return {};
    case FlowModCommand::kDeleteStrict:
      delete_flows(txn, fm, true);
      return {};
  }
  return Error(EINVAL, "OFPFMFC_BAD_COMMAND");
}

std::unique_ptr<OfRule> OfprotoTables::new_rule(const FlowMod& fm, uint8_t table_id,
                                                long long now) {
  auto rule = std::make_unique<OfRule>(fm.match, fm.priority, table_id);
  rule->cookie = fm.new_cookie == ~0ull ? 0 : fm.new_cookie;
  rule->idle_timeout = fm.idle_timeout;
  rule->hard_timeout = fm.hard_timeout;
  rule->importance = fm.importance;
  // Only the flags that describe the rule's state are kept (OFPUTIL_FF_STATE).
  rule->flags = fm.flags & (kFfSendFlowRem | kFfNoPktCounts | kFfNoBytCounts);
  rule->actions = fm.actions;
  rule->created = rule->modified = rule->used = now;
  return rule;
}

void OfprotoTables::replace_rule(Txn& txn, OfRule* old_rule, std::unique_ptr<OfRule> rule,
                                 bool keep_counts) {
  if (old_rule) {
    if (keep_counts) {
      rule->packet_count = old_rule->packet_count;
      rule->byte_count = old_rule->byte_count;
      rule->used = old_rule->used;
    }
    old_rule->make_invisible_in_version(txn.v);
    txn.hidden.push_back({old_rule, RemovedReason::kDelete, false});
  }
  OfRule* raw = rule.get();
  Status s = tables_[raw->table_id].cls->insert(raw, txn.v);
  if (!s.ok()) {
    // Cannot happen for a match the old rule's removal freed; keep going
    // without the rule rather than crash.
    VLOG_ERR("classifier insert failed: %s", s.error().message().c_str());
    return;
  }
  rules_.emplace(raw, std::move(rule));
  txn.added.push_back(raw);
}

Status OfprotoTables::make_room(Txn& txn, uint8_t table_id) {
  const TableConfig& cfg = tables_[table_id].config;
  if (cfg.max_flows == UINT32_MAX) return {};
  std::vector<OfRule*> live;
  tables_[table_id].cls->for_each(nullptr, txn.v, [&](const classifier::Rule& r) {
    live.push_back(const_cast<OfRule*>(static_cast<const OfRule*>(&r)));
  });
  if (live.size() < cfg.max_flows) return {};
  if (!cfg.eviction) return Error(ENOSPC, "OFPFMFC_TABLE_FULL");
  // Evict the least important rule, and among those the one expiring first
  // (rules without timeouts cannot be evicted, as in OVS).
  OfRule* victim = nullptr;
  long long victim_expiry = 0;
  for (OfRule* r : live) {
    RemovedReason why;
    long long e = r->expiry(&why);
    if (e == LLONG_MAX) continue;
    if (!victim || r->importance < victim->importance ||
        (r->importance == victim->importance && e < victim_expiry)) {
      victim = r;
      victim_expiry = e;
    }
  }
  if (!victim) return Error(ENOSPC, "OFPFMFC_TABLE_FULL");
  victim->make_invisible_in_version(txn.v);
  txn.hidden.push_back({victim, RemovedReason::kEviction, (victim->flags & kFfSendFlowRem) != 0});
  return {};
}

Status OfprotoTables::add_flow(Txn& txn, const FlowMod& fm) {
  uint8_t table_id = fm.table_id == kTableAll ? 0 : fm.table_id;
  auto& cls = *tables_[table_id].cls;
  auto* old = const_cast<OfRule*>(
      static_cast<const OfRule*>(cls.find_exactly(fm.match, fm.priority, txn.v)));
  if (!old) {
    if ((fm.flags & kFfCheckOverlap) && cls.rule_overlaps(fm.match, fm.priority, txn.v))
      return Error(EEXIST, "OFPFMFC_OVERLAP");
    GREBE_TRY(make_room(txn, table_id));
  }
  replace_rule(txn, old, new_rule(fm, table_id, txn.now), !(fm.flags & kFfResetCounts));
  ++txn.outcome.n_added;
  return {};
}

Status OfprotoTables::modify_flows(Txn& txn, const FlowMod& fm, bool strict) {
  // Modify ignores out_port/out_group (OVS passes OFPP_ANY/OFPG_ANY).
  std::vector<OfRule*> olds = collect(fm.table_id, fm.match, fm.priority, strict, fm.cookie,
                                      fm.cookie_mask, kOfppNone, kOfpgAny, txn.v);
  if (olds.empty()) {
    if (fm.new_cookie != ~0ull && fm.cookie_mask == 0) return add_flow(txn, fm);
    return {};
  }
  for (OfRule* old : olds) {
    auto rule = std::make_unique<OfRule>(old->to_match(), old->priority(), old->table_id);
    bool change_cookie = fm.modify_cookie && fm.new_cookie != ~0ull;
    rule->cookie = change_cookie ? fm.new_cookie : old->cookie;
    rule->idle_timeout = old->idle_timeout;
    rule->hard_timeout = old->hard_timeout;
    rule->importance = old->importance;
    rule->flags = old->flags;
    rule->actions = fm.actions;
    rule->created = old->created;
    rule->modified = rule->used = txn.now;
    replace_rule(txn, old, std::move(rule), !(fm.flags & kFfResetCounts));
    ++txn.outcome.n_modified;
  }
  return {};
}

void OfprotoTables::delete_flows(Txn& txn, const FlowMod& fm, bool strict) {
  std::vector<OfRule*> victims = collect(fm.table_id, fm.match, fm.priority, strict, fm.cookie,
                                         fm.cookie_mask, fm.out_port, fm.out_group, txn.v);
  for (OfRule* r : victims) {
    r->make_invisible_in_version(txn.v);
    txn.hidden.push_back({r, RemovedReason::kDelete, (r->flags & kFfSendFlowRem) != 0});
    ++txn.outcome.n_deleted;
  }
}

void OfprotoTables::finish(Txn& txn) {
  version_ = txn.v;  // publish every change at once
  for (const Txn::Hidden& h : txn.hidden) {
    if (h.notify) txn.outcome.removed.push_back(make_flow_removed(*h.rule, h.reason, txn.now));
    retire(h.rule);
  }
}

void OfprotoTables::revert(Txn& txn) {
  for (auto it = txn.hidden.rbegin(); it != txn.hidden.rend(); ++it) it->rule->restore_visibility();
  for (OfRule* r : txn.added) retire(r);
}

}  // namespace grebe::ofproto
