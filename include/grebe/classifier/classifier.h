// Classifier: finds the highest-priority rule matching a key, and the
// wildcard mask (megaflow) of every key bit that decision depended on.
//
// Design (ideas from OVS lib/classifier.h; our own code):
//
//   Tuple space search.  Rules are grouped into one Subtable per distinct
//   mask; within a subtable rules are found by hashing the key masked with the
//   subtable's mask.  Subtables are visited in decreasing order of the highest
//   rule priority they hold, and the search stops as soon as the best rule
//   found so far has a priority >= the next subtable's maximum.
//
//   Staged lookup.  A subtable hashes the key one layout stage at a time
//   (metadata, L2, L3, L4) and keeps a hash index per stage.  A miss in an
//   early stage ends the subtable's search and un-wildcards only the bits of
//   the stages examined, so e.g. a packet that fails an L3 match does not get
//   its L4 ports pinned in the megaflow.
//
//   Prefix tries.  For each layout prefix field (IP addresses) a trie holds
//   the CIDR prefixes of all rules.  Before hashing the stage with that field,
//   a subtable whose prefix length on it does not match the packet is skipped,
//   un-wildcarding only the address bits the trie walk looked at.
//
//   Megaflows.  lookup() ORs into the caller's wildcard mask every bit it
//   examined.  "False 1-bits are safe, false 0-bits are bugs": for any key
//   that agrees with the looked-up key on all 1-bits of the mask, a lookup
//   returns the same rule.  Bits are only ever added to the mask, and only
//   bits of some subtable's mask.
//
//   Priorities: rules with equal priority that both match a key are
//   ambiguous (OpenFlow leaves it undefined); the one returned is stable for a
//   given classifier state.
//
//   Conjunctive matches (OpenFlow conjunction()), as in OVS: a rule with
//   conjunctions is a "soft" match.  Soft matches above the best ordinary
//   ("hard") match are collected; if at their highest priority every clause
//   of some conjunction id matched, the key is looked up again with conj_id
//   set to that id (the layout says where conj_id lives) and the rule found
//   wins.  Otherwise lower-priority rules with identical matches are tried.
//   Only this path may allocate.
//
// Threads and locking: one writer thread (ofproto's main thread) makes all
// changes; any number of threads (upcall handlers, revalidators) look up
// concurrently.  One reader-writer lock per classifier (RwLock: per-thread
// reader slots, so concurrent lookups do not bounce a shared cache line, and
// a waiting writer holds off new readers so flow_mods are not starved).
// Readers hold it for one call; the writer takes it exclusive only for the
// in-memory update of a single change, so readers wait at most that long.
// It is a leaf lock: nothing else is acquired while it is held, except that
// for_each() calls its callback under the shared lock (the callback must not
// call back into the same classifier).  A later version can swap in
// RCU-style snapshots per subtable without changing this API.
// Rule versions are atomics and may be changed by the writer without it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/classifier/key_layout.h"
#include "grebe/classifier/prefix_trie.h"
#include "grebe/classifier/rule.h"
#include "grebe/classifier/rwlock.h"
#include "grebe/util/result.h"

namespace grebe::classifier {

class Subtable;
class SoftMatches;

// Per-lookup statistics, for benchmarks and `ofproto/trace`-style output.
struct LookupStats {
  uint32_t subtables_visited = 0;
  uint32_t subtables_skipped_by_trie = 0;
  uint32_t stage_misses = 0;  // subtable searches ended early by a stage index
};

class Classifier {
 public:
  // `layout` must be valid (KeyLayout::validate()); it is a programming error
  // otherwise.
  explicit Classifier(KeyLayout layout);
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  const KeyLayout& layout() const { return layout_; }

  // --- Writer thread -------------------------------------------------------

  // Inserts `rule`, visible from `version` on.  If a rule with the same match
  // and priority is present and not scheduled for removal, `rule` takes its
  // place and the displaced rule is returned (its owner frees it once readers
  // are done); otherwise returns nullptr.  EINVAL if the rule's size does not
  // fit the layout, EBUSY if it is already in a classifier.
  Result<Rule*> replace(Rule* rule, Version version);
  // Like replace() but never displaces: EEXIST (nothing inserted) if a rule
  // with the same match and priority is present and not being removed.
  Status insert(Rule* rule, Version version);
  // Unlinks `rule` from the classifier (whatever its versions).  False if it
  // is not in this classifier.
  bool remove(Rule* rule);

