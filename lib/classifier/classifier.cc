// Classifier: rule insertion/removal, subtable bookkeeping and lookup.
// Queries that are not on the packet path live in classifier_query.cc.
#include "grebe/classifier/classifier.h"

#include <algorithm>
#include <mutex>

#include "conjunction.h"
#include "grebe/util/assert.h"
#include "grebe/util/coverage.h"
#include "grebe/util/hash.h"
#include "grebe/util/vlog.h"
#include "subtable.h"

VLOG_DEFINE_THIS_MODULE(classifier);
COVERAGE_DEFINE(cls_lookup);
COVERAGE_DEFINE(cls_subtable_create);

namespace grebe::classifier {

size_t Classifier::MaskHash::operator()(const std::vector<uint64_t>& mask) const {
  return hash_words64(mask.data(), mask.size(), 0);
}

Classifier::Classifier(KeyLayout layout) : layout_(std::move(layout)) {
  const Status valid = layout_.validate();
  if (!valid.ok()) VLOG_EMER("bad key layout: %s", valid.error().message().c_str());
  GREBE_ASSERT(valid.ok());
  for (size_t i = 0; i < layout_.prefix_fields.size() && i < kMaxTries; ++i) {
    trie_fields_.push_back(i);
    tries_.emplace_back(layout_.prefix_fields[i].n_bits);
  }
}

Classifier::~Classifier() {
  // Rules belong to the caller; only unlink them so in_classifier() is false.
  for (auto& [mask, subtable] : subtables_) {
    for (Rule* r : subtable->rules()) {
      r->subtable_ = nullptr;
      r->next_same_match_ = nullptr;
    }
  }
}

namespace {

// A rule's match expanded to full key words on the stack (writer paths).
struct ExpandedMatch {
  explicit ExpandedMatch(const Rule& rule) : n(rule.n_words()) { rule.expand(value, mask_words); }
  std::span<const uint64_t> mask() const { return {mask_words, n}; }
  size_t n;
  uint64_t value[kMaxKeyWords];
  uint64_t mask_words[kMaxKeyWords];
};

}  // namespace

Status Classifier::check_rule(const Rule* rule) const {
  if (!rule || rule->n_words_ != layout_.n_words) {
    return Error(EINVAL, "rule does not match the classifier's key size");
  }
  if (rule->in_classifier()) return Error(EBUSY, "rule is already in a classifier");
  return check_conjunctions(rule->conjunctions_);
}

Subtable* Classifier::find_subtable(std::span<const uint64_t> mask) const {
  // Heterogeneous lookup is not available for vector keys; the copy is on
  // the writer path only.
  const auto it = subtables_.find(std::vector<uint64_t>(mask.begin(), mask.end()));
  return it == subtables_.end() ? nullptr : it->second.get();
}

Subtable* Classifier::create_subtable(std::span<const uint64_t> mask) {
  COVERAGE_INC(cls_subtable_create);
  auto subtable = std::make_unique<Subtable>(layout_, mask, trie_fields_);
  Subtable* raw = subtable.get();
  subtables_.emplace(std::vector<uint64_t>(mask.begin(), mask.end()), std::move(subtable));
  return raw;
}

void Classifier::destroy_subtable(Subtable* subtable) {
  ordered_.erase(std::find(ordered_.begin(), ordered_.end(), subtable));
  subtables_.erase(subtable->mask());
}

void Classifier::reposition(Subtable* subtable) {
  auto it = std::find(ordered_.begin(), ordered_.end(), subtable);
  if (it == ordered_.end()) {
    ordered_.push_back(subtable);
    it = ordered_.end() - 1;
  }
  // One element is out of place: bubble it toward its spot.  Among equal
  // maxima the older subtable stays first, keeping lookups stable.
  while (it != ordered_.begin() && (*(it - 1))->max_priority() < (*it)->max_priority()) {
    std::iter_swap(it - 1, it);
    --it;
  }
  while (it + 1 != ordered_.end() && (*(it + 1))->max_priority() > (*it)->max_priority()) {
    std::iter_swap(it + 1, it);
    ++it;
  }
}

void Classifier::trie_insert(const Subtable& subtable, const uint64_t* value) {
  for (size_t j = 0; j < tries_.size(); ++j) {
    const unsigned plen = subtable.trie_plen(j);
    if (plen == 0) continue;
    const PrefixField& field = layout_.prefix_fields[trie_fields_[j]];
    tries_[j].insert(field.extract(value), plen);
  }
}

void Classifier::trie_remove(const Subtable& subtable, const uint64_t* value) {
  for (size_t j = 0; j < tries_.size(); ++j) {
    const unsigned plen = subtable.trie_plen(j);
    if (plen == 0) continue;
    const PrefixField& field = layout_.prefix_fields[trie_fields_[j]];
    const bool removed = tries_[j].remove(field.extract(value), plen);
    GREBE_ASSERT(removed);
  }
}

Result<Rule*> Classifier::replace(Rule* rule, Version version) {
  GREBE_TRY(check_rule(rule));
  std::unique_lock lock(mutex_);
  rule->add_version_.store(version, std::memory_order_relaxed);
  rule->remove_version_.store(kVersionNotRemoved, std::memory_order_relaxed);
  ExpandedMatch m(*rule);
  Subtable* subtable = find_subtable(m.mask());
  if (!subtable) subtable = create_subtable(m.mask());
  Rule* displaced = subtable->find_live_duplicate(*rule, m.value);
  bool new_bucket = false;
  subtable->insert(rule, m.value, displaced, &new_bucket);
  if (new_bucket) trie_insert(*subtable, m.value);
  if (!displaced) {
    ++n_rules_;
    reposition(subtable);
  }
  return displaced;
}

Status Classifier::insert(Rule* rule, Version version) {
  GREBE_TRY(check_rule(rule));
  {
    std::shared_lock lock(mutex_);  // we are the only writer: no race to the unique lock
    ExpandedMatch m(*rule);
    const Subtable* subtable = find_subtable(m.mask());
    if (subtable && subtable->find_live_duplicate(*rule, m.value)) {
      return Error(EEXIST, "a rule with the same match and priority exists");
    }
  }
  auto r = replace(rule, version);
  if (!r.ok()) return r.take_error();
  return ok_status();
}

bool Classifier::owns(const Rule* rule) const {
  const Subtable* subtable = rule->subtable_;
  if (!subtable) return false;
  const auto it = subtables_.find(subtable->mask());
  return it != subtables_.end() && it->second.get() == subtable;
}

bool Classifier::remove(Rule* rule) {
  std::unique_lock lock(mutex_);
  if (!owns(rule)) return false;
  Subtable* subtable = rule->subtable_;
  ExpandedMatch m(*rule);
  bool bucket_gone = false;
  subtable->remove(rule, m.value, &bucket_gone);
  if (bucket_gone) trie_remove(*subtable, m.value);
  --n_rules_;
  if (subtable->n_rules() == 0) {
    destroy_subtable(subtable);
  } else {
    reposition(subtable);
  }
  return true;
}

Status Classifier::set_prefix_fields(const std::vector<std::string>& names) {
  if (names.size() > kMaxTries) {
    return Error(EINVAL, "too many prefix fields");
  }
  std::vector<size_t> fields;
  for (const std::string& name : names) {
    size_t i = 0;
    while (i < layout_.prefix_fields.size() && layout_.prefix_fields[i].name != name) ++i;
    if (i == layout_.prefix_fields.size()) {
      return Error(EINVAL, "field " + name + " is not a prefix field");
    }
    if (std::find(fields.begin(), fields.end(), i) != fields.end()) {
      return Error(EINVAL, "field " + name + " is a duplicate prefix field");
    }
    fields.push_back(i);
  }
  std::unique_lock lock(mutex_);
  if (fields == trie_fields_) return ok_status();
  trie_fields_ = std::move(fields);
  rebuild_tries();
  return ok_status();
}

std::vector<std::string> Classifier::prefix_fields() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (size_t f : trie_fields_) names.push_back(layout_.prefix_fields[f].name);
  return names;
}

