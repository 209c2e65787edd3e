// PrefixTrie: a path-compressed binary trie of bit-string prefixes (CIDR
// prefixes of one field) with a rule count per prefix.
//
// The classifier keeps one per prefix field.  A lookup walks the trie along a
// packet's field value and reports (a) which prefix lengths have a stored
// prefix matching the value and (b) how many leading bits of the value the
// walk had to look at.  Every value that agrees with the looked-up one on
// those bits gets the same answer, so a subtable whose prefix length is not in
// (a) can be skipped while un-wildcarding only (b) bits.
//
// Not thread-safe by itself: the classifier calls it under its lock.
#pragma once

#include <bitset>
#include <cstdint>
#include <vector>

#include "grebe/classifier/key_layout.h"

namespace grebe::classifier {

class PrefixTrie {
 public:
  // Bit p set: some stored prefix of length p matches the looked-up value.
  using PlenSet = std::bitset<129>;

  explicit PrefixTrie(unsigned field_bits = 128);

  // Adds one reference to `prefix` of `plen` bits (bits past plen ignored).
  void insert(const Prefix128& prefix, unsigned plen);
  // Drops one reference; false if the prefix was not stored.
  bool remove(const Prefix128& prefix, unsigned plen);
  // Walks `value`; sets in `*plens` every stored prefix length matching it
  // and returns the number of leading bits examined (0..field_bits).
  unsigned lookup(const Prefix128& value, PlenSet* plens) const;

  // Number of distinct stored prefixes.
  size_t n_prefixes() const { return n_prefixes_; }
  unsigned field_bits() const { return field_bits_; }
  void clear();

 private:
  struct Node {
    Prefix128 prefix;      // truncated to plen
    uint16_t plen = 0;     // depth at the end of this node's segment
    uint32_t n_rules = 0;  // references to exactly this prefix
    int32_t child[2] = {-1, -1};
  };

  int32_t new_node(const Prefix128& prefix, unsigned plen, uint32_t n_rules);
  void free_node(int32_t index);
  // Unlinks `index` (a child of `parent`, itself a child of `grandparent`)
  // if it no longer carries anything, and merges `parent` if that leaves it
  // an empty pass-through node.
  void prune(int32_t grandparent, int32_t parent, int32_t index);

  unsigned field_bits_;
  std::vector<Node> nodes_;  // nodes_[0] is the root (plen 0)
  std::vector<int32_t> free_;
  size_t n_prefixes_ = 0;
};

}  // namespace grebe::classifier
