// Meter multipart messages (OpenFlow 1.3+): OFPMP_METER (statistics),
// OFPMP_METER_CONFIG and OFPMP_METER_FEATURES, with the text
// "ovs-ofctl meter-stats", "dump-meters" and "meter-features" print.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/openflow/group_meter.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

struct MeterBandStats {
  uint64_t packet_count = 0, byte_count = 0;
};
struct MeterStats {
  uint32_t meter_id = 0;
  uint32_t flow_count = 0;
  uint64_t packet_in_count = 0, byte_in_count = 0;
  uint32_t duration_sec = 0, duration_nsec = 0;
  std::vector<MeterBandStats> bands;
};

// Meter stats / config requests for one meter or kMeterAll; `type` is
// kMpMeter or kMpMeterConfig.
std::vector<uint8_t> encode_meter_request(uint8_t version, uint16_t type, uint32_t meter_id,
                                          uint32_t xid);
// The meter id of a meter stats or meter config request.
Result<uint32_t> decode_meter_request(const uint8_t* data, size_t size);
// " meter=all" as ofp-print shows a request body.
std::string format_meter_request(uint32_t meter_id);

std::vector<uint8_t> encode_meter_stats_record(const MeterStats& ms);
std::vector<uint8_t> encode_meter_stats_reply(const std::vector<MeterStats>& stats,
                                              uint8_t version, uint32_t xid);
// Errors: OFPBRC_BAD_LEN for short or inconsistent records.
Result<std::vector<MeterStats>> decode_meter_stats_reply(const uint8_t* data, size_t size);
// "meter:3 flow_count:0 ... bands:\n0: packet_count:0 byte_count:0\n".
std::string format_meter_stats(const MeterStats& ms);

// Meter configuration records reuse MeterMod (command unused).
std::vector<uint8_t> encode_meter_config_record(const MeterMod& mc);
std::vector<uint8_t> encode_meter_config_reply(const std::vector<MeterMod>& meters,
                                               uint8_t version, uint32_t xid);
// Errors: OFPBRC_BAD_LEN, OFPMMFC_BAD_BAND.
Result<std::vector<MeterMod>> decode_meter_config_reply(const uint8_t* data, size_t size);

struct MeterFeatures {
  uint32_t max_meters = 0;
  uint32_t band_types = 0;    // bit per OFPMBT13_* (1 drop, 2 dscp_remark)
  uint32_t capabilities = 0;  // kMeterKbps | ...
  uint8_t max_bands = 0, max_color = 0;
};
std::vector<uint8_t> encode_meter_features_request(uint8_t version, uint32_t xid);
std::vector<uint8_t> encode_meter_features_reply(const MeterFeatures& f, uint8_t version,
                                                 uint32_t xid);
Result<MeterFeatures> decode_meter_features_reply(const uint8_t* data, size_t size);
// "\nmax_meter:262144 max_bands:8 max_color:0\nband_types: drop\n...".
std::string format_meter_features(const MeterFeatures& f);

}  // namespace grebe::openflow
