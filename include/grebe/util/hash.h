// Non-cryptographic hashing for hash tables and flow keys.  Values are not
// stable across releases; never persist them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace grebe {

// Mixes one 32-bit word into a running hash.
constexpr uint32_t hash_add(uint32_t hash, uint32_t data) {
  data *= 0xcc9e2d51u;
  data = (data << 15) | (data >> 17);
  data *= 0x1b873593u;
  hash ^= data;
  hash = (hash << 13) | (hash >> 19);
  return hash * 5 + 0xe6546b64u;
}
constexpr uint32_t hash_add64(uint32_t hash, uint64_t data) {
  return hash_add(hash_add(hash, static_cast<uint32_t>(data)),
                  static_cast<uint32_t>(data >> 32));
}
// Final avalanche; `n_bytes` is the number of bytes hashed.
constexpr uint32_t hash_finish(uint32_t hash, uint32_t n_bytes) {
  hash ^= n_bytes;
  hash ^= hash >> 16;
  hash *= 0x85ebca6bu;
  hash ^= hash >> 13;
  hash *= 0xc2b2ae35u;
  hash ^= hash >> 16;
  return hash;
}

uint32_t hash_bytes(const void* data, size_t n, uint32_t basis);
inline uint32_t hash_string(std::string_view s, uint32_t basis) {
  return hash_bytes(s.data(), s.size(), basis);
}
// Hashes n 64-bit words (the fast path for flow keys and masks).
uint32_t hash_words64(const uint64_t* words, size_t n, uint32_t basis);

constexpr uint32_t hash_int(uint32_t x, uint32_t basis) {
  return hash_finish(hash_add(basis, x), 4);
}
constexpr uint64_t hash_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

}  // namespace grebe
