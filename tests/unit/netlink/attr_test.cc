#include "grebe/netlink/attr.h"

#include <gtest/gtest.h>

namespace grebe::nl {
namespace {

enum : uint16_t {
  A_UNSPEC,
  A_U8,
  A_U16,
  A_U32,
  A_U64,
  A_BE32,
  A_FLAG,
  A_STR,
  A_NEST,
  A_BLOB,
  A_MAX
};

constexpr AttrPolicyTable<A_MAX> kPolicy = [] {
  AttrPolicyTable<A_MAX> t{};
  t[A_U8] = {AttrKind::kU8, true, 0, 0, "u8"};
  t[A_U16] = {AttrKind::kU16, true, 0, 0, "u16"};
  t[A_U32] = {AttrKind::kU32, false, 0, 0, "u32"};
  t[A_U64] = {AttrKind::kU64, true, 0, 0, "u64"};
  t[A_BE32] = {AttrKind::kBe32, true, 0, 0, "be32"};
  t[A_FLAG] = {AttrKind::kFlag, true, 0, 0, "flag"};
  t[A_STR] = {AttrKind::kString, true, 0, 8, "str"};
  t[A_NEST] = {AttrKind::kNested, true, 0, 0, "nest"};
  t[A_BLOB] = {AttrKind::kUnspec, true, 2, 6, "blob"};
  return t;
}();

TEST(AttrBuilder, EncodesAlignedHeaders) {
  AttrBuilder b;
  b.put_u8(A_U8, 0x7f);
  ASSERT_EQ(b.size(), 8u);  // 4 header + 1 payload + 3 pad
  EXPECT_EQ(b.data()[0], 5);
  EXPECT_EQ(b.data()[1], 0);
  EXPECT_EQ(b.data()[2], A_U8);
  EXPECT_EQ(b.data()[4], 0x7f);
  b.put_be32(A_BE32, 0x01020304);
  ASSERT_EQ(b.size(), 16u);
  EXPECT_EQ(b.data()[12], 1);
  EXPECT_EQ(b.data()[15], 4);
}

TEST(AttrBuilder, NestedRoundTrip) {
  AttrBuilder b;
  size_t nest = b.start_nested(A_NEST);
  b.put_u32(A_U32, 42);
  b.put_string(A_STR, "abc");
  b.end_nested(nest);
  b.put_flag(A_FLAG);
  auto top = parse_attrs(b.bytes(), kPolicy);
  ASSERT_FALSE(top.ok());  // required u32 missing at the top level
  EXPECT_EQ(top.error().message(), "required u32 missing");

  Attr n = find_attr(b.bytes(), A_NEST);
  ASSERT_TRUE(n.valid());
  EXPECT_EQ(n.size(), 8u + 8u);
  auto inner = parse_attrs(n.payload(), kPolicy);
  ASSERT_TRUE(inner.ok()) << inner.error().message();
  EXPECT_EQ((*inner)[A_U32].get_u32(), 42u);
  EXPECT_EQ((*inner)[A_STR].get_string(), "abc");
  EXPECT_FALSE(inner->has(A_FLAG));
}

TEST(AttrBuilder, DropEmptyNest) {
  AttrBuilder b;
  b.put_u16(A_U16, 1);
  size_t nest = b.start_nested(A_NEST);
  EXPECT_TRUE(b.end_nested_drop_if_empty(nest));
  EXPECT_EQ(b.size(), 8u);
}

TEST(AttrBuilder, OverflowIsReported) {
  AttrBuilder b;
  std::vector<uint8_t> big(70000);
  b.put_unspec(A_BLOB, big.data(), big.size());
  EXPECT_TRUE(b.overflowed());
  AttrBuilder c;
  size_t nest = c.start_nested(A_NEST);
  for (int i = 0; i < 9000; i++) c.put_u64(A_U64, i);
  c.end_nested(nest);
  EXPECT_TRUE(c.overflowed());
}

TEST(ParseAttrs, TypedValues) {
  AttrBuilder b;
  b.put_u32(A_U32, 0xdeadbeef);
  b.put_u64(A_U64, 0x0102030405060708ull);
  b.put_be32(A_BE32, 0x0a000001);
  b.put_u16(A_U16, 65535);
  b.put_u16(200, 1);  // unknown: skipped
  auto p = parse_attrs(b.bytes(), kPolicy);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ((*p)[A_U32].get_u32(), 0xdeadbeefu);
  EXPECT_EQ((*p)[A_U64].get_u64(), 0x0102030405060708ull);
  EXPECT_EQ((*p)[A_BE32].get_be32(), 0x0a000001u);
  EXPECT_EQ((*p)[A_U16].get_u16(), 65535);
  EXPECT_FALSE((*p)[200].valid());
}

TEST(ParseAttrs, RejectsDuplicate) {
  AttrBuilder b;
  b.put_u32(A_U32, 1);
  b.put_u32(A_U32, 2);
  auto p = parse_attrs(b.bytes(), kPolicy);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), "duplicate u32");
}

