// OVSDB text syntax: the forms ovs-vsctl accepts and OVS's error messages.
#include "grebe/ovsdb_idl/datum_text.h"

#include <gtest/gtest.h>

namespace grebe::ovsdb_idl {
namespace {

using ovsdb::AtomicType;
using ovsdb::BaseType;
using ovsdb::Type;

Type string_map() {
  Type t(BaseType(AtomicType::kString), 0, UINT_MAX);
  t.value = BaseType(AtomicType::kString);
  return t;
}

std::string roundtrip(const Type& type, const std::string& text) {
  auto d = datum_from_text(type, text, nullptr);
  if (!d) return "error: " + d.error().message();
  return d->to_string(type);
}

TEST(DatumText, Scalars) {
  Type i(BaseType(AtomicType::kInteger), 1, 1);
  EXPECT_EQ(roundtrip(i, "42"), "42");
  EXPECT_EQ(roundtrip(i, "x"), "error: \"x\" is not a valid integer");
  Type b(BaseType(AtomicType::kBoolean), 1, 1);
  EXPECT_EQ(roundtrip(b, "yes"), "true");
  EXPECT_EQ(roundtrip(b, "maybe"),
            "error: \"maybe\" is not a valid boolean (use \"true\" or \"false\")");
  Type s(BaseType(AtomicType::kString), 1, 1);
  EXPECT_EQ(roundtrip(s, "\"a b\""), "\"a b\"");
  EXPECT_EQ(roundtrip(s, "br0"), "br0");
  EXPECT_EQ(roundtrip(s, ""), "error: use \"[]\" to specify the empty set");
}

TEST(DatumText, SetsAndMaps) {
  Type set(BaseType(AtomicType::kInteger), 0, UINT_MAX);
  EXPECT_EQ(roundtrip(set, "3,1 2"), "[1, 2, 3]");
  EXPECT_EQ(roundtrip(set, "[]"), "[]");
  EXPECT_EQ(roundtrip(set, "1-3"), "[1, 2, 3]");
  EXPECT_EQ(roundtrip(set, "1,1"), "error: 1,1: set contains duplicate value");
  Type map = string_map();
  EXPECT_EQ(roundtrip(map, "{b=2, a=1}"), "{a=\"1\", b=\"2\"}");
  EXPECT_EQ(roundtrip(map, "a=\"x y\""), "{a=\"x y\"}");
  EXPECT_EQ(roundtrip(map, "x"), std::string("error: x: syntax error at \"") + '\0' +
                                     "\" expecting \"=\"");
  EXPECT_EQ(roundtrip(map, "{a=1"), "error: {a=1: missing \"}\" at end of data");
}

TEST(DatumText, Constraints) {
  BaseType tag(AtomicType::kInteger);
  tag.min_integer = 0;
  tag.max_integer = 4095;
  Type t(tag, 0, 1);
  EXPECT_EQ(roundtrip(t, "4096"),
            "error: constraint violation: 4096 is not in the valid range 0 to 4095 (inclusive)");
  Type one(BaseType(AtomicType::kString), 0, 1);
  EXPECT_EQ(roundtrip(one, "a,b"), "error: a,b: 2 value(s) specified but the maximum number is 1");
}

TEST(DatumText, Symbols) {
  ovsdb::SymbolTable symtab;
  BaseType ref(AtomicType::kUuid);
  ref.ref_table = "Child";
  auto a = atom_from_text(ref, "@x", &symtab);
  ASSERT_TRUE(a.ok());
  ASSERT_NE(symtab.find("@x"), nullptr);
  EXPECT_TRUE(symtab.find("@x")->strong_ref);
  EXPECT_EQ(std::get<Uuid>(*a), symtab.find("@x")->uuid);
  EXPECT_FALSE(atom_from_text(ref, "@x", nullptr).ok());
}

TEST(DatumText, Tokens) {
  size_t pos = 0;
  auto t = parse_token("external-ids:iface-id", &pos);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "external-ids");
  EXPECT_EQ(pos, 12u);
  pos = 0;
  EXPECT_EQ(*parse_token("a\\:b=c", &pos), "a:b");
  pos = 0;
  EXPECT_FALSE(parse_token("\"abc", &pos).ok());
}

}  // namespace
}  // namespace grebe::ovsdb_idl
