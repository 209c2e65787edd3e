// The MAC learning table: an LRU list of entries indexed by (MAC, VLAN).
#include "normal/mac_learning.h"

#include <mutex>

#include "grebe/util/hash.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(mac_learning);

namespace grebe::normal {

unsigned clamp_mac_idle_time(unsigned seconds) {
  return seconds < 15 ? 15 : seconds > 3600 ? 3600 : seconds;
}

size_t clamp_mac_table_size(size_t n) {
  return n < 10 ? 10 : n > 1000 * 1000 ? 1000 * 1000 : n;
}

size_t MacLearning::KeyHash::operator()(const Key& k) const noexcept {
  uint64_t w = 0;
  for (uint8_t b : k.mac.b) w = (w << 8) | b;
  return hash_add64(k.vlan, w);
}

MacLearning::MacLearning(unsigned idle_time, const Clock* clk)
    : clock_(clk), idle_time_(clamp_mac_idle_time(idle_time)) {
  stats_.max_entries = max_entries_;
}

long long MacLearning::now_sec() const {
  const Clock& c = clock_ ? *clock_ : clock();
  return c.monotonic_msec() / 1000;
}

void MacLearning::set_idle_time(unsigned seconds) {
  std::unique_lock lock(mutex_);
  unsigned idle = clamp_mac_idle_time(seconds);
  if (idle == idle_time_) return;
  // Keep each entry's age: shift its expiry by the change, as OVS does.
  long long delta = static_cast<long long>(idle) - idle_time_;
  for (MacEntry& e : lru_)
    if (!e.is_static) e.expires += delta;
  idle_time_ = idle;
}

void MacLearning::set_max_entries(size_t n) {
  std::unique_lock lock(mutex_);
  max_entries_ = clamp_mac_table_size(n);
}

unsigned MacLearning::idle_time() const {
  std::shared_lock lock(mutex_);
  return idle_time_;
}

size_t MacLearning::max_entries() const {
  std::shared_lock lock(mutex_);
  return max_entries_;
}

void MacLearning::set_flood_vlans(std::vector<uint16_t> vlans) {
  std::unique_lock lock(mutex_);
  flood_vlans_.clear();
  if (!vlans.empty()) {
    flood_vlans_.assign(4096, false);
    for (uint16_t v : vlans) flood_vlans_[v & 0xfff] = true;
  }
  changed();  // NORMAL now floods (or learns) where it did not
}

bool MacLearning::is_learning_vlan(uint16_t vlan) const {
  return flood_vlans_.empty() || !flood_vlans_[vlan & 0xfff];
}

bool MacLearning::may_learn(const EthAddr& src, uint16_t vlan) const {
  std::shared_lock lock(mutex_);
  return is_learning_vlan(vlan) && !src.is_multicast();
}

std::optional<uint32_t> MacLearning::lookup(const EthAddr& mac, uint16_t vlan) const {
  std::shared_lock lock(mutex_);
  if (!is_learning_vlan(vlan)) return std::nullopt;
  auto it = table_.find(Key{mac, vlan});
  if (it == table_.end()) return std::nullopt;
  return it->second->port;
}

// Under the shared lock: whether learn() has anything to write.
bool MacLearning::update_needed(const EthAddr& src, uint16_t vlan, uint32_t port,
                                bool is_grat_arp, bool is_bond, long long now) const {
  if (!is_learning_vlan(vlan) || src.is_multicast()) return false;
  auto it = table_.find(Key{src, vlan});
  if (it == table_.end()) return true;
  const MacEntry& e = *it->second;
  if (e.is_static) return false;
  // Refresh at most once a second: the age shown is in seconds anyway.
  if (e.expires - idle_time_ < now) return true;
  if (is_grat_arp) {
    if (!is_bond) return true;  // sets the lock
    if (now < e.grat_arp_lock_until) return false;
  }
  return e.port != port;
}

void MacLearning::touch(Lru::iterator it) { lru_.splice(lru_.end(), lru_, it); }

void MacLearning::remove(Lru::iterator it) {
  table_.erase(Key{it->mac, it->vlan});
  if (it->is_static) --stats_.static_entries;
  lru_.erase(it);
  changed();
}

void MacLearning::evict_one() {
  // The least recently used dynamic entry; static entries stay.
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (it->is_static) continue;
    ++stats_.total_evicted;
    remove(it);
    return;
  }
}

