// Schema parsing, validation errors, serialization and checksums.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb {
namespace {

std::string schema_error(const std::string& text) {
  auto json = parse_json_text(text);
  EXPECT_TRUE(json.ok()) << text;
  auto s = DatabaseSchema::from_json(*json);
  EXPECT_FALSE(s.ok()) << text;
  return s.ok() ? "" : s.error().to_string();
}

TEST(OvsdbSchema, ParsesConstraintsAndDefaults) {
  auto json = parse_json_text(R"({"name":"db","version":"1.2.3","cksum":"1 2","tables":{
    "T":{"columns":{
      "i":{"type":{"key":{"type":"integer","minInteger":1,"maxInteger":10}}},
      "r":{"type":{"key":{"type":"real","minReal":-1.5}}},
      "s":{"type":{"key":{"type":"string","enum":["set",["a","b"]]},"min":0,"max":"unlimited"}},
      "m":{"type":{"key":"string","value":{"type":"uuid","refTable":"U","refType":"weak"},"min":0,"max":3}},
      "e":{"type":"boolean","ephemeral":true,"mutable":false}},
     "isRoot":true,"maxRows":5,"indexes":[["i"]]},
    "U":{"columns":{"x":{"type":"integer"}}}}})");
  ASSERT_TRUE(json.ok());
  auto s = DatabaseSchema::from_json(*json);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const TableSchema* t = s->find_table("T");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->is_root);
  EXPECT_FALSE(s->find_table("U")->is_root);
  EXPECT_EQ(t->max_rows, 5u);
  ASSERT_EQ(t->indexes.size(), 1u);
  EXPECT_EQ(t->columns[t->indexes[0][0]].name, "i");
  EXPECT_EQ(t->find_column("_uuid")->index, kColUuid);
  EXPECT_EQ(t->find_column("_version")->index, kColVersion);
  const ColumnSchema* i = t->find_column("i");
  EXPECT_EQ(i->type.key.min_integer, 1);
  EXPECT_EQ(i->type.key.max_integer, 10);
  const ColumnSchema* m = t->find_column("m");
  EXPECT_TRUE(m->type.is_map());
  EXPECT_TRUE(m->type.value.is_weak_ref());
  EXPECT_EQ(m->type.n_max, 3u);
  EXPECT_EQ(m->type.to_english(), "map of up to 3 (string, uuid) pairs");
  EXPECT_EQ(t->find_column("s")->type.to_english(), "set of strings");
  const ColumnSchema* e = t->find_column("e");
  EXPECT_FALSE(e->persistent);
  EXPECT_FALSE(e->is_mutable);
  // Round trip through JSON gives an equal schema.
  auto again = DatabaseSchema::from_json(s->to_json());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->equals(*s));
  EXPECT_EQ(s->to_json()["tables"]["T"]["columns"]["i"]["type"]["key"]["minInteger"], 1);
}

TEST(OvsdbSchema, NoRootTablesMeansAllRoot) {
  auto s = DatabaseSchema::from_json(*parse_json_text(
      R"({"name":"d","tables":{"A":{"columns":{"x":"integer"}},"B":{"columns":{"y":"string"}}}})"));
  // Column types given as bare strings are not objects: that is an error.
  EXPECT_FALSE(s.ok());
  s = DatabaseSchema::from_json(*parse_json_text(
      R"({"name":"d","tables":{"A":{"columns":{"x":{"type":"integer"}}},"B":{"columns":{"y":{"type":"string"}}}}})"));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->find_table("A")->is_root);
  EXPECT_TRUE(s->find_table("B")->is_root);
  EXPECT_FALSE(s->to_json()["tables"]["A"].contains("isRoot"));
}

TEST(OvsdbSchema, ErrorsMatchOvs) {
  EXPECT_EQ(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":"foo"}}}}})"),
            "syntax \"\"foo\"\": syntax error: \"foo\" is not an atomic-type");
  EXPECT_EQ(schema_error(R"({"tables":{}})"),
            "syntax \"{\"tables\":{}}\": syntax error: Parsing database schema failed: Required "
            "'name' member is missing.");
  EXPECT_EQ(schema_error(R"({"name":"x","version":"1.2","tables":{}})"),
            "syntax \"{\"name\":\"x\",\"tables\":{},\"version\":\"1.2\"}\": syntax error: schema "
            "version \"1.2\" not in format x.y.z");
  EXPECT_EQ(schema_error(R"({"name":"x","tables":{},"foo":1,"bar":2})"),
            "syntax \"{\"bar\":2,\"foo\":1,\"name\":\"x\",\"tables\":{}}\": syntax error: Parsing "
            "database schema failed: Member 'bar' and 1 other member are present but not allowed "
            "here.");
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"_T":{"columns":{"a":{"type":"integer"}}}}})")
                .find("names beginning with \"_\" are reserved"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{}}}})")
                .find("table must have at least one column"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"maxRows":0,"columns":{"a":{"type":"integer"}}}}})")
                .find("maxRows must be at least 1"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refTable":"Z"}}}}}}})"),
            "");
  EXPECT_EQ(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refTable":"Z"}}}}}}})"),
            "syntax error: column a key refers to undefined table Z");
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"integer","minInteger":5,"maxInteger":1}}}}}}})")
                .find("minInteger exceeds maxInteger"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","min":2}}}}}})")
                .find("ovsdb type fails constraint checks"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","max":-1}}}}}})")
                .find("bad min or max value"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":"integer","ephemeral":true}},"indexes":[["a"]]}}})")
                .find("ephemeral columns (such as a) may not be indexed"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"indexes":[["b"]]}}})")
                .find("b is not a valid column name"),
            std::string::npos);
  EXPECT_NE(schema_error(R"({"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refTable":"T","refType":"soft"}}}}}}})")
                .find("refType must be \"strong\" or \"weak\" (not \"soft\")"),
            std::string::npos);
}

TEST(OvsdbSchema, FromFileErrors) {
  auto s = DatabaseSchema::from_file("/nonexistent/x.ovsschema");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().to_string(),
            "failed to read schema: \"/nonexistent/x.ovsschema\" could not be read as JSON (error "
            "opening \"/nonexistent/x.ovsschema\": No such file or directory)");
}

TEST(OvsdbSchema, PosixCksum) {
  // Reference values from GNU coreutils cksum(1).
  EXPECT_EQ(posix_cksum(""), 4294967295u);
  EXPECT_EQ(posix_cksum("hello\n"), 3015617425u);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OvsdbSchema, VswitchSchemaMatchesStock) {
  std::string ours = std::string(GREBE_SRC_DIR) + "/vswitchd/vswitch.ovsschema";
  auto s = DatabaseSchema::from_file(ours);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->name, "Open_vSwitch");
  EXPECT_GE(s->tables.size(), 10u);
  EXPECT_TRUE(s->find_table("Open_vSwitch")->is_root);
  EXPECT_EQ(s->find_table("Open_vSwitch")->max_rows, 1u);
  const std::string stock = "/usr/share/openvswitch/vswitch.ovsschema";
  if (!std::ifstream(stock)) GTEST_SKIP() << "stock schema not installed";
  auto st = DatabaseSchema::from_file(stock);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(s->equals(*st));
  // OVS's build checks that "cksum" is cksum(1) of the file minus that line.
  EXPECT_EQ(compute_schema_cksum(read_file(stock)), st->cksum);
}

}  // namespace
}  // namespace grebe::ovsdb
