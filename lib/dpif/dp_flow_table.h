// Megaflow table of the userspace datapath: flows keyed by (mask, masked
// key), one hash table ("subtable") per distinct mask as in OVS's dpcls,
// plus a UFID index.  Internal to lib/dpif.
//
// Locking: the table is guarded by one shared_mutex owned by the caller
// (DpNetdev::flow_mutex_): lookups under a shared lock, inserts/removals
// under an exclusive one.  Per-flow statistics are atomics, the actions
// pointer has a per-flow lock, and a DpFlow is kept alive by shared_ptr, so
// once a packet has its flow (from the EMC or a lookup) it touches no
// shared lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "grebe/dpif/dpif.h"
#include "grebe/packet/flow.h"
#include "grebe/packet/match.h"

namespace grebe::dpif {

struct UfidHash {
  size_t operator()(const Ufid& u) const { return u.w[0] ^ (size_t{u.w[1]} << 32); }
};

struct DpFlow {
  Flow key;  // masked
  FlowWildcards mask;
  Ufid ufid;
  Bytes key_attrs, mask_attrs;
  // Actions are replaced (never mutated) on modify.  A per-flow mutex
  // rather than atomic<shared_ptr>: libstdc++ 12's lock-bit implementation
  // is invisible to ThreadSanitizer, and this lock is per flow and held
  // only to copy a pointer.
  std::shared_ptr<const Bytes> actions() const {
    std::lock_guard lock(actions_mutex_);
    return actions_;
  }
  void set_actions(Bytes actions) {
    auto p = std::make_shared<const Bytes>(std::move(actions));
    std::lock_guard lock(actions_mutex_);
    actions_.swap(p);
  }
  std::atomic<uint64_t> n_packets{0}, n_bytes{0};
  std::atomic<long long> used{0};
  std::atomic<uint16_t> tcp_flags{0};
  std::atomic<bool> dead{false};  // removed from the table; EMC entries ignore it

  FlowStats stats() const;
  void reset_stats();
  void account(uint64_t packets, uint64_t bytes, uint16_t flags, long long now);

 private:
  mutable std::mutex actions_mutex_;
  std::shared_ptr<const Bytes> actions_;
};
using DpFlowPtr = std::shared_ptr<DpFlow>;

class DpFlowTable {
 public:
  // Megaflow lookup of a packet's flow.  `n_probed` gets the number of
  // subtables searched.  Caller holds the shared lock.
  DpFlowPtr lookup(const Flow& flow, uint64_t* n_probed) const;
  // The flow with exactly this mask and masked key, or null.
  DpFlowPtr find_exact(const Flow& masked_key, const FlowWildcards& mask) const;
  DpFlowPtr find_ufid(const Ufid& ufid) const;
  // Exclusive lock held for these.
  void insert(DpFlowPtr flow);
  void remove(const DpFlowPtr& flow);
  void clear();

  size_t size() const { return by_ufid_.size(); }
  size_t n_masks() const { return subtables_.size(); }
  std::vector<DpFlowPtr> all() const;

 private:
  struct FlowKeyHash {
    size_t operator()(const Flow& f) const { return flow_hash(f, 0); }
  };
  struct Subtable {
    FlowWildcards mask;
    std::unordered_map<Flow, DpFlowPtr, FlowKeyHash> flows;
  };
  std::vector<std::unique_ptr<Subtable>> subtables_;
  std::unordered_map<Ufid, DpFlowPtr, UfidHash> by_ufid_;
};

// Exact-match cache in front of the megaflow table: direct-mapped by the
// packet flow's hash.  Owned by the one thread that processes packets.
class Emc {
 public:
  static constexpr size_t kEntries = 8192;
  Emc() : entries_(kEntries) {}
  DpFlowPtr lookup(const Flow& flow, uint32_t hash) const;
  void insert(const Flow& flow, uint32_t hash, const DpFlowPtr& dp_flow);
  void clear();

 private:
  struct Entry {
    Flow flow;
    DpFlowPtr dp_flow;
  };
  std::vector<Entry> entries_;
};

}  // namespace grebe::dpif
