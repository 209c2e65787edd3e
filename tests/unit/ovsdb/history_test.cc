// TxnHistory: merging the transactions after a given one, and its bounds.
#include <gtest/gtest.h>

#include "ovsdb/core/history.h"

namespace grebe::ovsdb {
namespace {

// Rows are compared by identity: each call makes a distinct version.
RowPtr row(int) { return std::make_shared<Row>(); }

std::shared_ptr<const ChangeSet> change(const Uuid& uuid, RowPtr old_row, RowPtr new_row) {
  auto cs = std::make_shared<ChangeSet>();
  cs->tables["T"][uuid] = RowChange{std::move(old_row), std::move(new_row)};
  return cs;
}

TEST(OvsdbTxnHistory, MergesChangesAfterAKnownTransaction) {
  TxnHistory h;
  EXPECT_EQ(h.last_id(), Uuid::zero());
  Uuid a = Uuid::generate(), b = Uuid::generate(), gone = Uuid::generate();
  Uuid t1 = Uuid::generate(), t2 = Uuid::generate(), t3 = Uuid::generate(),
       t4 = Uuid::generate();
  RowPtr a1 = row(1), a2 = row(2), a3 = row(3), b1 = row(10), g1 = row(20);
  h.add(t1, change(a, nullptr, a1), 1);
  h.add(t2, change(a, a1, a2), 1);
  h.add(t3, change(gone, nullptr, g1), 2);
  auto cs4 = std::make_shared<ChangeSet>();
  cs4->tables["T"][a] = RowChange{a2, a3};
  cs4->tables["T"][gone] = RowChange{g1, nullptr};
  cs4->tables["T"][b] = RowChange{nullptr, b1};
  h.add(t4, cs4, 2);
  EXPECT_EQ(h.last_id(), t4);

  auto after1 = h.changes_after(t1);
  ASSERT_TRUE(after1);
  const auto& rows = after1->tables.at("T");
  ASSERT_EQ(rows.size(), 2u);  // 'gone' came and went: left out
  EXPECT_EQ(rows.at(a).old_row, a1);
  EXPECT_EQ(rows.at(a).new_row, a3);
  EXPECT_EQ(rows.at(b).old_row, nullptr);
  EXPECT_EQ(rows.at(b).new_row, b1);

  auto latest = h.changes_after(t4);
  ASSERT_TRUE(latest);
  EXPECT_TRUE(latest->empty());
  EXPECT_FALSE(h.changes_after(Uuid::generate()));
  EXPECT_FALSE(h.changes_after(Uuid::zero()));
}

TEST(OvsdbTxnHistory, StaysWithinItsBounds) {
  TxnHistory h;
  Uuid first = Uuid::generate();
  h.add(first, change(Uuid::generate(), nullptr, row(0)), 1);
  for (int i = 1; i < 500; i++) h.add(Uuid::generate(), change(Uuid::generate(), nullptr, row(i)), 1000);
  EXPECT_EQ(h.size(), TxnHistory::kMaxTxns);
  EXPECT_FALSE(h.changes_after(first));  // trimmed: the client gets everything
  // A big transaction in a small database pushes out everything older.
  auto big = std::make_shared<ChangeSet>();
  for (int i = 0; i < 300; i++) big->tables["T"][Uuid::generate()] = RowChange{nullptr, row(i)};
  Uuid big_id = Uuid::generate();
  h.add(big_id, big, 300);
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.last_id(), big_id);
  EXPECT_LE(h.n_rows(), 300u);
}

}  // namespace
}  // namespace grebe::ovsdb
