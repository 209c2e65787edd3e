#include "grebe/classifier/key_layout.h"

#include <bit>

namespace grebe::classifier {

PrefixField PrefixField::network_order(std::string name, size_t key_byte_offset, unsigned n_bytes) {
  PrefixField f;
  f.name = std::move(name);
  f.n_bits = n_bytes * 8;
  for (unsigned k = 0; k < n_bytes && k < 16; ++k) {
    // Key words are host (little-endian) uint64s over the key's memory, so
    // byte offset o is bits [8*(o%8), 8*(o%8)+8) of word o/8.
    const size_t o = key_byte_offset + k;
    f.byte_pos[k] = static_cast<uint16_t>((o / 8) * 64 + (o % 8) * 8);
  }
  return f;
}

PrefixField PrefixField::host_order(std::string name, size_t word, unsigned msb, unsigned n_bits) {
  PrefixField f;
  f.name = std::move(name);
  f.n_bits = n_bits;
  // Absolute position of the field's top bit, counting words big-end first
  // within the field: word*64 + msb, then continuing at (word+1)*64 + 63.
  size_t w = word;
  int top = static_cast<int>(msb);
  for (unsigned k = 0; k < n_bits / 8 && k < 16; ++k) {
    if (top < 7) {  // a byte may not straddle words in this encoding
      ++w;
      top = 63;
    }
    f.byte_pos[k] = static_cast<uint16_t>(w * 64 + static_cast<size_t>(top - 7));
    top -= 8;
  }
  return f;
}

PrefixField PrefixField::from_byte_offsets(std::string name,
                                           std::initializer_list<size_t> offsets) {
  PrefixField f;
  f.name = std::move(name);
  f.n_bits = static_cast<unsigned>(offsets.size()) * 8;
  unsigned k = 0;
  for (size_t o : offsets) {
    if (k == 16) break;
    f.byte_pos[k++] = static_cast<uint16_t>((o / 8) * 64 + (o % 8) * 8);
  }
  return f;
}

void PrefixField::store(uint64_t* words, const Prefix128& value) const {
  for (unsigned k = 0; k < n_bytes(); ++k) {
    const uint64_t half = k < 8 ? value.hi : value.lo;
    const uint64_t byte = (half >> (56 - 8 * (k % 8))) & 0xff;
    uint64_t& w = words[byte_pos[k] / 64];
    w = (w & ~(uint64_t{0xff} << (byte_pos[k] % 64))) | (byte << (byte_pos[k] % 64));
  }
}

Prefix128 PrefixField::extract(const uint64_t* words) const {
  Prefix128 v;
  for (unsigned k = 0; k < n_bytes(); ++k) {
    const uint64_t byte = (words[byte_pos[k] / 64] >> (byte_pos[k] % 64)) & 0xff;
    if (k < 8) {
      v.hi |= byte << (56 - 8 * k);
    } else {
      v.lo |= byte << (56 - 8 * (k - 8));
    }
  }
  return v;
}

void PrefixField::set_prefix_bits(uint64_t* words, unsigned bits) const {
  for (unsigned k = 0; k < n_bytes() && bits > 0; ++k) {
    const unsigned n = bits >= 8 ? 8 : bits;
    const uint64_t byte_mask = (0xffu << (8 - n)) & 0xff;
    words[byte_pos[k] / 64] |= byte_mask << (byte_pos[k] % 64);
    bits -= n;
  }
}

bool PrefixField::prefix_bits_set(const uint64_t* words, unsigned bits) const {
  const Prefix128 want = Prefix128::netmask(bits);
  const Prefix128 have = extract(words);
  return (have.hi & want.hi) == want.hi && (have.lo & want.lo) == want.lo;
}

int PrefixField::mask_prefix_len(const uint64_t* mask) const {
  const Prefix128 m = extract(mask);
  // A netmask is ones followed by zeros: its complement (within the field)
  // plus one is a power of two.
  unsigned ones = 0;
  if (m.hi == ~0ull) {
    ones = 64 + static_cast<unsigned>(std::countl_one(m.lo));
  } else {
    ones = static_cast<unsigned>(std::countl_one(m.hi));
  }
  if (ones > n_bits) return -1;
  return Prefix128::netmask(ones) == m ? static_cast<int>(ones) : -1;
}

Status KeyLayout::validate() const {
  if (n_words == 0 || n_words > kMaxKeyWords) {
    return Error(EINVAL, "key must have 1.." + std::to_string(kMaxKeyWords) + " words");
  }
  if (stage_ends.empty() || stage_ends.size() > kMaxStages) {
    return Error(EINVAL, "key layout must have 1.." + std::to_string(kMaxStages) + " stages");
  }
  for (size_t i = 0; i < stage_ends.size(); ++i) {
    if (stage_ends[i] == 0 || (i > 0 && stage_ends[i] <= stage_ends[i - 1])) {
      return Error(EINVAL, "stage ends must be strictly increasing and non-zero");
    }
  }
  if (stage_ends.back() != n_words) {
    return Error(EINVAL, "last stage must end at the key's last word");
  }
  if (prefix_fields.size() > kMaxPrefixFields) {
    return Error(EINVAL, "too many prefix fields");
  }
  if (conj_id_field) {
    const KeyField& c = *conj_id_field;
    if (c.word >= n_words || c.n_bits == 0 || c.n_bits > 32 || c.shift + c.n_bits > 64) {
      return Error(EINVAL, "conj_id field must be 1..32 bits within one key word");
    }
  }
  std::vector<const PrefixField*> fields;
  for (const PrefixField& f : prefix_fields) fields.push_back(&f);
  if (ports_field) fields.push_back(&*ports_field);
  for (const PrefixField* fp : fields) {
    const PrefixField& f = *fp;
    if (f.n_bits == 0 || f.n_bits > 128 || f.n_bits % 8 != 0) {
      return Error(EINVAL, "prefix field " + f.name + " must have 8..128 bits, whole bytes");
    }
    const size_t stage = stage_of_word(f.first_word());
    for (unsigned k = 0; k < f.n_bytes(); ++k) {
      const size_t word = f.byte_pos[k] / 64u;
      if (word >= n_words || stage_of_word(word) != stage) {
        return Error(EINVAL, "prefix field " + f.name + " must lie within one stage of the key");
      }
    }
  }
  return ok_status();
}

size_t KeyLayout::stage_of_word(size_t word) const {
  size_t s = 0;
  while (s + 1 < stage_ends.size() && word >= stage_ends[s]) ++s;
  return s;
}

}  // namespace grebe::classifier
