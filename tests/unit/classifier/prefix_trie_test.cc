// PrefixTrie and FlatTable against brute-force models.
#include "grebe/classifier/prefix_trie.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "flat_table.h"

namespace grebe::classifier {
namespace {

Prefix128 v4(uint32_t addr) { return Prefix128{uint64_t{addr} << 32, 0}; }

TEST(PrefixTrie, LookupReportsMatchingLengthsAndBitsExamined) {
  PrefixTrie t(32);
  t.insert(v4(0x0a000000), 8);
  t.insert(v4(0x0a010000), 16);
  t.insert(v4(0x0a010100), 24);
  PrefixTrie::PlenSet plens;
  EXPECT_EQ(t.lookup(v4(0x0a010101), &plens), 24u);  // leaf reached
  EXPECT_TRUE(plens.test(8) && plens.test(16) && plens.test(24));
  plens.reset();
  EXPECT_EQ(t.lookup(v4(0x0b000000), &plens), 8u);  // 0x0a vs 0x0b: bit 7
  EXPECT_TRUE(plens.none());
  EXPECT_EQ(t.n_prefixes(), 3u);
  EXPECT_TRUE(t.remove(v4(0x0a010000), 16));
  EXPECT_FALSE(t.remove(v4(0x0a010000), 16));
  plens.reset();
  t.lookup(v4(0x0a010101), &plens);
  EXPECT_TRUE(plens.test(8) && !plens.test(16) && plens.test(24));
}

// Random prefixes of a 16-bit field checked against a brute-force model, and
// the "bits examined" answer checked by perturbing every later bit.
TEST(PrefixTrie, RandomAgainstBruteForce) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    PrefixTrie t(16);
    std::map<std::pair<uint64_t, unsigned>, int> model;  // (prefix, plen) -> refs
    for (int op = 0; op < 200; ++op) {
      const unsigned plen = 1 + rng() % 16;
      static const uint16_t kBases[] = {0x0a00, 0x0a01, 0xc0a8, 0x8000};
      const uint16_t x = kBases[rng() % 4] ^ (rng() % 2 ? 1u << (rng() % 16) : 0u);
      const Prefix128 p = Prefix128{uint64_t{x} << 48, 0}.truncated(plen);
      if (rng() % 3 == 0 && !model.empty()) {
        auto it = model.begin();
        std::advance(it, rng() % model.size());
        ASSERT_TRUE(t.remove(Prefix128{it->first.first, 0}, it->first.second));
        if (--it->second == 0) model.erase(it);
      } else {
        t.insert(p, plen);
        ++model[{p.hi, plen}];
      }
      ASSERT_EQ(t.n_prefixes(), model.size());
    }
    for (uint32_t x = 0; x < 65536; x += (x >> 8 == 0x0a || x >> 8 == 0xc0) ? 1 : 61) {
      const Prefix128 val{uint64_t{x} << 48, 0};
      PrefixTrie::PlenSet got;
      const unsigned bits = t.lookup(val, &got);
      PrefixTrie::PlenSet want;
      for (const auto& [key, refs] : model) {
        if (val.truncated(key.second).hi == key.first) want.set(key.second);
      }
      ASSERT_EQ(got, want) << "value " << x;
      // Any value agreeing on the first `bits` bits gets the same answer.
      for (unsigned b = bits; b < 16; ++b) {
        const Prefix128 other{val.hi ^ (1ull << (63 - b)), 0};
        PrefixTrie::PlenSet got2;
        ASSERT_EQ(t.lookup(other, &got2), bits);
        ASSERT_EQ(got2, got);
      }
    }
  }
}

TEST(FlatTable, RandomInsertEraseAgainstMultimap) {
  std::mt19937 rng(3);
  FlatTable t;
  std::multimap<uint32_t, uint32_t> model;
  uint32_t next_value = 1;
  for (int op = 0; op < 20000; ++op) {
    const uint32_t hash = rng() % 64 * 0x10001u;  // many collisions
    if (rng() % 2 && !model.empty()) {
      auto it = model.begin();
      std::advance(it, rng() % model.size());
      const uint32_t value = it->second;
      const size_t pos = t.find(it->first, [&](uint32_t v) { return v == value; });
      ASSERT_NE(pos, FlatTable::kNotFound);
      t.erase_at(pos);
      model.erase(it);
    } else {
      t.insert(hash, next_value);
      model.emplace(hash, next_value++);
    }
    ASSERT_EQ(t.size(), model.size());
  }
  for (const auto& [hash, value] : model) {
    const uint32_t v = value;
    EXPECT_NE(t.find(hash, [&](uint32_t x) { return x == v; }), FlatTable::kNotFound);
  }
  HashCounter c;
  c.add(5);
  c.add(5);
  EXPECT_TRUE(c.remove(5));
  EXPECT_TRUE(c.contains(5));
  EXPECT_TRUE(c.remove(5));
  EXPECT_FALSE(c.contains(5));
  EXPECT_FALSE(c.remove(5));
}

}  // namespace
}  // namespace grebe::classifier
