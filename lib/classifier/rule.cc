#include "grebe/classifier/rule.h"

#include "grebe/util/assert.h"

namespace grebe::classifier {

Rule::Rule(MatchView match, int priority, std::vector<Conjunction> conjunctions)
    : value_(match.value.begin(), match.value.end()),
      mask_(match.mask.begin(), match.mask.end()),
      priority_(priority),
      conjunctions_(std::move(conjunctions)) {
  for (const Conjunction& c : conjunctions_) {
    if (min_n_clauses_ == 0 || c.n_clauses < min_n_clauses_) min_n_clauses_ = c.n_clauses;
  }
  // Sizes may disagree here; Classifier::insert() rejects such a rule.
  for (size_t i = 0; i < value_.size(); ++i) {
    value_[i] &= i < mask_.size() ? mask_[i] : 0;
  }
}

Rule::~Rule() { GREBE_ASSERT(!in_classifier()); }

void Rule::make_invisible_in_version(Version version) {
  remove_version_.store(version, std::memory_order_release);
}

void Rule::restore_visibility() {
  remove_version_.store(kVersionNotRemoved, std::memory_order_release);
}

bool Rule::same_match(const Rule& other) const {
  return mask_ == other.mask_ && value_ == other.value_;
}

bool Rule::same_match(MatchView match) const {
  if (match.mask.size() != mask_.size() || match.value.size() != value_.size()) {
    return false;
  }
  for (size_t i = 0; i < mask_.size(); ++i) {
    if (mask_[i] != match.mask[i] || value_[i] != (match.value[i] & match.mask[i])) {
      return false;
    }
  }
  return true;
}

bool Rule::is_loose_match(MatchView criteria) const {
  if (criteria.mask.size() != mask_.size() || criteria.value.size() != value_.size()) {
    return false;
  }
  for (size_t i = 0; i < mask_.size(); ++i) {
    const uint64_t cm = criteria.mask[i];
    if ((cm & ~mask_[i]) != 0) return false;  // criteria matches a bit we don't
    if (((value_[i] ^ criteria.value[i]) & cm) != 0) return false;
  }
  return true;
}

bool Rule::matches(const uint64_t* key) const {
  for (size_t i = 0; i < mask_.size(); ++i) {
    if ((key[i] & mask_[i]) != value_[i]) return false;
  }
  return true;
}

}  // namespace grebe::classifier
