// Randomized classifier tests against the linear reference: lookups agree,
// megaflow wildcards are sound (every packet agreeing on the un-wildcarded
// bits gets the same rule) and never cover bits no rule matches on; loose
// finds and overlap checks agree with brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "grebe/classifier/classifier.h"
#include "test_layout.h"

namespace grebe::classifier::test {
namespace {

// A component of a random mask: a field and the masks it may take.
struct Component {
  FieldDef field;
  std::vector<uint64_t> masks;
  std::vector<uint64_t> values;  // pool packets and rules draw from
};

const std::vector<Component>& components() {
  static const std::vector<Component> c = {
      {kInPort, {0xffff}, {1, 2, 3}},
      {kDlType, {0xffff}, {0x0800, 0x86dd}},
      {kEthDst, {0xffffffffffff, 0xffffff000000}, {0x001122334455, 0x001122aabbcc, 0x0a0b0c0d0e0f}},
      {kNwSrc,
       {0xff000000, 0xffff0000, 0xffffff00, 0xffffffff, 0xfffff000},
       {0x0a000001, 0x0a010203, 0x0a010303, 0xc0a80101, 0x0a01f000}},
      {kNwDst, {0xffffffff, 0xff00ff00, 0xffff0000}, {0x0a000002, 0x0a010202, 0xac100001}},
      {FieldDef{4, 0, 64}, {~0ull, 0xffffffff00000000}, {0x20010db800000001, 0x20010db8ffff0000}},
      {FieldDef{5, 0, 64}, {~0ull}, {1, 2}},  // ipv6_src low half
      {kTpSrc, {0xffff, 0xff00}, {1024, 1030, 53}},
      {kTpDst, {0xffff}, {80, 443, 22}},
  };
  return c;
}

class RandomClassifierTest : public ::testing::TestWithParam<int> {
 protected:
  std::mt19937_64 rng{static_cast<uint64_t>(GetParam())};
  Classifier cls{test_layout()};
  ReferenceClassifier ref;
  std::vector<std::unique_ptr<TestRule>> owned;
  std::vector<Key> masks;

  ~RandomClassifierTest() override {
    for (auto& r : owned) {
      if (r->in_classifier()) (void)cls.remove(r.get());
    }
  }

  uint64_t pick(const std::vector<uint64_t>& v) { return v[rng() % v.size()]; }

  void make_masks(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      Key m(kWords, 0);
      for (const Component& c : components()) {
        if (rng() % 100 < 35) set_field(m, c.field, pick(c.masks));
      }
      masks.push_back(m);
    }
  }

  Key random_packet() {
    Key k(kWords, 0);
    for (auto& w : k) w = rng();  // noise everywhere, pool values on fields
    for (const Component& c : components()) {
      if (rng() % 5 != 0) set_field(k, c.field, pick(c.values));
    }
    return k;
  }

  TestRule* random_rule() {
    const Key& m = masks[rng() % masks.size()];
    Key v = random_packet();
    for (size_t i = 0; i < kWords; ++i) v[i] &= m[i];
    owned.push_back(std::make_unique<TestRule>(v, m, static_cast<int>(rng() % 40),
                                               static_cast<int>(owned.size())));
    return owned.back().get();
  }

  void populate(size_t n_rules) {
    for (size_t i = 0; i < n_rules; ++i) {
      TestRule* r = random_rule();
      const Version add = rng() % 3;
      const bool dup = std::any_of(ref.rules().begin(), ref.rules().end(), [&](const Rule* x) {
        return x->same_match(*r) && x->priority() == r->priority() && !x->eventually_invisible();
      });
      Status s = cls.insert(r, add);
      ASSERT_EQ(s.ok(), !dup);
      if (!s.ok()) {
        EXPECT_EQ(s.error().code(), EEXIST);
        continue;
      }
      ref.add(r);
      if (rng() % 5 == 0) r->make_invisible_in_version(1 + rng() % 4);
    }
    // Physically remove some.
    for (auto& r : owned) {
      if (r->in_classifier() && rng() % 6 == 0) {
        ASSERT_TRUE(cls.remove(r.get()));
        ref.remove(r.get());
      }
    }
    ASSERT_EQ(cls.n_rules(), ref.rules().size());
  }

