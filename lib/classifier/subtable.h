// Subtable: all rules of a classifier that share one mask.
//
// The mask is kept compressed: `mw_` lists the key words where the mask is
// non-zero with their mask values, split into stages (`stage_end_`,
// exclusive ends into mw_; empty layout stages are dropped).  Each stage
// but the last has a HashCounter of the rules' hashes up to that stage; the
// last stage's full hash keys the rule map.  A bucket holds the rules with
// one masked value, as a list in decreasing priority order.
//
// Private to lib/classifier.  Writer methods run under the classifier's
// exclusive lock, lookups under its shared lock.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "flat_table.h"
#include "grebe/classifier/classifier.h"
#include "grebe/classifier/key_layout.h"
#include "grebe/classifier/prefix_trie.h"
#include "grebe/classifier/rule.h"

namespace grebe::classifier {

// A vector of at most N elements stored inline (hot subtable data stays in
// the subtable's own cache lines).
template <typename T, size_t N>
class InlineVec {
 public:
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void push_back(const T& v) { items_[n_++] = v; }
  void resize(size_t n) { n_ = n; }
  T& back() { return items_[n_ - 1]; }
  const T& back() const { return items_[n_ - 1]; }
  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }

 private:
  T items_[N] = {};
  size_t n_ = 0;
};

// One prefix trie as seen by a single classifier lookup: walked at most once,
// on demand, by the first subtable that needs it.
struct TrieLookup {
  const PrefixTrie* trie = nullptr;
  const PrefixField* field = nullptr;
  bool done = false;
  unsigned maskbits = 0;
  PrefixTrie::PlenSet plens;
};

class Subtable {
 public:
  // `trie_fields` are the classifier's tries (layout prefix_fields indexes).
  Subtable(const KeyLayout& layout, std::span<const uint64_t> mask,
           const std::vector<size_t>& trie_fields);

  const std::vector<uint64_t>& mask() const { return mask_; }
  int max_priority() const { return max_priority_; }
  size_t n_rules() const { return rules_.size(); }
  const std::vector<Rule*>& rules() const { return rules_; }
  // Prefix length of this mask on trie `j` (0: the trie does not apply).
  unsigned trie_plen(size_t j) const { return trie_plen_[j]; }
  // Recomputes the trie checks after the classifier's tries changed.
  void set_trie_fields(const std::vector<size_t>& trie_fields);

  // Writer methods take the rule's masked value expanded to full key words.
  //
  // The rule with the same match and priority as `rule` that is not
  // scheduled for removal, or nullptr.
  Rule* find_live_duplicate(const Rule& rule, const uint64_t* value) const;
  // Links `rule` in; if `displace` (a find_live_duplicate() result) is given
  // it is unlinked and `rule` takes its place.  Sets *new_bucket if `rule` is
  // the first rule with its value (the caller adds it to tries).
  void insert(Rule* rule, const uint64_t* value, Rule* displace, bool* new_bucket);
  // Unlinks `rule`; sets *bucket_gone if no rule with its value is left (the
  // caller removes it from tries).
  void remove(Rule* rule, const uint64_t* value, bool* bucket_gone);

  // Reader.  Highest-priority rule visible in `version` matching `key`;
  // ORs the bits examined into `wc` when non-null.
  const Rule* lookup(Version version, const uint64_t* key, uint64_t* wc, TrieLookup* tries,
                     LookupStats* stats) const;
  // Reader.  The rule with `value` (masked with this mask) and `priority`
  // visible in `version`.
  const Rule* find_exactly(std::span<const uint64_t> value, int priority, Version version) const;

  // Calls fn(rule) for the first rule of each bucket (one per distinct value).
  template <typename Fn>
  void for_each_bucket_head(Fn fn) const {
    for (const Bucket& b : buckets_) {
      if (b.head) fn(*b.head);
    }
  }

  // Stage and bucket counts, for Classifier::describe().
  size_t n_stages() const { return stage_end_.size(); }
  size_t n_buckets() const { return rule_map_.size(); }
  size_t n_mask_words() const { return mw_.size(); }

 private:
  // One cache line: the masked value is compared in the same line that
  // leads to the rules, for masks of up to kInlineWords words.
  static constexpr size_t kInlineWords = 6;
  struct alignas(64) Bucket {
    Rule* head = nullptr;  // nullptr: free
    uint32_t hash = 0;
    uint64_t key[kInlineWords] = {};
  };
  struct TrieCheck {
    uint32_t stage;  // index into stage_end_
    uint32_t trie;   // index into the lookup's TrieLookup array
    uint32_t plen;
  };

  // Stage hashes of a masked value (stage_hashes must hold n_stages()).
  void hash_stages(const uint64_t* key, uint32_t* stage_hashes) const;
  // Bucket number holding masked `key` under `hash`, or -1.
  int64_t find_bucket(const uint64_t* key, uint32_t hash) const;
  bool bucket_equals(uint32_t bucket, const uint64_t* key) const;
  const uint64_t* bucket_key(uint32_t b) const {
    return mw_.size() <= kInlineWords ? buckets_[b].key
                                      : bucket_keys_.data() + size_t{b} * mw_.size();
  }
  uint32_t new_bucket(const uint64_t* key, uint32_t hash, Rule* head);
  void free_bucket(uint32_t bucket);
  bool check_tries(uint32_t stage, const uint64_t* key, uint64_t* wc, TrieLookup* tries) const;
  void fold_mask(uint64_t* wc, size_t end) const {
    for (size_t i = 0; i < end; ++i) wc[mw_[i].word] |= mw_[i].mask;
  }
  // Position in mw_ of key word `word`, or mw_.size().
  size_t find_word(size_t word) const;
  void update_max_priority();
  // Sets up the ports trie if the layout has a ports field that this mask
  // matches in its last stage.
  void init_ports_trie();
  Prefix128 masked_ports(const uint64_t* key) const;
  // Final-stage miss with a ports trie: pins every mask bit except the port
  // bits the trie shows are not needed.
  void pin_ports_miss(const uint64_t* key, uint64_t* wc) const;

  const KeyLayout& layout_;
  std::vector<uint64_t> mask_;  // full mask, n_words
  struct MaskWord {
    uint64_t mask;  // mask_[word]
    uint32_t word;
  };
  std::vector<MaskWord> mw_;                            // key words with a non-zero mask
  InlineVec<uint32_t, kMaxStages> stage_end_;           // exclusive ends into mw_
  InlineVec<HashCounter, kMaxStages - 1> stage_index_;  // stages but the last
  FlatTable rule_map_;                                  // final hash -> bucket + 1
  std::vector<Bucket> buckets_;
  std::vector<uint64_t> bucket_keys_;  // mw_.size() per bucket, if > inline
  std::vector<uint32_t> free_buckets_;
  std::vector<Rule*> rules_;            // every rule, for iteration
  std::map<int, uint32_t> priorities_;  // priority -> number of rules
  int max_priority_ = 0;
  std::vector<unsigned> trie_plen_;
  std::vector<TrieCheck> trie_checks_;
  unsigned ports_plen_ = 0;  // 0: no ports trie
  Prefix128 ports_mask_;
  PrefixTrie ports_trie_;
};

}  // namespace grebe::classifier
