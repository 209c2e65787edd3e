// Frozen translation states and the recirculation ids that name them.
//
// When translation must stop and continue later -- after the datapath's
// conntrack ran (ct(table=N)), or in userspace for a controller action --
// it "freezes": the state needed to continue (table to resume in, the
// packet's metadata, remaining actions, the action set, controller
// userdata) is registered here under a 32-bit recirculation id.  The
// datapath action carries the id (OVS_ACTION_ATTR_RECIRC, or the
// controller cookie's recirc_id); the handler of the recirculated miss, or
// of the controller upcall, looks the state up and continues.
//
// Identical states share one id (so identical megaflows keep one id).
// Every alloc() takes a reference; the owner of the datapath flow that
// uses the id (its ukey) drops it with unref() when the flow is deleted.
//
// Threads: all methods from any thread; one internal mutex, held only for
// map operations (never across calls out).  find() returns a shared_ptr so
// a state stays readable after a concurrent unref().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/packet/flow.h"

namespace grebe::xlate {

struct FrozenState {
  std::string bridge;          // whose tables to resume in
  uint8_t table_id = 0;        // resume by looking up this table...
  openflow::ActionList actions;  // ...after running these, if any
  openflow::ActionList action_set;
  Flow metadata = make_flow();  // the flow when frozen; its metadata fields are restored
  std::vector<uint8_t> userdata;  // controller(userdata=...)
  uint64_t rule_cookie = 0;
  bool conntracked = false;
  friend bool operator==(const FrozenState&, const FrozenState&) = default;
};

// The metadata fields of a frozen flow that a resumed translation takes
// from the frozen state (OVS's frozen_metadata): tunnel, metadata, regs,
// in_port.  Everything else comes from the recirculated packet.
void restore_frozen_metadata(const Flow& frozen, Flow* flow);

class RecircRegistry {
 public:
  // An id (never 0) for `state`, shared with an identical live state.
  // Takes a reference.  Returns 0 only if 2^32-1 ids are live.
  uint32_t alloc(const FrozenState& state);
  void ref(uint32_t id);
  void unref(uint32_t id);
  // The state of `id`, or nullptr if it is unknown (freed or never used).
  std::shared_ptr<const FrozenState> find(uint32_t id) const;
  size_t size() const;

 private:
  struct Node {
    std::shared_ptr<const FrozenState> state;
    uint64_t refs = 0;
    size_t hash = 0;
  };
  static size_t hash_state(const FrozenState& s);

  mutable std::mutex mutex_;
  uint32_t next_id_ = 1;
  std::unordered_map<uint32_t, Node> by_id_;
  std::unordered_multimap<size_t, uint32_t> by_hash_;
};

}  // namespace grebe::xlate
