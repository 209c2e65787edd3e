// MeterTable: meter_mod semantics and statistics (see meter_table.h).
#include "ofproto/meter_table.h"

namespace grebe::ofproto {

using openflow::MeterCommand;
using openflow::MeterMod;

namespace {

void collect_meters(const openflow::ActionList& actions, std::vector<uint32_t>& out) {
  for (const auto& a : actions) {
    if (const auto* m = std::get_if<openflow::InstMeter>(&a.v)) {
      out.push_back(m->meter_id);
    } else if (const auto* w = std::get_if<openflow::InstWriteActions>(&a.v)) {
      collect_meters(w->actions, out);
    } else if (const auto* c = std::get_if<openflow::ActClone>(&a.v)) {
      collect_meters(c->actions, out);
    }
  }
}

bool valid_id(uint32_t id) {
  return (id >= 1 && id <= kMaxMeters) || id == openflow::kMeterSlowpath ||
         id == openflow::kMeterController;
}

}  // namespace

std::vector<uint32_t> meters_referenced(const openflow::ActionList& actions) {
  std::vector<uint32_t> out;
  collect_meters(actions, out);
  return out;
}

const Meter* MeterTable::find(uint32_t meter_id) const {
  auto it = meters_.find(meter_id);
  return it == meters_.end() ? nullptr : &it->second;
}

std::vector<const Meter*> MeterTable::meters() const {
  std::vector<const Meter*> out;
  for (const auto& [id, m] : meters_) out.push_back(&m);
  return out;
}

void MeterTable::set_stats(uint32_t meter_id, uint64_t packets, uint64_t bytes,
                           const std::vector<MeterBandStats>& bands) {
  auto it = meters_.find(meter_id);
  if (it == meters_.end()) return;
  it->second.packet_in_count = packets;
  it->second.byte_in_count = bytes;
  for (size_t i = 0; i < bands.size() && i < it->second.band_stats.size(); ++i) {
    it->second.band_stats[i] = bands[i];
  }
}

// OVS's ofputil_decode_meter_mod() and handle_meter_mod() checks.
Status MeterTable::check(const MeterMod& mm) const {
  if (!valid_id(mm.meter_id)) return Error(EINVAL, "OFPMMFC_INVALID_METER");
  bool kbps = mm.flags & openflow::kMeterKbps, pktps = mm.flags & openflow::kMeterPktps;
  if (kbps == pktps) return Error(EINVAL, "OFPMMFC_BAD_FLAGS");
  if (mm.flags & ~(openflow::kMeterKbps | openflow::kMeterPktps | openflow::kMeterBurst |
                   openflow::kMeterStats)) {
    return Error(EINVAL, "OFPMMFC_BAD_FLAGS");
  }
  if (mm.bands.size() > kMaxMeterBands) return Error(EINVAL, "OFPMMFC_OUT_OF_BANDS");
  for (const auto& b : mm.bands) {
    if (b.type != 1 && b.type != 2) return Error(EINVAL, "OFPMMFC_BAD_BAND");
    if (b.rate == 0) return Error(EINVAL, "OFPMMFC_BAD_RATE");
    if (b.burst_size && !(mm.flags & openflow::kMeterBurst)) {
      return Error(EINVAL, "OFPMMFC_BAD_BURST");
    }
  }
  return {};
}

Result<MeterModOutcome> MeterTable::apply(const MeterMod& mm, long long now) {
  MeterModOutcome out;
  switch (mm.command) {
    case MeterCommand::kDelete:
      if (mm.meter_id == openflow::kMeterAll) {
        for (const auto& [id, m] : meters_) out.deleted.push_back(id);
        meters_.clear();
      } else if (meters_.erase(mm.meter_id)) {
        out.deleted.push_back(mm.meter_id);
      }
      return out;
    case MeterCommand::kAdd:
    case MeterCommand::kModify: {
      if (auto st = check(mm); !st) return st.error();
      auto it = meters_.find(mm.meter_id);
      if (mm.command == MeterCommand::kAdd) {
        if (it != meters_.end()) return Error(EEXIST, "OFPMMFC_METER_EXISTS");
        if (meters_.size() >= kMaxMeters) return Error(ENOSPC, "OFPMMFC_OUT_OF_METERS");
        Meter m;
        m.config = mm;
        m.created = now;
        m.band_stats.resize(mm.bands.size());
        meters_[mm.meter_id] = std::move(m);
      } else {
        if (it == meters_.end()) return Error(ENOENT, "OFPMMFC_UNKNOWN_METER");
        it->second.config = mm;
        it->second.band_stats.assign(mm.bands.size(), MeterBandStats{});
      }
      meters_[mm.meter_id].config.command = MeterCommand::kAdd;
      out.changed.push_back(mm.meter_id);
      return out;
    }
  }
  return Error(EINVAL, "OFPMMFC_BAD_COMMAND");
}

}  // namespace grebe::ofproto
