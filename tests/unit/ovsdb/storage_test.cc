// Log records, standalone database files, replay, torn and corrupted logs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ovsdb/core/execution.h"
#include "ovsdb/storage/file.h"

namespace grebe::ovsdb {
namespace {

namespace fs = std::filesystem;

const char* kSchema = R"({"name":"s","version":"2.0.0","cksum":"1 1","tables":{
  "A":{"columns":{"name":{"type":"string"},
                  "m":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}},
                  "tmp":{"type":"integer","ephemeral":true}}}}})";

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grebe-ovsdb-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/db";
    auto schema = DatabaseSchema::from_json(*parse_json_text(kSchema));
    auto log = Log::open(path_, kOvsdbMagic, Log::Mode::kCreateExcl);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    ASSERT_TRUE((*log)->write(schema->to_json()).ok());
    ASSERT_TRUE((*log)->commit().ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DbFile> open(bool rw, bool tolerate = false) {
    DbFileOptions o;
    o.read_write = rw;
    o.tolerate_bad_tail = tolerate;
    auto f = DbFile::open(path_, o);
    EXPECT_TRUE(f.ok()) << f.error().to_string();
    return f.ok() ? std::move(*f) : nullptr;
  }
  Json transact(DbFile& f, const std::string& ops) {
    return f.transact(*parse_json_text("[\"s\"," + ops + "]"), false);
  }
  std::string contents() {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void write_contents(const std::string& s) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << s;
  }

  std::string dir_, path_;
};

TEST_F(StorageTest, RecordFormat) {
  std::string header, data;
  Log::compose_record(Json::parse(R"({"a":1})"), "JSON", &header, &data);
  EXPECT_EQ(data, "{\"a\":1}\n");
  EXPECT_EQ(header, "OVSDB JSON 8 " + sha1_hex(data) + "\n");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(lockfile_name("/x/y/conf.db"), "/x/y/.conf.db.~lock~");
}

TEST_F(StorageTest, CommitsAreLoggedAsDiffsAndReplayed) {
  {
    auto f = open(true);
    Json r = transact(*f, R"({"op":"insert","table":"A","row":{"name":"a","m":["map",[["k","v"]]],"tmp":5}},{"op":"comment","comment":"first"})");
    ASSERT_EQ(r.size(), 2u) << r;
    r = transact(*f, R"({"op":"update","table":"A","where":[],"row":{"m":["map",[["k","w"],["z","1"]]]}})");
    ASSERT_EQ(r[0]["count"], 1) << r;
  }
  std::string text = contents();
  EXPECT_NE(text.find("\"_comment\":\"first\""), std::string::npos);
  EXPECT_NE(text.find("\"_is_diff\":true"), std::string::npos);
  EXPECT_EQ(text.find("\"tmp\":5"), std::string::npos);  // ephemeral columns are not logged
  EXPECT_NE(text.find(R"("m":["map",[["k","w"],["z","1"]]])"), std::string::npos);

  auto f = open(false);
  Json r = transact(*f, R"({"op":"select","table":"A","where":[],"columns":["name","m","tmp"]})");
  ASSERT_EQ(r[0]["rows"].size(), 1u) << r;
  EXPECT_EQ(r[0]["rows"][0]["m"], Json::parse(R"(["map",[["k","w"],["z","1"]]])"));
  EXPECT_EQ(r[0]["rows"][0]["tmp"], 0);
}

TEST_F(StorageTest, NonDiffRecordsAreAccepted) {
  Json rec = Json::parse(R"({"_date":1,"A":{"01234567-89ab-cdef-0123-456789abcdef":{"name":"x","m":["map",[["a","b"]]]}}})");
  Json upd = Json::parse(R"({"_date":2,"A":{"01234567-89ab-cdef-0123-456789abcdef":{"m":["map",[["c","d"]]]}}})");
  {
    auto log = Log::open(path_, kOvsdbMagic, Log::Mode::kReadWrite);
    ASSERT_TRUE(log.ok());
    while (true) {
      auto r = (*log)->read();
      ASSERT_TRUE(r.ok());
      if (!*r) break;
    }
    ASSERT_TRUE((*log)->write(rec).ok());
    ASSERT_TRUE((*log)->write(upd).ok());
  }
  auto f = open(false);
  const Table* a = f->db().table("A");
  ASSERT_EQ(a->rows.size(), 1u);
  const Row& row = *a->rows.begin()->second;
  EXPECT_EQ(json_to_string(row.fields[a->schema->find_column("m")->index].to_json(a->schema->find_column("m")->type)),
            R"(["map",[["c","d"]]])");
}

