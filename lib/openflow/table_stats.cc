// Table statistics; see table_stats.h.
#include "grebe/openflow/table_stats.h"

#include <cstring>

#include "grebe/openflow/multipart.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

size_t record_size(uint8_t version) {
  switch (version) {
    case kOfp10: return 64;
    case kOfp11: return 88;
    case kOfp12: return 128;
    default: return 24;
  }
}

void put_name(OfpBuf& b, const std::string& name) {
  char n[32] = {};
  std::memcpy(n, name.data(), std::min<size_t>(name.size(), 31));
  b.put_bytes(n, 32);
}

std::string pull_name(const uint8_t* p) {
  std::string s(reinterpret_cast<const char*>(p), 32);
  return s.substr(0, s.find('\0'));
}

// The OF1.0 fields a wildcard bitmap makes matchable, in OVS's field order.
std::vector<std::string> of10_fields(uint32_t wc) {
  static const struct {
    uint32_t bits;
    const char* name;
  } kFields[] = {{1u << 0, "in_port"},  {1u << 2, "eth_src"},    {1u << 3, "eth_dst"},
                 {1u << 4, "eth_type"}, {1u << 1, "vlan_vid"},   {1u << 20, "vlan_pcp"},
                 {0x3fu << 8, "ip_src"}, {0x3fu << 14, "ip_dst"}, {1u << 5, "nw_proto"},
                 {1u << 21, "nw_tos"},  {1u << 6, "tcp_src"},    {1u << 7, "tcp_dst"}};
  std::vector<std::string> out;
  for (const auto& f : kFields)
    if (wc & f.bits) out.emplace_back(f.name);
  return out;
}

// What one table's features print as, so equal features compare equal.
struct Features {
  uint32_t max_entries = 0;
  std::vector<std::string> match;
  bool empty() const { return !max_entries && match.empty(); }
  bool operator==(const Features&) const = default;
};

Features features_of(const TableStats& t, uint8_t version) {
  Features f;
  if (version == kOfp10) {
    f.max_entries = t.max_entries;
    f.match = of10_fields(t.wildcards);
  } else if (version <= kOfp12) {
    f.max_entries = t.max_entries;
  }
  return f;
}

}  // namespace

std::string format_field_names(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size();) {
    size_t us = names[i].find('_');
    std::string prefix = us == std::string::npos ? "" : names[i].substr(0, us + 1);
    size_t j = i + 1;
    while (!prefix.empty() && j < names.size() && names[j].starts_with(prefix)) ++j;
    if (!s.empty()) s += ' ';
    if (j - i > 1) {
      s += prefix.substr(0, prefix.size()) + "{";
      for (size_t k = i; k < j; ++k) s += (k > i ? "," : "") + names[k].substr(prefix.size());
      s += "}";
    } else {
      s += names[i];
    }
    i = j;
  }
  return s;
}

std::vector<uint8_t> encode_table_stats_request(uint8_t version, uint32_t xid) {
  return start_multipart(version, false, kMpTable, xid).finish();
}

std::vector<uint8_t> encode_table_stats_record(const TableStats& t, uint8_t version) {
  OfpBuf b(version, 0, 0);  // scratch; the 8 header bytes are dropped
  b.put8(t.table_id);
  switch (version) {
    case kOfp10:
      b.put_zeros(3);
      put_name(b, t.name);
      b.put32(t.wildcards);
      b.put32(t.max_entries);
      b.put32(t.active_count);
      break;
    case kOfp11:
      b.put_zeros(7);
      put_name(b, t.name);
      b.put32(t.wildcards);   // match
      b.put32(t.wildcards);   // wildcards
      b.put32(0x3f);          // instructions
      b.put32(0);             // write_actions
      b.put32(0);             // apply_actions
      b.put32(0);             // config: controller
      b.put32(t.max_entries);
      b.put32(t.active_count);
      break;
    case kOfp12:
      b.put_zeros(7);
      put_name(b, t.name);
      b.put64(0);             // match (OXM field bitmap)
      b.put64(0);             // wildcards
      b.put32(0);             // write_actions
      b.put32(0);             // apply_actions
      b.put64(0);             // write_setfields
      b.put64(0);             // apply_setfields
      b.put64(~0ull);         // metadata_match
      b.put64(~0ull);         // metadata_write
      b.put32(0x3e);          // instructions
      b.put32(0);             // config
      b.put32(t.max_entries);
      b.put32(t.active_count);
      break;
    default:
      b.put_zeros(3);
      b.put32(t.active_count);
      break;
  }
  b.put64(t.lookup_count);
  b.put64(t.matched_count);
  auto& v = b.bytes();
  return std::vector<uint8_t>(v.begin() + kOfpHeaderLen, v.end());
}

