// GroupTable: group_mod semantics and statistics (see group_table.h).
#include "ofproto/group_table.h"

#include <algorithm>

namespace grebe::ofproto {

using openflow::ActionList;
using openflow::Bucket;
using openflow::GroupCommand;
using openflow::GroupMod;
using openflow::GroupType;

namespace {

void collect_groups(const ActionList& actions, std::vector<uint32_t>& out) {
  for (const auto& a : actions) {
    if (const auto* g = std::get_if<openflow::ActGroup>(&a.v)) {
      out.push_back(g->group_id);
    } else if (const auto* w = std::get_if<openflow::InstWriteActions>(&a.v)) {
      collect_groups(w->actions, out);
    } else if (const auto* c = std::get_if<openflow::ActClone>(&a.v)) {
      collect_groups(c->actions, out);
    } else if (const auto* ct = std::get_if<openflow::ActCt>(&a.v)) {
      collect_groups(ct->exec, out);
    }
  }
}

bool has_liveness(const Bucket& b) {
  return b.watch_port != grebe::kOfppNone || b.watch_group != 0xffffffff;
}

// Bucket ids are assigned in order (0, 1, ...) when the message left them
// unset, as OVS does for pre-OF1.5 group_mods.
void assign_bucket_ids(std::vector<Bucket>& buckets, uint32_t first) {
  uint32_t next = first;
  for (auto& b : buckets) {
    if (b.bucket_id > openflow::kOfpgMax) b.bucket_id = next;
    next = std::max(next, b.bucket_id + 1);
  }
}

}  // namespace

std::vector<uint32_t> groups_referenced(const ActionList& actions) {
  std::vector<uint32_t> out;
  collect_groups(actions, out);
  return out;
}

GroupTable::GroupTable() { publish(); }
GroupTable::~GroupTable() = default;

const Group* GroupTable::find(uint32_t group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

std::vector<const Group*> GroupTable::groups() const {
  std::vector<const Group*> out;
  out.reserve(groups_.size());
  for (const auto& [id, g] : groups_) out.push_back(&g);
  return out;
}

void GroupTable::credit(uint32_t group_id, int bucket, uint64_t packets, uint64_t bytes) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return;
  it->second.packet_count += packets;
  it->second.byte_count += bytes;
  if (bucket >= 0 && static_cast<size_t>(bucket) < it->second.bucket_stats.size()) {
    it->second.bucket_stats[bucket].packet_count += packets;
    it->second.bucket_stats[bucket].byte_count += bytes;
  }
}

std::shared_ptr<const GroupSnapshot> GroupTable::snapshot() const {
  return snapshot_.load();
}

void GroupTable::publish() {
  auto snap = std::make_shared<GroupSnapshot>();
  for (const auto& [id, g] : groups_) (*snap)[id] = std::make_shared<const GroupMod>(g.desc);
  snapshot_.store(std::shared_ptr<const GroupSnapshot>(std::move(snap)));
}

// True if following group actions from `from` reaches `target`.
bool GroupTable::reaches(uint32_t from, uint32_t target, int depth) const {
  if (from == target) return true;
  if (depth > 32) return true;  // deeper than any sane chain: treat as a loop
  const Group* g = find(from);
  if (!g) return false;
  for (const auto& b : g->desc.buckets) {
    for (uint32_t next : groups_referenced(b.actions)) {
      if (reaches(next, target, depth + 1)) return true;
    }
  }
  return false;
}

// The checks OVS's ofputil_check_group_mod() and ofproto make on the
// group's new definition.
Status GroupTable::check(const GroupMod& gm, const GroupMod* /*existing*/) const {
  if (gm.group_id > openflow::kOfpgMax) return Error(EINVAL, "OFPGMFC_INVALID_GROUP");
  if (static_cast<uint8_t>(gm.type) > static_cast<uint8_t>(GroupType::kFf)) {
    return Error(EINVAL, "OFPGMFC_BAD_TYPE");
  }
  if (gm.type == GroupType::kIndirect && gm.buckets.size() != 1) {
    return Error(EINVAL, "OFPGMFC_INVALID_GROUP");
  }
  for (const auto& b : gm.buckets) {
    if (b.weight && gm.type != GroupType::kSelect) return Error(EINVAL, "OFPGMFC_INVALID_GROUP");
    if ((gm.type == GroupType::kAll || gm.type == GroupType::kIndirect) && has_liveness(b)) {
      return Error(EINVAL, "OFPGMFC_WATCH_UNSUPPORTED");
    }
    if (gm.type == GroupType::kFf && !has_liveness(b)) {
      return Error(EINVAL, "OFPGMFC_INVALID_GROUP");
    }
    for (uint32_t ref : groups_referenced(b.actions)) {
      if (ref == gm.group_id || reaches(ref, gm.group_id, 0)) {
        return Error(EINVAL, "OFPGMFC_LOOP");
      }
      if (!find(ref)) return Error(EINVAL, "OFPBAC_BAD_OUT_GROUP");
    }
  }
  return {};
}

Result<GroupModOutcome> GroupTable::apply(const GroupMod& gm_in, long long now) {
  GroupMod gm = gm_in;
  GroupModOutcome out;
  switch (gm.command) {
    case GroupCommand::kDelete: {
      if (gm.group_id == openflow::kOfpgAll) {
        for (const auto& [id, g] : groups_) out.deleted.push_back(id);
        groups_.clear();
      } else if (groups_.erase(gm.group_id)) {
        out.deleted.push_back(gm.group_id);
      }
      break;  // deleting a missing group is not an error
    }
    case GroupCommand::kAdd:
    case GroupCommand::kModify:
    case GroupCommand::kAddOrMod: {
      Group* existing = nullptr;
      if (auto it = groups_.find(gm.group_id); it != groups_.end()) existing = &it->second;
      if (gm.command == GroupCommand::kAdd && existing) {
        return Error(EEXIST, "OFPGMFC_GROUP_EXISTS");
      }
      if (gm.command == GroupCommand::kModify && !existing) {
        return Error(ENOENT, "OFPGMFC_UNKNOWN_GROUP");
      }
      if (auto st = check(gm, existing ? &existing->desc : nullptr); !st) return st.error();
      if (!existing && groups_.size() >= GroupFeatures{}.max_groups[0]) {
        return Error(ENOSPC, "OFPGMFC_OUT_OF_GROUPS");
      }
      assign_bucket_ids(gm.buckets, 0);
      Group g;
      g.created = existing ? existing->created : now;
      if (existing) {  // OVS keeps a modified group's counters
        g.packet_count = existing->packet_count;
        g.byte_count = existing->byte_count;
      }
      gm.command = GroupCommand::kAdd;
      gm.command_bucket_id = openflow::kBucketAll;
      g.desc = std::move(gm);
      g.bucket_stats.resize(g.desc.buckets.size());
      uint32_t id = g.desc.group_id;
      groups_[id] = std::move(g);
      out.changed.push_back(id);
      break;
    }
    case GroupCommand::kInsertBucket:
    case GroupCommand::kRemoveBucket: {
      auto it = groups_.find(gm.group_id);
      if (it == groups_.end()) return Error(ENOENT, "OFPGMFC_UNKNOWN_GROUP");
      Group& g = it->second;
      GroupMod next = g.desc;
      std::vector<GroupBucketStats> stats = g.bucket_stats;
      auto find_bucket = [&](uint32_t id) -> int {
        if (id == openflow::kBucketFirst) return next.buckets.empty() ? -1 : 0;
        if (id == openflow::kBucketLast) return static_cast<int>(next.buckets.size()) - 1;
        for (size_t i = 0; i < next.buckets.size(); ++i) {
          if (next.buckets[i].bucket_id == id) return static_cast<int>(i);
        }
        return -1;
      };
      if (gm.command == GroupCommand::kRemoveBucket) {
        if (!gm.buckets.empty()) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
        if (gm.command_bucket_id == openflow::kBucketAll) {
          next.buckets.clear();
          stats.clear();
        } else {
          int i = find_bucket(gm.command_bucket_id);
          if (i < 0) return Error(ENOENT, "OFPGMFC_UNKNOWN_BUCKET");
          next.buckets.erase(next.buckets.begin() + i);
          stats.erase(stats.begin() + i);
        }
      } else {
        uint32_t max_id = 0;
        for (const auto& b : next.buckets) max_id = std::max(max_id, b.bucket_id + 1);
        std::vector<Bucket> add = gm.buckets;
        assign_bucket_ids(add, max_id);
        for (const auto& b : add) {
          if (find_bucket(b.bucket_id) >= 0) return Error(EEXIST, "OFPGMFC_BUCKET_EXISTS");
        }
        size_t pos = next.buckets.size();
        if (gm.command_bucket_id == openflow::kBucketFirst) {
          pos = 0;
        } else if (gm.command_bucket_id != openflow::kBucketLast &&
                   gm.command_bucket_id != openflow::kBucketAll) {
          int i = find_bucket(gm.command_bucket_id);
          if (i < 0) return Error(ENOENT, "OFPGMFC_UNKNOWN_BUCKET");
          pos = static_cast<size_t>(i);
        }
        next.buckets.insert(next.buckets.begin() + pos, add.begin(), add.end());
        stats.insert(stats.begin() + pos, add.size(), GroupBucketStats{});
      }
      next.command = GroupCommand::kModify;
      if (auto st = check(next, &g.desc); !st) return st.error();
      next.command = GroupCommand::kAdd;
      g.desc = std::move(next);
      g.bucket_stats = std::move(stats);
      out.changed.push_back(gm.group_id);
      break;
    }
    default:
      return Error(EINVAL, "OFPGMFC_BAD_COMMAND");
  }
  publish();
  return out;
}

}  // namespace grebe::ofproto