TEST_F(StorageTest, TornLastRecordIsToleratedAndTruncated) {
  {
    auto f = open(true);
    transact(*f, R"({"op":"insert","table":"A","row":{"name":"keep"}})");
  }
  std::string good = contents();
  // A torn write: a header promising more bytes than were written.
  write_contents(good + "OVSDB JSON 100 0000000000000000000000000000000000000000\n{\"A\":");
  {
    DbFileOptions strict;
    auto f = DbFile::open(path_, strict);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().to_string().find("error reading 100 bytes"), std::string::npos)
        << f.error().to_string();
  }
  auto f = open(true, true);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->db().table("A")->rows.size(), 1u);
  Json r = transact(*f, R"({"op":"insert","table":"A","row":{"name":"next"}})");
  ASSERT_EQ(r.size(), 1u) << r;
  f.reset();
  std::string after = contents();
  EXPECT_EQ(after.substr(0, good.size()), good);
  EXPECT_EQ(after.find("OVSDB JSON 100"), std::string::npos);
  auto g = open(false);
  EXPECT_EQ(g->db().table("A")->rows.size(), 2u);
}

TEST_F(StorageTest, CorruptedRecordsAreReported) {
  std::string good = contents();
  std::string bad = good;
  bad[bad.size() - 5] ^= 1;  // flip a bit inside the schema record's JSON
  write_contents(bad);
  DbFileOptions o;
  auto f = DbFile::open(path_, o);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().details.find("have SHA-1 hash"), std::string::npos) << f.error().to_string();

  write_contents("garbage\n");
  f = DbFile::open(path_, o);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().to_string(), "ovsdb error: " + path_ + ": unexpected file format");

  write_contents(good + "OVSDB JSON xx\n");
  f = DbFile::open(path_, o);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().details.find("parse error at offset"), std::string::npos);
}

TEST_F(StorageTest, CompactionKeepsContents) {
  {
    auto f = open(true);
    for (int i = 0; i < 5; i++) {
      transact(*f, R"({"op":"insert","table":"A","row":{"name":"n)" + std::to_string(i) + R"("}})");
    }
    transact(*f, R"({"op":"delete","table":"A","where":[["name","==","n0"]]})");
  }
  auto f = open(false);
  ASSERT_TRUE(write_standalone_db(path_, f->db(), "compacted").ok());
  std::string text = contents();
  size_t records = 0;
  for (size_t p = 0; (p = text.find("OVSDB JSON", p)) != std::string::npos; p++) records++;
  EXPECT_EQ(records, 2u);
  auto g = open(false);
  EXPECT_EQ(g->db().table("A")->rows.size(), 4u);
}

TEST_F(StorageTest, CompactWhileOpenThenAppend) {
  auto f = open(true);
  for (int i = 0; i < 3; i++) {
    transact(*f, R"({"op":"insert","table":"A","row":{"name":"n)" + std::to_string(i) + R"("}})");
  }
  off_t before = f->log().offset();
  ASSERT_TRUE(f->compact("compacting").ok());
  EXPECT_LT(f->log().offset(), before);
  EXPECT_FALSE(f->log().grew_lots());
  transact(*f, R"({"op":"insert","table":"A","row":{"name":"after"}})");
  f.reset();
  std::string text = contents();
  EXPECT_NE(text.find("\"_comment\":\"compacting\""), std::string::npos);
  auto g = open(false);
  EXPECT_EQ(g->db().table("A")->rows.size(), 4u);
}

TEST_F(StorageTest, WritersAreLocked) {
  auto f = open(true);
  auto second = Log::open(path_, kOvsdbMagic, Log::Mode::kReadWrite);
  // fcntl locks are per process, so the same process can take it again;
  // check the lock file exists where OVS expects it.
  EXPECT_TRUE(fs::exists(dir_ + "/.db.~lock~"));
  (void)second;
}

}  // namespace
}  // namespace grebe::ovsdb