LearnResult MacLearning::learn(const EthAddr& src, uint16_t vlan, uint32_t port,
                               bool is_grat_arp, bool is_bond) {
  long long now = now_sec();
  {
    std::shared_lock lock(mutex_);
    if (!update_needed(src, vlan, port, is_grat_arp, is_bond, now)) return LearnResult::kUnchanged;
  }
  std::unique_lock lock(mutex_);
  // The table may have changed between the locks: check everything again.
  if (!is_learning_vlan(vlan) || src.is_multicast()) return LearnResult::kUnchanged;
  Key key{src, vlan};
  auto found = table_.find(key);
  if (found == table_.end()) {
    if (table_.size() >= max_entries_) evict_one();
    MacEntry e;
    e.mac = src;
    e.vlan = vlan;
    e.port = port;
    e.expires = now + idle_time_;
    if (is_grat_arp && !is_bond) e.grat_arp_lock_until = now + kMacGratArpLockTime;
    lru_.push_back(e);
    table_.emplace(key, std::prev(lru_.end()));
    ++stats_.total_learned;
    changed();
    return LearnResult::kLearned;
  }
  MacEntry& e = *found->second;
  if (e.is_static) return LearnResult::kUnchanged;
  e.expires = now + idle_time_;
  touch(found->second);
  if (is_grat_arp) {
    if (!is_bond)
      e.grat_arp_lock_until = now + kMacGratArpLockTime;
    else if (now < e.grat_arp_lock_until)
      return LearnResult::kRefreshed;
  }
  if (e.port == port) return LearnResult::kRefreshed;
  e.port = port;
  ++stats_.total_moved;
  changed();
  return LearnResult::kMoved;
}

bool MacLearning::run() {
  long long now = now_sec();
  std::unique_lock lock(mutex_);
  bool removed = false;
  // Dynamic entries expire in LRU order (each touch pushes the expiry
  // back and moves the entry to the back), so stop at the first live one.
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (!it->is_static) {
      if (it->expires > now) break;
      ++stats_.total_expired;
      remove(it);
      removed = true;
    }
    it = next;
  }
  while (table_.size() > max_entries_ && table_.size() > stats_.static_entries) {
    evict_one();
    removed = true;
  }
  if (removed) VLOG_DBG("expired or evicted entries, %zu left", table_.size());
  return removed;
}

std::optional<long long> MacLearning::next_expiry_in() const {
  long long now = now_sec();
  std::shared_lock lock(mutex_);
  for (const MacEntry& e : lru_)
    if (!e.is_static) return e.expires > now ? e.expires - now : 0;
  return std::nullopt;
}

size_t MacLearning::flush() {
  std::unique_lock lock(mutex_);
  size_t n = lru_.size();
  lru_.clear();
  table_.clear();
  stats_.static_entries = 0;
  if (n) changed();
  return n;
}

size_t MacLearning::flush_port(uint32_t port) {
  std::unique_lock lock(mutex_);
  size_t n = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->port == port) remove(it), ++n;
    it = next;
  }
  return n;
}

size_t MacLearning::flush_vlan(uint16_t vlan) {
  std::unique_lock lock(mutex_);
  size_t n = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->vlan == vlan) remove(it), ++n;
    it = next;
  }
  return n;
}

void MacLearning::add_static(const EthAddr& mac, uint16_t vlan, uint32_t port) {
  std::unique_lock lock(mutex_);
  Key key{mac, vlan};
  auto found = table_.find(key);
  if (found == table_.end()) {
    if (table_.size() >= max_entries_) evict_one();
    MacEntry e;
    e.mac = mac;
    e.vlan = vlan;
    lru_.push_back(e);
    found = table_.emplace(key, std::prev(lru_.end())).first;
  } else {
    touch(found->second);
  }
  MacEntry& e = *found->second;
  if (!e.is_static) ++stats_.static_entries;
  e.is_static = true;
  e.port = port;
  changed();
}

bool MacLearning::del_static(const EthAddr& mac, uint16_t vlan) {
  std::unique_lock lock(mutex_);
  auto found = table_.find(Key{mac, vlan});
  if (found == table_.end() || !found->second->is_static) return false;
  remove(found->second);
  return true;
}

std::vector<MacEntry> MacLearning::entries() const {
  std::shared_lock lock(mutex_);
  return {lru_.begin(), lru_.end()};
}

int MacLearning::age(const MacEntry& e) const {
  if (e.is_static) return -1;
  long long now = now_sec();
  std::shared_lock lock(mutex_);
  long long remaining = e.expires - now;
  return static_cast<int>(idle_time_ - remaining);
}

MacLearningStats MacLearning::stats() const {
  std::shared_lock lock(mutex_);
  MacLearningStats s = stats_;
  s.n_entries = table_.size();
  s.max_entries = max_entries_;
  return s;
}

void MacLearning::clear_stats() {
  std::unique_lock lock(mutex_);
  stats_.total_learned = stats_.total_expired = stats_.total_evicted = stats_.total_moved = 0;
}

}  // namespace grebe::normal
