#include "grebe/util/uuid.h"

#include <sys/random.h>

#include <cstdio>
#include <mutex>
#include <random>

namespace grebe {

namespace {

// A per-thread generator seeded from the kernel: UUID generation sits on the
// OVSDB insert path, so one getrandom() per UUID would be wasteful.
std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen = [] {
    uint64_t seed[4] = {};
    if (getrandom(seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
      seed[0] = reinterpret_cast<uintptr_t>(&seed) ^ static_cast<uint64_t>(clock());
    }
    std::seed_seq seq{seed[0], seed[1], seed[2], seed[3]};
    return std::mt19937_64(seq);
  }();
  return gen;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::generate() {
  auto& gen = generator();
  uint64_t a = gen(), b = gen();
  Uuid u;
  u.parts = {static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(a),
             static_cast<uint32_t>(b >> 32), static_cast<uint32_t>(b)};
  // Version 4 and RFC 4122 variant.
  u.parts[1] = (u.parts[1] & 0xffff0fffu) | 0x00004000u;
  u.parts[2] = (u.parts[2] & 0x3fffffffu) | 0x80000000u;
  return u;
}

std::optional<Uuid> Uuid::from_string(std::string_view s) {
  if (s.size() != 36) return std::nullopt;
  Uuid u;
  int nibble = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return std::nullopt;
      continue;
    }
    int v = hex_value(s[i]);
    if (v < 0) return std::nullopt;
    u.parts[nibble / 8] = (u.parts[nibble / 8] << 4) | static_cast<uint32_t>(v);
    nibble++;
  }
  return u;
}

std::string Uuid::to_string() const {
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%04x%08x", parts[0],
                parts[1] >> 16, parts[1] & 0xffff, parts[2] >> 16,
                parts[2] & 0xffff, parts[3]);
  return buf;
}

}  // namespace grebe
