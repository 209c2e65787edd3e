// OfprotoTables: the OpenFlow switch's flow tables (OVS's ofproto->tables)
// and flow_mod semantics (OVS ofproto/ofproto.c, OpenFlow 1.0-1.5).
//
// 255 tables (0..254; 255 = OFPTT_ALL), each a FlowClassifier of OfRules.
// Every change is made in the next classifier version and published by
// bumping the current version, so a bundle of flow_mods (and each single
// flow_mod, a bundle of one) becomes visible atomically or not at all.
//
// Semantics (as OVS):
//  - add: table 255 means table 0; OFPFF_CHECK_OVERLAP -> OFPFMFC_OVERLAP;
//    an identical match+priority replaces the old rule (stats kept unless
//    OFPFF_RESET_COUNTS); a full table evicts (if eviction is on) the rule
//    that expires soonest / is least important, else OFPFMFC_TABLE_FULL.
//  - modify / modify_strict: replace the actions (and cookie when the
//    flow_mod sets one) of the rules found (loose / exact+priority), keeping
//    timeouts, flags, creation time and stats (unless reset_counts); with
//    no rule found it adds the flow if cookie_mask is 0.
//  - delete / delete_strict: out_port / out_group / cookie filters; emits
//    flow_removed (reason delete) for rules with OFPFF_SEND_FLOW_REM.
//  - run(now): idle/hard timeouts.
//
// Threads: all methods on the ofproto main thread (writer).  lookup() may be
// called from any thread; a rule it returns stays valid until the writer's
// next run() (removed rules are freed there, our grace period).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/classifier/flow_classifier.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/util/result.h"
#include "ofproto/rule.h"

namespace grebe::ofproto {

inline constexpr int kNumTables = 255;
inline constexpr uint8_t kTableAll = 0xff;

// What one flow_mod (or bundle) did.
struct FlowModOutcome {
  std::vector<FlowRemoved> removed;  // flow_removed messages to send
  size_t n_added = 0, n_modified = 0, n_deleted = 0;
};

struct AggregateStats {
  uint64_t packet_count = 0, byte_count = 0;
  uint32_t flow_count = 0;
};

// Per-table configuration (OVS Flow_Table / table_mod).
struct TableConfig {
  std::string name;
  uint32_t max_flows = UINT32_MAX;
  bool eviction = false;
  // Table-miss behaviour when no rule matches: OVS drops (OF1.1+ and its
  // default); `miss_to_controller` is the OF1.0 "send to controller" choice.
  bool miss_to_controller = false;
};

class OfprotoTables {
 public:
  OfprotoTables();
  ~OfprotoTables();
  OfprotoTables(const OfprotoTables&) = delete;
  OfprotoTables& operator=(const OfprotoTables&) = delete;

  // Applies one flow_mod.  On failure nothing changed; the error message is
  // the OVS error name ("OFPFMFC_OVERLAP", "OFPBRC_BAD_TABLE_ID", ...).
  Result<FlowModOutcome> handle_flow_mod(const openflow::FlowMod& fm);
  // Applies `fms` atomically (an OpenFlow bundle commit): all or none.  On
  // failure the message is prefixed with the index of the failing flow_mod.
  Result<FlowModOutcome> apply_bundle(const std::vector<openflow::FlowMod>& fms);

  // Expires rules whose idle or hard timeout passed at `now` and frees rules
  // removed earlier.  Returns the flow_removed events of expired rules that
  // asked for them (all expired rules are in `expired` if non-null).
  std::vector<FlowRemoved> run(long long now, std::vector<FlowRemoved>* expired = nullptr);

  // Any thread.  The highest-priority rule of `table_id` matching `flow` in
  // the current version; ORs the bits looked at into `wc` if non-null.
  const OfRule* lookup(uint8_t table_id, const Flow& flow, FlowWildcards* wc) const;
  // Accounts a packet to a rule (writer thread; the rule's idle timer too).
  void credit_stats(const OfRule* rule, uint64_t packets, uint64_t bytes, long long now);

  // Flow stats (OFPST_FLOW) / aggregate stats with the request's filters,
  // in table then priority (descending) order.
  std::vector<openflow::FlowStats> flow_stats(const openflow::FlowStatsRequest& req) const;
  AggregateStats aggregate_stats(const openflow::FlowStatsRequest& req) const;
  // dump-flows text (one line per rule, each ending in '\n'), OVS format.
  std::string dump_flows(const openflow::FlowStatsRequest& req, bool show_stats = true,
                         uint8_t version = 0x01) const;

  TableConfig& table_config(uint8_t table_id) { return tables_[table_id].config; }
  const TableConfig& table_config(uint8_t table_id) const { return tables_[table_id].config; }
  size_t n_rules(uint8_t table_id) const { return tables_[table_id].cls->n_rules(); }
  classifier::Version version() const { return version_; }

 private:
  struct Table {
    std::unique_ptr<classifier::FlowClassifier> cls;
    TableConfig config;
  };
  struct Txn;  // flow_mod_apply.cc

  Status start_flow_mod(Txn& txn, const openflow::FlowMod& fm);
  Status add_flow(Txn& txn, const openflow::FlowMod& fm);
  Status modify_flows(Txn& txn, const openflow::FlowMod& fm, bool strict);
  void delete_flows(Txn& txn, const openflow::FlowMod& fm, bool strict);
  // Rules visible in `version` selected by table/match/priority/cookie and
  // port/group filters (loose unless `strict`).
  std::vector<OfRule*> collect(uint8_t table_id, const Match& match, int priority, bool strict,
                               uint64_t cookie, uint64_t cookie_mask, uint32_t out_port,
                               uint32_t out_group, classifier::Version version) const;
  std::unique_ptr<OfRule> new_rule(const openflow::FlowMod& fm, uint8_t table_id, long long now);
  Status make_room(Txn& txn, uint8_t table_id);
  void replace_rule(Txn& txn, OfRule* old_rule, std::unique_ptr<OfRule> rule, bool keep_counts);
  void finish(Txn& txn);
  void revert(Txn& txn);
  // Unlinks `rule` from its table and parks it until the next run().
  void retire(OfRule* rule);

  std::vector<Table> tables_;
  std::unordered_map<const OfRule*, std::unique_ptr<OfRule>> rules_;  // every live rule
  std::vector<std::unique_ptr<OfRule>> dead_;                         // removed, freed in run()
  classifier::Version version_ = 1;
};

}  // namespace grebe::ofproto
