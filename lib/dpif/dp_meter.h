// Datapath meters of the userspace datapath: token buckets per band, as
// OVS's dpif-netdev meters (OpenFlow meters enforced per packet).
// Internal to lib/dpif.
//
// Thread-safety: every method may be called from any thread (one mutex,
// held only for arithmetic).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "grebe/dpif/dpif.h"

namespace grebe::dpif {

// Meter flags (OpenFlow 1.3 OFPMF13_*), as Dpif::meter_set takes them.
inline constexpr uint32_t kMeterKbps = 1 << 0;
inline constexpr uint32_t kMeterPktps = 1 << 1;
inline constexpr uint32_t kMeterBurst = 1 << 2;
inline constexpr uint32_t kMeterStats = 1 << 3;

class DpMeters {
 public:
  static constexpr uint32_t kMaxMeters = 65536;  // OVS's MAX_METERS
  static constexpr size_t kMaxBands = 8;         // OVS's MAX_BANDS

  // Creates or replaces meter `id` (buckets start full).  EFBIG for an id
  // beyond kMaxMeters, EINVAL for no or too many bands or a zero rate.
  Status set(uint32_t id, uint32_t flags, const std::vector<Dpif::MeterBand>& bands);
  // ENOENT if absent.
  Status del(uint32_t id);
  // Charges one packet of `bytes` at time `now_msec`; false means a band's
  // rate was exceeded and the packet must be dropped.  An absent meter
  // admits everything.
  bool admit(uint32_t id, size_t bytes, long long now_msec);

 private:
  struct Band {
    uint64_t rate = 0;      // kbit/s (= bit/ms) or packet/s (= millipacket/ms)
    uint64_t capacity = 0;  // bucket size, in bits or millipackets
    uint64_t tokens = 0;
  };
  struct Meter {
    bool pktps = false;
    long long used = 0;  // last refill, msec
    std::vector<Band> bands;
  };
  std::mutex mutex_;
  std::map<uint32_t, Meter> meters_;
};

}  // namespace grebe::dpif
