// Table statistics (OFPMP_TABLE) for OpenFlow 1.0-1.5 and the text
// "ovs-ofctl dump-tables" prints, including OVS's "tables 2...253: ditto"
// folding of identical tables and the OF1.0 features carried in
// ofp10_table_stats (max_entries, matchable fields).
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::openflow {

inline constexpr uint32_t kOfpfw10All = 0x3fffff;  // OFPFW10_ALL

struct TableStats {
  uint8_t table_id = 0;
  std::string name;  // "" unless the table was named
  uint32_t active_count = 0;
  uint64_t lookup_count = 0, matched_count = 0;
  // Features only OF1.0-1.2 carry in this message.
  uint32_t max_entries = 1000000;
  uint32_t wildcards = kOfpfw10All;  // OF1.0 OFPFW10_* bits
};

std::vector<uint8_t> encode_table_stats_request(uint8_t version, uint32_t xid);
std::vector<uint8_t> encode_table_stats_record(const TableStats& ts, uint8_t version);
std::vector<uint8_t> encode_table_stats_reply(const std::vector<TableStats>& tables,
                                              uint8_t version, uint32_t xid);
// Errors: OFPBRC_BAD_LEN (length not a multiple of the record size).
Result<std::vector<TableStats>> decode_table_stats_reply(const uint8_t* data, size_t size);
// The reply body as ofp-print shows it ("\n  table 0:\n    active=..."),
// for tables decoded from a `version` reply.
std::string format_table_stats_reply(const std::vector<TableStats>& tables, uint8_t version);

// Field names joined OVS's way: "eth_{src,dst,type} vlan_{vid,pcp}".
std::string format_field_names(const std::vector<std::string>& names);

}  // namespace grebe::openflow
