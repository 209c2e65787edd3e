// MeterTable: an OpenFlow switch's meter table (OF1.3+ meter_mod and the
// meter / meter-config / meter-features multiparts), as OVS's ofproto.
//
// The table keeps the configuration and statistics; enforcement is the
// datapath's (the switch pushes each change to dpif::Dpif::meter_set /
// meter_del, see connmgr::SwitchOps).
//
// Semantics (as OVS): ids 1..kMaxMeters (OFPMMFC_INVALID_METER above the
// maximum or for 0, OFPMMFC_OUT_OF_METERS when full); add of an existing
// id: OFPMMFC_METER_EXISTS; modify of a missing one: OFPMMFC_UNKNOWN_METER;
// exactly one of kbps/pktps (OFPMMFC_BAD_FLAGS), at least one band
// (OFPMMFC_INVALID_METER), band types drop / dscp_remark
// (OFPMMFC_BAD_BAND), rates > 0 (OFPMMFC_BAD_RATE), burst only with the
// burst flag (OFPMMFC_BAD_BURST).  Delete of OFPM_ALL deletes every meter;
// deleting a missing meter succeeds.  Deleting meters also deletes flows
// using them (the caller does that with MeterModOutcome::deleted).
//
// Threads: ofproto main thread only.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "grebe/openflow/group_meter.h"
#include "grebe/util/result.h"

namespace grebe::ofproto {

inline constexpr uint32_t kMaxMeters = 65536;
inline constexpr uint8_t kMaxMeterBands = 1;  // as OVS's userspace datapath

struct MeterBandStats {
  uint64_t packet_count = 0, byte_count = 0;
};

struct Meter {
  openflow::MeterMod config;  // command field meaningless
  long long created = 0;
  uint64_t packet_in_count = 0, byte_in_count = 0;
  std::vector<MeterBandStats> band_stats;  // parallel to config.bands
};

struct MeterModOutcome {
  std::vector<uint32_t> deleted;  // meters removed (delete flows using them)
  std::vector<uint32_t> changed;  // meters added or modified (push to dpif)
};

// meter-features (OFPMP_METER_FEATURES).
struct MeterFeatures {
  uint32_t max_meters = kMaxMeters;
  uint32_t band_types = 1 << 1;  // drop
  uint32_t capabilities = openflow::kMeterKbps | openflow::kMeterPktps |
                          openflow::kMeterBurst | openflow::kMeterStats;
  uint8_t max_bands = kMaxMeterBands;
  uint8_t max_color = 0;
};

class MeterTable {
 public:
  // Applies one meter_mod at `now`.  On failure nothing changed; the error
  // message is the OVS error name ("OFPMMFC_METER_EXISTS").
  Result<MeterModOutcome> apply(const openflow::MeterMod& mm, long long now);

  const Meter* find(uint32_t meter_id) const;
  std::vector<const Meter*> meters() const;  // ascending id
  size_t size() const { return meters_.size(); }

  // Replaces a meter's counters with the datapath's (total and per band).
  void set_stats(uint32_t meter_id, uint64_t packets, uint64_t bytes,
                 const std::vector<MeterBandStats>& bands);

  static MeterFeatures features() { return MeterFeatures{}; }

 private:
  Status check(const openflow::MeterMod& mm) const;
  std::map<uint32_t, Meter> meters_;
};

// Meter ids used by meter instructions/actions in `actions`.
std::vector<uint32_t> meters_referenced(const openflow::ActionList& actions);

}  // namespace grebe::ofproto
