// Directed classifier tests: API semantics and megaflow minimality.
#include "grebe/classifier/classifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <memory>
#include <thread>

#include "test_layout.h"

namespace grebe::classifier::test {
namespace {

Key zero() { return Key(kWords, 0); }

struct Fixture : ::testing::Test {
  Classifier cls{test_layout()};
  std::vector<std::unique_ptr<TestRule>> owned;

  TestRule* make(const Key& v, const Key& m, int pri) {
    owned.push_back(std::make_unique<TestRule>(v, m, pri, static_cast<int>(owned.size())));
    return owned.back().get();
  }
  TestRule* add(const Key& v, const Key& m, int pri, Version ver = 0) {
    TestRule* r = make(v, m, pri);
    EXPECT_TRUE(cls.insert(r, ver).ok());
    return r;
  }
  ~Fixture() override {
    for (auto& r : owned) {
      if (r->in_classifier()) (void)cls.remove(r.get());
    }
  }
};

TEST_F(Fixture, DescribeAndCatchall) {
  Key any = zero(), v = zero(), m = zero();
  set_field(v, kNwSrc, 0x0a000000);
  set_prefix_mask(m, kNwSrc, 8);
  TestRule* all = add(any, any, 1);
  TestRule* net = add(v, m, 2);
  EXPECT_TRUE(all->is_catchall());
  EXPECT_FALSE(net->is_catchall());
  const std::string d = cls.describe();
  EXPECT_NE(d.find("rules=2 subtables=2 tries=3"), std::string::npos) << d;
  EXPECT_NE(d.find("trie nw_src: 1 prefixes"), std::string::npos) << d;
  EXPECT_NE(d.find("subtable max_priority=2 rules=1"), std::string::npos) << d;
}

TEST_F(Fixture, EmptyClassifierMatchesNothingAndPinsNothing) {
  Key pkt = zero(), wc = zero();
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data()), nullptr);
  EXPECT_EQ(wc, zero());
  EXPECT_TRUE(cls.empty());
}

TEST_F(Fixture, HighestPriorityWinsAcrossSubtables) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  TestRule* low = add(v, m, 10);
  Key v2 = v, m2 = m;
  set_field(v2, kTpDst, 80);
  set_field(m2, kTpDst, 0xffff);
  TestRule* high = add(v2, m2, 20);
  Key pkt = zero();
  set_field(pkt, kInPort, 1);
  set_field(pkt, kTpDst, 80);
  EXPECT_EQ(cls.lookup(0, pkt.data(), nullptr), high);
  set_field(pkt, kTpDst, 81);
  EXPECT_EQ(cls.lookup(0, pkt.data(), nullptr), low);
  EXPECT_EQ(cls.n_rules(), 2u);
  EXPECT_EQ(cls.n_subtables(), 2u);
}

TEST_F(Fixture, EarlyExitLeavesLowerSubtablesWildcarded) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  TestRule* high = add(v, m, 100);
  Key v2 = zero(), m2 = zero();
  set_field(v2, kTpDst, 80);
  set_field(m2, kTpDst, 0xffff);
  add(v2, m2, 50);
  Key pkt = zero(), wc = zero();
  set_field(pkt, kInPort, 1);
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data()), high);
  Key want = zero();
  set_field(want, kInPort, 0xffff);
  EXPECT_EQ(wc, want);  // tp_dst never examined
}

TEST_F(Fixture, StageMissPinsOnlyExaminedStages) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  set_field(v, kTpDst, 80);
  set_field(m, kTpDst, 0xffff);
  add(v, m, 10);
  Key pkt = zero(), wc = zero();
  set_field(pkt, kInPort, 2);
  set_field(pkt, kTpDst, 80);
  LookupStats stats;
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data(), &stats), nullptr);
  Key want = zero();
  set_field(want, kInPort, 0xffff);
  EXPECT_EQ(wc, want);
  EXPECT_EQ(stats.stage_misses, 1u);
}

