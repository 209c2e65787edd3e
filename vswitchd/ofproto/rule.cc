#include "ofproto/rule.h"

#include <climits>
#include <variant>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_rule);

namespace grebe::ofproto {

using namespace openflow;

const char* removed_reason_name(RemovedReason reason) {
  switch (reason) {
    case RemovedReason::kIdleTimeout:
      return "idle";
    case RemovedReason::kHardTimeout:
      return "hard";
    case RemovedReason::kDelete:
      return "delete";
    case RemovedReason::kGroupDelete:
      return "group_delete";
    case RemovedReason::kMeterDelete:
      return "meter_delete";
    case RemovedReason::kEviction:
      return "eviction";
  }
  return "unknown";
}

namespace {

// Visits every action, descending into nested lists (write_actions, clone).
template <typename Fn>
bool any_action(const ActionList& actions, const Fn& fn) {
  for (const Action& a : actions) {
    if (fn(a)) return true;
    if (auto* wa = std::get_if<InstWriteActions>(&a.v)) {
      if (any_action(wa->actions, fn)) return true;
    } else if (auto* cl = std::get_if<ActClone>(&a.v)) {
      if (any_action(cl->actions, fn)) return true;
    }
  }
  return false;
}

}  // namespace

bool OfRule::outputs_to_port(uint32_t port) const {
  if (port == kOfppNone || port == 0xffffffff) return true;
  return any_action(actions, [port](const Action& a) {
    if (auto* o = std::get_if<ActOutput>(&a.v)) return o->port == port;
    if (auto* o = std::get_if<ActOutputTrunc>(&a.v)) return o->port == port;
    if (auto* e = std::get_if<ActEnqueue>(&a.v)) return e->port == port;
    if (auto* c = std::get_if<ActController>(&a.v)) return port == kOfppController && c;
    return false;
  });
}

bool OfRule::outputs_to_group(uint32_t group) const {
  if (group == kOfpgAny) return true;
  return any_action(actions, [group](const Action& a) {
    auto* g = std::get_if<ActGroup>(&a.v);
    return g && g->group_id == group;
  });
}

long long OfRule::expiry(RemovedReason* reason) const {
  long long when = LLONG_MAX;
  if (hard_timeout) {
    when = modified + hard_timeout * 1000LL;
    *reason = RemovedReason::kHardTimeout;
  }
  if (idle_timeout && used + idle_timeout * 1000LL < when) {
    when = used + idle_timeout * 1000LL;
    *reason = RemovedReason::kIdleTimeout;
  }
  return when;
}

FlowStats OfRule::to_stats(long long now) const {
  FlowStats fs;
  fs.match = to_match();
  fs.priority = static_cast<uint16_t>(priority());
  fs.table_id = table_id;
  long long age = now > created ? now - created : 0;
  fs.duration_sec = static_cast<uint32_t>(age / 1000);
  fs.duration_nsec = static_cast<uint32_t>(age % 1000 * 1000000);
  fs.idle_timeout = idle_timeout;
  fs.hard_timeout = hard_timeout;
  fs.importance = importance;
  fs.flags = flags;
  fs.cookie = cookie;
  fs.packet_count = packet_count;
  fs.byte_count = byte_count;
  fs.idle_age = static_cast<int>((now > used ? now - used : 0) / 1000);
  fs.hard_age = static_cast<int>((now > modified ? now - modified : 0) / 1000);
  fs.actions = actions;
  return fs;
}

FlowRemoved make_flow_removed(const OfRule& rule, RemovedReason reason, long long now) {
  FlowRemoved fr;
  fr.match = rule.to_match();
  fr.priority = static_cast<uint16_t>(rule.priority());
  fr.table_id = rule.table_id;
  fr.reason = reason;
  fr.cookie = rule.cookie;
  long long age = now > rule.created ? now - rule.created : 0;
  fr.duration_sec = static_cast<uint32_t>(age / 1000);
  fr.duration_nsec = static_cast<uint32_t>(age % 1000 * 1000000);
  fr.idle_timeout = rule.idle_timeout;
  fr.hard_timeout = rule.hard_timeout;
  fr.packet_count = rule.packet_count;
  fr.byte_count = rule.byte_count;
  return fr;
}

}  // namespace grebe::ofproto
