// FlatTable: an open-addressing (linear probing) table of 32-bit hashes, each
// with a non-zero 32-bit value.  The classifier uses it twice: as a hash
// multiset (value = reference count) for stage indices, and as the rule map of
// a subtable (value = bucket number + 1; several slots may share a hash).
//
// Slots are 8 bytes in one array so a probe touches one or two cache lines.
// Deletion shifts later slots back instead of leaving tombstones, so probe
// sequences never grow with churn.  Not thread-safe by itself (the classifier
// lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace grebe::classifier {

class FlatTable {
 public:
  struct Slot {
    uint32_t hash = 0;
    uint32_t value = 0;  // 0: empty
  };
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  // Position of the first slot with `hash` for which pred(value) is true, or
  // kNotFound.
  template <typename Pred>
  size_t find(uint32_t hash, Pred pred) const {
    if (slots_.empty()) return kNotFound;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == 0) return kNotFound;
      if (s.hash == hash && pred(s.value)) return i;
    }
  }
  size_t find(uint32_t hash) const {
    return find(hash, [](uint32_t) { return true; });
  }
  bool contains(uint32_t hash) const { return find(hash) != kNotFound; }

  uint32_t value_at(size_t pos) const { return slots_[pos].value; }
  void set_value_at(size_t pos, uint32_t value) { slots_[pos].value = value; }

  // Adds a slot (value must be non-zero); duplicates of `hash` are allowed.
  void insert(uint32_t hash, uint32_t value);
  // Removes the slot at `pos` (from find()).
  void erase_at(size_t pos);

  size_t size() const { return n_; }
  size_t capacity() const { return slots_.size(); }

 private:
  void grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t n_ = 0;
};

// Reference-counted set of hashes: a stage index.
class HashCounter {
 public:
  void add(uint32_t hash);
  // False if `hash` was not present.
  bool remove(uint32_t hash);
  bool contains(uint32_t hash) const { return table_.contains(hash); }
  size_t size() const { return table_.size(); }

 private:
  FlatTable table_;
};

}  // namespace grebe::classifier
