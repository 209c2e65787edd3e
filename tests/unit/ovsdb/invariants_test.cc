// Randomized transactions against the database invariants, checked by brute
// force after every commit: reference counts, no dangling references, no
// unreferenced non-root rows, unique and complete index maps.
#include <gtest/gtest.h>

#include <random>

#include "ovsdb/core/execution.h"

namespace grebe::ovsdb {
namespace {

const char* kSchema = R"({"name":"inv","tables":{
  "Root":{"isRoot":true,"columns":{
    "kids":{"type":{"key":{"type":"uuid","refTable":"Kid"},"min":0,"max":"unlimited"}},
    "fans":{"type":{"key":{"type":"uuid","refTable":"Fan","refType":"weak"},"min":0,"max":"unlimited"}}}},
  "Kid":{"columns":{"name":{"type":"string"},
    "toy":{"type":{"key":{"type":"uuid","refTable":"Toy"},"min":0,"max":1}}},"indexes":[["name"]]},
  "Toy":{"columns":{"n":{"type":"integer"}}},
  "Fan":{"isRoot":true,"columns":{"name":{"type":"string"}},"indexes":[["name"]]}}})";

void check_invariants(const Database& db) {
  std::map<std::pair<std::string, Uuid>, RefCount> counts;
  for (const auto& [name, table] : db.tables()) {
    for (const auto& [uuid, row] : table.rows) {
      for (bool strong : {true, false}) {
        for_each_ref(*table.schema, *row, strong, [&](const ColumnSchema&, const std::string& ref, const Uuid& u) {
          ASSERT_NE(db.table(ref)->get(u), nullptr) << "dangling reference to " << ref;
          RefCount& rc = counts[{ref, u}];
          (strong ? rc.strong : rc.weak)++;
        });
      }
    }
  }
  for (const auto& [name, table] : db.tables()) {
    EXPECT_EQ(table.incoming.size(),
              size_t(std::count_if(counts.begin(), counts.end(),
                                   [&](const auto& c) { return c.first.first == name; })));
    for (const auto& [uuid, row] : table.rows) {
      RefCount expect = counts[{name, uuid}];
      RefCount got = table.refs_to(uuid);
      EXPECT_EQ(got.strong, expect.strong) << name;
      EXPECT_EQ(got.weak, expect.weak) << name;
      if (!table.schema->is_root) {
        EXPECT_GT(expect.strong, 0u) << "garbage left in " << name;
      }
    }
    for (size_t i = 0; i < table.schema->indexes.size(); i++) {
      EXPECT_EQ(table.indexes[i].size(), table.rows.size()) << name;
      for (const auto& [key, uuid] : table.indexes[i]) {
        const Row* row = table.get(uuid);
        ASSERT_NE(row, nullptr);
        EXPECT_TRUE(index_key(*row, table.schema->indexes[i]) == key);
      }
    }
  }
}

TEST(OvsdbInvariants, RandomTransactions) {
  auto schema = DatabaseSchema::from_json(*parse_json_text(kSchema));
  ASSERT_TRUE(schema.ok());
  Database db(std::make_shared<const DatabaseSchema>(std::move(*schema)));
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return int(rng() % unsigned(n)); };
  auto any_uuid = [&](const char* table) -> std::string {
    const Table* t = db.table(table);
    if (t->rows.empty()) return "";
    auto it = t->rows.begin();
    std::advance(it, pick(int(t->rows.size())));
    return it->first.to_string();
  };
  int committed = 0;
  for (int round = 0; round < 400; round++) {
    std::string ops;
    std::string name = "\"k" + std::to_string(pick(12)) + "\"";
    switch (pick(7)) {
      case 0:
        ops = R"({"op":"insert","table":"Toy","row":{"n":1},"uuid-name":"t"},
                 {"op":"insert","table":"Kid","row":{"name":)" + name + R"(,"toy":["named-uuid","t"]},"uuid-name":"k"},
                 {"op":"insert","table":"Root","row":{"kids":["named-uuid","k"]}})";
        break;
      case 1: {
        std::string kid = any_uuid("Kid"), root = any_uuid("Root");
        if (kid.empty() || root.empty()) continue;
        ops = R"({"op":"mutate","table":"Root","where":[["_uuid","==",["uuid",")" + root +
              R"("]]],"mutations":[["kids","insert",["uuid",")" + kid + R"("]]]})";
        break;
      }
      case 2: {
        std::string root = any_uuid("Root");
        if (root.empty()) continue;
        ops = R"({"op":"delete","table":"Root","where":[["_uuid","==",["uuid",")" + root + R"("]]]})";
        break;
      }
      case 3:
        ops = R"({"op":"insert","table":"Fan","row":{"name":)" + name + R"(},"uuid-name":"f"},
                 {"op":"mutate","table":"Root","where":[],"mutations":[["fans","insert",["named-uuid","f"]]]})";
        break;
      case 4:
        ops = R"({"op":"delete","table":"Fan","where":[["name","==",)" + name + R"(]]})";
        break;
      case 5:
        ops = R"({"op":"update","table":"Kid","where":[["name","==",)" + name + R"(]],"row":{"name":"k)" +
              std::to_string(pick(12)) + R"("}})";
        break;
      default:
        ops = R"({"op":"update","table":"Root","where":[],"row":{"kids":["set",[]]}})";
        break;
    }
    Json reply = execute_transaction(db, *parse_json_text("[\"inv\"," + ops + "]"));
    bool ok = true;
    for (const Json& r : reply) ok &= !(r.is_object() && r.contains("error"));
    committed += ok;
    check_invariants(db);
    // Index-assisted lookups agree with a scan, inside a transaction too.
    Txn txn(db);
    const TableSchema& kid = *db.schema().find_table("Kid");
    if (const Table* t = db.table("Kid"); !t->rows.empty()) {
      Row moved = *t->rows.begin()->second;
      moved.fields[kid.find_column("name")->index] = Datum::scalar(std::string("k0"));
      txn.modify(kid, moved);
    }
    for (int k = 0; k < 12; k++) {
      std::string key = "k" + std::to_string(k);
      auto cond = Condition::from_json(kid, Json::array({Json::array({"name", "==", key})}), nullptr);
      size_t scanned = 0;
      auto all = txn.query(kid, *Condition::from_json(kid, Json::array(), nullptr));
      for (const RowPtr& r : all) scanned += r->fields[kid.find_column("name")->index] == Datum::scalar(key);
      EXPECT_EQ(txn.query(kid, *cond).size(), scanned) << key;
    }
    if (HasFailure()) FAIL() << "after round " << round << ": " << ops << " -> " << reply;
  }
  EXPECT_GT(committed, 100);
}

}  // namespace
}  // namespace grebe::ovsdb
