// Transaction execution, commit-time constraints and change sets.
#include <gtest/gtest.h>

#include "ovsdb/core/execution.h"

namespace grebe::ovsdb {
namespace {

Json J(const std::string& text) {
  auto j = parse_json_text(text);
  EXPECT_TRUE(j.ok()) << text;
  return *j;
}

// Root "Root" holds strong refs to non-root "Child" and weak refs to "Peer";
// "Child" has a unique index on "name"; "Limited" allows two rows.
const char* kSchema = R"({"name":"test","version":"1.0.0","tables":{
  "Root":{"isRoot":true,"columns":{
    "name":{"type":"string"},
    "children":{"type":{"key":{"type":"uuid","refTable":"Child"},"min":0,"max":"unlimited"}},
    "peers":{"type":{"key":{"type":"uuid","refTable":"Peer","refType":"weak"},"min":0,"max":"unlimited"}},
    "n":{"type":"integer"},
    "fixed":{"type":"string","mutable":false}}},
  "Child":{"columns":{
    "name":{"type":"string"},
    "grandchild":{"type":{"key":{"type":"uuid","refTable":"Grandchild"},"min":0,"max":1}}},
    "indexes":[["name"]]},
  "Grandchild":{"columns":{"v":{"type":"integer"}}},
  "Holder":{"isRoot":true,"columns":{
    "one_peer":{"type":{"key":{"type":"uuid","refTable":"Peer","refType":"weak"}}}}},
  "Peer":{"isRoot":true,"columns":{"name":{"type":"string"}}},
  "Limited":{"isRoot":true,"maxRows":2,"columns":{"x":{"type":"integer"}}}}})";

class TxnTest : public ::testing::Test {
 protected:
  TxnTest() : db_(std::make_shared<const DatabaseSchema>(*DatabaseSchema::from_json(J(kSchema)))) {}

  Json run(const std::string& ops, ChangeSet* changes = nullptr, ExecOptions options = {}) {
    return execute_transaction(db_, J("[\"test\"," + ops + "]"), options, changes);
  }
  size_t rows(const char* table) { return db_.table(table)->rows.size(); }
  std::string error_of(const Json& reply) {
    for (const Json& r : reply) {
      if (r.is_object() && r.contains("error")) return r["error"].get<std::string>() + ": " + r.value("details", "");
    }
    return "";
  }

  Database db_;
};

