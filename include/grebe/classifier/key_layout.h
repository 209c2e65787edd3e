// KeyLayout: what the classifier knows about the keys it classifies.
//
// The classifier works on an abstract key of `n_words` uint64 words (a Flow
// seen as words).  The layout tells it two things the key's owner knows:
//
//   - stage boundaries: the key is laid out as metadata, L2, L3, L4 (or any
//     other order of "cheap to decide first" groups).  Subtables hash the key
//     one stage at a time so that a miss in an early stage leaves the later
//     stages wildcarded in the megaflow.
//   - prefix fields (IPv4/IPv6 addresses): fields on which rules usually match
//     CIDR prefixes.  A prefix trie per field lets a lookup skip subtables and
//     un-wildcard only the address bits it needed.
//
// Layouts are built by code (the Flow binding), not from input, so a bad one
// is a programming error; validate() says what is wrong.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::classifier {

// Largest key the classifier accepts; lookups keep per-call scratch state on
// the stack sized by this.
inline constexpr size_t kMaxKeyWords = 128;
// Most stages a layout may declare.
inline constexpr size_t kMaxStages = 8;
// Most prefix fields a layout may offer, and most a classifier uses at once
// (OVS's CLS_MAX_TRIES).
inline constexpr size_t kMaxPrefixFields = 16;
inline constexpr size_t kMaxTries = 3;

// A 128-bit prefix value, most significant bit first: bit 0 of the prefix is
// the top bit of `hi`.  IPv4 addresses use the first 32 bits.
struct Prefix128 {
  uint64_t hi = 0;
  uint64_t lo = 0;

  friend bool operator==(const Prefix128&, const Prefix128&) = default;
  // Bit `i` (0 = most significant).
  bool bit(unsigned i) const { return i < 64 ? (hi >> (63 - i)) & 1 : (lo >> (127 - i)) & 1; }
  // The all-ones prefix of `n_bits` bits (a CIDR netmask).
  static Prefix128 netmask(unsigned n_bits) {
    if (n_bits >= 128) return Prefix128{~0ull, ~0ull};
    if (n_bits >= 64) return Prefix128{~0ull, n_bits == 64 ? 0 : ~0ull << (128 - n_bits)};
    return Prefix128{n_bits == 0 ? 0 : ~0ull << (64 - n_bits), 0};
  }
  // This value with all bits from `n_bits` on cleared.
  Prefix128 truncated(unsigned n_bits) const {
    const Prefix128 m = netmask(n_bits);
    return Prefix128{hi & m.hi, lo & m.lo};
  }
  // Number of leading bits equal in both (0..128).
  unsigned common_prefix_len(const Prefix128& other) const {
    const uint64_t dh = hi ^ other.hi;
    if (dh) return static_cast<unsigned>(std::countl_zero(dh));
    return 64 + static_cast<unsigned>(std::countl_zero(lo ^ other.lo));  // 128 if equal
  }
};

// Where one prefix field lives in the key.  The field is a sequence of bytes,
// most significant first; `byte_pos[k]` is the key bit position
// (word * 64 + shift) of the least significant bit of byte k.
struct PrefixField {
  std::string name;     // "nw_src", "ipv6_dst", ... (OVS field names)
  unsigned n_bits = 0;  // 1..128, a multiple of 8
  std::array<uint16_t, 16> byte_pos{};

  unsigned n_bytes() const { return n_bits / 8; }
  // Key word holding the first (most significant) byte.
  size_t first_word() const { return byte_pos[0] / 64; }

  // A field stored as a big-endian (network order) byte string at byte
  // offset `key_byte_offset` of the key seen as memory (the usual layout of
  // a struct holding ovs_be32 / in6_addr members).
  static PrefixField network_order(std::string name, size_t key_byte_offset, unsigned n_bytes);
  // A field stored as a host-order integer: its most significant bit is bit
  // `msb` (63 = top) of key word `word`, continuing into the next word's top
  // bit when it crosses a word boundary.
  static PrefixField host_order(std::string name, size_t word, unsigned msb, unsigned n_bits);
  // A field made of arbitrary key bytes: `key_byte_offsets` lists, most
  // significant first, the memory offset in the key of each byte (e.g. the
  // L4 ports as tp_src then tp_dst, each a host-order uint16).
  static PrefixField from_byte_offsets(std::string name,
                                       std::initializer_list<size_t> key_byte_offsets);

  // The field's value in `words` (a key, mask or wildcard of the layout).
  Prefix128 extract(const uint64_t* words) const;
  // Overwrites the field in `words` with `value`.
  void store(uint64_t* words, const Prefix128& value) const;
  // ORs the first `n_bits` bits of the field into `words` (a wildcard mask).
  void set_prefix_bits(uint64_t* words, unsigned n_bits) const;
  // True if the first `n_bits` bits of the field are all set in `words`.
  bool prefix_bits_set(const uint64_t* words, unsigned n_bits) const;
  // If the field's mask in `mask` is a CIDR netmask, its length (0 when the
  // field is wildcarded); -1 when it is not a prefix (e.g. 0xff00ff00).
  int mask_prefix_len(const uint64_t* mask) const;
};

// A plain bit field of the key: `n_bits` bits at bit `shift` of word `word`.
struct KeyField {
  size_t word = 0;
  unsigned shift = 0;
  unsigned n_bits = 0;
};

struct KeyLayout {
  size_t n_words = 0;
  // Exclusive end word of each stage, strictly increasing; the last is n_words.
  std::vector<size_t> stage_ends;
  // Fields that may get a prefix trie (at most kMaxPrefixFields); each must
  // lie within one stage.  A new classifier uses the first kMaxTries.
  std::vector<PrefixField> prefix_fields;
  // Optional: the L4 ports (OVS: tp_src and tp_dst as one 32-bit field).
  // When a subtable's last stage holds them and misses, a per-subtable trie of
  // the rules' port values tells how few port bits the megaflow needs.
  std::optional<PrefixField> ports_field;
  // Optional: where the key holds conj_id (OVS's 32-bit conjunction id).
  // Without it, rules with conjunctions are rejected.
  std::optional<KeyField> conj_id_field;

  // Ok, or EINVAL with what is wrong.
  Status validate() const;
  // Index of the stage holding key word `word`.
  size_t stage_of_word(size_t word) const;
};

}  // namespace grebe::classifier
