// Classifier queries for the OpenFlow control path (flow_mod, flow stats):
// exact and loose finds, overlap checks, iteration and the debug dump.
#include <cstdio>

#include "grebe/classifier/classifier.h"
#include "subtable.h"

namespace grebe::classifier {
namespace {

bool visible(const Rule& rule, Version version) {
  return version == Classifier::kVersionAny || rule.visible_in(version);
}

// True if `inner` has no 1-bit outside `outer`.
bool mask_covers(std::span<const uint64_t> outer, std::span<const uint64_t> inner) {
  for (size_t i = 0; i < outer.size(); ++i) {
    if ((inner[i] & ~outer[i]) != 0) return false;
  }
  return true;
}

}  // namespace

const Rule* Classifier::find_exactly(MatchView match, int priority, Version version) const {
  if (match.value.size() != layout_.n_words || match.mask.size() != layout_.n_words) {
    return nullptr;
  }
  std::shared_lock lock(mutex_);
  const Subtable* subtable = find_subtable(match.mask);
  if (!subtable) return nullptr;
  // Subtable::find_exactly masks the value itself.
  return subtable->find_exactly(match.value, priority, version);
}

void Classifier::for_each(const MatchView* target, Version version,
                          const std::function<void(const Rule&)>& fn) const {
  if (target &&
      (target->value.size() != layout_.n_words || target->mask.size() != layout_.n_words)) {
    return;
  }
  std::shared_lock lock(mutex_);
  for (const Subtable* subtable : ordered_) {
    // A subtable whose mask lacks a bit the target matches holds no rule at
    // least as specific as the target.
    if (target && !mask_covers(subtable->mask(), target->mask)) continue;
    for (const Rule* rule : subtable->rules()) {
      if (!visible(*rule, version)) continue;
      if (target && !rule->is_loose_match(*target)) continue;
      fn(*rule);
    }
  }
}

std::vector<const Rule*> Classifier::find_rules_loose(MatchView criteria, Version version) const {
  std::vector<const Rule*> out;
  for_each(&criteria, version, [&](const Rule& r) { out.push_back(&r); });
  return out;
}

bool Classifier::rule_overlaps(MatchView match, int priority, Version version,
                               const Rule* exclude) const {
  if (match.value.size() != layout_.n_words || match.mask.size() != layout_.n_words) {
    return false;
  }
  std::shared_lock lock(mutex_);
  for (const Subtable* subtable : ordered_) {
    if (subtable->max_priority() < priority) break;
    for (const Rule* rule : subtable->rules()) {
      if (rule == exclude || rule->priority() != priority || !visible(*rule, version)) {
        continue;
      }
      if (rule->could_overlap(match)) return true;  // identical ones too, as in OVS
    }
  }
  return false;
}

bool Classifier::rule_overlaps(const Rule& target, Version version) const {
  return rule_overlaps(target.match(), target.priority(), version, &target);
}

std::string Classifier::describe() const {
  std::shared_lock lock(mutex_);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "rules=%zu subtables=%zu tries=%zu\n", n_rules_,
                subtables_.size(), tries_.size());
  out += line;
  for (size_t j = 0; j < tries_.size(); ++j) {
    std::snprintf(line, sizeof line, "  trie %s: %zu prefixes\n",
                  layout_.prefix_fields[trie_fields_[j]].name.c_str(), tries_[j].n_prefixes());
    out += line;
  }
  for (const Subtable* s : ordered_) {
    std::snprintf(line, sizeof line,
                  "  subtable max_priority=%d rules=%zu buckets=%zu stages=%zu mask_words=%zu\n",
                  s->max_priority(), s->n_rules(), s->n_buckets(), s->n_stages(),
                  s->n_mask_words());
    out += line;
  }
  return out;
}

}  // namespace grebe::classifier