TEST_F(TxnTest, InsertSelectUpdateDelete) {
  Json reply = run(R"({"op":"insert","table":"Peer","row":{"name":"p1"}},
                      {"op":"insert","table":"Peer","row":{"name":"p2"},"uuid":"11111111-2222-3333-4444-555555555555"})");
  ASSERT_EQ(reply.size(), 2u) << reply;
  EXPECT_EQ(reply[1]["uuid"][1], "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(rows("Peer"), 2u);

  reply = run(R"({"op":"select","table":"Peer","where":[["name","==","p2"]],"columns":["name","_uuid"]})");
  ASSERT_EQ(reply[0]["rows"].size(), 1u);
  EXPECT_EQ(reply[0]["rows"][0]["_uuid"][1], "11111111-2222-3333-4444-555555555555");

  reply = run(R"({"op":"update","table":"Peer","where":[],"row":{"name":"same"}})");
  EXPECT_EQ(reply[0]["count"], 2);
  reply = run(R"({"op":"select","table":"Peer","where":[],"columns":["name"]})");
  EXPECT_EQ(reply[0]["rows"].size(), 1u);  // distinct projections only

  reply = run(R"({"op":"delete","table":"Peer","where":[["_uuid","==",["uuid","11111111-2222-3333-4444-555555555555"]]]})");
  EXPECT_EQ(reply[0]["count"], 1);
  EXPECT_EQ(rows("Peer"), 1u);
}

TEST_F(TxnTest, ErrorsStopTheTransaction) {
  Json reply = run(R"({"op":"insert","table":"Peer","row":{"name":"p1"}},
                      {"op":"insert","table":"Nope","row":{}},
                      {"op":"insert","table":"Peer","row":{"name":"p3"}})");
  ASSERT_EQ(reply.size(), 3u);
  EXPECT_EQ(reply[1]["error"], "syntax error");
  EXPECT_EQ(reply[1]["details"], "Parsing ovsdb operation 2 of 3 failed: No table named Nope.");
  EXPECT_TRUE(reply[2].is_null());
  EXPECT_EQ(rows("Peer"), 0u);

  reply = run(R"({"op":"insert","table":"Peer","row":{"bogus":1}})");
  EXPECT_EQ(reply[0]["error"], "unknown column");
  reply = run(R"({"op":"frobnicate"})");
  EXPECT_EQ(reply[0]["details"], "Parsing ovsdb operation 1 of 1 failed: No operation \"frobnicate\"");
  reply = run(R"({"op":"insert","table":"Peer","row":{},"extra":1})");
  EXPECT_EQ(reply[0]["details"],
            "Parsing ovsdb operation 1 of 1 failed: Member 'extra' is present but not allowed here.");
  reply = run(R"({"op":"abort"})");
  EXPECT_EQ(reply[0]["error"], "aborted");
  reply = run(R"({"op":"insert","table":"Root","row":{"fixed":"a"}},{"op":"update","table":"Root","where":[],"row":{"fixed":"b"}})");
  EXPECT_EQ(reply[1]["error"], "constraint violation");
  EXPECT_EQ(reply[1]["details"], "Cannot update immutable column fixed in table Root.");

  Json bad = execute_transaction(db_, J(R"(["other"])"));
  EXPECT_EQ(bad["details"], "database name expected as first parameter");
  bad = execute_transaction(db_, J(R"({})"));
  EXPECT_EQ(bad["details"], "array expected");
}

TEST_F(TxnTest, ReadOnlyMode) {
  ExecOptions ro;
  ro.read_only = true;
  Json reply = run(R"({"op":"insert","table":"Peer","row":{}})", nullptr, ro);
  EXPECT_EQ(reply[0]["error"], "not allowed");
  EXPECT_EQ(reply[0]["details"], "insert operation not allowed when database server is in read only mode");
  reply = run(R"({"op":"select","table":"Peer","where":[]})", nullptr, ro);
  EXPECT_TRUE(reply[0].contains("rows"));
}

TEST_F(TxnTest, NamedUuidsAndReferentialIntegrity) {
  Json reply = run(R"({"op":"insert","table":"Child","row":{"name":"c1"},"uuid-name":"c"},
                      {"op":"insert","table":"Root","row":{"name":"r","children":["named-uuid","c"]}})");
  ASSERT_EQ(error_of(reply), "") << reply;
  EXPECT_EQ(rows("Child"), 1u);
  reply = run(R"({"op":"insert","table":"Root","row":{"children":["uuid","01234567-89ab-cdef-0123-456789abcdef"]}})");
  ASSERT_EQ(reply.size(), 2u);  // commit error appended
  EXPECT_EQ(reply[1]["error"], "referential integrity violation");
  reply = run(R"({"op":"delete","table":"Child","where":[]})");
  EXPECT_EQ(reply[1]["error"], "referential integrity violation");
  EXPECT_NE(reply[1]["details"].get<std::string>().find("because of 1 remaining reference(s)"), std::string::npos);
  reply = run(R"({"op":"insert","table":"Peer","row":{},"uuid-name":"x"},{"op":"insert","table":"Peer","row":{},"uuid-name":"x"})");
  EXPECT_EQ(reply[1]["error"], "duplicate uuid-name");
}

TEST_F(TxnTest, GarbageCollectionOfNonRootRows) {
  Json reply = run(R"({"op":"insert","table":"Grandchild","row":{"v":1},"uuid-name":"g"},
                      {"op":"insert","table":"Child","row":{"name":"c1","grandchild":["named-uuid","g"]},"uuid-name":"c"},
                      {"op":"insert","table":"Root","row":{"name":"r","children":["named-uuid","c"]}},
                      {"op":"insert","table":"Child","row":{"name":"orphan"}})");
  ASSERT_EQ(error_of(reply), "") << reply;
  EXPECT_EQ(rows("Child"), 1u);  // the unreferenced one was collected at once
  EXPECT_EQ(rows("Grandchild"), 1u);
  ChangeSet changes;
  reply = run(R"({"op":"update","table":"Root","where":[],"row":{"children":["set",[]]}})", &changes);
  ASSERT_EQ(error_of(reply), "") << reply;
  EXPECT_EQ(rows("Child"), 0u);
  EXPECT_EQ(rows("Grandchild"), 0u);  // collected transitively
  ASSERT_TRUE(changes.tables.count("Child"));
  EXPECT_EQ(changes.tables["Child"].begin()->second.new_row, nullptr);
  ASSERT_TRUE(changes.tables.count("Root"));
}

TEST_F(TxnTest, WeakReferencesAreRemoved) {
  Json reply = run(R"({"op":"insert","table":"Peer","row":{"name":"p"},"uuid-name":"p"},
                      {"op":"insert","table":"Peer","row":{"name":"q"},"uuid-name":"q"},
                      {"op":"insert","table":"Root","row":{"name":"r","peers":["set",[["named-uuid","p"],["named-uuid","q"]]]}},
                      {"op":"insert","table":"Holder","row":{"one_peer":["named-uuid","q"]}})");
  ASSERT_EQ(error_of(reply), "") << reply;
  reply = run(R"({"op":"delete","table":"Peer","where":[["name","==","p"]]})");
  ASSERT_EQ(error_of(reply), "") << reply;
  reply = run(R"({"op":"select","table":"Root","where":[],"columns":["peers"]})");
  EXPECT_EQ(reply[0]["rows"][0]["peers"][0], "uuid");  // one element left: a bare atom
  // Deleting the last peer would empty "one_peer", which must hold one.
  reply = run(R"({"op":"delete","table":"Peer","where":[["name","==","q"]]})");
  EXPECT_EQ(reply[1]["error"], "constraint violation");
  EXPECT_NE(reply[1]["details"].get<std::string>().find("Deletion of 1 weak reference(s)"), std::string::npos);
  EXPECT_EQ(rows("Peer"), 1u);
}

TEST_F(TxnTest, MaxRowsAndIndexes) {
  Json reply = run(R"({"op":"insert","table":"Limited","row":{}},{"op":"insert","table":"Limited","row":{}},{"op":"insert","table":"Limited","row":{}})");
  EXPECT_EQ(reply[3]["error"], "constraint violation");
  EXPECT_EQ(reply[3]["details"],
            "transaction causes \"Limited\" table to contain 3 rows, greater than the schema-defined limit of 2 row(s)");
  EXPECT_EQ(rows("Limited"), 0u);

  reply = run(R"({"op":"insert","table":"Child","row":{"name":"dup"},"uuid-name":"a"},
                 {"op":"insert","table":"Child","row":{"name":"dup"},"uuid-name":"b"},
                 {"op":"insert","table":"Root","row":{"children":["set",[["named-uuid","a"],["named-uuid","b"]]]}})");
  EXPECT_EQ(reply[3]["error"], "constraint violation");
  EXPECT_NE(reply[3]["details"].get<std::string>().find(
                "Transaction causes multiple rows in \"Child\" table to have identical values (dup) for index on column \"name\"."),
            std::string::npos)
      << reply[3]["details"];
}

TEST_F(TxnTest, MutateWaitCommentAssert) {
  Json reply = run(R"({"op":"insert","table":"Root","row":{"n":1}},{"op":"comment","comment":"hi"},{"op":"commit","durable":false})");
  ASSERT_EQ(error_of(reply), "") << reply;
  reply = run(R"({"op":"mutate","table":"Root","where":[],"mutations":[["n","+=",41]]},
                 {"op":"select","table":"Root","where":[["n","==",42]],"columns":["n"]})");
  EXPECT_EQ(reply[0]["count"], 1);
  EXPECT_EQ(reply[1]["rows"][0]["n"], 42);

  reply = run(R"({"op":"wait","table":"Root","where":[],"columns":["n"],"until":"==","rows":[{"n":42}]})");
  EXPECT_EQ(error_of(reply), "");
  reply = run(R"({"op":"wait","table":"Root","where":[],"columns":["n"],"until":"==","rows":[{"n":1}],"timeout":0})");
  EXPECT_EQ(error_of(reply), "timed out: \"where\" clause test failed");
  reply = run(R"({"op":"wait","table":"Root","where":[],"columns":["n"],"until":"==","rows":[{"n":1}]})");
  EXPECT_EQ(error_of(reply), "not supported: triggers not supported");
  ExecOptions server;
  server.can_retry_wait = true;
  Composed c = compose_transaction(db_, J(R"(["test",{"op":"wait","table":"Root","where":[],"columns":["n"],"until":"==","rows":[],"timeout":500}])"), server);
  EXPECT_TRUE(c.results.is_null());
  ASSERT_TRUE(c.retry_timeout_msec.has_value());
  EXPECT_EQ(*c.retry_timeout_msec, 500);

  reply = run(R"({"op":"assert","lock":"l"})");
  EXPECT_EQ(error_of(reply), "not owner: Asserted lock l not held.");
  ExecOptions owner;
  owner.lock_held = [](const std::string& name) { return name == "l"; };
  EXPECT_EQ(error_of(run(R"({"op":"assert","lock":"l"})", nullptr, owner)), "");
}

TEST_F(TxnTest, VersionChangesOnlyWhenRowChanges) {
  Json reply = run(R"({"op":"insert","table":"Peer","row":{"name":"a"}})");
  Uuid uuid = *Uuid::from_string(reply[0]["uuid"][1].get<std::string>());
  Uuid v1 = db_.table("Peer")->get(uuid)->version();
  ChangeSet changes;
  run(R"({"op":"update","table":"Peer","where":[],"row":{"name":"a"}})", &changes);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(db_.table("Peer")->get(uuid)->version(), v1);
  run(R"({"op":"update","table":"Peer","where":[],"row":{"name":"b"}})", &changes);
  EXPECT_FALSE(changes.empty());
  EXPECT_NE(db_.table("Peer")->get(uuid)->version(), v1);
}

}  // namespace
}  // namespace grebe::ovsdb
