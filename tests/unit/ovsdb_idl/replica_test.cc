// Replica: applying monitor updates (update, update2) and change tracking.
#include "grebe/ovsdb_idl/replica.h"

#include <gtest/gtest.h>

#include "test_schema.h"

namespace grebe::ovsdb_idl {
namespace {

using ovsdb::Json;

const char* kU1 = "11111111-1111-1111-1111-111111111111";
const char* kU2 = "22222222-2222-2222-2222-222222222222";

std::string field(const Replica& r, const char* table, const char* uuid, const char* col) {
  const Row* row = r.find(table, *Uuid::from_string(uuid));
  if (!row) return "<none>";
  const auto* ts = r.schema().find_table(table);
  const auto* c = ts->find_column(col);
  return row->fields[c->index].to_string(c->type);
}

TEST(Replica, Update2InsertModifyDelete) {
  Replica r(testing::test_schema());
  ASSERT_TRUE(r.apply_update2(Json::parse(std::string(R"({"Root":{")") + kU1 +
                                          R"(":{"initial":{"name":"a","tags":["set",["x","y"]],
                                          "options":["map",[["k","v"]]]}}}})"))
                  .ok());
  EXPECT_EQ(field(r, "Root", kU1, "name"), "a");
  EXPECT_EQ(field(r, "Root", kU1, "count"), "0");  // default
  auto& ch = r.tracked().at("Root").at(*Uuid::from_string(kU1));
  EXPECT_EQ(ch.kind, RowChange::Kind::kInserted);
  r.clear_tracked();

  // "modify" carries diffs for composite columns: toggles set members and
  // replaces/removes map pairs.
  ASSERT_TRUE(r.apply_update2(Json::parse(std::string(R"({"Root":{")") + kU1 +
                                          R"(":{"modify":{"count":5,"tags":["set",["y","z"]],
                                          "options":["map",[["k","w"]]]}}}})"))
                  .ok());
  EXPECT_EQ(field(r, "Root", kU1, "count"), "5");
  EXPECT_EQ(field(r, "Root", kU1, "tags"), "[x, z]");
  EXPECT_EQ(field(r, "Root", kU1, "options"), "{k=w}");
  const auto* ts = r.schema().find_table("Root");
  auto& mod = r.tracked().at("Root").at(*Uuid::from_string(kU1));
  EXPECT_EQ(mod.kind, RowChange::Kind::kModified);
  EXPECT_TRUE(mod.columns[ts->find_column("count")->index]);
  EXPECT_FALSE(mod.columns[ts->find_column("name")->index]);
  r.clear_tracked();

  ASSERT_TRUE(r.apply_update2(Json::parse(std::string(R"({"Root":{")") + kU1 +
                                          R"(":{"delete":null}}})"))
                  .ok());
  EXPECT_EQ(field(r, "Root", kU1, "name"), "<none>");
  EXPECT_EQ(r.tracked().at("Root").at(*Uuid::from_string(kU1)).kind, RowChange::Kind::kDeleted);
}

TEST(Replica, UpdateV1AndBadInput) {
  Replica r(testing::test_schema());
  ASSERT_TRUE(r.apply_update(Json::parse(std::string(R"({"Child":{")") + kU2 +
                                         R"(":{"new":{"name":"c"}}}})"))
                  .ok());
  EXPECT_EQ(field(r, "Child", kU2, "name"), "c");
  ASSERT_TRUE(r.apply_update(Json::parse(std::string(R"({"Child":{")") + kU2 +
                                         R"(":{"old":{"name":"c"},"new":{"name":"d"}}}})"))
                  .ok());
  EXPECT_EQ(field(r, "Child", kU2, "name"), "d");
  EXPECT_FALSE(r.apply_update(Json::parse(R"({"Child":{"not-a-uuid":{"new":{}}}})")).ok());
  EXPECT_FALSE(r.apply_update(Json::parse(std::string(R"({"Child":{")") + kU2 +
                                          R"(":{"new":{"name":5}}}})"))
                   .ok());
  EXPECT_FALSE(r.apply_update2(Json::parse("[1]")).ok());
}

TEST(Replica, ResyncReportsOnlyDifferences) {
  Replica r(testing::test_schema());
  ASSERT_TRUE(r.apply_update2(Json::parse(std::string(R"({"Child":{")") + kU1 +
                                          R"(":{"initial":{"name":"a"}},")" + kU2 +
                                          R"(":{"initial":{"name":"b"}}}})"))
                  .ok());
  r.clear_tracked();
  // A fresh snapshot without kU2 and with kU1 unchanged.
  r.begin_resync();
  ASSERT_TRUE(r.apply_update2(Json::parse(std::string(R"({"Child":{")") + kU1 +
                                          R"(":{"initial":{"name":"a"}}}})"))
                  .ok());
  r.end_resync();
  const auto& t = r.tracked().at("Child");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.at(*Uuid::from_string(kU2)).kind, RowChange::Kind::kDeleted);
  EXPECT_EQ(r.rows("Child").size(), 1u);
}

}  // namespace
}  // namespace grebe::ovsdb_idl
