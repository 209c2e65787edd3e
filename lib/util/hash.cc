#include "grebe/util/hash.h"

#include <cstring>

namespace grebe {

uint32_t hash_bytes(const void* data, size_t n, uint32_t basis) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t hash = basis;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    std::memcpy(&w, p + i, 4);
    hash = hash_add(hash, w);
  }
  if (i < n) {
    uint32_t w = 0;
    std::memcpy(&w, p + i, n - i);
    hash = hash_add(hash, w);
  }
  return hash_finish(hash, static_cast<uint32_t>(n));
}

uint32_t hash_words64(const uint64_t* words, size_t n, uint32_t basis) {
  uint32_t hash = basis;
  for (size_t i = 0; i < n; i++) hash = hash_add64(hash, words[i]);
  return hash_finish(hash, static_cast<uint32_t>(n * 8));
}

}  // namespace grebe
