// The recirculation id registry.
#include "xlate/recirc.h"

#include "grebe/util/hash.h"

namespace grebe::xlate {

void restore_frozen_metadata(const Flow& frozen, Flow* flow) {
  flow->tunnel = frozen.tunnel;
  flow->metadata = frozen.metadata;
  std::copy(std::begin(frozen.regs), std::end(frozen.regs), std::begin(flow->regs));
  flow->in_port = frozen.in_port;
}

size_t RecircRegistry::hash_state(const FrozenState& s) {
  uint32_t h = hash_words64(s.metadata.words(), kFlowU64s, s.table_id);
  h = hash_add(h, static_cast<uint32_t>(s.actions.size()));
  h = hash_add(h, static_cast<uint32_t>(s.action_set.size()));
  h = hash_add64(h, s.rule_cookie);
  return hash_string(s.bridge, h) ^ hash_bytes(s.userdata.data(), s.userdata.size(), 0);
}

uint32_t RecircRegistry::alloc(const FrozenState& state) {
  size_t h = hash_state(state);
  std::lock_guard lock(mutex_);
  auto [lo, hi] = by_hash_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    Node& n = by_id_.at(it->second);
    if (*n.state == state) {
      ++n.refs;
      return it->second;
    }
  }
  if (by_id_.size() >= 0xfffffffeu) return 0;
  while (next_id_ == 0 || by_id_.count(next_id_)) ++next_id_;
  uint32_t id = next_id_++;
  by_id_.emplace(id, Node{std::make_shared<const FrozenState>(state), 1, h});
  by_hash_.emplace(h, id);
  return id;
}

void RecircRegistry::ref(uint32_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it != by_id_.end()) ++it->second.refs;
}

void RecircRegistry::unref(uint32_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || --it->second.refs) return;
  auto [lo, hi] = by_hash_.equal_range(it->second.hash);
  for (auto h = lo; h != hi; ++h)
    if (h->second == id) {
      by_hash_.erase(h);
      break;
    }
  by_id_.erase(it);
}

std::shared_ptr<const FrozenState> RecircRegistry::find(uint32_t id) const {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.state;
}

size_t RecircRegistry::size() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

}  // namespace grebe::xlate