std::vector<uint8_t> encode_table_stats_reply(const std::vector<TableStats>& tables,
                                              uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpTable, xid);
  for (const TableStats& t : tables) {
    auto r = encode_table_stats_record(t, version);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<TableStats>> decode_table_stats_reply(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != kMpTable || !m->reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  const size_t rec = record_size(m->version);
  if (m->body_len % rec) return Error(EINVAL, "OFPBRC_BAD_LEN");
  std::vector<TableStats> out;
  for (size_t pos = 0; pos < m->body_len; pos += rec) {
    const uint8_t* p = m->body + pos;
    TableStats t;
    t.table_id = p[0];
    switch (m->version) {
      case kOfp10:
        t.name = pull_name(p + 4);
        t.wildcards = load_be32(p + 36);
        t.max_entries = load_be32(p + 40);
        t.active_count = load_be32(p + 44);
        break;
      case kOfp11:
        t.name = pull_name(p + 8);
        t.wildcards = load_be32(p + 44);
        t.max_entries = load_be32(p + 64);
        t.active_count = load_be32(p + 68);
        break;
      case kOfp12:
        t.name = pull_name(p + 8);
        t.max_entries = load_be32(p + 104);
        t.active_count = load_be32(p + 108);
        break;
      default:
        t.active_count = load_be32(p + 4);
        break;
    }
    t.lookup_count = load_be64(p + rec - 16);
    t.matched_count = load_be64(p + rec - 8);
    if (m->version > kOfp12) t.max_entries = 0;
    out.push_back(std::move(t));
  }
  return out;
}

std::string format_table_stats_reply(const std::vector<TableStats>& tables, uint8_t version) {
  std::string s;
  int first_ditto = -1, last_ditto = -1;
  auto finish_ditto = [&]() {
    if (first_ditto < 0) return;
    s += first_ditto == last_ditto ? strfmt("\n  table %d: ditto\n", first_ditto)
                                   : strfmt("\n  tables %d...%d: ditto\n", first_ditto, last_ditto);
    first_ditto = -1;
  };
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableStats& t = tables[i];
    Features f = features_of(t, version);
    bool same_stats = false, same_features = false;
    if (i > 0) {
      const TableStats& p = tables[i - 1];
      same_stats = t.active_count == p.active_count && t.lookup_count == p.lookup_count &&
                   t.matched_count == p.matched_count;
      same_features = f == features_of(p, version);
    }
    if (same_stats && same_features && t.name.empty()) {
      if (first_ditto < 0) first_ditto = t.table_id;
      last_ditto = t.table_id;
      continue;
    }
    finish_ditto();
    s += strfmt("\n  table %d", t.table_id);
    if (!t.name.empty()) s += " (\"" + t.name + "\")";
    s += ':';
    if (same_stats && same_features) {
      s += " ditto";
      continue;
    }
    s += strfmt("\n    active=%u, lookup=%llu, matched=%llu\n", t.active_count,
                static_cast<unsigned long long>(t.lookup_count),
                static_cast<unsigned long long>(t.matched_count));
    if (same_features) {
      if (!f.empty()) s += "    (same features)\n";
      continue;
    }
    if (f.max_entries) s += strfmt("    max_entries=%u\n", f.max_entries);
    if (!f.match.empty()) {
      if (i > 0 && features_of(tables[i - 1], version).match == f.match) {
        s += "    (same matching)\n";
      } else {
        s += "    matching:\n      exact match or wildcard: " + format_field_names(f.match) + "\n";
      }
    }
  }
  finish_ditto();
  return s;
}

}  // namespace grebe::openflow
