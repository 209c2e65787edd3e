#include "ovs_json.h"

#include <cfloat>
#include <cinttypes>
#include <cstring>

#include "grebe/util/hash.h"

namespace grebe::ovsdb_client {
namespace {

// OVS's hash_bytes() with basis 0, as shash uses for names (little-endian
// words, zero-padded tail, murmur3 mixing).
uint32_t shash_hash(std::string_view name) {
  uint32_t hash = 0;
  size_t i = 0;
  for (; i + 4 <= name.size(); i += 4) {
    uint32_t word;
    memcpy(&word, name.data() + i, 4);
    hash = hash_add(hash, word);
  }
  if (i < name.size()) {
    uint32_t tail = 0;
    memcpy(&tail, name.data() + i, name.size() - i);
    hash = hash_add(hash, tail);
  }
  return hash_finish(hash, static_cast<uint32_t>(name.size()));
}

// OVS's hmap sizing: buckets = mask + 1, at least 4 once it grows.
size_t calc_mask(size_t capacity) {
  size_t mask = capacity / 2;
  for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
  mask |= (mask & 1) << 1;
  return mask;
}

struct Entry {
  uint32_t hash;
  size_t index;
};

// A model of OVS's hmap: each bucket is a list with the newest entry first.
class HmapModel {
 public:
  void insert(Entry e) {
    push_front(buckets_[e.hash & mask_], e);
    n_++;
    if (n_ / 2 > mask_) {
      size_t new_mask = calc_mask(n_);
      if (new_mask > mask_) resize(new_mask);
    }
  }
  std::vector<size_t> order() const {
    std::vector<size_t> out;
    for (const auto& bucket : buckets_)
      for (const Entry& e : bucket) out.push_back(e.index);
    return out;
  }

 private:
  static void push_front(std::vector<Entry>& bucket, Entry e) { bucket.insert(bucket.begin(), e); }
  void resize(size_t new_mask) {
    std::vector<std::vector<Entry>> fresh(new_mask + 1);
    for (const auto& bucket : buckets_)
      for (const Entry& e : bucket) push_front(fresh[e.hash & new_mask], e);
    buckets_ = std::move(fresh);
    mask_ = new_mask;
  }

  std::vector<std::vector<Entry>> buckets_{1};
  size_t mask_ = 0;
  size_t n_ = 0;
};

void put_string(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

struct Serializer {
  bool pretty;
  bool sort;
  std::string out;
  int depth = 0;

  void indent() {
    if (!pretty) return;
    out.push_back('\n');
    out.append(2 * depth, ' ');
  }
  void member(bool first, const std::string& key, const OJson& value) {
    if (!first) {
      out.push_back(',');
      indent();
    }
    put_string(key, &out);
    out.push_back(':');
    if (pretty) out.push_back(' ');
    write(value);
  }
  void object(const OJson& json) {
    out.push_back('{');
    depth++;
    indent();
    bool first = true;
    if (sort) {
      std::vector<const std::string*> keys;
      for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(&it.key());
      std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
      for (const auto* k : keys) {
        member(first, *k, json.at(*k));
        first = false;
      }
    } else {
      for (auto it = json.begin(); it != json.end(); ++it) {
        member(first, it.key(), it.value());
        first = false;
      }
    }
    out.push_back('}');
    depth--;
  }
  void array(const OJson& json) {
    out.push_back('[');
    depth++;
    if (!json.empty()) {
      indent();
      bool first = true;
      for (const auto& e : json) {
        if (!first) {
          out.push_back(',');
          indent();
        }
        first = false;
        write(e);
      }
    }
    depth--;
    out.push_back(']');
  }
  void write(const OJson& json) {
    char buf[64];
    switch (json.type()) {
      case OJson::value_t::null: out += "null"; break;
      case OJson::value_t::boolean: out += json.get<bool>() ? "true" : "false"; break;
      case OJson::value_t::object: object(json); break;
      case OJson::value_t::array: array(json); break;
      case OJson::value_t::number_integer:
        snprintf(buf, sizeof buf, "%" PRId64, json.get<int64_t>());
        out += buf;
        break;
      case OJson::value_t::number_unsigned:
        snprintf(buf, sizeof buf, "%" PRIu64, json.get<uint64_t>());
        out += buf;
        break;
      case OJson::value_t::number_float:
        snprintf(buf, sizeof buf, "%.*g", DBL_DIG, json.get<double>());
        out += buf;
        break;
      case OJson::value_t::string: put_string(json.get_ref<const std::string&>(), &out); break;
      default: out += "null"; break;
    }
  }
};

}  // namespace

std::vector<std::string> shash_order(const std::vector<std::string>& names) {
  HmapModel model;
  for (size_t i = 0; i < names.size(); i++) model.insert({shash_hash(names[i]), i});
  std::vector<std::string> out;
  for (size_t i : model.order()) out.push_back(names[i]);
  return out;
}

OJson shash_object(const OJson& inserted) {
  std::vector<std::string> names;
  for (auto it = inserted.begin(); it != inserted.end(); ++it) names.push_back(it.key());
  OJson out = OJson::object();
  for (const std::string& name : shash_order(names)) out[name] = inserted.at(name);
  return out;
}

OJson as_parsed(const OJson& wire) {
  if (wire.is_array()) {
    OJson out = OJson::array();
    for (const auto& e : wire) out.push_back(as_parsed(e));
    return out;
  }
  if (!wire.is_object()) return wire;
  OJson members = OJson::object();
  for (auto it = wire.begin(); it != wire.end(); ++it) members[it.key()] = as_parsed(it.value());
  return shash_object(members);
}

std::string to_ovs_string(const OJson& json, bool pretty) {
  Serializer s{pretty, false, {}};
  s.write(json);
  return std::move(s.out);
}

std::string to_sorted_string(const OJson& json, bool pretty) {
  Serializer s{pretty, true, {}};
  s.write(json);
  return std::move(s.out);
}

Result<OJson> parse_text(std::string_view text) {
  OJson json = OJson::parse(text, nullptr, false);
  if (json.is_discarded()) return Error(EINVAL, "syntax error parsing JSON");
  return json;
}

}  // namespace grebe::ovsdb_client
