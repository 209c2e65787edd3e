// Conjunctive matches: the soft-match loop of a lookup, after OVS's
// classifier_lookup__() semantics (same results, our own structure).
#include "conjunction.h"

#include <mutex>

#include "grebe/classifier/classifier.h"
#include "grebe/util/coverage.h"
#include "subtable.h"

COVERAGE_DEFINE(cls_conjunctive_lookup);

namespace grebe::classifier {

void SoftMatches::push(const Rule* r) {
  if (n_ < kStub) {
    stub_[n_] = r;
  } else {
    heap_.push_back(r);
  }
  ++n_;
  if (r->priority() > max_priority_) max_priority_ = r->priority();
}

void SoftMatches::swap_remove(size_t i) {
  (*this)[i] = (*this)[n_ - 1];
  if (n_ > kStub) heap_.pop_back();
  --n_;
}

bool ConjunctionTally::add(const Rule& rule, unsigned n_soft, uint32_t* id) {
  // A conjunction with more clauses than soft matches at this priority
  // cannot be complete.
  if (n_soft < rule.min_n_clauses()) return false;
  for (const Conjunction& c : rule.conjunctions()) {
    if (c.n_clauses > n_soft) continue;
    Entry* e = nullptr;
    for (Entry& x : entries_) {
      if (x.id == c.id) {
        e = &x;
        break;
      }
    }
    if (!e) {
      const uint64_t unused = c.n_clauses >= 64 ? 0 : ~0ull << c.n_clauses;
      entries_.push_back(Entry{c.id, unused});
      e = &entries_.back();
    }
    e->clauses |= 1ull << c.clause;
    if (e->clauses == ~0ull) {
      *id = c.id;
      return true;
    }
  }
  return false;
}

Status Classifier::check_conjunctions(const std::vector<Conjunction>& conjunctions) const {
  if (conjunctions.empty()) return ok_status();
  if (!layout_.conj_id_field) {
    return Error(EINVAL, "conjunctive rules need a key layout with conj_id");
  }
  for (const Conjunction& c : conjunctions) {
    if (c.n_clauses < 2 || c.n_clauses > 64 || c.clause >= c.n_clauses) {
      return Error(EINVAL, "conjunction clause must be k/n with 1 <= k <= n and 2 <= n <= 64");
    }
  }
  return ok_status();
}

Status Classifier::set_conjunctions(Rule* rule, std::vector<Conjunction> conjunctions) {
  GREBE_TRY(check_conjunctions(conjunctions));
  std::unique_lock lock(mutex_);
  if (rule->in_classifier() && !owns(rule)) {
    return Error(EINVAL, "rule belongs to another classifier");
  }
  unsigned min_n = 0;
  for (const Conjunction& c : conjunctions) {
    if (min_n == 0 || c.n_clauses < min_n) min_n = c.n_clauses;
  }
  rule->conjunctions_ = std::move(conjunctions);
  rule->min_n_clauses_ = min_n;
  return ok_status();
}

namespace {

// Drops soft matches that are gone (null) or cannot beat `hard`, and
// returns the highest remaining priority and how many share it.
int prune_soft(SoftMatches& soft, const Rule* hard, unsigned* n_at_max) {
  for (size_t i = 0; i < soft.size();) {
    if (!soft[i] || (hard && soft[i]->priority() <= hard->priority())) {
      soft.swap_remove(i);
    } else {
      ++i;
    }
  }
  int max_pri = INT_MIN;
  *n_at_max = 0;
  for (size_t i = 0; i < soft.size(); ++i) {
    if (soft[i]->priority() > max_pri) {
      max_pri = soft[i]->priority();
      *n_at_max = 1;
    } else if (soft[i]->priority() == max_pri) {
      ++*n_at_max;
    }
  }
  return max_pri;
}

}  // namespace

const Rule* Classifier::resolve_soft_matches(Version version, const uint64_t* key, uint64_t* wc,
                                             LookupStats* stats, SoftMatches& soft,
                                             const Rule* hard) const {
  COVERAGE_INC(cls_conjunctive_lookup);
  const KeyField& conj = *layout_.conj_id_field;
  const uint64_t conj_mask = (conj.n_bits >= 64 ? ~0ull : (1ull << conj.n_bits) - 1) << conj.shift;
  for (;;) {
    unsigned n_at_max = 0;
    const int soft_pri = prune_soft(soft, hard, &n_at_max);
    if (soft.empty()) break;
    // Is some conjunction complete among the top-priority soft matches?
    ConjunctionTally tally;
    for (size_t i = 0; i < soft.size(); ++i) {
      uint32_t id;
      if (soft[i]->priority() != soft_pri || !tally.add(*soft[i], n_at_max, &id)) continue;
      uint64_t key2[kMaxKeyWords];
      std::copy(key, key + layout_.n_words, key2);
      key2[conj.word] = (key2[conj.word] & ~conj_mask) | ((uint64_t{id} << conj.shift) & conj_mask);
      const Rule* r = lookup_locked(version, key2, wc, stats, false);
      if (r) return r;
    }
    // No real match at soft_pri.  A lower-priority rule with an identical
    // match may still be a soft or hard match: step each down its list.
    for (size_t i = 0; i < soft.size(); ++i) {
      if (soft[i]->priority() != soft_pri) continue;
      const Rule* next = soft[i]->next_same_match_;
      while (next && !next->visible_in(version)) next = next->next_same_match_;
      if (next && next->conjunctions_.empty()) {
        if (!hard || next->priority() > hard->priority()) hard = next;
        next = nullptr;
      }
      soft[i] = next;
    }
  }
  return hard;
}

}  // namespace grebe::classifier
