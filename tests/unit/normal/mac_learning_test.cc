// The MAC learning table: learning, moves, aging, eviction, flushing,
// fdb/* text, and concurrent learners.
#include "normal/mac_learning.h"

#include <gtest/gtest.h>

#include <thread>

#include "normal/fdb_commands.h"

namespace grebe::normal {
namespace {

EthAddr mac(uint8_t last, uint8_t fifth = 0) { return EthAddr{{0x50, 0x54, 0, 0, fifth, last}}; }

class MacLearningTest : public ::testing::Test {
 protected:
  FakeClock clock_{1'000'000};
  MacLearning ml_{kMacEntryDefaultIdleTime, &clock_};
};

TEST_F(MacLearningTest, LearnLookupMove) {
  uint64_t seq0 = ml_.change_seq();
  EXPECT_EQ(ml_.learn(mac(5), 0, 3), LearnResult::kLearned);
  EXPECT_EQ(ml_.lookup(mac(5), 0), 3u);
  EXPECT_EQ(ml_.lookup(mac(5), 10), std::nullopt);  // per VLAN
  uint64_t seq1 = ml_.change_seq();
  EXPECT_GT(seq1, seq0);
  // Same port within the same second: nothing to write, seq unchanged.
  EXPECT_EQ(ml_.learn(mac(5), 0, 3), LearnResult::kUnchanged);
  EXPECT_EQ(ml_.change_seq(), seq1);
  clock_.advance(2000);
  EXPECT_EQ(ml_.learn(mac(5), 0, 3), LearnResult::kRefreshed);
  EXPECT_EQ(ml_.change_seq(), seq1);  // a refresh does not move traffic
  EXPECT_EQ(ml_.learn(mac(5), 0, 2), LearnResult::kMoved);
  EXPECT_GT(ml_.change_seq(), seq1);
  EXPECT_EQ(ml_.lookup(mac(5), 0), 2u);
  MacLearningStats st = ml_.stats();
  EXPECT_EQ(st.n_entries, 1u);
  EXPECT_EQ(st.total_learned, 1u);
  EXPECT_EQ(st.total_moved, 1u);
}

TEST_F(MacLearningTest, MulticastSourcesAndFloodVlansNotLearned) {
  EXPECT_EQ(ml_.learn(EthAddr{{0x01, 0, 0x5e, 0, 0, 1}}, 0, 1), LearnResult::kUnchanged);
  ml_.set_flood_vlans({20});
  EXPECT_FALSE(ml_.may_learn(mac(1), 20));
  EXPECT_EQ(ml_.learn(mac(1), 20, 1), LearnResult::kUnchanged);
  EXPECT_EQ(ml_.learn(mac(1), 21, 1), LearnResult::kLearned);
  EXPECT_EQ(ml_.stats().n_entries, 1u);
}

TEST_F(MacLearningTest, AgingExpiresIdleEntries) {
  ml_.learn(mac(1), 0, 1);
  clock_.advance(200'000);
  ml_.learn(mac(2), 0, 2);
  EXPECT_EQ(ml_.next_expiry_in(), 100);
  clock_.advance(100'000);  // mac(1) is 300 s old
  EXPECT_TRUE(ml_.run());
  EXPECT_EQ(ml_.lookup(mac(1), 0), std::nullopt);
  EXPECT_EQ(ml_.lookup(mac(2), 0), 2u);
  EXPECT_FALSE(ml_.run());
  EXPECT_EQ(ml_.stats().total_expired, 1u);
  // A shorter aging time keeps the age of existing entries.
  ml_.set_idle_time(120);  // mac(2) is 100 s old
  clock_.advance(19'000);
  EXPECT_FALSE(ml_.run());
  clock_.advance(1'000);
  EXPECT_TRUE(ml_.run());
  EXPECT_EQ(ml_.stats().n_entries, 0u);
}

TEST_F(MacLearningTest, IdleTimeAndSizeClamped) {
  ml_.set_idle_time(1);
  EXPECT_EQ(ml_.idle_time(), 15u);
  ml_.set_idle_time(100000);
  EXPECT_EQ(ml_.idle_time(), 3600u);
  ml_.set_max_entries(1);
  EXPECT_EQ(ml_.max_entries(), 10u);
}

TEST_F(MacLearningTest, FullTableEvictsLeastRecentlyUsed) {
  ml_.set_max_entries(10);
  for (uint8_t i = 0; i < 10; ++i) ml_.learn(mac(i), 0, 1);
  clock_.advance(1000);
  ml_.learn(mac(0), 0, 1);  // now mac(1) is the oldest
  EXPECT_EQ(ml_.learn(mac(100), 0, 2), LearnResult::kLearned);
  EXPECT_EQ(ml_.stats().n_entries, 10u);
  EXPECT_EQ(ml_.lookup(mac(1), 0), std::nullopt);
  EXPECT_EQ(ml_.lookup(mac(0), 0), 1u);
  EXPECT_EQ(ml_.stats().total_evicted, 1u);
}

TEST_F(MacLearningTest, StaticEntriesNeverAgeOrMove) {
  ml_.add_static(mac(9), 10, 4);
  EXPECT_EQ(ml_.learn(mac(9), 10, 1), LearnResult::kUnchanged);
  clock_.advance(10'000'000);
  ml_.run();
  EXPECT_EQ(ml_.lookup(mac(9), 10), 4u);
  EXPECT_EQ(ml_.stats().static_entries, 1u);
  EXPECT_FALSE(ml_.del_static(mac(8), 10));
  EXPECT_TRUE(ml_.del_static(mac(9), 10));
  EXPECT_EQ(ml_.stats().static_entries, 0u);
}

TEST_F(MacLearningTest, FlushAllPortVlan) {
  ml_.learn(mac(1), 0, 1);
  ml_.learn(mac(2), 10, 1);
  ml_.learn(mac(3), 10, 2);
  ml_.learn(mac(4), 20, 3);
  uint64_t seq = ml_.change_seq();
  EXPECT_EQ(ml_.flush_port(1), 2u);
  EXPECT_GT(ml_.change_seq(), seq);
  EXPECT_EQ(ml_.flush_vlan(10), 1u);
  EXPECT_EQ(ml_.lookup(mac(4), 20), 3u);
  EXPECT_EQ(ml_.flush(), 1u);
  EXPECT_EQ(ml_.stats().n_entries, 0u);
}

// Same lines as OVS's "ofproto-dpif - MAC learning" test.
TEST_F(MacLearningTest, FdbShowFormat) {
  ml_.learn(mac(5), 0, 3);
  clock_.advance(7000);
  ml_.learn(mac(6), 0, 1);
  ml_.add_static(mac(7), 10, 0xfffe);
  clock_.advance(5000);
  EXPECT_EQ(fdb_show(ml_),
            " port  VLAN  MAC                Age\n"
            "    3     0  50:54:00:00:00:05   12\n"
            "    1     0  50:54:00:00:00:06    5\n"
            "LOCAL    10  50:54:00:00:00:07  static\n");
  EXPECT_EQ(fdb_show(ml_, [](uint32_t p) { return "p" + std::to_string(p); })
                .substr(36, 20),
            "   p3     0  50:54:0");
}

TEST_F(MacLearningTest, FdbStatsFormatAndClear) {
  ml_.learn(mac(1), 0, 1);
  ml_.learn(mac(1), 0, 2);
  ml_.add_static(mac(2), 0, 2);
  EXPECT_EQ(fdb_stats_show("br0", ml_),
            "Statistics for bridge \"br0\":\n"
            "  Current/maximum MAC entries in the table: 2/8192\n"
            "  Current static MAC entries in the table : 1\n"
            "  Total number of learned MAC entries     : 1\n"
            "  Total number of expired MAC entries     : 0\n"
            "  Total number of evicted MAC entries     : 0\n"
            "  Total number of port moved MAC entries  : 1\n");
  ml_.clear_stats();
  EXPECT_EQ(ml_.stats().total_learned, 0u);
  EXPECT_EQ(ml_.stats().total_moved, 0u);
  EXPECT_EQ(ml_.stats().static_entries, 1u);  // a gauge, not a counter
}

// Handlers learn concurrently while others read; nothing is lost and the
// LRU list and index stay consistent.
TEST_F(MacLearningTest, ConcurrentLearnersAndReaders) {
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::thread> threads;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      (void)ml_.lookup(mac(1, 1), 0);
      (void)ml_.stats();
    }
  });
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ml_.learn(mac(static_cast<uint8_t>(i), static_cast<uint8_t>(t)), 0, t + 1);
        ml_.learn(mac(static_cast<uint8_t>(i), static_cast<uint8_t>(t)), 1, t + 1);
      }
    });
  for (auto& th : threads) th.join();
  stop = true;
  reader.join();
  // i wraps at 256: each thread has 256 distinct MACs per VLAN.
  EXPECT_EQ(ml_.stats().n_entries, size_t{kThreads} * 256 * 2);
  EXPECT_EQ(ml_.entries().size(), size_t{kThreads} * 256 * 2);
  EXPECT_EQ(ml_.lookup(mac(255, 3), 1), 4u);
}

}  // namespace
}  // namespace grebe::normal
