// Multipart (OF1.0 "stats") message framing shared by every statistics
// family: the request/reply header (OF1.0 ofp_stats_msg, OF1.1+
// ofp11_stats_msg), Nicira/ONF experimenter stats, and splitting a long
// reply into several messages with the "more" flag.
//
// The family codecs (table_stats.h, port_stats.h, group_stats.h,
// meter_stats.h, ...) build on this; a switch encodes replies with them and
// ovs-ofctl decodes them.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <vector>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// OFPMP_* / OFPST_* types (same numbers in every version that has them).
enum MultipartType : uint16_t {
  kMpDesc = 0,
  kMpFlow = 1,
  kMpAggregate = 2,
  kMpTable = 3,
  kMpPortStats = 4,
  kMpQueue = 5,
  kMpGroup = 6,
  kMpGroupDesc = 7,
  kMpGroupFeatures = 8,
  kMpMeter = 9,
  kMpMeterConfig = 10,
  kMpMeterFeatures = 11,
  kMpTableFeatures = 12,
  kMpPortDesc = 13,
  kMpTableDesc = 14,
  kMpQueueDesc = 15,
  kMpFlowMonitor = 16,
  kMpExperimenter = 0xffff,
};
inline constexpr uint16_t kMpFlagMore = 1;  // OFPSF_REPLY_MORE / OFPMPF_REPLY_MORE
inline constexpr uint32_t kOnfVendorId = 0x4f4e4600;

// Nicira stats subtypes (NXST_*), carried in OF1.0 vendor stats.
enum NxStatsType : uint32_t {
  kNxstFlow = 0, kNxstAggregate = 1, kNxstFlowMonitor = 2,
  kNxstGroup = 7, kNxstGroupDesc = 8, kNxstGroupFeatures = 9,
};

// OFPT_STATS_REQUEST/REPLY (OF1.0: 16/17) or OFPT_MULTIPART_* (18/19).
uint8_t ofpt_multipart(uint8_t version, bool reply);

struct MultipartMsg {
  uint8_t version = 0;
  uint32_t xid = 0;
  bool reply = false;
  uint16_t type = 0;
  uint16_t flags = 0;
  // For kMpExperimenter: the vendor (NX, ONF) and its subtype.
  uint32_t experimenter = 0, exp_type = 0;
  const uint8_t* body = nullptr;  // after the (experimenter) stats header
  size_t body_len = 0;
};

// Starts a multipart message; append the body and call finish().
OfpBuf start_multipart(uint8_t version, bool reply, uint16_t type, uint32_t xid,
                       uint16_t flags = 0);
// Experimenter stats: OF1.0 vendor stats (vendor, subtype, 4 pad bytes) or
// OF1.1+ experimenter multipart (experimenter, exp_type).
OfpBuf start_experimenter_multipart(uint8_t version, bool reply, uint32_t experimenter,
                                    uint32_t exp_type, uint32_t xid, uint16_t flags = 0);

// True if data holds a multipart request or reply header.
bool is_multipart(const uint8_t* data, size_t size);
// Parses the framing; the body pointer aliases `data`.  Errors:
// OFPBRC_BAD_LEN (short header), OFPBRC_BAD_TYPE (not multipart).
Result<MultipartMsg> decode_multipart(const uint8_t* data, size_t size);

// Packs pre-encoded reply records into as many messages as needed so none
// exceeds 65535 bytes (all but the last carry the "more" flag).  `start`
// builds the header of each message (so experimenter replies work too).
// A single record longer than fits makes its own (oversized) message
// impossible; such records are reported as EMSGSIZE.
Result<std::vector<std::vector<uint8_t>>> split_multipart_reply(
    const MultipartMsg& proto, const std::vector<std::vector<uint8_t>>& records);

}  // namespace grebe::openflow
