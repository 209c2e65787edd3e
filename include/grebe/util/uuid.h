// RFC 4122 UUIDs as OVSDB uses them (version 4, random).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grebe {

struct Uuid {
  std::array<uint32_t, 4> parts{};  // parts[0] holds the first 8 hex digits

  static Uuid generate();  // random version 4; thread-safe
  static Uuid zero() { return Uuid{}; }
  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (case-insensitive).
  static std::optional<Uuid> from_string(std::string_view s);
  static bool is_uuid_string(std::string_view s) { return from_string(s).has_value(); }

  bool is_zero() const { return parts == std::array<uint32_t, 4>{}; }
  std::string to_string() const;
  // The first 8 hex digits, as OVS abbreviates UUIDs.
  std::string short_string() const { return to_string().substr(0, 8); }
  uint32_t hash() const { return parts[0]; }

  auto operator<=>(const Uuid&) const = default;
};

struct UuidHash {
  size_t operator()(const Uuid& u) const { return u.parts[0] ^ (uint64_t(u.parts[1]) << 32); }
};

}  // namespace grebe