TEST_F(Fixture, TrieSkipsSubtableAndPinsFewAddressBits) {
  Key v = zero(), m = zero();
  set_field(v, kNwSrc, 0x0a000000);  // 10.0.0.0/8
  set_prefix_mask(m, kNwSrc, 8);
  add(v, m, 10);
  Key v2 = zero(), m2 = zero();
  set_field(v2, kNwSrc, 0x0a010000);  // 10.1.0.0/16
  set_prefix_mask(m2, kNwSrc, 16);
  add(v2, m2, 20);
  Key pkt = zero(), wc = zero();
  set_field(pkt, kNwSrc, 0xc0a80101);  // 192.168.1.1
  LookupStats stats;
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data(), &stats), nullptr);
  Key want = zero();
  set_field(want, kNwSrc, 0x80000000);  // one bit tells 192/2 from 10/8
  EXPECT_EQ(wc, want);
  EXPECT_EQ(stats.subtables_skipped_by_trie, 2u);

  // 10.2.3.4 matches /8 but not /16: the /16 subtable is skipped after 15
  // bits (divergence at bit 14), the /8 one hashed.
  Key pkt2 = zero(), wc2 = zero();
  set_field(pkt2, kNwSrc, 0x0a020304);
  const Rule* r = cls.lookup(0, pkt2.data(), wc2.data());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->priority(), 10);
  EXPECT_EQ(get_field(wc2, kNwSrc), 0xfffe0000u);
}

TEST_F(Fixture, SetPrefixFieldsRebuildsAndRejectsUnknown) {
  Key v = zero(), m = zero();
  set_field(v, kNwSrc, 0x0a000000);
  set_prefix_mask(m, kNwSrc, 8);
  add(v, m, 10);
  EXPECT_FALSE(cls.set_prefix_fields({"tun_id"}).ok());
  ASSERT_TRUE(cls.set_prefix_fields({"nw_dst"}).ok());
  Key pkt = zero(), wc = zero();
  set_field(pkt, kNwSrc, 0xc0a80101);
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data()), nullptr);
  EXPECT_EQ(get_field(wc, kNwSrc), 0xff000000u);  // no nw_src trie: /8 pinned
  ASSERT_TRUE(cls.set_prefix_fields({"nw_src", "nw_dst"}).ok());
  wc = zero();
  EXPECT_EQ(cls.lookup(0, pkt.data(), wc.data()), nullptr);
  EXPECT_EQ(get_field(wc, kNwSrc), 0x80000000u);
}

TEST_F(Fixture, InsertRejectsDuplicatesAndBadSizes) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 3);
  set_field(m, kInPort, 0xffff);
  TestRule* a = add(v, m, 5);
  TestRule* b = make(v, m, 5);
  Status s = cls.insert(b, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EEXIST);
  EXPECT_FALSE(b->in_classifier());
  Status again = cls.insert(a, 0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), EBUSY);
  TestRule small(Key(3, 0), Key(3, 0), 1, 99);
  Status bad = cls.insert(&small, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
}

TEST_F(Fixture, ReplaceDisplacesSameMatchAndPriority) {
  Key v = zero(), m = zero();
  set_field(v, kEthDst, 0x0a0b0c0d0e0f);
  set_field(m, kEthDst, 0xffffffffffff);
  TestRule* a = add(v, m, 7);
  TestRule* other = add(v, m, 8);
  TestRule* b = make(v, m, 7);
  auto displaced = cls.replace(b, 0);
  ASSERT_TRUE(displaced.ok());
  EXPECT_EQ(*displaced, a);
  EXPECT_FALSE(a->in_classifier());
  EXPECT_TRUE(b->in_classifier());
  EXPECT_EQ(cls.n_rules(), 2u);
  EXPECT_EQ(cls.find_exactly(b->match(), 7, 0), b);
  EXPECT_EQ(cls.find_exactly(b->match(), 8, 0), other);
  EXPECT_EQ(cls.find_exactly(b->match(), 9, 0), nullptr);
  ASSERT_TRUE(cls.remove(other));
  Key pkt = v;
  EXPECT_EQ(cls.lookup(0, pkt.data(), nullptr), b);
  EXPECT_FALSE(cls.remove(a));
}