  Key union_of_masks() const {
    Key u(kWords, 0);
    for (const Rule* r : ref.rules()) {
      for (size_t i = 0; i < kWords; ++i) u[i] |= r->mask()[i];
    }
    return u;
  }

  void check_lookup(Version version, const Key& pkt, const Key& all_masks) {
    Key wc(kWords, 0);
    const Rule* got = cls.lookup(version, pkt.data(), wc.data());
    const auto want = ref.lookup(version, pkt.data());
    if (want.empty()) {
      ASSERT_EQ(got, nullptr);
    } else {
      ASSERT_NE(std::find(want.begin(), want.end(), got), want.end());
    }
    for (size_t i = 0; i < kWords; ++i) ASSERT_EQ(wc[i] & ~all_masks[i], 0u) << "word " << i;
    // Same answer without megaflow tracking.
    ASSERT_EQ(cls.lookup(version, pkt.data(), nullptr), got);
    // Soundness: mix the packet's un-wildcarded bits with another packet's.
    for (int p = 0; p < 12; ++p) {
      const Key other = random_packet();
      Key mixed(kWords);
      for (size_t i = 0; i < kWords; ++i) mixed[i] = (pkt[i] & wc[i]) | (other[i] & ~wc[i]);
      const auto want2 = ref.lookup(version, mixed.data());
      if (got == nullptr) {
        ASSERT_TRUE(want2.empty()) << "megaflow too wide: perturbed packet matches";
      } else {
        ASSERT_NE(std::find(want2.begin(), want2.end(), got), want2.end())
            << "megaflow too wide: perturbed packet gets another rule";
      }
      Key wc2(kWords, 0);
      ASSERT_EQ(cls.lookup(version, mixed.data(), wc2.data()), got);
    }
  }
};

TEST_P(RandomClassifierTest, LookupAgreesAndWildcardsAreSound) {
  for (int round = 0; round < 4; ++round) {
    masks.clear();
    make_masks(4 + rng() % 10);
    populate(150);
    const Key all_masks = union_of_masks();
    for (int i = 0; i < 150; ++i) {
      check_lookup(rng() % 6, random_packet(), all_masks);
    }
    // Packets derived from rules hit them (and their neighbors).
    for (int i = 0; i < 60 && !ref.rules().empty(); ++i) {
      const Rule* r = ref.rules()[rng() % ref.rules().size()];
      Key pkt = random_packet();
      for (size_t w = 0; w < kWords; ++w) pkt[w] = (pkt[w] & ~r->mask()[w]) | r->value()[w];
      check_lookup(rng() % 6, pkt, all_masks);
    }
  }
}

TEST_P(RandomClassifierTest, LooseFindAndOverlapAgreeWithBruteForce) {
  make_masks(8);
  populate(200);
  for (int i = 0; i < 100; ++i) {
    // Criteria: a random rule's match with some fields dropped, or fresh.
    Key cv = random_packet(), cm(kWords, 0);
    for (const Component& c : components()) {
      if (rng() % 100 < 20) set_field(cm, c.field, pick(c.masks));
    }
    for (size_t w = 0; w < kWords; ++w) cv[w] &= cm[w];
    const Version version = rng() % 2 ? Classifier::kVersionAny : rng() % 6;
    auto got = cls.find_rules_loose({cv, cm}, version);
    std::vector<const Rule*> want;
    for (const Rule* r : ref.rules()) {
      const bool vis = version == Classifier::kVersionAny || r->visible_in(version);
      if (vis && r->is_loose_match({cv, cm})) want.push_back(r);
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    ASSERT_EQ(got, want);

    const int pri = static_cast<int>(rng() % 40);
    const Version ov = rng() % 6;
    bool overlap = false;
    for (const Rule* r : ref.rules()) {
      if (r->priority() != pri || !r->visible_in(ov)) continue;
      bool agree = true;
      for (size_t w = 0; w < kWords; ++w) {
        agree &= ((cv[w] ^ r->value()[w]) & cm[w] & r->mask()[w]) == 0;
      }
      overlap |= agree;
    }
    ASSERT_EQ(cls.rule_overlaps({cv, cm}, pri, ov), overlap);
  }
  // find_exactly finds each rule in a version where it is visible (or a
  // rule identical to it that is visible then too: populate() may give two
  // identical rules overlapping version ranges).
  for (const Rule* r : ref.rules()) {
    const Version v = r->add_version();
    if (!r->visible_in(v)) continue;
    const Rule* got = cls.find_exactly(r->match(), r->priority(), v);
    ASSERT_NE(got, nullptr);
    ASSERT_TRUE(got == r ||
                (got->same_match(*r) && got->priority() == r->priority() && got->visible_in(v)));
  }
}

TEST_P(RandomClassifierTest, RemovingEverythingLeavesNothing) {
  make_masks(6);
  populate(120);
  for (const Rule* r : std::vector<const Rule*>(ref.rules())) {
    ASSERT_TRUE(cls.remove(const_cast<Rule*>(r)));
    ref.remove(r);
  }
  EXPECT_EQ(cls.n_rules(), 0u);
  EXPECT_EQ(cls.n_subtables(), 0u);
  Key pkt = random_packet(), wc(kWords, 0);
  EXPECT_EQ(cls.lookup(kVersionMax, pkt.data(), wc.data()), nullptr);
  EXPECT_EQ(wc, Key(kWords, 0));
}

// Conjunctive rules mixed in: the answer is never a clause itself, and the
// megaflow stays sound through the conj_id re-lookups.
TEST_P(RandomClassifierTest, ConjunctiveLookupsAreSound) {
  make_masks(8);
  populate(120);
  std::vector<Rule*> soft;
  for (int i = 0; i < 150; ++i) {
    // A clause matches one or two pool fields, at one of two priorities, so
    // that conjunctions often complete.
    Key v(kWords, 0), m(kWords, 0);
    for (int f = 0; f < 1 + static_cast<int>(rng() % 2); ++f) {
      const Component& c = components()[rng() % components().size()];
      const uint64_t mask = pick(c.masks);
      set_field(m, c.field, mask);
      set_field(v, c.field, pick(c.values) & mask);
    }
    const uint8_t n = static_cast<uint8_t>(2 + rng() % 2);
    std::vector<Conjunction> c = {
        Conjunction{static_cast<uint32_t>(1 + rng() % 4), static_cast<uint8_t>(rng() % n), n}};
    if (rng() % 3 == 0) c.push_back(Conjunction{5, static_cast<uint8_t>(rng() % 2), 2});
    owned.push_back(std::make_unique<TestRule>(v, m, rng() % 2 ? 20 : 30, -1, c));
    if (cls.insert(owned.back().get(), 0).ok()) soft.push_back(owned.back().get());
  }
  for (uint32_t id = 1; id <= 5; ++id) {
    Key v(kWords, 0), m(kWords, 0);
    set_field(v, kConjId, id);
    set_field(m, kConjId, 0xffffffff);
    if (id % 2) {  // some match more than conj_id: a bit only they use
      set_field(v, FieldDef{7, 0, 1}, 1);
      set_field(m, FieldDef{7, 0, 1}, 1);
    }
    owned.push_back(std::make_unique<TestRule>(v, m, 100, 1000 + static_cast<int>(id)));
    ASSERT_TRUE(cls.insert(owned.back().get(), 0).ok());
  }
  int conj_hits = 0;
  for (int i = 0; i < 300; ++i) {
    Key pkt = random_packet();
    set_field(pkt, kConjId, 0);
    Key wc(kWords, 0);
    const Rule* got = cls.lookup(kVersionMax, pkt.data(), wc.data());
    ASSERT_TRUE(got == nullptr || got->conjunctions().empty());
    if (got && static_cast<const TestRule*>(got)->id >= 1000) ++conj_hits;
    for (int p = 0; p < 8; ++p) {
      const Key other = random_packet();
      Key mixed(kWords);
      for (size_t w = 0; w < kWords; ++w) mixed[w] = (pkt[w] & wc[w]) | (other[w] & ~wc[w]);
      ASSERT_EQ(cls.lookup(kVersionMax, mixed.data(), nullptr), got);
    }
  }
  RecordProperty("conjunctive_hits", conj_hits);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomClassifierTest, ::testing::Range(1, 9));

}  // namespace
}  // namespace grebe::classifier::test