void Classifier::rebuild_tries() {
  tries_.clear();
  for (size_t f : trie_fields_) tries_.emplace_back(layout_.prefix_fields[f].n_bits);
  for (auto& [mask, subtable] : subtables_) {
    subtable->set_trie_fields(trie_fields_);
    // One trie reference per distinct value (bucket), as insertion does.
    subtable->for_each_bucket_head([&](const Rule& head) {
      ExpandedMatch m(head);
      trie_insert(*subtable, m.value);
    });
  }
}

const Rule* Classifier::lookup(Version version, const uint64_t* key, uint64_t* wc,
                               LookupStats* stats) const {
  COVERAGE_INC(cls_lookup);
  std::shared_lock lock(mutex_);
  return lookup_locked(version, key, wc, stats, true);
}

const Rule* Classifier::lookup_locked(Version version, const uint64_t* key, uint64_t* wc,
                                      LookupStats* stats, bool allow_conj) const {
  TrieLookup tries[kMaxTries];
  for (size_t j = 0; j < tries_.size(); ++j) {
    tries[j].trie = &tries_[j];
    tries[j].field = &layout_.prefix_fields[trie_fields_[j]];
  }
  const Rule* hard = nullptr;  // best ordinary match so far
  SoftMatches soft;            // conjunction clauses that matched
  for (const Subtable* subtable : ordered_) {
    // Subtables are in decreasing max-priority order: none after this one
    // can beat `hard`.
    if (hard && hard->priority() >= subtable->max_priority()) break;
    if (stats) ++stats->subtables_visited;
    const Rule* r = subtable->lookup(version, key, wc, tries, stats);
    if (!r || (hard && r->priority() <= hard->priority())) continue;
    if (r->conjunctions_.empty()) {
      hard = r;
    } else if (allow_conj) {
      soft.push(r);
    }
  }
  if (soft.empty() || (hard && hard->priority() >= soft.max_priority())) return hard;
  return resolve_soft_matches(version, key, wc, stats, soft, hard);
}

size_t Classifier::n_rules() const {
  std::shared_lock lock(mutex_);
  return n_rules_;
}

size_t Classifier::n_subtables() const {
  std::shared_lock lock(mutex_);
  return subtables_.size();
}

}  // namespace grebe::classifier
