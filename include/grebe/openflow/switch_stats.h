// The switch side of the statistics messages that multipart.h and the
// *_stats.h codecs do not cover: desc and aggregate replies, single flow
// stats records (OFPMP_FLOW and Nicira NXST_FLOW), and the NXST_FLOW /
// NXST_AGGREGATE request decoder.  Layouts: OpenFlow 1.0-1.5 specs, OVS
// include/openflow/nicira-ext.h.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/multipart.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// Starts the reply to request `req` (same type, experimenter header and
// xid); append the body and finish().
OfpBuf start_multipart_reply(const MultipartMsg& req);

// OFPMP_DESC body.
struct SwitchDesc {
  std::string mfr_desc = "Nicira, Inc.";
  std::string hw_desc = "Open vSwitch";
  std::string sw_desc;
  std::string serial_num = "None";
  std::string dp_desc = "None";
};
std::vector<uint8_t> encode_desc_reply(const MultipartMsg& req, const SwitchDesc& d);

// OFPMP_AGGREGATE / NXST_AGGREGATE reply.
std::vector<uint8_t> encode_aggregate_reply(const MultipartMsg& req, uint64_t packets,
                                            uint64_t bytes, uint32_t flows);

// NXST_FLOW / NXST_AGGREGATE request body (OF1.0 + NXM match, the cookie
// filter as NXM_NX_COOKIE(_W)).  Errors: OFPBRC_BAD_LEN, match errors.
Result<FlowStatsRequest> decode_nx_flow_stats_request(const MultipartMsg& req);
// One NXST_FLOW reply record.
Result<std::vector<uint8_t>> encode_nx_flow_stats(const FlowStats& fs);
// One OFPMP_FLOW reply record for `version` (OF1.0, OF1.2-1.5; OF1.5 is
// ofp15_flow_desc with OXS statistics).
Result<std::vector<uint8_t>> encode_flow_stats_record(const FlowStats& fs, uint8_t version);

// One OFPMP_TABLE_FEATURES reply record (ofp13_table_features) with the
// properties OF1.3/1.4 require: table id, name, metadata match/write all-ones,
// eviction capability (OF1.4+), max_entries.
std::vector<uint8_t> encode_table_features_record(uint8_t table_id, const std::string& name,
                                                  uint32_t max_entries, uint8_t version);

// One OF1.5 group description record (ofp15_group_desc_stats with
// ofp15_bucket and weight / watch properties).
Result<std::vector<uint8_t>> encode_group_desc15_record(const GroupMod& g, uint8_t version);

}  // namespace grebe::openflow