TEST(ParseAttrs, RejectsWrongLengths) {
  AttrBuilder b;
  b.put_u32(A_U32, 1);
  b.put_u16(A_U8, 1);
  auto p = parse_attrs(b.bytes(), kPolicy);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), "u8 has length 2 (expected 1)");

  AttrBuilder c;
  c.put_u32(A_U32, 1);
  c.put_unspec(A_BLOB, "x", 1);
  EXPECT_EQ(parse_attrs(c.bytes(), kPolicy).error().message(), "blob has length 1 (minimum 2)");
  AttrBuilder d;
  d.put_u32(A_U32, 1);
  d.put_unspec(A_BLOB, "1234567", 7);
  EXPECT_EQ(parse_attrs(d.bytes(), kPolicy).error().message(), "blob has length 7 (maximum 6)");
  AttrBuilder e;
  e.put_u32(A_U32, 1);
  e.put_unspec(A_STR, "abc", 3);
  EXPECT_EQ(parse_attrs(e.bytes(), kPolicy).error().message(), "str is not NUL-terminated");
  AttrBuilder f;
  f.put_u32(A_U32, 1);
  f.put_string(A_STR, "123456789");
  EXPECT_EQ(parse_attrs(f.bytes(), kPolicy).error().message(), "str is longer than 8 characters");
}

TEST(ParseAttrs, RejectsTruncatedAndGarbage) {
  AttrBuilder b;
  b.put_u32(A_U32, 1);
  std::vector<uint8_t> buf = b.data();
  buf.push_back(0x55);  // a byte too short to be a header
  auto p = parse_attrs(buf, kPolicy);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), "attributes followed by 1 bytes of garbage");

  // A header claiming more than the buffer holds.
  std::vector<uint8_t> over = {40, 0, A_U32, 0, 1, 2, 3, 4};
  EXPECT_FALSE(parse_attrs(over, kPolicy).ok());
  // A header claiming less than its own size.
  std::vector<uint8_t> under = {2, 0, A_U32, 0};
  EXPECT_FALSE(parse_attrs(under, kPolicy).ok());
}

TEST(ParseAttrs, RejectsMalformedNest) {
  AttrBuilder b;
  b.put_u32(A_U32, 1);
  uint8_t junk[5] = {9, 0, 1, 0, 0};
  b.put_unspec(A_NEST, junk, sizeof junk);
  auto p = parse_attrs(b.bytes(), kPolicy);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message().rfind("nested nest:", 0), 0u) << p.error().message();
}

TEST(AttrIterator, LastAttributeWithoutPadding) {
  std::vector<uint8_t> buf = {5, 0, A_U8, 0, 9};
  AttrIterator it(buf);
  ASSERT_TRUE(it.ok());
  EXPECT_EQ(it.attr().get_u8(), 9);
  it.next();
  EXPECT_FALSE(it.ok());
  EXPECT_FALSE(it.malformed());
  EXPECT_EQ(count_attrs(buf).value(), 1u);
}

TEST(AttrIterator, RandomBytesNeverOverrun) {
  // Every prefix of a valid buffer plus random noise must iterate safely.
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; round++) {
    std::vector<uint8_t> buf(seed % 64);
    for (auto& byte : buf) {
      seed = seed * 1103515245 + 12345;
      byte = static_cast<uint8_t>(seed >> 16);
    }
    seed = seed * 1103515245 + 12345;
    size_t total = 0;
    for (AttrIterator it(buf); it.ok(); it.next()) {
      total += it.attr().total_size();
      (void)it.attr().get_u64();
      ASSERT_LE(it.attr().data() + it.attr().size(), buf.data() + buf.size());
    }
    (void)parse_attrs(buf, kPolicy);
  }
}

TEST(HexString, Formats) {
  std::vector<uint8_t> v = {0x01, 0xab, 0x00};
  EXPECT_EQ(hex_string(v), "01ab00");
}

}  // namespace
}  // namespace grebe::nl
