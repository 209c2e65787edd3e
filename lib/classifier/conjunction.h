// Helpers for conjunctive matches (see classifier.h).  Private to
// lib/classifier.
#pragma once

#include <climits>
#include <cstdint>
#include <vector>

#include "grebe/classifier/rule.h"

namespace grebe::classifier {

// The soft matches of one lookup.  Kept on the stack for the usual handful;
// spills to the heap only past that.
class SoftMatches {
 public:
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }
  void push(const Rule* r);
  const Rule*& operator[](size_t i) { return i < kStub ? stub_[i] : heap_[i - kStub]; }
  // Removes entry i by moving the last one into it.
  void swap_remove(size_t i);
  // Highest priority among the entries (INT_MIN when empty).
  int max_priority() const { return max_priority_; }

 private:
  static constexpr size_t kStub = 16;
  const Rule* stub_[kStub];
  std::vector<const Rule*> heap_;
  size_t n_ = 0;
  int max_priority_ = INT_MIN;
};

// Per conjunction id, which clauses have matched at one priority level.
class ConjunctionTally {
 public:
  // Records the clauses of `rule` (a soft match at the priority being
  // resolved, where `n_soft` rules matched).  Returns true and sets *id when
  // that completes a conjunction.
  bool add(const Rule& rule, unsigned n_soft, uint32_t* id);

 private:
  struct Entry {
    uint32_t id;
    uint64_t clauses;  // bit c: clause c matched; bits >= n_clauses preset
  };
  std::vector<Entry> entries_;
};

}  // namespace grebe::classifier