  // Replaces the conjunctions of a rule in this classifier (flow_mod modify
  // of a soft rule's actions) or of a rule not yet inserted.  EINVAL if they
  // are malformed, the layout has no conj_id or the rule is in another
  // classifier; nothing changes then.
  Status set_conjunctions(Rule* rule, std::vector<Conjunction> conjunctions);

  // Uses only the prefix fields of the layout named in `names` (OVS's
  // Flow_Table "prefixes"; empty = none), rebuilding the tries.  EINVAL on an
  // unknown or duplicate name or more than kMaxTries names; nothing changes
  // then.
  Status set_prefix_fields(const std::vector<std::string>& names);
  // Names of the prefix fields in use, in trie order.
  std::vector<std::string> prefix_fields() const;

  // --- Any thread ----------------------------------------------------------

  // Highest-priority rule visible in `version` that matches `key` (n_words
  // words), or nullptr.  If `wc` is non-null (n_words words), ORs into it the
  // bits the decision depended on.  Never blocks on other readers; no heap
  // allocation (except when resolving many conjunctive matches).
  const Rule* lookup(Version version, const uint64_t* key, uint64_t* wc,
                     LookupStats* stats = nullptr) const;

  // The rule with exactly this match and priority visible in `version`.
  const Rule* find_exactly(MatchView match, int priority, Version version) const;
  // Every rule visible in `version` that loosely matches `criteria` (see
  // Rule::is_loose_match): OpenFlow non-strict flow_mod delete/modify.
  std::vector<const Rule*> find_rules_loose(MatchView criteria, Version version) const;
  // True if a rule other than `target` (or `exclude`), with the same
  // priority, visible in `version`, could match some packet that `target`
  // matches (OFPFF_CHECK_OVERLAP).  As in OVS, an identical rule overlaps.
  bool rule_overlaps(const Rule& target, Version version) const;
  bool rule_overlaps(MatchView match, int priority, Version version,
                     const Rule* exclude = nullptr) const;

  // Calls `fn` for each rule visible in `version` (every rule when `version`
  // is kVersionAny) that loosely matches `target` when one is given.
  static constexpr Version kVersionAny = kVersionNotRemoved;
  void for_each(const MatchView* target, Version version,
                const std::function<void(const Rule&)>& fn) const;

  size_t n_rules() const;
  bool empty() const { return n_rules() == 0; }
  size_t n_subtables() const;
  // Human-readable dump of subtables, stages and tries (for an appctl view).
  std::string describe() const;

 private:
  struct MaskHash {
    size_t operator()(const std::vector<uint64_t>& mask) const;
  };

  Subtable* find_subtable(std::span<const uint64_t> mask) const;
  Subtable* create_subtable(std::span<const uint64_t> mask);
  void destroy_subtable(Subtable* subtable);
  // Restores descending max-priority order after `subtable`'s changed.
  void reposition(Subtable* subtable);
  Status check_rule(const Rule* rule) const;
  // True if `rule` is linked into this classifier (lock held).
  bool owns(const Rule* rule) const;
  Status check_conjunctions(const std::vector<Conjunction>& conjunctions) const;
  // lookup() under the lock; soft matches are ignored unless `allow_conj`.
  const Rule* lookup_locked(Version version, const uint64_t* key, uint64_t* wc, LookupStats* stats,
                            bool allow_conj) const;
  // OVS's soft-match loop: turns the soft matches above `hard` into the
  // final answer (conjunction.cc).
  const Rule* resolve_soft_matches(Version version, const uint64_t* key, uint64_t* wc,
                                   LookupStats* stats, SoftMatches& soft, const Rule* hard) const;
  // Adds / drops the trie references of a bucket with masked `value`.
  void trie_insert(const Subtable& subtable, const uint64_t* value);
  void trie_remove(const Subtable& subtable, const uint64_t* value);
  void rebuild_tries();

  KeyLayout layout_;
  mutable RwLock mutex_;
  std::unordered_map<std::vector<uint64_t>, std::unique_ptr<Subtable>, MaskHash> subtables_;
  std::vector<Subtable*> ordered_;   // by max priority, descending
  std::vector<size_t> trie_fields_;  // layout prefix_fields indexes in use
  std::vector<PrefixTrie> tries_;    // parallel to trie_fields_
  size_t n_rules_ = 0;
};

}  // namespace grebe::classifier