TEST_F(Fixture, VersionsMakeChangesVisibleAtomically) {
  Key v = zero(), m = zero();
  set_field(v, kDlType, 0x0800);
  set_field(m, kDlType, 0xffff);
  TestRule* old_rule = add(v, m, 10, 1);
  Key pkt = v;
  EXPECT_EQ(cls.lookup(0, pkt.data(), nullptr), nullptr);  // before add
  EXPECT_EQ(cls.lookup(1, pkt.data(), nullptr), old_rule);

  // A bundle modifies the rule in version 5: the old one goes invisible and
  // its replacement (same match and priority) becomes visible at once.
  old_rule->make_invisible_in_version(5);
  TestRule* new_rule = make(v, m, 10);
  auto displaced = cls.replace(new_rule, 5);
  ASSERT_TRUE(displaced.ok());
  EXPECT_EQ(*displaced, nullptr);  // old rule is being removed: coexists
  EXPECT_EQ(cls.n_rules(), 2u);
  EXPECT_EQ(cls.lookup(4, pkt.data(), nullptr), old_rule);
  EXPECT_EQ(cls.lookup(5, pkt.data(), nullptr), new_rule);
  EXPECT_EQ(cls.lookup(kVersionMax, pkt.data(), nullptr), new_rule);
  EXPECT_EQ(cls.find_exactly(old_rule->match(), 10, 4), old_rule);
  EXPECT_EQ(cls.find_exactly(old_rule->match(), 10, 5), new_rule);

  // Abort: drop the new rule, restore the old one.
  ASSERT_TRUE(cls.remove(new_rule));
  old_rule->restore_visibility();
  EXPECT_EQ(cls.lookup(9, pkt.data(), nullptr), old_rule);
}

TEST_F(Fixture, LooseFindReturnsRulesAtLeastAsSpecific) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  TestRule* port_only = add(v, m, 1);
  Key v2 = v, m2 = m;
  set_field(v2, kTpDst, 22);
  set_field(m2, kTpDst, 0xffff);
  TestRule* port_tp = add(v2, m2, 2);
  Key v3 = zero(), m3 = zero();
  set_field(v3, kTpDst, 22);
  set_field(m3, kTpDst, 0xffff);
  TestRule* tp_only = add(v3, m3, 3);
  Key v4 = zero(), m4 = m;
  set_field(v4, kInPort, 2);
  add(v4, m4, 4);

  std::vector<const Rule*> got = cls.find_rules_loose(port_only->match(), kVersionMax);
  std::sort(got.begin(), got.end());
  std::vector<const Rule*> want = {port_only, port_tp};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  Key any = zero();
  EXPECT_EQ(cls.find_rules_loose({any, any}, kVersionMax).size(), 4u);
  got = cls.find_rules_loose(tp_only->match(), kVersionMax);
  EXPECT_EQ(got.size(), 2u);
  size_t n = 0;
  cls.for_each(nullptr, Classifier::kVersionAny, [&](const Rule&) { ++n; });
  EXPECT_EQ(n, 4u);
}

TEST_F(Fixture, OverlapNeedsSamePriorityAndACommonPacket) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  TestRule* a = add(v, m, 5);
  Key tv = zero(), tm = zero();
  set_field(tv, kTpDst, 80);
  set_field(tm, kTpDst, 0xffff);
  EXPECT_TRUE(cls.rule_overlaps({tv, tm}, 5, 0));
  EXPECT_FALSE(cls.rule_overlaps({tv, tm}, 6, 0));
  set_field(tv, kInPort, 2);
  set_field(tm, kInPort, 0xffff);
  EXPECT_FALSE(cls.rule_overlaps({tv, tm}, 5, 0));
  EXPECT_FALSE(cls.rule_overlaps(*a, 0));            // not with itself
  EXPECT_TRUE(cls.rule_overlaps(a->match(), 5, 0));  // identical overlaps
  a->make_invisible_in_version(1);
  EXPECT_FALSE(cls.rule_overlaps(a->match(), 5, 1));
}

TEST_F(Fixture, WildcardsOnlyGainBits) {
  Key v = zero(), m = zero();
  set_field(v, kInPort, 1);
  set_field(m, kInPort, 0xffff);
  add(v, m, 5);
  Key pkt = zero(), wc = zero();
  wc[7] = 0xdeadbeef;  // set by an earlier table: must survive
  cls.lookup(0, pkt.data(), wc.data());
  EXPECT_EQ(wc[7], 0xdeadbeefu);
  EXPECT_EQ(get_field(wc, kInPort), 0xffffu);
}

