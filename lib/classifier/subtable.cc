#include "subtable.h"

#include <algorithm>
#include <bit>

#include "grebe/util/assert.h"
#include "grebe/util/hash.h"

namespace grebe::classifier {

Subtable::Subtable(const KeyLayout& layout, std::span<const uint64_t> mask,
                   const std::vector<size_t>& trie_fields)
    : layout_(layout), mask_(mask.begin(), mask.end()) {
  size_t stage = 0;
  for (size_t w = 0; w < mask_.size(); ++w) {
    while (w >= layout_.stage_ends[stage]) {
      // Close the stage that just ended, unless no mask word fell in it.
      if (!mw_.empty() && (stage_end_.empty() || stage_end_.back() != mw_.size())) {
        stage_end_.push_back(static_cast<uint32_t>(mw_.size()));
      }
      ++stage;
    }
    if (mask_[w] != 0) mw_.push_back(MaskWord{mask_[w], static_cast<uint32_t>(w)});
  }
  if (stage_end_.empty() || stage_end_.back() != mw_.size()) {
    stage_end_.push_back(static_cast<uint32_t>(mw_.size()));
  }
  stage_index_.resize(stage_end_.size() - 1);
  set_trie_fields(trie_fields);
  init_ports_trie();
}

size_t Subtable::find_word(size_t word) const {
  size_t i = 0;
  while (i < mw_.size() && mw_[i].word != word) ++i;
  return i;
}

void Subtable::init_ports_trie() {
  if (!layout_.ports_field) return;
  const PrefixField& f = *layout_.ports_field;
  const Prefix128 m = f.extract(mask_.data());
  if (m.hi == 0 && m.lo == 0) return;
  // Every masked byte of the field must be hashed in the last stage.
  const uint32_t last_begin = stage_end_.size() > 1 ? stage_end_[stage_end_.size() - 2] : 0;
  for (unsigned k = 0; k < f.n_bytes(); ++k) {
    if (((mask_[f.byte_pos[k] / 64] >> (f.byte_pos[k] % 64)) & 0xff) == 0) continue;
    const size_t pos = find_word(f.byte_pos[k] / 64);
    if (pos == mw_.size() || pos < last_begin) return;
  }
  // The trie keys are the masked values up to the mask's last 1-bit.
  ports_plen_ = m.lo ? 128 - static_cast<unsigned>(std::countr_zero(m.lo))
                     : 64 - static_cast<unsigned>(std::countr_zero(m.hi));
  ports_mask_ = m;
  ports_trie_ = PrefixTrie(f.n_bits);
}

Prefix128 Subtable::masked_ports(const uint64_t* key) const {
  const Prefix128 v = layout_.ports_field->extract(key);
  return Prefix128{v.hi & ports_mask_.hi, v.lo & ports_mask_.lo};
}

void Subtable::pin_ports_miss(const uint64_t* key, uint64_t* wc) const {
  const PrefixField& f = *layout_.ports_field;
  const Prefix128 before = f.extract(wc);
  PrefixTrie::PlenSet plens;
  const unsigned mbits = ports_trie_.lookup(masked_ports(key), &plens);
  fold_mask(wc, mw_.size());
  // Overwrite the fully pinned ports with what was pinned before plus the
  // port bits the trie walk needed.
  const Prefix128 needed = Prefix128::netmask(mbits);
  f.store(wc, Prefix128{before.hi | (ports_mask_.hi & needed.hi),
                        before.lo | (ports_mask_.lo & needed.lo)});
}

void Subtable::set_trie_fields(const std::vector<size_t>& trie_fields) {
  trie_plen_.assign(trie_fields.size(), 0);
  trie_checks_.clear();
  for (size_t j = 0; j < trie_fields.size(); ++j) {
    const PrefixField& field = layout_.prefix_fields[trie_fields[j]];
    const int plen = field.mask_prefix_len(mask_.data());
    if (plen <= 0) continue;  // wildcarded or not a CIDR mask: trie useless
    trie_plen_[j] = static_cast<unsigned>(plen);
    // The field's first word has a non-zero mask, so it is in mw_; find
    // the compressed stage that holds it.
    const size_t word = field.first_word();
    const size_t pos = find_word(word);
    GREBE_ASSERT(pos != mw_.size());
    uint32_t s = 0;
    while (pos >= stage_end_[s]) ++s;
    trie_checks_.push_back(TrieCheck{s, static_cast<uint32_t>(j), static_cast<uint32_t>(plen)});
  }
}

void Subtable::hash_stages(const uint64_t* key, uint32_t* stage_hashes) const {
  uint32_t h = 0;
  size_t i = 0;
  for (size_t s = 0; s < stage_end_.size(); ++s) {
    for (; i < stage_end_[s]; ++i) h = hash_add64(h, key[mw_[i].word] & mw_[i].mask);
    stage_hashes[s] = hash_finish(h, static_cast<uint32_t>(i));
  }
}

bool Subtable::bucket_equals(uint32_t bucket, const uint64_t* key) const {
  const uint64_t* stored = bucket_key(bucket);
  for (size_t i = 0; i < mw_.size(); ++i) {
    if ((key[mw_[i].word] & mw_[i].mask) != stored[i]) return false;
  }
  return true;
}

int64_t Subtable::find_bucket(const uint64_t* key, uint32_t hash) const {
  const size_t pos =
      rule_map_.find(hash, [&](uint32_t value) { return bucket_equals(value - 1, key); });
  return pos == FlatTable::kNotFound ? -1 : int64_t{rule_map_.value_at(pos)} - 1;
}

uint32_t Subtable::new_bucket(const uint64_t* key, uint32_t hash, Rule* head) {
  uint32_t b;
  if (!free_buckets_.empty()) {
    b = free_buckets_.back();
    free_buckets_.pop_back();
  } else {
    b = static_cast<uint32_t>(buckets_.size());
    buckets_.emplace_back();
    if (mw_.size() > kInlineWords) bucket_keys_.resize(bucket_keys_.size() + mw_.size());
  }
  buckets_[b].head = head;
  buckets_[b].hash = hash;
  uint64_t* stored = const_cast<uint64_t*>(bucket_key(b));
  for (size_t i = 0; i < mw_.size(); ++i) stored[i] = key[mw_[i].word] & mw_[i].mask;
  rule_map_.insert(hash, b + 1);
  return b;
}

void Subtable::free_bucket(uint32_t b) {
  const size_t pos =
      rule_map_.find(buckets_[b].hash, [&](uint32_t value) { return value == b + 1; });
  GREBE_ASSERT(pos != FlatTable::kNotFound);
  rule_map_.erase_at(pos);
  buckets_[b].head = nullptr;
  free_buckets_.push_back(b);
}

Rule* Subtable::find_live_duplicate(const Rule& rule, const uint64_t* value) const {
  uint32_t hashes[kMaxStages];
  hash_stages(value, hashes);
  const int64_t b = find_bucket(value, hashes[stage_end_.size() - 1]);
  if (b < 0) return nullptr;
  for (Rule* r = buckets_[b].head; r; r = r->next_same_match_) {
    if (r->priority_ == rule.priority_ && !r->eventually_invisible()) return r;
  }
  return nullptr;
}

void Subtable::insert(Rule* rule, const uint64_t* value, Rule* displace, bool* new_bucket_out) {
  uint32_t hashes[kMaxStages];
  hash_stages(value, hashes);
  const uint32_t final_hash = hashes[stage_end_.size() - 1];
  const int64_t b = find_bucket(value, final_hash);
  *new_bucket_out = b < 0;
  if (b < 0) {
    new_bucket(value, final_hash, rule);
    rule->next_same_match_ = nullptr;
    if (ports_plen_) ports_trie_.insert(masked_ports(value), ports_plen_);
    for (size_t s = 0; s < stage_index_.size(); ++s) stage_index_[s].add(hashes[s]);
  } else {
    Rule** link = &buckets_[b].head;
    if (displace) {
      while (*link != displace) {
        GREBE_ASSERT(*link);
        link = &(*link)->next_same_match_;
      }
      rule->next_same_match_ = displace->next_same_match_;
    } else {
      // Keep the list in decreasing priority order; among equal priorities a
      // live rule goes after those being removed (a bundle's old versions).
      while (*link &&
             ((*link)->priority_ > rule->priority_ ||
              ((*link)->priority_ == rule->priority_ && (*link)->eventually_invisible()))) {
        link = &(*link)->next_same_match_;
      }
      rule->next_same_match_ = *link;
    }
    *link = rule;
  }
  if (displace) {
    rules_[displace->list_index_] = rule;
    rule->list_index_ = displace->list_index_;
    displace->subtable_ = nullptr;
    displace->next_same_match_ = nullptr;
  } else {
    rule->list_index_ = static_cast<uint32_t>(rules_.size());
    rules_.push_back(rule);
    ++priorities_[rule->priority_];
    update_max_priority();
  }
  rule->subtable_ = this;
}

void Subtable::remove(Rule* rule, const uint64_t* value, bool* bucket_gone) {
  uint32_t hashes[kMaxStages];
  hash_stages(value, hashes);
  const uint32_t final_hash = hashes[stage_end_.size() - 1];
  const int64_t b = find_bucket(value, final_hash);
  GREBE_ASSERT(b >= 0);
  Rule** link = &buckets_[b].head;
  while (*link != rule) {
    GREBE_ASSERT(*link);
    link = &(*link)->next_same_match_;
  }
  *link = rule->next_same_match_;
  *bucket_gone = buckets_[b].head == nullptr;
  if (*bucket_gone) {
    free_bucket(static_cast<uint32_t>(b));
    if (ports_plen_) ports_trie_.remove(masked_ports(value), ports_plen_);
    for (size_t s = 0; s < stage_index_.size(); ++s) stage_index_[s].remove(hashes[s]);
  }
  // Swap-remove from the iteration list.
  Rule* last = rules_.back();
  rules_[rule->list_index_] = last;
  last->list_index_ = rule->list_index_;
  rules_.pop_back();
  auto it = priorities_.find(rule->priority_);
  if (--it->second == 0) priorities_.erase(it);
  update_max_priority();
  rule->subtable_ = nullptr;
  rule->next_same_match_ = nullptr;
}

void Subtable::update_max_priority() {
  max_priority_ = priorities_.empty() ? 0 : priorities_.rbegin()->first;
}

bool Subtable::check_tries(uint32_t stage, const uint64_t* key, uint64_t* wc,
                           TrieLookup* tries) const {
  for (const TrieCheck& tc : trie_checks_) {
    if (tc.stage != stage) continue;
    TrieLookup& t = tries[tc.trie];
    if (!t.done) {
      t.plens.reset();
      t.maskbits = t.trie->lookup(t.field->extract(key), &t.plens);
      t.done = true;
    }
    if (t.plens.test(tc.plen)) continue;  // a rule prefix might match: search
    // No rule of this subtable can match.  Skip it if that costs no more
    // megaflow bits than searching would: the walk looked at `maskbits`
    // bits, and searching would pin `plen` of them.
    if (!wc) return true;
    if (t.maskbits <= tc.plen) {
      t.field->set_prefix_bits(wc, t.maskbits);
      return true;
    }
    if (t.field->prefix_bits_set(wc, t.maskbits)) return true;
  }
  return false;
}

// Megaflow bits follow OVS exactly (so `ofproto/trace` shows the same
// Megaflow: line): a trie skip pins the trie bits plus the stages before it,
// a stage-index miss pins the stages up to and including it, and the final
// stage pins the whole mask, except for ports the ports trie rules out.
const Rule* Subtable::lookup(Version version, const uint64_t* key, uint64_t* wc, TrieLookup* tries,
                             LookupStats* stats) const {
  uint32_t h = 0;
  size_t i = 0;
  const size_t last = stage_end_.size() - 1;
  for (size_t s = 0;; ++s) {
    if (!trie_checks_.empty() && check_tries(static_cast<uint32_t>(s), key, wc, tries)) {
      if (wc) fold_mask(wc, i);
      if (stats) ++stats->subtables_skipped_by_trie;
      return nullptr;
    }
    for (const size_t end = stage_end_[s]; i < end; ++i) {
      h = hash_add64(h, key[mw_[i].word] & mw_[i].mask);
    }
    if (s == last) break;
    if (!stage_index_[s].contains(hash_finish(h, static_cast<uint32_t>(i)))) {
      if (wc) fold_mask(wc, i);
      if (stats) ++stats->stage_misses;
      return nullptr;
    }
  }
  const Rule* found = nullptr;
  const int64_t b = find_bucket(key, hash_finish(h, static_cast<uint32_t>(i)));
  if (b >= 0) {
    for (const Rule* r = buckets_[b].head; r; r = r->next_same_match_) {
      if (r->visible_in(version)) {
        found = r;
        break;
      }
    }
  }
  if (wc) {
    if (!found && ports_plen_) {
      pin_ports_miss(key, wc);
    } else {
      fold_mask(wc, i);
    }
  }
  return found;
}

const Rule* Subtable::find_exactly(std::span<const uint64_t> value, int priority,
                                   Version version) const {
  uint32_t hashes[kMaxStages];
  hash_stages(value.data(), hashes);
  const int64_t b = find_bucket(value.data(), hashes[stage_end_.size() - 1]);
  if (b < 0) return nullptr;
  for (const Rule* r = buckets_[b].head; r; r = r->next_same_match_) {
    if (r->priority_ == priority && r->visible_in(version)) return r;
  }
  return nullptr;
}

}  // namespace grebe::classifier
