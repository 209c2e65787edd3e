// Txn: operations built from pending writes, and reply processing.
#include "grebe/ovsdb_idl/txn.h"

#include <gtest/gtest.h>

#include "test_schema.h"

namespace grebe::ovsdb_idl {
namespace {

using ovsdb::Json;

const char* kRoot = "11111111-1111-1111-1111-111111111111";
const char* kChild = "22222222-2222-2222-2222-222222222222";

class TxnTest : public ::testing::Test {
 protected:
  TxnTest() : replica_(testing::test_schema()) {
    auto st = replica_.apply_update2(Json::parse(
        std::string(R"({"Root":{")") + kRoot +
        R"(":{"initial":{"name":"r","count":1,"children":["uuid",")" + kChild +
        R"("]}}},"Child":{")" + kChild + R"(":{"initial":{"name":"c"}}}})"));
    EXPECT_TRUE(st.ok());
  }
  Uuid root() const { return *Uuid::from_string(kRoot); }
  Uuid child() const { return *Uuid::from_string(kChild); }
  Replica replica_;
};

TEST_F(TxnTest, ReadsSeeOwnWrites) {
  Txn txn(replica_);
  EXPECT_EQ(std::get<std::string>(txn.get("Root", root(), "name")->keys[0]), "r");
  txn.write("Root", root(), "name", Datum::scalar(std::string("s")));
  EXPECT_EQ(std::get<std::string>(txn.get("Root", root(), "name")->keys[0]), "s");
  Uuid c = txn.insert("Child");
  EXPECT_TRUE(txn.exists("Child", c));
  EXPECT_EQ(txn.rows("Child").size(), 2u);
  EXPECT_TRUE(txn.get("Child", c, "name")->keys[0] == ovsdb::Atom(std::string()));
  txn.delete_row("Child", child());
  EXPECT_FALSE(txn.exists("Child", child()));
  EXPECT_EQ(txn.rows("Child").size(), 1u);
  // The replica itself is untouched until the server says otherwise.
  EXPECT_EQ(replica_.rows("Child").size(), 1u);
}

TEST_F(TxnTest, UnchangedSendsNothing) {
  Txn txn(replica_);
  txn.verify("Root", root(), "name");
  txn.write("Root", root(), "count", Datum::scalar(int64_t(1)));  // same value
  txn.increment("Root", root(), "count");                         // not forced
  EXPECT_FALSE(txn.build_request("Test").has_value());
  EXPECT_EQ(txn.status(), TxnStatus::kUnchanged);
}

TEST_F(TxnTest, BuildsOperations) {
  Txn txn(replica_);
  txn.verify("Root", root(), "name");
  Uuid c = txn.insert("Child");
  txn.write("Child", c, "name", Datum::scalar(std::string("new")));
  Datum children;
  children.keys = {child(), c};
  children.sort_unique(replica_.schema().find_table("Root")->find_column("children")->type);
  txn.write("Root", root(), "children", children);
  txn.increment("Root", root(), "count");
  txn.add_comment("hello");
  auto req = txn.build_request("Test");
  ASSERT_TRUE(req.has_value());
  const Json& ops = *req;
  ASSERT_EQ(ops[0], "Test");
  EXPECT_EQ(ops[1]["op"], "wait");
  EXPECT_EQ(ops[1]["until"], "==");
  EXPECT_EQ(ops[1]["columns"], Json::array({"name"}));
  EXPECT_EQ(ops[1]["rows"][0]["name"], "r");
  std::string name = provisional_name(c);
  bool saw_insert = false, saw_update = false;
  for (const Json& op : ops) {
    if (!op.is_object()) continue;
    if (op["op"] == "insert") {
      saw_insert = true;
      EXPECT_EQ(op["uuid-name"], name);
      EXPECT_EQ(op["row"]["name"], "new");
    }
    if (op["op"] == "update") {
      saw_update = true;
      // The reference to the new row is a named-uuid.
      EXPECT_NE(op["row"]["children"].dump().find(name), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_insert && saw_update);
  EXPECT_EQ(ops[ops.size() - 3]["op"], "mutate");
  EXPECT_EQ(ops[ops.size() - 2]["op"], "select");
  EXPECT_EQ(ops.back()["op"], "comment");

  // Success: the insert's real UUID and the incremented value come back.
  Json results = Json::array();
  for (size_t i = 1; i < ops.size(); i++) {
    const Json& op = ops[i];
    if (op["op"] == "insert") {
      results.push_back({{"uuid", Json::array({"uuid", "33333333-3333-3333-3333-333333333333"})}});
    } else if (op["op"] == "select") {
      results.push_back({{"rows", Json::array({{{"count", 2}}})}});
    } else {
      results.push_back(Json::object());
    }
  }
  EXPECT_EQ(txn.process_reply(results), TxnStatus::kSuccess);
  EXPECT_EQ(txn.increment_new_value(), 2);
  EXPECT_EQ(txn.inserted_uuid(c)->to_string(), "33333333-3333-3333-3333-333333333333");
}

TEST_F(TxnTest, DeletesOnlyRootRows) {
  Txn txn(replica_);
  txn.delete_row("Child", child());
  EXPECT_FALSE(txn.build_request("Test").has_value());
  Txn txn2(replica_);
  txn2.delete_row("Root", root());
  auto req = txn2.build_request("Test");
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ((*req)[1]["op"], "delete");
}

TEST_F(TxnTest, ReplyErrors) {
  Txn verify_failed(replica_);
  EXPECT_EQ(verify_failed.process_reply(Json::parse(R"([{"error":"timed out"},null])")),
            TxnStatus::kTryAgain);
  Txn hard(replica_);
  EXPECT_EQ(hard.process_reply(Json::parse(
                R"([{},{"error":"constraint violation","details":"bad"}])")),
            TxnStatus::kError);
  EXPECT_EQ(hard.error(), R"({"details":"bad","error":"constraint violation"})");
  Txn not_array(replica_);
  EXPECT_EQ(not_array.process_reply(Json::object()), TxnStatus::kError);
  Txn canceled(replica_);
  EXPECT_EQ(canceled.process_error("canceled"), TxnStatus::kTryAgain);
}

}  // namespace
}  // namespace grebe::ovsdb_idl

namespace grebe::ovsdb_idl {
namespace {

// insert_into_set/remove_from_set: a "mutate" instead of an "update" of
// the whole column; reads see the result; on new rows it is a write.
TEST_F(TxnTest, SetMutationsBecomeMutateOps) {
  Txn txn(replica_);
  Uuid c = txn.insert("Child");
  ASSERT_TRUE(txn.insert_into_set("Root", root(), "children", Datum::scalar(c)));
  ASSERT_TRUE(txn.remove_from_set("Root", root(), "children", Datum::scalar(child())));
  const Datum* view = txn.get("Root", root(), "children");
  ASSERT_EQ(view->size(), 1u);
  EXPECT_TRUE(view->keys[0] == ovsdb::Atom(c));
  auto req = txn.build_request("Test");
  ASSERT_TRUE(req.has_value());
  const Json* mutate = nullptr;
  for (const Json& op : *req) {
    if (op.is_object() && op["op"] == "update") ADD_FAILURE() << op.dump();
    if (op.is_object() && op["op"] == "mutate") mutate = &op;
  }
  ASSERT_NE(mutate, nullptr);
  EXPECT_EQ((*mutate)["table"], "Root");
  EXPECT_EQ((*mutate)["mutations"],
            Json::parse(std::string(R"([["children","delete",["uuid",")") + kChild +
                        R"("]],["children","insert",["named-uuid",")" + provisional_name(c) +
                        R"("]]])"));
}

TEST_F(TxnTest, SetMutationOnWrittenColumnIsAWrite) {
  Txn txn(replica_);
  txn.write("Root", root(), "children", Datum());
  Uuid c = txn.insert("Child");
  ASSERT_TRUE(txn.insert_into_set("Root", root(), "children", Datum::scalar(c)));
  auto req = txn.build_request("Test");
  ASSERT_TRUE(req.has_value());
  int updates = 0;
  for (const Json& op : *req) {
    if (op.is_object() && op["op"] == "mutate") ADD_FAILURE() << op.dump();
    if (op.is_object() && op["op"] == "update") updates++;
  }
  EXPECT_EQ(updates, 1);
  // Maps are not sets.
  EXPECT_FALSE(txn.insert_into_set("Root", root(), "options", Datum::scalar(std::string("x"))));
}

// insert_persist_uuid: the insert carries "uuid" and references stay
// ["uuid", ...] (no uuid-name); the reply's UUID is the one asked for.
TEST_F(TxnTest, InsertWithPersistentUuid) {
  Txn txn(replica_);
  Uuid fixed = *Uuid::from_string("5a6b1c2d-0000-4000-8000-000000000001");
  EXPECT_EQ(txn.insert_persist_uuid("Child", fixed), fixed);
  EXPECT_TRUE(txn.is_new("Child", fixed));
  txn.insert_into_set("Root", root(), "children", Datum::scalar(fixed));
  auto req = txn.build_request("Test");
  ASSERT_TRUE(req.has_value());
  bool saw_insert = false;
  for (const Json& op : *req) {
    if (!op.is_object()) continue;
    if (op["op"] == "insert") {
      saw_insert = true;
      EXPECT_EQ(op["uuid"], fixed.to_string());
      EXPECT_FALSE(op.contains("uuid-name"));
    }
    if (op["op"] == "mutate") {
      EXPECT_EQ(op["mutations"][0][2], Json::array({"uuid", fixed.to_string()}));
    }
  }
  ASSERT_TRUE(saw_insert);
  Json reply = Json::array();
  for (size_t i = 1; i < req->size(); i++) {
    reply.push_back((*req)[i]["op"] == "insert"
                        ? Json{{"uuid", Json::array({"uuid", fixed.to_string()})}}
                        : Json::object());
  }
  EXPECT_EQ(txn.process_reply(reply), TxnStatus::kSuccess);
  EXPECT_EQ(txn.inserted_uuid(fixed), fixed);
}

}  // namespace
}  // namespace grebe::ovsdb_idl
