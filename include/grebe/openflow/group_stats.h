// Group statistics multipart messages: OFPMP_GROUP (stats),
// OFPMP_GROUP_DESC and OFPMP_GROUP_FEATURES for OpenFlow 1.1-1.4 (group
// features from 1.2), with the text "ovs-ofctl dump-groups",
// "dump-group-stats" and "dump-group-features" print.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "grebe/openflow/group_meter.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

struct BucketCounter {
  uint64_t packet_count = 0, byte_count = 0;
};

struct GroupStats {
  uint32_t group_id = 0;
  uint32_t ref_count = 0;
  uint64_t packet_count = 0, byte_count = 0;
  uint32_t duration_sec = ~0u, duration_nsec = ~0u;  // ~0: unknown (OF1.1/1.2)
  std::vector<BucketCounter> buckets;
};

// Request for one group or every group (kOfpgAll).
std::vector<uint8_t> encode_group_stats_request(uint8_t version, uint32_t group_id, uint32_t xid);
Result<uint32_t> decode_group_stats_request(const uint8_t* data, size_t size);
std::vector<uint8_t> encode_group_stats_record(const GroupStats& gs, uint8_t version);
std::vector<uint8_t> encode_group_stats_reply(const std::vector<GroupStats>& stats,
                                              uint8_t version, uint32_t xid);
// Errors: OFPBRC_BAD_LEN for truncated or inconsistent records.
Result<std::vector<GroupStats>> decode_group_stats_reply(const uint8_t* data, size_t size);
// "\n group_id=7,duration=0.2s,ref_count=0,packet_count=0,byte_count=0,bucket0:..."
std::string format_group_stats(const GroupStats& gs);

// One group as the switch describes it (group_id, type, buckets); the
// selection properties of GroupMod are not carried before OF1.5.
using GroupDesc = GroupMod;
std::vector<uint8_t> encode_group_desc_request(uint8_t version, uint32_t xid);
Result<std::vector<uint8_t>> encode_group_desc_record(const GroupDesc& gd, uint8_t version);
Result<std::vector<uint8_t>> encode_group_desc_reply(const std::vector<GroupDesc>& groups,
                                                     uint8_t version, uint32_t xid);
// Errors: OFPBRC_BAD_LEN, OFPGMFC_BAD_BUCKET, action decode errors.
Result<std::vector<GroupDesc>> decode_group_desc_reply(const uint8_t* data, size_t size);
// "\n group_id=7,type=all,bucket=actions=output:1" (ofp_print_group).
std::string format_group_desc(const GroupDesc& gd, uint8_t version,
                              const PortMap* ports = nullptr);

struct GroupFeatures {
  uint32_t types = 0;         // bit i = group type i supported
  uint32_t capabilities = 0;  // OFPGFC_*
  std::array<uint32_t, 4> max_groups{};
  std::array<uint32_t, 4> actions{};  // OFPAT12_* bitmaps per type
};
// What OVS's switch reports (all four types, 0xffffff00 groups, its actions).
GroupFeatures default_group_features();
std::vector<uint8_t> encode_group_features_request(uint8_t version, uint32_t xid);
std::vector<uint8_t> encode_group_features_reply(const GroupFeatures& f, uint8_t version,
                                                 uint32_t xid);
Result<GroupFeatures> decode_group_features_reply(const uint8_t* data, size_t size);
// "\n Group table:\n    Types:  0xf\n ..." (ofputil_group_features_format).
std::string format_group_features(const GroupFeatures& f);
// OF1.2+ action bitmap -> "output group set_field ..." in OVS's order.
std::string format_action_bitmap(uint32_t ofpat_bits);

}  // namespace grebe::openflow
