// Idl protocol engine, driven by hand-made server messages.
#include "grebe/ovsdb_idl/idl.h"

#include <gtest/gtest.h>

#include "test_schema.h"

namespace grebe::ovsdb_idl {
namespace {

using jsonrpc::Message;
using ovsdb::Json;

const char* kU1 = "11111111-1111-1111-1111-111111111111";

Message take_one(Idl& idl) {
  auto out = idl.take_output();
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? Message() : out[0];
}

// Connects and answers the _Server check with a standalone database.
Message connect(Idl& idl) {
  idl.on_connected();
  Message check = take_one(idl);
  EXPECT_EQ(check.method, "transact");
  EXPECT_EQ(check.params[0], "_Server");
  idl.receive(Message::reply(
      Json::array({{{"rows", Json::array({{{"name", "Test"}, {"model", "standalone"}}})}}}),
      check.id));
  return take_one(idl);
}

TEST(Idl, MonitorCondSinceAndUpdates) {
  Idl idl(testing::test_schema());
  Message mon = connect(idl);
  ASSERT_EQ(mon.method, "monitor_cond_since");
  EXPECT_EQ(mon.params[0], "Test");
  EXPECT_TRUE(mon.params[2].contains("Root"));
  EXPECT_EQ(mon.params[3], "00000000-0000-0000-0000-000000000000");
  EXPECT_FALSE(idl.has_snapshot());
  idl.receive(Message::reply(Json::parse(std::string(R"([false,"aaaa",{"Root":{")") + kU1 +
                                         R"(":{"initial":{"name":"x"}}}}])"),
                             mon.id));
  EXPECT_TRUE(idl.has_snapshot());
  EXPECT_EQ(idl.last_txn_id(), "aaaa");
  EXPECT_EQ(idl.replica().rows("Root").size(), 1u);

  idl.receive(Message::notify(
      "update3", Json::parse(std::string(R"([["monid","Test"],"bbbb",{"Root":{")") + kU1 +
                             R"(":{"modify":{"count":7}}}}])")));
  EXPECT_EQ(idl.last_txn_id(), "bbbb");
  const Row* row = idl.replica().find("Root", *Uuid::from_string(kU1));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(std::get<int64_t>(
                row->fields[idl.replica().schema().find_table("Root")->find_column("count")->index]
                    .keys[0]),
            7);

  // Echo requests are answered.
  idl.receive(Message::request("echo", Json::array({"x"}), Json(99)));
  Message echo = take_one(idl);
  EXPECT_EQ(echo.type, Message::Type::kReply);
  EXPECT_EQ(echo.id, Json(99));

  // Reconnecting asks only for what changed since "bbbb".
  idl.on_disconnected();
  Message again = connect(idl);
  EXPECT_EQ(again.params[3], "bbbb");
}

TEST(Idl, FallsBackToOlderMonitorMethods) {
  Idl idl(testing::test_schema());
  idl.set_check_server(false);
  idl.on_connected();
  Message m1 = take_one(idl);
  EXPECT_EQ(m1.method, "monitor_cond_since");
  idl.receive(Message::error_reply("unknown method", m1.id));
  Message m2 = take_one(idl);
  EXPECT_EQ(m2.method, "monitor_cond");
  idl.receive(Message::error_reply("unknown method", m2.id));
  Message m3 = take_one(idl);
  EXPECT_EQ(m3.method, "monitor");
  idl.receive(Message::reply(
      Json::parse(std::string(R"({"Root":{")") + kU1 + R"(":{"new":{"name":"v1"}}}})"), m3.id));
  EXPECT_TRUE(idl.has_snapshot());
  EXPECT_EQ(idl.monitor_method(), Idl::MonitorMethod::kPlain);
  idl.receive(Message::notify(
      "update", Json::parse(std::string(R"([["monid","Test"],{"Root":{")") + kU1 +
                            R"(":{"old":{"name":"v1"}}}}])")));
  EXPECT_EQ(idl.replica().rows("Root").size(), 0u);
}

TEST(Idl, MissingDatabaseAndClusterFollower) {
  Idl idl(testing::test_schema());
  idl.on_connected();
  Message check = take_one(idl);
  idl.receive(Message::reply(Json::array({{{"rows", Json::array()}}}), check.id));
  EXPECT_FALSE(idl.fatal_error().has_value());
  EXPECT_TRUE(idl.wants_reconnect());  // not listed (yet): check again

  Idl follower(testing::test_schema());
  follower.on_connected();
  Message c2 = take_one(follower);
  follower.receive(Message::reply(
      Json::array({{{"rows", Json::array({{{"name", "Test"},
                                           {"model", "clustered"},
                                           {"connected", true},
                                           {"leader", false}}})}}}),
      c2.id));
  EXPECT_TRUE(follower.wants_reconnect());
}

TEST(Idl, TransactionsAndConditions) {
  Idl idl(testing::test_schema());
  Message mon = connect(idl);
  idl.receive(Message::reply(Json::parse(R"([false,"a",{}])"), mon.id));
  Txn txn(idl.replica());
  Uuid r = txn.insert("Root");
  txn.write("Root", r, "name", Datum::scalar(std::string("n")));
  EXPECT_EQ(idl.submit(txn), TxnStatus::kIncomplete);
  Message req = take_one(idl);
  EXPECT_EQ(req.method, "transact");
  idl.receive(Message::reply(
      Json::array({{{"uuid", Json::array({"uuid", "44444444-4444-4444-4444-444444444444"})}}}),
      req.id));
  EXPECT_EQ(txn.status(), TxnStatus::kSuccess);

  // A transaction in flight when the connection drops must be retried.
  Txn t2(idl.replica());
  t2.insert("Root");
  EXPECT_EQ(idl.submit(t2), TxnStatus::kIncomplete);
  idl.set_condition("Root", Json::parse(R"([["name","==","n"]])"));
  auto out = idl.take_output();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].method, "monitor_cond_change");
  idl.on_disconnected();
  EXPECT_EQ(t2.status(), TxnStatus::kTryAgain);
  // The condition goes into the next monitor request.
  Message mon2 = connect(idl);
  EXPECT_EQ(mon2.params[2]["Root"][0]["where"], Json::parse(R"([["name","==","n"]])"));
}

}  // namespace
}  // namespace grebe::ovsdb_idl
