// Malformed input never crashes: randomly corrupted database files and
// randomly mangled transactions only ever produce errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ovsdb/core/execution.h"
#include "ovsdb/storage/file.h"

namespace grebe::ovsdb {
namespace {

const char* kSchema = R"({"name":"r","tables":{
  "R":{"isRoot":true,"columns":{"k":{"type":{"key":{"type":"uuid","refTable":"K"},"min":0,"max":"unlimited"}},
                                "m":{"type":{"key":"string","value":"integer","min":0,"max":3}}}},
  "K":{"columns":{"n":{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":9}}}},"indexes":[["n"]]}}})";

TEST(OvsdbRobustness, CorruptedFiles) {
  char tmpl[] = "/tmp/grebe-ovsdb-robust-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/db";
  auto schema = DatabaseSchema::from_json(*parse_json_text(kSchema));
  ASSERT_TRUE(schema.ok());
  {
    auto log = Log::open(path, kOvsdbMagic, Log::Mode::kCreateExcl);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->write(schema->to_json()).ok());
  }
  {
    DbFileOptions rw;
    rw.read_write = true;
    auto f = DbFile::open(path, rw);
    ASSERT_TRUE(f.ok());
    for (int i = 0; i < 5; i++) {
      (*f)->transact(*parse_json_text(R"(["r",{"op":"insert","table":"K","row":{"n":)" +
                                      std::to_string(i) + R"(},"uuid-name":"k"},
          {"op":"insert","table":"R","row":{"k":["named-uuid","k"],"m":["map",[["a",1]]]}}])"),
                     false);
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string good = ss.str();
  std::mt19937 rng(7);
  int opened = 0;
  for (int round = 0; round < 300; round++) {
    std::string bad = good;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; e++) {
      size_t pos = rng() % bad.size();
      switch (rng() % 3) {
        case 0: bad[pos] = char(rng()); break;
        case 1: bad.erase(pos, 1 + rng() % 20); break;
        default: bad.insert(pos, std::string(1 + rng() % 5, "{}[]\",:0a\n"[rng() % 10])); break;
      }
    }
    if (round % 10 == 0) bad.resize(rng() % bad.size());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bad;
    for (bool tolerate : {false, true}) {
      DbFileOptions options;
      options.tolerate_bad_tail = tolerate;
      auto f = DbFile::open(path, options);
      if (f.ok()) {
        opened++;
        Json r = (*f)->transact(*parse_json_text(R"(["r",{"op":"select","table":"K","where":[]}])"), true);
        EXPECT_TRUE(r.is_array());
      } else {
        EXPECT_FALSE(f.error().to_string().empty());
      }
    }
  }
  EXPECT_GT(opened, 0);
  std::filesystem::remove_all(dir);
}

// Replaces a random leaf of 'j' with a random JSON value.
void mangle(Json& j, std::mt19937& rng) {
  static const Json kValues[] = {nullptr, true, 0, -1, 1.5, "", "x", "==", "insert",
                                 Json::array(), Json::object(), Json::array({"uuid", "zz"}),
                                 Json::array({"set", Json::array({1, 1})}),
                                 Json::array({"named-uuid", "k"}), 9223372036854775807LL};
  if ((j.is_array() || j.is_object()) && !j.empty() && rng() % 4) {
    auto it = j.begin();
    std::advance(it, rng() % j.size());
    mangle(*it, rng);
  } else {
    j = kValues[rng() % (sizeof kValues / sizeof kValues[0])];
  }
}

TEST(OvsdbRobustness, MangledTransactions) {
  auto schema = DatabaseSchema::from_json(*parse_json_text(kSchema));
  Database db(std::make_shared<const DatabaseSchema>(std::move(*schema)));
  const Json base = *parse_json_text(R"(["r",
    {"op":"insert","table":"K","row":{"n":1},"uuid-name":"k"},
    {"op":"insert","table":"R","row":{"k":["named-uuid","k"],"m":["map",[["a",1]]]}},
    {"op":"mutate","table":"R","where":[["m","includes",["map",[["a",1]]]]],"mutations":[["m","insert",["map",[["b",2]]]]]},
    {"op":"update","table":"K","where":[["n","<",5]],"row":{"n":2}},
    {"op":"select","table":"R","where":[],"columns":["m"],"sort":["m"]},
    {"op":"wait","table":"K","where":[],"until":"==","rows":[],"timeout":0},
    {"op":"delete","table":"R","where":[["_uuid","!=",["uuid","01234567-89ab-cdef-0123-456789abcdef"]]]}])");
  std::mt19937 rng(99);
  int errors = 0;
  for (int round = 0; round < 2000; round++) {
    Json params = base;
    for (int e = 0, n = 1 + int(rng() % 3); e < n; e++) mangle(params, rng);
    Json reply = execute_transaction(db, params);
    ASSERT_TRUE(reply.is_array() || reply.is_object());
    errors += reply.is_object() || (!reply.empty() && reply.back().is_object() && reply.back().contains("error"));
  }
  EXPECT_GT(errors, 100);
}

}  // namespace
}  // namespace grebe::ovsdb
