#include "grebe/classifier/prefix_trie.h"

#include <algorithm>

#include "grebe/util/assert.h"

namespace grebe::classifier {

PrefixTrie::PrefixTrie(unsigned field_bits) : field_bits_(std::min(field_bits, 128u)) { clear(); }

void PrefixTrie::clear() {
  nodes_.assign(1, Node{});
  free_.clear();
  n_prefixes_ = 0;
}

int32_t PrefixTrie::new_node(const Prefix128& prefix, unsigned plen, uint32_t n_rules) {
  Node n;
  n.prefix = prefix.truncated(plen);
  n.plen = static_cast<uint16_t>(plen);
  n.n_rules = n_rules;
  if (!free_.empty()) {
    const int32_t i = free_.back();
    free_.pop_back();
    nodes_[i] = n;
    return i;
  }
  nodes_.push_back(n);
  return static_cast<int32_t>(nodes_.size() - 1);
}

void PrefixTrie::free_node(int32_t index) {
  nodes_[index] = Node{};
  free_.push_back(index);
}

void PrefixTrie::insert(const Prefix128& prefix_in, unsigned plen) {
  plen = std::min(plen, field_bits_);
  const Prefix128 prefix = prefix_in.truncated(plen);
  int32_t cur = 0;
  for (;;) {
    if (nodes_[cur].plen == plen) {
      if (nodes_[cur].n_rules++ == 0) ++n_prefixes_;
      return;
    }
    const int side = prefix.bit(nodes_[cur].plen);
    const int32_t c = nodes_[cur].child[side];
    if (c < 0) {
      const int32_t leaf = new_node(prefix, plen, 1);
      nodes_[cur].child[side] = leaf;
      ++n_prefixes_;
      return;
    }
    const unsigned child_plen = nodes_[c].plen;
    const unsigned l = std::min({prefix.common_prefix_len(nodes_[c].prefix), plen, child_plen});
    if (l == child_plen) {
      cur = c;
      continue;
    }
    // The new prefix leaves the child's segment at bit l: split it there.
    const int32_t mid = new_node(prefix, l, l == plen ? 1 : 0);
    nodes_[mid].child[nodes_[c].prefix.bit(l)] = c;
    nodes_[cur].child[side] = mid;
    if (l != plen) {
      const int32_t leaf = new_node(prefix, plen, 1);
      nodes_[mid].child[prefix.bit(l)] = leaf;
    }
    ++n_prefixes_;
    return;
  }
}

bool PrefixTrie::remove(const Prefix128& prefix_in, unsigned plen) {
  plen = std::min(plen, field_bits_);
  const Prefix128 prefix = prefix_in.truncated(plen);
  int32_t grandparent = -1, parent = -1, cur = 0;
  while (nodes_[cur].plen < plen) {
    const int32_t c = nodes_[cur].child[prefix.bit(nodes_[cur].plen)];
    if (c < 0 || nodes_[c].plen > plen ||
        prefix.common_prefix_len(nodes_[c].prefix) < nodes_[c].plen) {
      return false;
    }
    grandparent = parent;
    parent = cur;
    cur = c;
  }
  if (nodes_[cur].plen != plen || nodes_[cur].n_rules == 0) return false;
  if (--nodes_[cur].n_rules == 0) {
    --n_prefixes_;
    if (cur != 0) prune(grandparent, parent, cur);
  }
  return true;
}

void PrefixTrie::prune(int32_t grandparent, int32_t parent, int32_t index) {
  Node& n = nodes_[index];
  const int n_children = (n.child[0] >= 0) + (n.child[1] >= 0);
  if (n_children == 2) return;  // still a branch point
  const int side = nodes_[parent].child[1] == index;
  nodes_[parent].child[side] = n_children == 1 ? n.child[n.child[0] < 0] : -1;
  free_node(index);
  // `parent` may now be an empty pass-through node: fold it into its child.
  if (n_children == 0 && parent != 0 && nodes_[parent].n_rules == 0) {
    prune(-1, grandparent, parent);
  }
}

unsigned PrefixTrie::lookup(const Prefix128& value, PlenSet* plens) const {
  const Node* node = &nodes_[0];
  if (node->n_rules) plens->set(0);
  for (;;) {
    if (node->plen >= field_bits_) return field_bits_;
    const int side = value.bit(node->plen);
    const int32_t c = node->child[side];
    if (c < 0) {
      // Nothing stored below in the value's direction.  The bit that chose
      // the direction matters only if the other direction holds something.
      return node->child[!side] >= 0 ? node->plen + 1u : node->plen;
    }
    const Node* child = &nodes_[c];
    const unsigned l = value.common_prefix_len(child->prefix);
    if (l < child->plen) return l + 1;  // diverged at bit l: l + 1 bits decide
    if (child->n_rules) plens->set(child->plen);
    node = child;
  }
}

}  // namespace grebe::classifier
