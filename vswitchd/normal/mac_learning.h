// MacLearning: one bridge's forwarding database, (VLAN, MAC) -> port, as
// the NORMAL action learns it (OVS's lib/mac-learning).
//
// Entries age out `idle_time` seconds after the last packet from that
// source (other_config:mac-aging-time, default 300 s); the table holds at
// most `max_entries` (other_config:mac-table-size, default 8192) and evicts
// the least recently used entry when full.  Static entries (fdb/add) never
// age and are never evicted.
//
// "Port" is an opaque bundle id chosen by the bridge: Grebe uses the
// OpenFlow port number of the bundle's (first) port, so fdb/show prints it
// directly.
//
// Threads and locking (one lock, no lock order to respect):
//  - lookup(), may_learn(), entries(), stats(), change_seq(): any thread,
//    shared lock; readers never block each other.
//  - learn(): upcall handler threads, concurrently.  Checks under the shared
//    lock first; takes the exclusive lock only when something must change
//    (new entry, port move, or an expiry refresh at most once a second per
//    entry), as OVS does.
//  - run() (expiry), flush*(), set_*(), add/del_static, clear_stats(): the
//    main thread (or any thread), exclusive lock.
// No method calls out while holding the lock, and none blocks otherwise.
//
// Revalidation: change_seq() increases whenever an entry is added, moves to
// another port, or is removed (expiry, eviction, flush).  Translation
// records the value it saw; a revalidator whose recorded value differs must
// re-translate the datapath flow (a MAC move changes where NORMAL sends
// packets).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/packet/headers.h"
#include "grebe/util/clock.h"

namespace grebe::normal {

inline constexpr unsigned kMacEntryDefaultIdleTime = 300;  // seconds
inline constexpr size_t kMacDefaultMax = 8192;
// How long a gratuitous ARP from a non-bond port locks the entry against
// learning from bond ports (OVS's grat_arp_lock).
inline constexpr unsigned kMacGratArpLockTime = 5;

struct MacEntry {
  EthAddr mac{};
  uint16_t vlan = 0;
  uint32_t port = 0;
  bool is_static = false;
  long long expires = 0;  // monotonic seconds; meaningless when static
  long long grat_arp_lock_until = 0;
};

struct MacLearningStats {
  size_t n_entries = 0;
  size_t max_entries = 0;
  size_t static_entries = 0;
  uint64_t total_learned = 0;
  uint64_t total_expired = 0;
  uint64_t total_evicted = 0;
  uint64_t total_moved = 0;
};

// What learn() did.
enum class LearnResult {
  kUnchanged,  // nothing to do (or not learnable)
  kRefreshed,  // entry existed on that port; expiry pushed back
  kLearned,    // new entry
  kMoved,      // entry existed on another port and moved
};

class MacLearning {
 public:
  // `clk` (not owned) must outlive the table; nullptr = the process clock.
  explicit MacLearning(unsigned idle_time = kMacEntryDefaultIdleTime, const Clock* clk = nullptr);
  MacLearning(const MacLearning&) = delete;
  MacLearning& operator=(const MacLearning&) = delete;

  // Configuration (other_config:mac-aging-time / mac-table-size).  Values
  // are clamped as OVS does: idle time 15..3600 s, size 10..1,000,000.
  // Shrinking the table evicts at the next run().
  void set_idle_time(unsigned seconds);
  void set_max_entries(size_t n);
  unsigned idle_time() const;
  size_t max_entries() const;
  // VLANs on which nothing is learned and everything floods
  // (Bridge flood_vlans).  Empty = learn on every VLAN.
  void set_flood_vlans(std::vector<uint16_t> vlans);

  // False for multicast sources and flood VLANs.
  bool may_learn(const EthAddr& src, uint16_t vlan) const;
  // The port `mac` was learned on in `vlan`, if any.
  std::optional<uint32_t> lookup(const EthAddr& mac, uint16_t vlan) const;
  // Records that a packet from `src` in `vlan` arrived on `port`.
  // Gratuitous ARPs received on a non-bond port lock the entry for a few
  // seconds against moves caused by the same ARP reflected from a bond.
  LearnResult learn(const EthAddr& src, uint16_t vlan, uint32_t port, bool is_grat_arp = false,
                    bool is_bond = false);

  // Expires idle entries and evicts down to max_entries.  Returns true if
  // anything was removed.  Call periodically (every second is plenty).
  bool run();
  // Seconds until the next entry can expire (for the caller's timer), or
  // nullopt if no dynamic entry exists.
  std::optional<long long> next_expiry_in() const;

  // Removal.  Each returns the number of entries removed.
  size_t flush();                        // everything, static entries too
  size_t flush_port(uint32_t port);      // a port went away / changed VLAN config
  size_t flush_vlan(uint16_t vlan);      // a VLAN was reconfigured
  // Static entries (fdb/add, fdb/del).  add_static converts an existing
  // dynamic entry; del_static removes only a static entry.
  void add_static(const EthAddr& mac, uint16_t vlan, uint32_t port);
  bool del_static(const EthAddr& mac, uint16_t vlan);

  // Entries from least to most recently used (fdb/show order), and the
  // age of an entry in seconds.
  std::vector<MacEntry> entries() const;
  int age(const MacEntry& e) const;

  MacLearningStats stats() const;
  void clear_stats();

  uint64_t change_seq() const { return change_seq_.load(std::memory_order_acquire); }

 private:
  struct Key {
    EthAddr mac;
    uint16_t vlan;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  using Lru = std::list<MacEntry>;

  long long now_sec() const;
  bool is_learning_vlan(uint16_t vlan) const;
  bool update_needed(const EthAddr& src, uint16_t vlan, uint32_t port, bool is_grat_arp,
                     bool is_bond, long long now) const;
  void remove(Lru::iterator it);
  void touch(Lru::iterator it);
  void evict_one();
  void changed() { change_seq_.fetch_add(1, std::memory_order_acq_rel); }

  const Clock* clock_;
  mutable std::shared_mutex mutex_;
  // Guarded by mutex_:
  unsigned idle_time_;
  size_t max_entries_ = kMacDefaultMax;
  std::vector<bool> flood_vlans_;  // empty or 4096 bits
  Lru lru_;                        // front = least recently used
  std::unordered_map<Key, Lru::iterator, KeyHash> table_;
  MacLearningStats stats_;
  std::atomic<uint64_t> change_seq_{1};
};

// Clamps as OVS's mac_learning_set_idle_time / set_max_entries.
unsigned clamp_mac_idle_time(unsigned seconds);
size_t clamp_mac_table_size(size_t n);

}  // namespace grebe::normal
