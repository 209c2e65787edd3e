// Flow statistics multipart messages (OFPST_FLOW request/reply) for OF1.0
// (ofp_match) and OF1.2+ (OXM), and the dump-flows line format.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

struct FlowStatsRequest {
  Match match;
  uint8_t table_id = 0xff;
  uint32_t out_port = kOfppNone;
  uint32_t out_group = kOfpgAny;
  uint64_t cookie = 0, cookie_mask = 0;
};

struct FlowStats {
  Match match;
  uint16_t priority = kDefaultPriority;
  uint8_t table_id = 0;
  uint32_t duration_sec = 0, duration_nsec = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0, importance = 0;
  uint16_t flags = 0;  // kFf*
  uint64_t cookie = 0;
  uint64_t packet_count = 0, byte_count = 0;  // ~0 = unknown ("?")
  int idle_age = -1, hard_age = -1;           // seconds, -1 = not known
  ActionList actions;
};

Result<std::vector<uint8_t>> encode_flow_stats_request(const FlowStatsRequest& r, uint8_t version,
                                                       uint32_t xid);
Result<FlowStatsRequest> decode_flow_stats_request(const uint8_t* data, size_t size);
// One reply message carrying all `stats` (callers split at 64 kB).
Result<std::vector<uint8_t>> encode_flow_stats_reply(const std::vector<FlowStats>& stats,
                                                     uint8_t version, uint32_t xid);
Result<std::vector<FlowStats>> decode_flow_stats_reply(const uint8_t* data, size_t size);

// NXT_SET_FLOW_FORMAT (OF1.0 vendor message); `format` 0 = OpenFlow10,
// 2 = NXM.
std::vector<uint8_t> encode_nx_set_flow_format(uint32_t format, uint32_t xid);
// NXT_FLOW_MOD_TABLE_ID: lets OF1.0 flow_mods carry a table id.
std::vector<uint8_t> encode_nx_flow_mod_table_id(bool enable, uint32_t xid);
// NXST_FLOW request (OF1.0 + NXM match), as OVS's OFPUTIL_P_OF10_NXM dump.
std::vector<uint8_t> encode_nx_flow_stats_request(const FlowStatsRequest& r, uint32_t xid);
// True if `data` is an NXST_FLOW reply.
bool is_nx_flow_stats_reply(const uint8_t* data, size_t size);
// The flows of one NXST_FLOW reply (ages decoded; -1 = unknown).  Errors:
// OFPBRC_BAD_STAT / OFPBRC_BAD_LEN / match and action errors.
Result<std::vector<FlowStats>> decode_nx_flow_stats_reply(const uint8_t* data, size_t size);

// One dump-flows line ("cookie=0x0, duration=1.5s, table=0, n_packets=...,
// priority=5,ip actions=drop"); `show_stats` false is --no-stats.
std::string format_flow_stats(const FlowStats& fs, bool show_stats, uint8_t version,
                              const PortMap* ports = nullptr);
// " table=1 out_port=2 <match>" as ofp-print shows a request body.
std::string format_flow_stats_request(const FlowStatsRequest& r, const PortMap* ports = nullptr);

}  // namespace grebe::openflow
