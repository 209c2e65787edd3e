// Network byte order helpers.  Wire structs keep big-endian values in these
// types so a missing conversion is visible in review.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace grebe {

constexpr uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }
constexpr uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
constexpr uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

static_assert(std::endian::native == std::endian::little,
              "byteorder.h assumes a little-endian host");

constexpr uint16_t hton16(uint16_t v) { return bswap16(v); }
constexpr uint32_t hton32(uint32_t v) { return bswap32(v); }
constexpr uint64_t hton64(uint64_t v) { return bswap64(v); }
constexpr uint16_t ntoh16(uint16_t v) { return bswap16(v); }
constexpr uint32_t ntoh32(uint32_t v) { return bswap32(v); }
constexpr uint64_t ntoh64(uint64_t v) { return bswap64(v); }

// Unaligned big-endian loads and stores on byte buffers.
inline uint16_t load_be16(const void* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return ntoh16(v);
}
inline uint32_t load_be32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntoh32(v);
}
inline uint64_t load_be64(const void* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return ntoh64(v);
}
inline void store_be16(void* p, uint16_t v) {
  v = hton16(v);
  std::memcpy(p, &v, 2);
}
inline void store_be32(void* p, uint32_t v) {
  v = hton32(v);
  std::memcpy(p, &v, 4);
}
inline void store_be64(void* p, uint64_t v) {
  v = hton64(v);
  std::memcpy(p, &v, 8);
}

}  // namespace grebe
