// Port and queue statistics (OFPMP_PORT_STATS, OFPMP_QUEUE_STATS) for
// OpenFlow 1.0-1.5: requests, replies (OF1.4+ with the Ethernet property
// and OVS's Intel rfc2819/custom experimenter properties) and the text
// "ovs-ofctl dump-ports" / "queue-stats" print.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "grebe/openflow/ofp_port.h"
#include "grebe/packet/flow.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

inline constexpr uint64_t kStatUnknown = ~0ull;     // printed as "?"
inline constexpr uint32_t kDurationUnknown = ~0u;   // no duration
inline constexpr uint32_t kOfpqAll = 0xffffffff;    // every queue

struct PortStats {
  uint32_t port_no = 0;  // ofp_port_t space (OFPP_LOCAL = 0xfffe)
  uint64_t rx_packets = kStatUnknown, tx_packets = kStatUnknown;
  uint64_t rx_bytes = kStatUnknown, tx_bytes = kStatUnknown;
  uint64_t rx_dropped = kStatUnknown, tx_dropped = kStatUnknown;
  uint64_t rx_errors = kStatUnknown, tx_errors = kStatUnknown;
  uint64_t rx_frame_errors = kStatUnknown, rx_over_errors = kStatUnknown;
  uint64_t rx_crc_errors = kStatUnknown, collisions = kStatUnknown;
  uint32_t duration_sec = kDurationUnknown, duration_nsec = kDurationUnknown;
  // OVS's extended counters (Intel rfc2819 property), name -> value, in
  // the order OVS prints them; empty if absent.
  std::vector<std::pair<std::string, uint64_t>> rx_rfc2819, tx_rfc2819;
  // Custom counters (Intel custom property): printed three to a row.
  std::vector<std::pair<std::string, uint64_t>> custom;
};

// Request for one port or OFPP_ANY (OF1.0 OFPP_NONE).
std::vector<uint8_t> encode_port_stats_request(uint8_t version, uint32_t port_no, uint32_t xid);
Result<uint32_t> decode_port_stats_request(const uint8_t* data, size_t size);
// One reply (callers with many ports use split_multipart_reply on the
// records from encode_port_stats_record).
std::vector<uint8_t> encode_port_stats_reply(const std::vector<PortStats>& stats, uint8_t version,
                                             uint32_t xid);
std::vector<uint8_t> encode_port_stats_record(const PortStats& ps, uint8_t version);
// All records of one reply; stops with an error at the first bad record
// (OFPBRC_BAD_LEN, OFPBPC_BAD_LEN, OFPBRC_BAD_PORT).
Result<std::vector<PortStats>> decode_port_stats_reply(const uint8_t* data, size_t size);
// "  port  1: rx pkts=..., ...\n           tx ...\n" (ofputil_format_port_stats).
std::string format_port_stats(const PortStats& ps, const PortMap* ports = nullptr);

struct QueueStatsRequest {
  uint32_t port_no = 0xffff;  // OFPP_ANY
  uint32_t queue_id = kOfpqAll;
};
struct QueueStats {
  uint32_t port_no = 0;
  uint32_t queue_id = 0;
  uint64_t tx_bytes = kStatUnknown, tx_packets = kStatUnknown, tx_errors = kStatUnknown;
  uint32_t duration_sec = kDurationUnknown, duration_nsec = kDurationUnknown;
};
std::vector<uint8_t> encode_queue_stats_request(uint8_t version, const QueueStatsRequest& r,
                                                uint32_t xid);
Result<QueueStatsRequest> decode_queue_stats_request(const uint8_t* data, size_t size);
std::vector<uint8_t> encode_queue_stats_reply(const std::vector<QueueStats>& stats,
                                              uint8_t version, uint32_t xid);
std::vector<uint8_t> encode_queue_stats_record(const QueueStats& qs, uint8_t version);
Result<std::vector<QueueStats>> decode_queue_stats_reply(const uint8_t* data, size_t size);
// "  port 1 queue 0: bytes=?, pkts=?, errors=?, duration=?\n".
std::string format_queue_stats(const QueueStats& qs, const PortMap* ports = nullptr);
// " port=1 queue=ALL" as ofp-print shows a request.
std::string format_queue_stats_request(const QueueStatsRequest& r, const PortMap* ports = nullptr);

// "1.5s" / "0.235s": OVS's ofp_print_duration.
std::string format_duration(uint32_t sec, uint32_t nsec);

}  // namespace grebe::openflow
