// Selecting rules by OpenFlow criteria: flow_mod targets, flow and
// aggregate statistics, dump-flows text.
#include <algorithm>

#include "grebe/util/clock.h"
#include "ofproto/ofproto_tables.h"

namespace grebe::ofproto {

using namespace openflow;

std::vector<OfRule*> OfprotoTables::collect(uint8_t table_id, const Match& match, int priority,
                                            bool strict, uint64_t cookie, uint64_t cookie_mask,
                                            uint32_t out_port, uint32_t out_group,
                                            classifier::Version version) const {
  std::vector<OfRule*> out;
  auto consider = [&](const classifier::Rule* r) {
    auto* rule = const_cast<OfRule*>(static_cast<const OfRule*>(r));
    if ((rule->cookie & cookie_mask) != (cookie & cookie_mask)) return;
    if (!rule->outputs_to_port(out_port) || !rule->outputs_to_group(out_group)) return;
    out.push_back(rule);
  };
  int first = table_id == kTableAll ? 0 : table_id;
  int last = table_id == kTableAll ? kNumTables - 1 : table_id;
  for (int t = first; t <= last && t < kNumTables; ++t) {
    const auto& cls = *tables_[t].cls;
    if (cls.empty()) continue;
    if (strict) {
      if (const classifier::Rule* r = cls.find_exactly(match, priority, version)) consider(r);
    } else {
      std::vector<const classifier::Rule*> found = cls.find_rules_loose(match, version);
      std::sort(found.begin(), found.end(),
                [](const auto* a, const auto* b) { return a->priority() > b->priority(); });
      for (const classifier::Rule* r : found) consider(r);
    }
  }
  return out;
}

std::vector<FlowStats> OfprotoTables::flow_stats(const FlowStatsRequest& req) const {
  long long now = time_msec();
  std::vector<FlowStats> out;
  for (const OfRule* r : collect(req.table_id, req.match, 0, false, req.cookie, req.cookie_mask,
                                 req.out_port, req.out_group, version_))
    out.push_back(r->to_stats(now));
  return out;
}

AggregateStats OfprotoTables::aggregate_stats(const FlowStatsRequest& req) const {
  AggregateStats agg;
  for (const OfRule* r : collect(req.table_id, req.match, 0, false, req.cookie, req.cookie_mask,
                                 req.out_port, req.out_group, version_)) {
    // Rules that do not count packets/bytes are left out of the sums.
    if (!(r->flags & kFfNoPktCounts)) agg.packet_count += r->packet_count;
    if (!(r->flags & kFfNoBytCounts)) agg.byte_count += r->byte_count;
    ++agg.flow_count;
  }
  return agg;
}

std::string OfprotoTables::dump_flows(const FlowStatsRequest& req, bool show_stats,
                                      uint8_t version) const {
  std::string out;
  // ovs-ofctl prints each flow indented by one space.  Sorted by table,
  // then priority (descending), then text, so output is stable.
  std::vector<std::pair<FlowStats, std::string>> lines;
  for (FlowStats& fs : flow_stats(req)) {
    std::string line = format_flow_stats(fs, show_stats, version);
    if (line.empty() || line[0] != ' ') line.insert(0, 1, ' ');
    lines.emplace_back(std::move(fs), std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
    if (a.first.table_id != b.first.table_id) return a.first.table_id < b.first.table_id;
    if (a.first.priority != b.first.priority) return a.first.priority > b.first.priority;
    return a.second < b.second;
  });
  for (auto& [fs, line] : lines) out += line + '\n';
  return out;
}

}  // namespace grebe::ofproto
