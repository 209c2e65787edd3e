#include <gtest/gtest.h>

#include <set>

#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/hash.h"
#include "grebe/util/result.h"
#include "grebe/util/uuid.h"

namespace grebe {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(EINVAL, "not positive");
  return v;
}

Status chain(int v) {
  GREBE_TRY(parse_positive(v));
  return ok_status();
}

TEST(Result, HoldsValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_EQ(bad.error().message(), "not positive");
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, TryPropagates) {
  EXPECT_TRUE(chain(1).ok());
  auto s = chain(0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().to_string(), "not positive (Invalid argument)");
}

TEST(Uuid, RoundTripsAndIsVersion4) {
  std::set<Uuid> seen;
  for (int i = 0; i < 1000; i++) {
    Uuid u = Uuid::generate();
    std::string s = u.to_string();
    ASSERT_EQ(s.size(), 36u);
    EXPECT_EQ(s[14], '4');
    EXPECT_TRUE(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
    auto parsed = Uuid::from_string(s);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, u);
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, RejectsMalformed) {
  EXPECT_FALSE(Uuid::from_string(""));
  EXPECT_FALSE(Uuid::from_string("0123456789abcdef0123456789abcdef0123"));
  EXPECT_FALSE(Uuid::from_string("01234567-89ab-cdef-0123-456789abcdeg"));
  auto u = Uuid::from_string("01234567-89AB-cdef-0123-456789abcdef");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->to_string(), "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(u->short_string(), "01234567");
}

TEST(Hash, DependsOnEveryByteAndBasis) {
  const char a[] = "abcdefghij";
  char b[sizeof a];
  uint32_t h = hash_bytes(a, 10, 0);
  for (int i = 0; i < 10; i++) {
    std::memcpy(b, a, sizeof a);
    b[i] ^= 1;
    EXPECT_NE(hash_bytes(b, 10, 0), h) << i;
  }
  EXPECT_NE(hash_bytes(a, 10, 1), h);
  EXPECT_EQ(hash_bytes(a, 10, 0), h);
}

TEST(ByteOrder, LoadsAndStoresBigEndian) {
  unsigned char buf[8];
  store_be32(buf, 0x01020304);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[3], 4);
  EXPECT_EQ(load_be32(buf), 0x01020304u);
  store_be64(buf, 0x0102030405060708ull);
  EXPECT_EQ(load_be64(buf), 0x0102030405060708ull);
  EXPECT_EQ(load_be16(buf), 0x0102);
}

TEST(Clock, ProcessClockStopsAndWarps) {
  ProcessClock& c = process_clock();
  c.stop();
  long long t0 = c.monotonic_msec();
  EXPECT_EQ(c.monotonic_msec(), t0);
  c.warp(1500);
  EXPECT_EQ(c.monotonic_msec(), t0 + 1500);
}

TEST(Clock, FakeClockIsInjected) {
  FakeClock fake(5000);
  set_clock(&fake);
  EXPECT_EQ(time_msec(), 5000);
  fake.advance(250);
  EXPECT_EQ(time_msec(), 5250);
  set_clock(nullptr);
  EXPECT_NE(time_msec(), 5250);
}

}  // namespace
}  // namespace grebe

namespace grebe {
namespace {
TEST(Clock, WarpMovesMonotonicTimeOnly) {
  ProcessClock& c = process_clock();
  c.stop();
  long long wall0 = c.wall_msec();
  long long mono0 = c.monotonic_msec();
  c.warp(3'600'000);
  EXPECT_EQ(c.monotonic_msec(), mono0 + 3'600'000);
  EXPECT_LT(c.wall_msec() - wall0, 60'000);  // wall clock did not jump an hour
}
}  // namespace
}  // namespace grebe

#include "grebe/util/vlog.h"

namespace grebe {
namespace {
vlog::Module dup_a("util_test_dup");
vlog::Module dup_b("util_test_dup");

TEST(Vlog, ModulesSharingANameShareLevels) {
  vlog::Module* registered = vlog::find_module("util_test_dup");
  ASSERT_NE(registered, nullptr);
  registered->set_level(vlog::Dest::kFile, vlog::Level::kDbg);
  EXPECT_EQ(dup_a.level(vlog::Dest::kFile), vlog::Level::kDbg);
  EXPECT_EQ(dup_b.level(vlog::Dest::kFile), vlog::Level::kDbg);
  dup_b.set_level(vlog::Dest::kConsole, vlog::Level::kOff);
  EXPECT_EQ(dup_a.level(vlog::Dest::kConsole), vlog::Level::kOff);
  EXPECT_TRUE(dup_a.enabled(vlog::Level::kDbg));
}
}  // namespace
}  // namespace grebe
