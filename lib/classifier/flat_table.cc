#include "flat_table.h"

namespace grebe::classifier {

void FlatTable::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  const size_t cap = old.empty() ? 8 : old.size() * 2;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  n_ = 0;
  for (const Slot& s : old) {
    if (s.value != 0) insert(s.hash, s.value);
  }
}

void FlatTable::insert(uint32_t hash, uint32_t value) {
  // Keep the load factor at or below 3/4: linear probing degrades past it.
  if ((n_ + 1) * 4 > slots_.size() * 3) grow();
  size_t i = hash & mask_;
  while (slots_[i].value != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{hash, value};
  ++n_;
}

void FlatTable::erase_at(size_t pos) {
  size_t hole = pos;
  for (size_t j = (hole + 1) & mask_; slots_[j].value != 0; j = (j + 1) & mask_) {
    const size_t home = slots_[j].hash & mask_;
    // Slot j may move into the hole only if its home position is not in the
    // cyclic range (hole, j]; otherwise moving it would put it before home.
    const bool home_in_range = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (home_in_range) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --n_;
}

void HashCounter::add(uint32_t hash) {
  const size_t pos = table_.find(hash);
  if (pos == FlatTable::kNotFound) {
    table_.insert(hash, 1);
  } else {
    table_.set_value_at(pos, table_.value_at(pos) + 1);
  }
}

bool HashCounter::remove(uint32_t hash) {
  const size_t pos = table_.find(hash);
  if (pos == FlatTable::kNotFound) return false;
  const uint32_t count = table_.value_at(pos);
  if (count > 1) {
    table_.set_value_at(pos, count - 1);
  } else {
    table_.erase_at(pos);
  }
  return true;
}

}  // namespace grebe::classifier
