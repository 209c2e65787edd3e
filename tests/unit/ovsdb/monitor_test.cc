// Monitor request parsing and update composition (versions 1 and 2).
#include <gtest/gtest.h>

#include "ovsdb/core/execution.h"
#include "ovsdb/core/monitor.h"

namespace grebe::ovsdb {
namespace {

Json J(const std::string& text) {
  auto j = parse_json_text(text);
  EXPECT_TRUE(j.ok()) << text;
  return *j;
}

const char* kSchema = R"({"name":"m","tables":{
  "T":{"columns":{"name":{"type":"string"},"n":{"type":"integer"},
                  "s":{"type":{"key":"string","min":0,"max":"unlimited"}}}},
  "U":{"columns":{"x":{"type":"integer"}}}}})";

class MonitorTest : public ::testing::Test {
 protected:
  MonitorTest() : db_(std::make_shared<const DatabaseSchema>(*DatabaseSchema::from_json(J(kSchema)))) {}

  ChangeSet run(const std::string& ops) {
    ChangeSet cs;
    Json reply = execute_transaction(db_, J("[\"m\"," + ops + "]"), {}, &cs);
    for (const Json& r : reply) EXPECT_FALSE(r.is_object() && r.contains("error")) << reply;
    return cs;
  }
  Uuid insert(const std::string& row) {
    Json reply = execute_transaction(db_, J(R"(["m",{"op":"insert","table":"T","row":)" + row + "}]"));
    return *Uuid::from_string(reply[0]["uuid"][1].get<std::string>());
  }
  Monitor monitor(const std::string& requests, MonitorVersion v) {
    auto m = Monitor::from_json(db_.schema(), J(requests), v);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
    return std::move(*m);
  }

  Database db_;
};

TEST_F(MonitorTest, RequestErrors) {
  auto err = [&](const char* req, MonitorVersion v = MonitorVersion::kV1) {
    auto m = Monitor::from_json(db_.schema(), J(req), v);
    return m.ok() ? std::string() : m.error().details;
  };
  EXPECT_EQ(err(R"({"Nope":{}})"), "no table named Nope");
  EXPECT_EQ(err(R"({"T":{"columns":["zz"]}})"), "zz is not a valid column name");
  EXPECT_EQ(err(R"({"T":[{"columns":["n"]},{"columns":["n"]}]})"), "column n mentioned more than once");
  EXPECT_EQ(err(R"({"T":{"where":[]}})"),
            "Parsing table T failed: Member 'where' is present but not allowed here.");
  EXPECT_EQ(err(R"({"T":{"where":[]}})", MonitorVersion::kV2), "");
  EXPECT_EQ(err(R"({"T":{"select":{"bogus":true}}})"),
            "Parsing table T select failed: Member 'bogus' is present but not allowed here.");
  EXPECT_EQ(err(R"([])"), "monitor-requests must be object");
}

TEST_F(MonitorTest, Version1Updates) {
  Uuid a = insert(R"({"name":"a","n":1})");
  Monitor m = monitor(R"({"T":{"columns":["name","n"]}})", MonitorVersion::kV1);
  Json init = m.initial(db_);
  EXPECT_EQ(init["T"][a.to_string()], J(R"({"new":{"name":"a","n":1}})"));

  ChangeSet cs = run(R"({"op":"update","table":"T","where":[],"row":{"n":2}})");
  EXPECT_EQ(m.updates(cs)["T"][a.to_string()], J(R"({"old":{"n":1},"new":{"name":"a","n":2}})"));
  // A change to an unmonitored column sends nothing.
  cs = run(R"({"op":"update","table":"T","where":[],"row":{"s":"x"}})");
  EXPECT_EQ(m.updates(cs), Json::object());
  cs = run(R"({"op":"delete","table":"T","where":[]})");
  EXPECT_EQ(m.updates(cs)["T"][a.to_string()], J(R"({"old":{"name":"a","n":2}})"));
}

TEST_F(MonitorTest, DefaultColumnsAndSelect) {
  Monitor m = monitor(R"({"T":{"select":{"initial":false,"modify":false}}})", MonitorVersion::kV1);
  insert(R"({"name":"a"})");
  EXPECT_EQ(m.initial(db_), Json::object());
  ChangeSet cs = run(R"({"op":"insert","table":"T","row":{"name":"b"}})");
  Json u = m.updates(cs)["T"].begin().value()["new"];
  EXPECT_TRUE(u.contains("_version"));  // every column but _uuid
  EXPECT_FALSE(u.contains("_uuid"));
  cs = run(R"({"op":"update","table":"T","where":[],"row":{"n":5}})");
  EXPECT_EQ(m.updates(cs), Json::object());
}

TEST_F(MonitorTest, Version2DiffsAndConditions) {
  Uuid a = insert(R"({"name":"a","n":1,"s":["set",["x","y"]]})");
  Monitor m = monitor(R"({"T":{"columns":["name","n","s"],"where":[["n","==",1]]}})", MonitorVersion::kV2);
  EXPECT_EQ(m.initial(db_)["T"][a.to_string()],
            J(R"({"initial":{"name":"a","n":1,"s":["set",["x","y"]]}})"));

  ChangeSet cs = run(R"({"op":"update","table":"T","where":[],"row":{"s":["set",["y","z"]]}})");
  EXPECT_EQ(m.updates(cs)["T"][a.to_string()], J(R"({"modify":{"s":["set",["x","z"]]}})"));
  // Leaving the condition is a delete; entering it an insert with
  // non-default columns only.
  cs = run(R"({"op":"update","table":"T","where":[],"row":{"n":2}})");
  EXPECT_EQ(m.updates(cs)["T"][a.to_string()], J(R"({"delete":null})"));
  cs = run(R"({"op":"update","table":"T","where":[],"row":{"n":1,"s":["set",[]]}})");
  EXPECT_EQ(m.updates(cs)["T"][a.to_string()], J(R"({"insert":{"name":"a","n":1}})"));
  // Rows outside the condition are not reported.
  cs = run(R"({"op":"insert","table":"T","row":{"name":"b","n":7}})");
  EXPECT_EQ(m.updates(cs), Json::object());

  // Conditions are disjunctions.
  Json changes;
  ASSERT_TRUE(m.change_conditions(J(R"({"T":[{"where":[["n","==",7],["name","==","zz"]]}]})"), db_, &changes).ok());
  ASSERT_EQ(changes["T"].size(), 2u) << changes;
  EXPECT_EQ(changes["T"][a.to_string()], J(R"({"delete":null})"));
  cs = run(R"({"op":"insert","table":"T","row":{"name":"zz","n":0}})");
  EXPECT_EQ(m.updates(cs)["T"].size(), 1u);
}

}  // namespace
}  // namespace grebe::ovsdb
