// Atoms, datums, conditions and mutations.
#include <gtest/gtest.h>

#include "grebe/ovsdb/condition.h"
#include "grebe/ovsdb/datum.h"
#include "grebe/ovsdb/mutation.h"
#include "grebe/ovsdb/schema.h"

namespace grebe::ovsdb {
namespace {

Json J(const char* text) { return *parse_json_text(text); }

Type T(const char* text) {
  auto t = Type::from_json(J(text));
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}

std::string err(const OvsdbError& e) { return e.to_string(); }

TEST(OvsdbDatum, SetsAreSortedAndCanonical) {
  Type t = T(R"({"key":"integer","min":0,"max":"unlimited"})");
  auto d = Datum::from_json(t, J(R"(["set",[3,1,2]])"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(json_to_string(d->to_json(t)), R"(["set",[1,2,3]])");
  EXPECT_EQ(d->to_string(t), "[1, 2, 3]");
  auto one = Datum::from_json(t, J("7"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(json_to_string(one->to_json(t)), "7");
  auto dup = Datum::from_json(t, J(R"(["set",[1,1]])"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(err(dup.error()), "ovsdb error: set contains duplicate");
}

TEST(OvsdbDatum, MapsAndErrors) {
  Type t = T(R"({"key":"string","value":"string","min":0,"max":"unlimited"})");
  auto d = Datum::from_json(t, J(R"(["map",[["b","2"],["a","1"]]])"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to_string(t), "{a=\"1\", b=\"2\"}");
  EXPECT_EQ(json_to_string(d->to_json(t)), R"(["map",[["a","1"],["b","2"]]])");
  auto bad = Datum::from_json(t, J(R"(["set",[]])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().details, "expected [\"map\", <array>]");
  auto dup = Datum::from_json(t, J(R"(["map",[["a","1"],["a","2"]]])"));
  EXPECT_EQ(dup.error().details, "map contains duplicate key");

  Type scalar = T(R"("string")");
  auto two = Datum::from_json(scalar, J(R"(["set",["a","b"]])"));
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(err(two.error()),
            "syntax \"[\"set\",[\"a\",\"b\"]]\": syntax error: set must have exactly one member "
            "but 2 are present");
  auto wrong = Datum::from_json(scalar, J("5"));
  EXPECT_EQ(wrong.error().details, "expected string");
}

TEST(OvsdbDatum, Constraints) {
  Type t = T(R"({"key":{"type":"integer","minInteger":1,"maxInteger":4095}})");
  EXPECT_TRUE(Datum::from_json(t, J("100")).ok());
  EXPECT_EQ(Datum::from_json(t, J("0")).error().details, "0 is not in the valid range 1 to 4095 (inclusive)");
  Type e = T(R"({"key":{"type":"string","enum":["set",["secure","standalone"]]}})");
  auto bad = Datum::from_json(e, J(R"("open")"));
  EXPECT_EQ(bad.error().tag, "constraint violation");
  EXPECT_EQ(bad.error().details, "open is not one of the allowed values ([secure, standalone])");
  Type len = T(R"({"key":{"type":"string","maxLength":2}})");
  EXPECT_EQ(Datum::from_json(len, J(R"("abc")")).error().details,
            "\"abc\" length 3 is greater than maximum allowed length 2");
}

TEST(OvsdbDatum, UuidsAndNamedUuids) {
  Type t = T(R"({"key":{"type":"uuid","refTable":"X"},"min":0,"max":"unlimited"})");
  SymbolTable symtab;
  auto d = Datum::from_json(t, J(R"(["set",[["named-uuid","a"],["uuid","01234567-89ab-cdef-0123-456789abcdef"]]])"), &symtab);
  ASSERT_TRUE(d.ok()) << err(d.error());
  EXPECT_EQ(d->size(), 2u);
  ASSERT_NE(symtab.find("a"), nullptr);
  EXPECT_TRUE(symtab.find("a")->strong_ref);
  EXPECT_FALSE(symtab.find("a")->created);
  EXPECT_TRUE(d->contains(symtab.find("a")->uuid));
  // Without a symbol table, named UUIDs are not accepted.
  auto no = Datum::from_json(t, J(R"(["named-uuid","a"])"));
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(no.error().details, "expected [\"uuid\", <string>]");
  EXPECT_EQ(Datum::from_json(t, J(R"(["uuid","zzz"])")).error().details, "\"zzz\" is not a valid UUID");
}

TEST(OvsdbDatum, DiffRoundTrip) {
  Type t = T(R"({"key":"string","value":"string","min":0,"max":"unlimited"})");
  Datum a = *Datum::from_json(t, J(R"(["map",[["a","b"],["k","v"]]])"));
  Datum b = *Datum::from_json(t, J(R"(["map",[["a","c"],["x","y"]]])"));
  Datum diff = Datum::diff(a, b, t);
  EXPECT_EQ(diff.to_string(t), "{a=c, k=v, x=y}");
  Datum c = a;
  ASSERT_TRUE(c.apply_diff(diff, t).ok());
  EXPECT_EQ(c, b);
  Type s = T(R"({"key":"integer","min":0,"max":"unlimited"})");
  Datum x = *Datum::from_json(s, J(R"(["set",[1,2,3]])"));
  Datum y = *Datum::from_json(s, J(R"(["set",[2,3,4]])"));
  Datum sd = Datum::diff(x, y, s);
  EXPECT_EQ(sd.to_string(s), "[1, 4]");
  ASSERT_TRUE(x.apply_diff(sd, s).ok());
  EXPECT_EQ(x, y);
}

TEST(OvsdbDatum, AtomStrings) {
  EXPECT_EQ(atom_to_string(Atom(std::string("br0"))), "br0");
  EXPECT_EQ(atom_to_string(Atom(std::string("true"))), "\"true\"");
  EXPECT_EQ(atom_to_string(Atom(std::string("a b"))), "\"a b\"");
  EXPECT_EQ(atom_to_string(Atom(std::string(""))), "\"\"");
  EXPECT_EQ(atom_to_string(Atom(1.5)), "1.5");
  EXPECT_EQ(atom_to_string(Atom(int64_t(-3))), "-3");
}

DatabaseSchema test_schema() {
  return *DatabaseSchema::from_json(J(R"({"name":"t","tables":{"T":{"columns":{
    "i":{"type":"integer"},
    "r":{"type":{"key":"real","min":0,"max":1}},
    "s":{"type":{"key":"string","min":0,"max":"unlimited"}},
    "m":{"type":{"key":"string","value":"integer","min":0,"max":2}},
    "k":{"type":"string","mutable":false}}}}})"));
}

std::vector<Datum> row_of(const TableSchema& ts, const char* json) {
  std::vector<Datum> fields;
  for (const ColumnSchema& c : ts.columns) fields.push_back(Datum::default_for(c.type));
  Json j = J(json);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const ColumnSchema* c = ts.find_column(it.key());
    fields[c->index] = *Datum::from_json(c->type, it.value());
  }
  return fields;
}

TEST(OvsdbCondition, Functions) {
  DatabaseSchema s = test_schema();
  const TableSchema& ts = *s.find_table("T");
  auto row = row_of(ts, R"({"i":5,"s":["set",["a","b"]],"m":["map",[["x",1]]]})");
  auto eval = [&](const char* where) {
    auto c = Condition::from_json(ts, J(where), nullptr);
    EXPECT_TRUE(c.ok()) << where << ": " << (c.ok() ? "" : err(c.error()));
    return c.ok() && c->evaluate(row);
  };
  EXPECT_TRUE(eval(R"([["i","==",5]])"));
  EXPECT_TRUE(eval(R"([["i","<",6],["i",">=",5]])"));
  EXPECT_FALSE(eval(R"([["i",">",5]])"));
  EXPECT_TRUE(eval(R"([["s","includes","a"]])"));
  EXPECT_TRUE(eval(R"([["s","includes",["set",["a","b"]]]])"));
  EXPECT_FALSE(eval(R"([["s","includes",["set",["a","c"]]]])"));
  EXPECT_TRUE(eval(R"([["s","excludes",["set",["c","d"]]]])"));
  EXPECT_TRUE(eval(R"([["m","includes",["map",[["x",1]]]]])"));
  EXPECT_FALSE(eval(R"([["m","includes",["map",[["x",2]]]]])"));
  EXPECT_FALSE(eval(R"([["r","<",1]])"));  // empty optional scalar compares false
  EXPECT_TRUE(eval(R"([true])"));
  EXPECT_FALSE(eval(R"([false])"));
  EXPECT_TRUE(eval(R"([])"));

  auto bad = Condition::from_json(ts, J(R"([["s","<",1]])"), nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().details,
            "Type mismatch: \"<\" operator may not be applied to column s of type set of strings.");
  EXPECT_EQ(Condition::from_json(ts, J(R"([["zz","==",1]])"), nullptr).error().tag, "unknown column");
  EXPECT_EQ(Condition::from_json(ts, J(R"([["i","~",1]])"), nullptr).error().tag, "unknown function");
  EXPECT_EQ(Condition::from_json(ts, J(R"([["i","=="]])"), nullptr).error().details,
            "Parse error in condition.");
}

TEST(OvsdbMutation, ScalarAndSetMutations) {
  DatabaseSchema s = test_schema();
  const TableSchema& ts = *s.find_table("T");
  auto row = row_of(ts, R"({"i":7,"s":["set",["a"]],"m":["map",[["x",1]]]})");
  auto run = [&](const char* mutations) -> OStatus {
    auto m = MutationSet::from_json(ts, J(mutations), nullptr);
    if (!m.ok()) return m.take_error();
    return m->execute(row, ts);
  };
  ASSERT_TRUE(run(R"([["i","+=",3],["i","*=",2],["i","%=",6]])").ok());
  EXPECT_EQ(std::get<int64_t>(row[ts.find_column("i")->index].keys[0]), 2);
  ASSERT_TRUE(run(R"([["s","insert",["set",["b","a"]]],["s","delete","a"]])").ok());
  EXPECT_EQ(row[ts.find_column("s")->index].to_string(ts.find_column("s")->type), "[b]");
  ASSERT_TRUE(run(R"([["m","insert",["map",[["x",5],["y",2]]]]])").ok());
  EXPECT_EQ(row[ts.find_column("m")->index].to_string(ts.find_column("m")->type), "{x=1, y=2}");
  auto over = run(R"([["m","insert",["map",[["z",3]]]]])");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().details,
            "Attempted to store 3 elements in map of up to 2 (string, integer) pairs.");
  row = row_of(ts, R"({"i":7,"m":["map",[["x",1],["y",2]]]})");
  ASSERT_TRUE(run(R"([["m","delete",["set",["x"]]],["m","delete",["map",[["y",3]]]]])").ok());
  EXPECT_EQ(row[ts.find_column("m")->index].to_string(ts.find_column("m")->type), "{y=2}");

  EXPECT_EQ(run(R"([["i","/=",0]])").error().tag, "domain error");
  row = row_of(ts, R"({"i":9223372036854775807})");
  auto range = run(R"([["i","+=",1]])");
  EXPECT_EQ(range.error().tag, "range error");
  EXPECT_EQ(range.error().details, "Result of \"+=\" operation is out of range.");
  EXPECT_EQ(run(R"([["k","insert","x"]])").error().details, "Cannot mutate immutable column k in table T.");
  EXPECT_EQ(run(R"([["r","%=",1]])").error().details,
            "Type mismatch: \"%=\" operator may not be applied to column r of type set of up to 1 "
            "reals.");
  EXPECT_EQ(run(R"([["i","^=",1]])").error().tag, "unknown mutator");
}

}  // namespace
}  // namespace grebe::ovsdb