TEST_F(Fixture, ConcurrentReadersSeeConsistentResults) {
  // A permanent catch-all at the top priority must be found by every reader
  // while the writer churns lower rules.
  Key any = zero();
  TestRule* top = add(any, any, 1000);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      Key pkt = zero(), wc = zero();
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        set_field(pkt, kInPort, (i + t) % 64);
        if (cls.lookup(0, pkt.data(), wc.data()) != top) ++bad;
      }
    });
  }
  for (int round = 0; round < 3000; ++round) {
    Key v = zero(), m = zero();
    set_field(v, kInPort, round % 64);
    set_field(m, kInPort, 0xffff);
    set_field(v, kTpDst, round);
    set_field(m, kTpDst, round % 3 == 0 ? 0xffff : 0xff00);
    TestRule* r = make(v, m, round % 900);
    EXPECT_TRUE(cls.insert(r, 0).ok());
    if (round % 2) {
      EXPECT_TRUE(cls.remove(r));
    }
  }
  stop = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Fixture, ConcurrentReplaceAndBundleCommitNeverShowAGap) {
  // Readers must always see exactly one of the two versions of the rule
  // while the writer replaces it (flow_mod modify) and swaps it through a
  // version bump (bundle commit).
  Key v = zero(), m = zero();
  set_field(v, kInPort, 7);
  set_field(m, kInPort, 0xffff);
  TestRule* current = add(v, m, 50, 0);
  std::atomic<Version> visible_version{0};
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    Key pkt = v, wc = zero();
    while (!stop.load(std::memory_order_relaxed)) {
      const Rule* r = cls.lookup(visible_version.load(), pkt.data(), wc.data());
      if (!r || r->priority() != 50) ++misses;
    }
  });
  Version version = 0;
  // Rules retired by a bundle stay until no reader can still be looking up
  // an older version (ofproto waits for an RCU grace period): here, the end.
  std::vector<TestRule*> retired;
  for (int i = 0; i < 2000; ++i) {
    TestRule* next = make(v, m, 50);
    if (i % 2) {
      auto displaced = cls.replace(next, version);  // modify in place
      EXPECT_TRUE(displaced.ok() && *displaced == current);
    } else {
      // Bundle: stage in version+1, publish the version, then clean up.
      current->make_invisible_in_version(version + 1);
      EXPECT_TRUE(cls.insert(next, version + 1).ok());
      visible_version.store(++version);
      retired.push_back(current);
    }
    current = next;
  }
  stop = true;
  reader.join();
  EXPECT_EQ(misses.load(), 0);
  for (TestRule* r : retired) EXPECT_TRUE(cls.remove(r));
  EXPECT_EQ(cls.n_rules(), 1u);
}

TEST(RwLock, WriterExcludesReadersAndReadersShare) {
  RwLock lock;
  uint64_t a = 0, b = 0;  // written together under the exclusive side
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::shared_lock guard(lock);
        if (a != b) ++torn;
      }
    });
  }
  for (uint64_t i = 1; i <= 20000; ++i) {
    std::unique_lock guard(lock);
    a = i;
    b = i;
  }
  stop = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(torn.load(), 0);
  // Two shared holders at once; no writer while they hold it.
  std::shared_lock r1(lock);
  std::thread other([&] {
    std::shared_lock r2(lock);
    EXPECT_FALSE(lock.try_lock());
  });
  other.join();
  r1.unlock();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(KeyLayout, ValidateRejectsBadLayouts) {
  KeyLayout l = test_layout();
  EXPECT_TRUE(l.validate().ok());
  l.stage_ends = {1, 3, 6};
  EXPECT_FALSE(l.validate().ok());
  l = test_layout();
  l.prefix_fields.push_back(PrefixField::host_order("x", 2, 15, 32));  // words 2-3: two stages
  EXPECT_FALSE(l.validate().ok());
  l = test_layout();
  l.n_words = 0;
  EXPECT_FALSE(l.validate().ok());
}

TEST(PrefixField, NetworkOrderExtractAndSet) {
  // 10.1.2.3 at key byte offset 12 (word 1, bytes 4..7), network order.
  PrefixField f = PrefixField::network_order("nw_src", 12, 4);
  uint64_t key[2] = {0, 0};
  const uint8_t addr[4] = {10, 1, 2, 3};
  std::memcpy(reinterpret_cast<uint8_t*>(key) + 12, addr, 4);
  Prefix128 p = f.extract(key);
  EXPECT_EQ(p.hi, 0x0a010203ull << 32);
  uint64_t wc[2] = {0, 0};
  f.set_prefix_bits(wc, 12);
  const uint8_t* b = reinterpret_cast<const uint8_t*>(wc);
  EXPECT_EQ(b[12], 0xff);
  EXPECT_EQ(b[13], 0xf0);
  EXPECT_EQ(b[14], 0);
  EXPECT_TRUE(f.prefix_bits_set(wc, 12));
  EXPECT_FALSE(f.prefix_bits_set(wc, 13));
  EXPECT_EQ(f.mask_prefix_len(wc), 12);
  wc[1] |= 1ull << 63;  // byte 15 low bit... a hole: not a prefix
  EXPECT_EQ(f.mask_prefix_len(wc), -1);
}

}  // namespace
}  // namespace grebe::classifier::test
