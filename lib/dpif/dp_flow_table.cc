// Megaflow table and EMC.  See dp_flow_table.h.
#include "dp_flow_table.h"

#include <algorithm>

namespace grebe::dpif {

FlowStats DpFlow::stats() const {
  FlowStats s;
  s.n_packets = n_packets.load(std::memory_order_relaxed);
  s.n_bytes = n_bytes.load(std::memory_order_relaxed);
  s.used = used.load(std::memory_order_relaxed);
  s.tcp_flags = tcp_flags.load(std::memory_order_relaxed);
  return s;
}

void DpFlow::reset_stats() {
  n_packets = 0;
  n_bytes = 0;
  used = 0;
  tcp_flags = 0;
}

void DpFlow::account(uint64_t packets, uint64_t bytes, uint16_t flags, long long now) {
  n_packets.fetch_add(packets, std::memory_order_relaxed);
  n_bytes.fetch_add(bytes, std::memory_order_relaxed);
  used.store(now, std::memory_order_relaxed);
  if (flags) tcp_flags.fetch_or(flags, std::memory_order_relaxed);
}

DpFlowPtr DpFlowTable::lookup(const Flow& flow, uint64_t* n_probed) const {
  uint64_t probed = 0;
  DpFlowPtr hit;
  for (const auto& st : subtables_) {
    probed++;
    auto it = st->flows.find(flow_apply_mask(flow, st->mask));
    if (it != st->flows.end()) {
      hit = it->second;
      break;
    }
  }
  if (n_probed) *n_probed = probed;
  return hit;
}

DpFlowPtr DpFlowTable::find_exact(const Flow& masked_key, const FlowWildcards& mask) const {
  for (const auto& st : subtables_) {
    if (!(st->mask == mask)) continue;
    auto it = st->flows.find(masked_key);
    return it == st->flows.end() ? nullptr : it->second;
  }
  return nullptr;
}

DpFlowPtr DpFlowTable::find_ufid(const Ufid& ufid) const {
  auto it = by_ufid_.find(ufid);
  return it == by_ufid_.end() ? nullptr : it->second;
}

void DpFlowTable::insert(DpFlowPtr flow) {
  Subtable* st = nullptr;
  for (auto& s : subtables_) {
    if (s->mask == flow->mask) st = s.get();
  }
  if (!st) {
    subtables_.push_back(std::make_unique<Subtable>());
    st = subtables_.back().get();
    st->mask = flow->mask;
  }
  by_ufid_[flow->ufid] = flow;
  st->flows[flow->key] = std::move(flow);
}

void DpFlowTable::remove(const DpFlowPtr& flow) {
  flow->dead = true;
  by_ufid_.erase(flow->ufid);
  for (auto it = subtables_.begin(); it != subtables_.end(); ++it) {
    if (!((*it)->mask == flow->mask)) continue;
    (*it)->flows.erase(flow->key);
    if ((*it)->flows.empty()) subtables_.erase(it);
    return;
  }
}

void DpFlowTable::clear() {
  for (auto& [ufid, f] : by_ufid_) f->dead = true;
  by_ufid_.clear();
  subtables_.clear();
}

std::vector<DpFlowPtr> DpFlowTable::all() const {
  std::vector<DpFlowPtr> out;
  out.reserve(by_ufid_.size());
  for (const auto& [ufid, f] : by_ufid_) out.push_back(f);
  return out;
}

DpFlowPtr Emc::lookup(const Flow& flow, uint32_t hash) const {
  const Entry& e = entries_[hash % kEntries];
  if (e.dp_flow && !e.dp_flow->dead.load(std::memory_order_relaxed) && e.flow == flow) {
    return e.dp_flow;
  }
  return nullptr;
}

void Emc::insert(const Flow& flow, uint32_t hash, const DpFlowPtr& dp_flow) {
  Entry& e = entries_[hash % kEntries];
  e.flow = flow;
  e.dp_flow = dp_flow;
}

void Emc::clear() {
  for (auto& e : entries_) e.dp_flow.reset();
}

}  // namespace grebe::dpif
