// A small flow-like key for classifier tests, and a linear reference
// classifier to check the real one against.
//
// Words: 0 metadata (in_port low 16 bits, conj_id high 32 bits)
//        1 L2 (dl_type low 16), 2 L2 (eth_dst low 48)
//        3 L3 (nw_src high 32 | nw_dst low 32), 4-5 L3 (ipv6_src, host order)
//        6 L4 (tp_src low 16 | tp_dst bits 16..31), 7 L4 (spare)
#pragma once

#include <cstdint>
#include <vector>

#include "grebe/classifier/classifier.h"

namespace grebe::classifier::test {

inline constexpr size_t kWords = 8;
using Key = std::vector<uint64_t>;

inline KeyLayout test_layout() {
  KeyLayout l;
  l.n_words = kWords;
  l.stage_ends = {1, 3, 6, 8};
  l.prefix_fields.push_back(PrefixField::host_order("nw_src", 3, 63, 32));
  l.prefix_fields.push_back(PrefixField::host_order("nw_dst", 3, 31, 32));
  l.prefix_fields.push_back(PrefixField::host_order("ipv6_src", 4, 63, 128));
  // tp_src (bits 0..15 of word 6) then tp_dst (bits 16..31), each MSB first.
  l.ports_field = PrefixField::from_byte_offsets("tp_ports", {49, 48, 51, 50});
  l.conj_id_field = KeyField{0, 32, 32};
  return l;
}

// Field helpers: (word, shift, width).
struct FieldDef {
  size_t word;
  unsigned shift;
  unsigned width;
  uint64_t bits() const { return (width == 64 ? ~0ull : ((1ull << width) - 1)) << shift; }
};
inline constexpr FieldDef kInPort{0, 0, 16};
inline constexpr FieldDef kConjId{0, 32, 32};
inline constexpr FieldDef kDlType{1, 0, 16};
inline constexpr FieldDef kEthDst{2, 0, 48};
inline constexpr FieldDef kNwSrc{3, 32, 32};
inline constexpr FieldDef kNwDst{3, 0, 32};
inline constexpr FieldDef kTpSrc{6, 0, 16};
inline constexpr FieldDef kTpDst{6, 16, 16};

inline void set_field(Key& key, FieldDef f, uint64_t v) {
  key[f.word] = (key[f.word] & ~f.bits()) | ((v << f.shift) & f.bits());
}
inline uint64_t get_field(const Key& key, FieldDef f) {
  return (key[f.word] & f.bits()) >> f.shift;
}
// Sets a CIDR-prefix mask of `plen` bits on a 32-bit field.
inline void set_prefix_mask(Key& mask, FieldDef f, unsigned plen) {
  const uint64_t m = plen == 0 ? 0 : (0xffffffffull << (32 - plen)) & 0xffffffffull;
  set_field(mask, f, m);
}

// Owns the rules it inserts.
struct TestRule : Rule {
  TestRule(const Key& value, const Key& mask, int priority, int id_,
           std::vector<Conjunction> conj = {})
      : Rule(MatchView{value, mask}, priority, std::move(conj)), id(id_) {}
  int id;
};

// Linear search over all rules: the definition of the right answer.
class ReferenceClassifier {
 public:
  void add(const Rule* r) { rules_.push_back(r); }
  void remove(const Rule* r) {
    for (auto& x : rules_) {
      if (x == r) {
        x = rules_.back();
        rules_.pop_back();
        return;
      }
    }
  }
  // All highest-priority matching rules visible in `version`.
  std::vector<const Rule*> lookup(Version version, const uint64_t* key) const {
    std::vector<const Rule*> best;
    for (const Rule* r : rules_) {
      if (!r->visible_in(version) || !r->matches(key)) continue;
      if (!best.empty() && r->priority() < best[0]->priority()) continue;
      if (!best.empty() && r->priority() > best[0]->priority()) best.clear();
      best.push_back(r);
    }
    return best;
  }
  const std::vector<const Rule*>& rules() const { return rules_; }

 private:
  std::vector<const Rule*> rules_;
};

}  // namespace grebe::classifier::test
