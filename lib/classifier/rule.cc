#include "grebe/classifier/rule.h"

#include <algorithm>
#include <cstdint>

#include "grebe/util/assert.h"

namespace grebe::classifier {

Rule::Rule(MatchView match, int priority, std::vector<Conjunction> conjunctions)
    : n_words_(match.value.size() == match.mask.size() ? match.value.size() : SIZE_MAX),
      priority_(priority),
      conjunctions_(std::move(conjunctions)) {
  // A size mismatch leaves the rule empty; Classifier::insert() rejects it.
  if (n_words_ != SIZE_MAX) {
    for (size_t i = 0; i < n_words_; ++i) {
      if (match.mask[i] != 0) {
        entries_.push_back(
            Entry{static_cast<uint32_t>(i), match.mask[i], match.value[i] & match.mask[i]});
      }
    }
  }
  for (const Conjunction& c : conjunctions_) {
    if (min_n_clauses_ == 0 || c.n_clauses < min_n_clauses_) min_n_clauses_ = c.n_clauses;
  }
}

Rule::~Rule() { GREBE_ASSERT(!in_classifier()); }

void Rule::make_invisible_in_version(Version version) {
  remove_version_.store(version, std::memory_order_release);
}

void Rule::restore_visibility() {
  remove_version_.store(kVersionNotRemoved, std::memory_order_release);
}

void Rule::expand(uint64_t* value, uint64_t* mask) const {
  std::fill(value, value + n_words_, 0);
  std::fill(mask, mask + n_words_, 0);
  for (const Entry& e : entries_) {
    value[e.word] = e.value;
    mask[e.word] = e.mask;
  }
}

std::vector<uint64_t> Rule::value() const {
  std::vector<uint64_t> v(n_words_ == SIZE_MAX ? 0 : n_words_, 0);
  for (const Entry& e : entries_) v[e.word] = e.value;
  return v;
}

std::vector<uint64_t> Rule::mask() const {
  std::vector<uint64_t> m(n_words_ == SIZE_MAX ? 0 : n_words_, 0);
  for (const Entry& e : entries_) m[e.word] = e.mask;
  return m;
}

bool Rule::same_match(const Rule& other) const {
  return n_words_ == other.n_words_ && entries_ == other.entries_;
}

bool Rule::same_match(MatchView match) const {
  if (match.mask.size() != n_words_ || match.value.size() != n_words_) return false;
  size_t k = 0;
  for (size_t i = 0; i < n_words_; ++i) {
    const uint64_t m = match.mask[i];
    if (m == 0) continue;
    if (k == entries_.size() || entries_[k].word != i || entries_[k].mask != m ||
        entries_[k].value != (match.value[i] & m)) {
      return false;
    }
    ++k;
  }
  return k == entries_.size();
}

bool Rule::is_loose_match(MatchView criteria) const {
  if (criteria.mask.size() != n_words_ || criteria.value.size() != n_words_) return false;
  size_t k = 0;
  for (size_t i = 0; i < n_words_; ++i) {
    const uint64_t cm = criteria.mask[i];
    if (cm == 0) continue;
    while (k < entries_.size() && entries_[k].word < i) ++k;
    if (k == entries_.size() || entries_[k].word != i) return false;  // we wildcard it
    if ((cm & ~entries_[k].mask) != 0) return false;  // criteria matches a bit we don't
    if (((entries_[k].value ^ criteria.value[i]) & cm) != 0) return false;
  }
  return true;
}

bool Rule::could_overlap(MatchView match) const {
  if (match.mask.size() != n_words_ || match.value.size() != n_words_) return false;
  for (const Entry& e : entries_) {
    if (((e.value ^ match.value[e.word]) & e.mask & match.mask[e.word]) != 0) return false;
  }
  return true;
}

bool Rule::matches(const uint64_t* key) const {
  for (const Entry& e : entries_) {
    if ((key[e.word] & e.mask) != e.value) return false;
  }
  return true;
}

}  // namespace grebe::classifier
