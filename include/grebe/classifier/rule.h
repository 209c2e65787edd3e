// Rule: one classifier entry (a match, a priority and a version range).
//
// Rules are owned by the classifier's client (ofproto's flow rules derive
// from Rule or hold one).  The classifier only links them in; a rule must
// stay alive and unmodified while it is in a classifier, and, because readers
// may still hold a pointer returned by a lookup, until the client knows no
// reader can still use it (ofproto defers destruction past its RCU grace
// period).
//
// Versions implement OpenFlow bundles: a rule is visible to lookups in
// versions [add_version, remove_version).  A bundle prepares its changes in a
// future version (new rules added with it, old rules made invisible in it)
// and commits by making that version current, so every change becomes visible
// atomically.  Readers may still be looking up an older version after the
// switch, so rules made invisible by a committed bundle must stay in the
// classifier until every such reader is done (ofproto removes them after an
// RCU grace period), or those readers would see neither the old nor the new
// rule.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace grebe::classifier {

using Version = uint64_t;
inline constexpr Version kVersionMin = 0;
// Lookups in this version see every rule that is not being removed.
inline constexpr Version kVersionMax = std::numeric_limits<Version>::max() - 1;
// remove_version of a rule that is not scheduled for removal.
inline constexpr Version kVersionNotRemoved = std::numeric_limits<Version>::max();

// A match on a key: `value` bits matter where `mask` bits are 1.  Both spans
// must have the layout's n_words words.
struct MatchView {
  std::span<const uint64_t> value;
  std::span<const uint64_t> mask;
};

// A match that owns its words (what Rule::match() returns); converts to a
// MatchView valid while it lives.
struct OwnedMatch {
  std::vector<uint64_t> value;
  std::vector<uint64_t> mask;
  operator MatchView() const { return {value, mask}; }
};

// One conjunction(id, k/n) action of a rule: the rule is clause `clause`
// (0-based, k - 1) of the `n_clauses`-clause conjunctive match `id`.
struct Conjunction {
  uint32_t id = 0;
  uint8_t clause = 0;
  uint8_t n_clauses = 0;  // 2..64
  friend bool operator==(const Conjunction&, const Conjunction&) = default;
};

class Subtable;
class Classifier;

class Rule {
 public:
  // Copies the match, keeping only the words the mask covers (a flow rule
  // usually matches a few of a Flow's 47 words).  Sizes are checked when the
  // rule is inserted (Classifier::insert returns EINVAL on a mismatch).
  // A rule with `conjunctions` is a "soft" rule: it never matches by itself,
  // only as a clause of a conjunctive match (OpenFlow conjunction() actions).
  Rule(MatchView match, int priority, std::vector<Conjunction> conjunctions = {});
  Rule(std::span<const uint64_t> value, std::span<const uint64_t> mask, int priority)
      : Rule(MatchView{value, mask}, priority) {}
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;
  // Destroying a rule that is still in a classifier is a programming error.
  virtual ~Rule();

  int priority() const { return priority_; }
  // Key size the rule was built for (SIZE_MAX if value and mask differed).
  size_t n_words() const { return n_words_; }
  // The full match, expanded (allocates; not for per-packet use).
  std::vector<uint64_t> value() const;  // masked
  std::vector<uint64_t> mask() const;
  OwnedMatch match() const { return {value(), mask()}; }
  // Writes the full masked value and mask (n_words() words each).
  void expand(uint64_t* value, uint64_t* mask) const;

  // Any thread.
  Version add_version() const { return add_version_.load(std::memory_order_relaxed); }
  Version remove_version() const { return remove_version_.load(std::memory_order_acquire); }
  bool visible_in(Version v) const { return add_version() <= v && v < remove_version(); }
  // True if a removal version has been set (the rule will go away).
  bool eventually_invisible() const { return remove_version() != kVersionNotRemoved; }
  // True while linked into a classifier.
  bool in_classifier() const { return subtable_ != nullptr; }

  // Writer thread: makes the rule invisible to lookups in `version` and later
  // (a bundle's delete); the rule stays in the classifier until removed.
  void make_invisible_in_version(Version version);
  // Writer thread: undoes make_invisible_in_version() (a bundle's abort).
  void restore_visibility();

  // True if the rule matches every key (an all-wildcards match).
  bool is_catchall() const { return entries_.empty(); }
  // True if both have the same mask and (masked) value; ignores priority.
  bool same_match(const Rule& other) const;
  bool same_match(MatchView match) const;
  // OpenFlow "loose" match: this rule is at least as specific as `criteria`
  // (its mask covers the criteria's mask) and agrees with it on every bit the
  // criteria matches.  Ignores priority.
  bool is_loose_match(MatchView criteria) const;
  // True if some key matches both this rule and `match` (they agree on
  // every bit both match).  Ignores priority.
  bool could_overlap(MatchView match) const;
  // True if this rule matches key `key`.
  bool matches(const uint64_t* key) const;

  // The conjunctions this rule is a clause of (empty for ordinary rules).
  // Change them with Classifier::set_conjunctions() while inserted.
  const std::vector<Conjunction>& conjunctions() const { return conjunctions_; }
  // Smallest n_clauses among them (0 when none).
  unsigned min_n_clauses() const { return min_n_clauses_; }

 private:
  friend class Subtable;
  friend class Classifier;

  // One entry per key word with a non-zero mask, in word order.
  struct Entry {
    uint32_t word;
    uint64_t mask;
    uint64_t value;  // masked
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::vector<Entry> entries_;
  size_t n_words_;
  int priority_;
  std::vector<Conjunction> conjunctions_;
  unsigned min_n_clauses_ = 0;  // smallest n_clauses of conjunctions_
  std::atomic<Version> add_version_{kVersionMin};
  std::atomic<Version> remove_version_{kVersionNotRemoved};
  // Classifier links, written only by the writer under the classifier lock.
  Subtable* subtable_ = nullptr;
  Rule* next_same_match_ = nullptr;  // same match, lower (or equal) priority
  uint32_t list_index_ = 0;          // position in its subtable's rule list
};

}  // namespace grebe::classifier
