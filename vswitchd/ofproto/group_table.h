// GroupTable: an OpenFlow switch's group table (OVS ofproto's groups):
// group_mod semantics for OF1.1-1.5 (add, modify, add-or-modify, delete,
// insert-bucket, remove-bucket), per-group and per-bucket statistics and
// the group-features the switch advertises.
//
// Semantics (as OVS):
//  - add of an existing id: OFPGMFC_GROUP_EXISTS; modify of a missing id:
//    OFPGMFC_UNKNOWN_GROUP; ids above OFPG_MAX: OFPGMFC_INVALID_GROUP
//    (delete accepts OFPG_ALL).
//  - indirect groups need exactly one bucket, weights only in select
//    groups, fast-failover buckets need a watch port or group
//    (OFPGMFC_INVALID_GROUP); watches in all/indirect groups:
//    OFPGMFC_WATCH_UNSUPPORTED; a bucket's group action must name an
//    existing group (OFPBAC_BAD_OUT_GROUP) and may not create a loop
//    (OFPGMFC_LOOP); chaining is supported.  Deleting a group another group
//    uses is allowed, as OVS (the reference then drops).
//  - insert-bucket: OFPGMFC_BUCKET_EXISTS for a bucket id in use,
//    OFPGMFC_UNKNOWN_BUCKET for a missing command_bucket_id; remove-bucket
//    with a missing id: OFPGMFC_UNKNOWN_BUCKET.
//  - deleting groups also deletes the flows that output to them: the caller
//    does that with GroupModOutcome::deleted (reason OFPRR_GROUP_DELETE).
//
// Threads: every method on the ofproto main thread, except snapshot(),
// which any thread (xlate in handler threads) may call: it returns an
// immutable copy of the groups published by the last change.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "grebe/openflow/group_meter.h"
#include "grebe/util/result.h"

namespace grebe::ofproto {

struct GroupBucketStats {
  uint64_t packet_count = 0, byte_count = 0;
};

struct Group {
  openflow::GroupMod desc;  // type, group_id, buckets (ids assigned), selection
  long long created = 0;    // time_msec()
  uint64_t packet_count = 0, byte_count = 0;
  std::vector<GroupBucketStats> bucket_stats;  // parallel to desc.buckets
};

// Group ids -> their definitions, as xlate reads them.
using GroupSnapshot = std::map<uint32_t, std::shared_ptr<const openflow::GroupMod>>;

struct GroupModOutcome {
  std::vector<uint32_t> deleted;  // groups removed (delete flows using them)
  std::vector<uint32_t> changed;  // groups added or modified
};

// group-features (OFPMP_GROUP_FEATURES) as OVS advertises them.
struct GroupFeatures {
  uint32_t types = 0xf;          // all, select, indirect, ff
  uint32_t capabilities = 0x7;   // select weight, select liveness, chaining
  uint32_t max_groups[4] = {0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00};
  uint32_t actions[4] = {0, 0, 0, 0};  // OFPAT bitmaps per type (0: all)
};

class GroupTable {
 public:
  GroupTable();
  ~GroupTable();
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  // Applies one group_mod at time `now`.  On failure nothing changed; the
  // error message is the OVS error name ("OFPGMFC_GROUP_EXISTS").
  Result<GroupModOutcome> apply(const openflow::GroupMod& gm, long long now);

  const Group* find(uint32_t group_id) const;
  // Every group, ascending id.
  std::vector<const Group*> groups() const;
  size_t size() const { return groups_.size(); }

  // Accounts a packet to a group (and bucket index, -1 = none).
  void credit(uint32_t group_id, int bucket, uint64_t packets, uint64_t bytes);

  // The immutable view published by the last change (any thread).
  std::shared_ptr<const GroupSnapshot> snapshot() const;

  static GroupFeatures features() { return GroupFeatures{}; }

 private:
  Status check(const openflow::GroupMod& gm, const openflow::GroupMod* existing) const;
  bool reaches(uint32_t from, uint32_t target, int depth) const;
  void publish();

  std::map<uint32_t, Group> groups_;
  std::atomic<std::shared_ptr<const GroupSnapshot>> snapshot_;
};

// Group ids used by group actions in `actions` (nested ones too).
std::vector<uint32_t> groups_referenced(const openflow::ActionList& actions);

}  // namespace grebe::ofproto
