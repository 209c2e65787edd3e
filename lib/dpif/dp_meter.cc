// Datapath meters.  See dp_meter.h.
#include "dp_meter.h"

#include <algorithm>

namespace grebe::dpif {

Status DpMeters::set(uint32_t id, uint32_t flags, const std::vector<Dpif::MeterBand>& bands) {
  if (id >= kMaxMeters) return Error(EFBIG, "meter id out of range");
  if (bands.empty() || bands.size() > kMaxBands) return Error(EINVAL, "bad number of bands");
  Meter m;
  m.pktps = flags & kMeterPktps;
  m.used = -1;  // first admit() only stamps the time
  for (const auto& b : bands) {
    if (!b.rate) return Error(EINVAL, "meter band rate must be positive");
    Band band;
    band.rate = b.rate;
    // Without a burst, one second's worth of traffic fits in the bucket.
    uint64_t burst = (flags & kMeterBurst) && b.burst ? b.burst : b.rate;
    band.capacity = burst * 1000;
    band.tokens = band.capacity;
    m.bands.push_back(band);
  }
  std::lock_guard lock(mutex_);
  meters_[id] = std::move(m);
  return ok_status();
}

Status DpMeters::del(uint32_t id) {
  std::lock_guard lock(mutex_);
  if (!meters_.erase(id)) return Error(ENOENT, "no such meter");
  return ok_status();
}

bool DpMeters::admit(uint32_t id, size_t bytes, long long now_msec) {
  std::lock_guard lock(mutex_);
  auto it = meters_.find(id);
  if (it == meters_.end()) return true;
  Meter& m = it->second;
  uint64_t elapsed = m.used < 0 || now_msec < m.used ? 0 : static_cast<uint64_t>(now_msec - m.used);
  m.used = now_msec;
  uint64_t cost = m.pktps ? 1000 : uint64_t{bytes} * 8;
  bool pass = true;
  for (Band& b : m.bands) {
    // Cap the refill so a long idle period cannot overflow.
    uint64_t refill = std::min<uint64_t>(elapsed, 1'000'000) * b.rate;
    b.tokens = std::min(b.capacity, b.tokens + refill);
    if (b.tokens >= cost) {
      b.tokens -= cost;
    } else {
      pass = false;  // every band here is a drop band
    }
  }
  return pass;
}

}  // namespace grebe::dpif
