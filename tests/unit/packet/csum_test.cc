#include <gtest/gtest.h>

#include "grebe/packet/csum.h"

namespace grebe {
namespace {

TEST(Csum, Ipv4HeaderKnownAnswer) {
  // Classic example header (Wikipedia "IPv4 header checksum"): 0xb861.
  const uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                           0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(csum(hdr, sizeof hdr), 0xb861);
  uint8_t with[20];
  std::memcpy(with, hdr, 20);
  with[10] = 0xb8;
  with[11] = 0x61;
  EXPECT_EQ(csum(with, sizeof with), 0);
}

TEST(Csum, IncrementalMatchesFull) {
  uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  uint16_t before = csum(hdr, 20);
  uint32_t old_src = load_be32(hdr + 12);
  store_be32(hdr + 12, 0x0a0b0c0d);
  EXPECT_EQ(recalc_csum32(before, old_src, 0x0a0b0c0d), csum(hdr, 20));
  uint16_t c2 = csum(hdr, 20);
  hdr[8] = 0x3f;  // ttl 63: the 16-bit word is ttl|proto
  EXPECT_EQ(recalc_csum16(c2, 0x4011, 0x3f11), csum(hdr, 20));
}

TEST(Csum, OddLengthAndCrc32c) {
  const uint8_t odd[3] = {0x01, 0x02, 0x03};
  EXPECT_EQ(csum(odd, 3), static_cast<uint16_t>(~(0x0102 + 0x0300)));
  // RFC 3720 B.4 test vector: 32 bytes of zeros -> 0x8a9136aa.
  uint8_t zeros[32] = {};
  EXPECT_EQ(crc32c(zeros, 32), 0x8a9136aau);
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
}

}  // namespace
}  // namespace grebe
