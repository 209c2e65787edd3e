// Udpif's revalidator thread: dump, re-translate, expire, credit stats.
// See udpif.h.
#include <chrono>
#include <map>
#include <shared_mutex>

#include "grebe/event/event_loop.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/util/clock.h"
#include "grebe/util/coverage.h"
#include "grebe/util/vlog.h"
#include "ofproto_dpif/ofproto_dpif.h"
#include "upcall/udpif.h"

VLOG_DEFINE_THIS_MODULE(revalidator);
COVERAGE_DEFINE(revalidate_idle);
COVERAGE_DEFINE(revalidate_changed);

namespace grebe::upcall {
namespace {

// What translating one dumped flow now gives.
struct Retranslation {
  bool valid = false;  // the input port still belongs to a bridge
  std::string bridge;
  dpif::Bytes mask, actions;
  std::vector<const ofproto::OfRule*> rules;
  // NORMAL's source MACs, replayed for flows with traffic so MACs behind
  // megaflows do not age out (OVS's xlate cache).
  std::vector<xlate::MacLearnRecord> mac_learned;
  normal::MacLearning* ml = nullptr;
};

Retranslation retranslate(ofproto_dpif::Backer& backer, const dpif::DpifFlow& f) {
  Retranslation r;
  Flow flow = make_flow();
  nl::Bytes key(f.key.data(), f.key.size());
  if (odp::odp_flow_key_to_flow(key, &flow) == odp::OdpKeyFitness::kError) return r;
  std::shared_lock lock(backer.xlate_lock());
  auto owner = backer.lookup_port(flow.in_port);
  if (!owner) return r;
  Flow ofp_flow = flow;
  ofp_flow.in_port = owner->ofp_port;
  xlate::XlateOut out = xlate::xlate_actions(owner->ofproto->xlate_in(ofp_flow));
  // The installed flow keeps its own references; this translation's go.
  for (uint32_t id : out.recirc_refs) backer.recirc().unref(id);
  nl::AttrBuilder mask;
  odp::OdpFlowKeyParms parms;
  parms.flow = &flow;
  Flow mask_flow = out.wc.masks;
  parms.mask = &mask_flow;
  odp::odp_flow_key_from_mask(parms, mask);
  r.valid = true;
  r.bridge = owner->ofproto->name();
  r.mask = mask.take();
  r.actions = std::move(out.odp_actions);
  r.rules = std::move(out.rules);
  r.mac_learned = std::move(out.mac_learned);
  r.ml = owner->ofproto->mac_learning();
  return r;
}

}  // namespace

void Udpif::revalidator_main() {
  uint64_t seen_seq = backer_->reconfigured().read();
  long long next_dump = 0;
  while (!exiting_) {
    uint64_t target;
    long long interval;
    {
      std::unique_lock lock(reval_mutex_);
      // Table changes are noticed by polling the Seq: cheap, and bounded.
      reval_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] {
        return exiting_.load() || reval_requests_ > reval_done_;
      });
      target = reval_requests_;
      interval = cfg_.revalidate_interval_msec;
    }
    if (exiting_) break;
    uint64_t seq = backer_->reconfigured().read();
    if (time_msec() < next_dump && seq == seen_seq && target == reval_done_) continue;
    seen_seq = seq;
    revalidate_once();
    next_dump = time_msec() + interval;

    std::vector<std::function<void()>> done;
    {
      std::lock_guard lock(reval_mutex_);
      reval_done_ = std::max(reval_done_, target);
      for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->first <= target) {
          done.push_back(std::move(it->second));
          it = waiters_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& cb : done) main_loop_.post(std::move(cb));
  }
}

void Udpif::revalidate_once() {
  long long start = time_msec();
  auto dump = backer_->dpif().flow_dump(false);
  auto thread = dump->thread();
  std::vector<dpif::DpifFlow> flows, batch;
  while (thread->next(batch, 128) > 0) {
    for (auto& f : batch) flows.push_back(std::move(f));
    batch.clear();
  }
  (void)dump->finish();

  size_t n_flows = flows.size();
  max_n_flows_ = std::max<uint64_t>(max_n_flows_.load(), n_flows);
  long long max_idle = n_flows > flow_limit_.load() ? 100 : cfg_.max_idle_msec;

  std::vector<dpif::Op> dels;
  std::map<std::string, std::vector<UdpifSink::Credit>> credits;
  for (const dpif::DpifFlow& f : flows) {
    Retranslation r = retranslate(*backer_, f);
    bool keep = r.valid;
    std::lock_guard lock(ukeys_mutex_);
    auto it = f.ufid_present ? ukeys_.find(f.ufid) : ukeys_.end();
    if (it == ukeys_.end()) {
      // Not installed by us (or before a restart): keep it only if it is
      // what we would install.
      keep = keep && r.actions == f.actions;
      if (keep && f.ufid_present) {
        Ukey& uk = ukeys_[f.ufid];
        uk.key = f.key;
        uk.mask = r.mask;
        uk.actions = r.actions;
        uk.created = start;
        it = ukeys_.find(f.ufid);
      }
    } else if (keep && (r.actions != it->second.actions || r.mask != it->second.mask)) {
      COVERAGE_INC(revalidate_changed);
      keep = false;
    }
    long long used = f.stats.used ? f.stats.used : (it != ukeys_.end() ? it->second.created : start);
    if (keep && start - used >= max_idle) {
      COVERAGE_INC(revalidate_idle);
      keep = false;
    }
    if (it != ukeys_.end() && r.valid) {
      uint64_t dp = f.stats.n_packets - std::min(f.stats.n_packets, it->second.packets);
      uint64_t db = f.stats.n_bytes - std::min(f.stats.n_bytes, it->second.bytes);
      if (dp || db) {
        for (const auto* rule : r.rules) credits[r.bridge].push_back({rule, dp, db, used});
        if (r.ml) {
          for (const auto& m : r.mac_learned) (void)r.ml->learn(m.mac, m.vlan, m.ofp_port, m.is_grat_arp);
        }
      }
      it->second.packets = f.stats.n_packets;
      it->second.bytes = f.stats.n_bytes;
    }
    if (!keep) {
      dpif::Op del{dpif::Op::Type::kDel, {}, {}, {}, {}, {}};
      del.del.key = f.key;
      if (f.ufid_present) del.del.ufid = f.ufid;
      dels.push_back(std::move(del));
      if (it != ukeys_.end()) {
        release(it->second);
        ukeys_.erase(it);
      }
    }
  }
  if (!dels.empty()) backer_->dpif().operate(dels);
  for (auto& [bridge, list] : credits) {
    UdpifSink* sink = &sink_;
    main_loop_.post([sink, bridge = bridge, list = std::move(list)]() mutable {
      sink->credit(bridge, std::move(list));
    });
  }
  n_dumps_++;
  last_dump_flows_ = n_flows;
  last_dump_duration_ = time_msec() - start;
  VLOG_DBG("%s: revalidated %zu flows, deleted %zu", backer_->dp_name().c_str(), n_flows,
           dels.size());
}

}  // namespace grebe::upcall
