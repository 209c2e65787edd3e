// Userspace datapath flow operations: put / del / get / execute, flush and
// dumps.  See dp_netdev.h.
#include <linux/openvswitch.h>

#include <atomic>

#include "dp_netdev.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev_flow);

namespace grebe::dpif {
namespace {

nl::Bytes view(const Bytes& b) { return nl::Bytes(b.data(), b.size()); }

// Parses key + mask into the megaflow (masked key, mask).
Status parse_megaflow(const Bytes& key, const Bytes& mask, Flow* flow, FlowWildcards* wc) {
  std::string err;
  if (key.empty()) return Error(EINVAL, "flow key is empty");
  if (odp::odp_flow_key_to_flow(view(key), flow, &err) == odp::OdpKeyFitness::kError) {
    return Error(EINVAL, "bad flow key: " + err);
  }
  if (odp::odp_flow_key_to_mask(view(mask), wc, *flow, &err) == odp::OdpKeyFitness::kError) {
    return Error(EINVAL, "bad flow mask: " + err);
  }
  // The datapath needs a port to match on, as OVS's dpif-netdev insists.
  if (flow->in_port == odp::kOdppNone || wc->masks.in_port != UINT32_MAX) {
    return Error(EINVAL, "flow key must match in_port exactly");
  }
  *flow = flow_apply_mask(*flow, *wc);
  return ok_status();
}

void fill_flow(const DpFlow& f, bool terse, DpifFlow* out) {
  out->ufid = f.ufid;
  out->ufid_present = true;
  out->stats = f.stats();
  if (terse) {
    out->key.clear();
    out->mask.clear();
    out->actions.clear();
    return;
  }
  out->key = f.key_attrs;
  out->mask = f.mask_attrs;
  out->actions = *f.actions();
}

}  // namespace

void DpNetdev::operate(std::vector<Op>& ops) {
  for (Op& op : ops) {
    switch (op.type) {
      case Op::Type::kPut:
        op.result = do_put(op.put);
        break;
      case Op::Type::kDel:
        op.result = do_del(op.del);
        break;
      case Op::Type::kGet:
        op.result = do_get(op.get);
        break;
      case Op::Type::kExecute:
        op.result = do_execute(op.execute);
        break;
    }
  }
}

Result<DpFlowPtr> DpNetdev::find_flow(const Bytes& key, const std::optional<Ufid>& ufid) const {
  // Caller holds flow_mutex_ (either mode).
  if (ufid) {
    DpFlowPtr f = flows_.find_ufid(*ufid);
    if (!f) return Error(ENOENT, "flow not found");
    return f;
  }
  if (key.empty()) return Error(EINVAL, "flow has neither key nor ufid");
  Ufid u;
  u.w = odp::odp_flow_key_hash(view(key), ufid_secret_).w;
  if (DpFlowPtr f = flows_.find_ufid(u)) return f;
  // A flow put with an explicit UFID, now named by key: compare keys.
  for (const DpFlowPtr& f : flows_.all()) {
    if (f->key_attrs == key) return f;
  }
  return Error(ENOENT, "flow not found");
}

Status DpNetdev::do_put(FlowPut& put) {
  Flow key = make_flow();
  FlowWildcards wc;
  GREBE_TRY(parse_megaflow(put.key, put.mask, &key, &wc));
  Ufid ufid;
  if (put.ufid) {
    ufid = *put.ufid;
  } else {
    ufid.w = odp::odp_flow_key_hash(view(put.key), ufid_secret_).w;
  }
  std::unique_lock lock(flow_mutex_);
  DpFlowPtr existing = flows_.find_ufid(ufid);
  if (!existing) existing = flows_.find_exact(key, wc);
  if (existing) {
    if (!(put.flags & kPutModify)) return Error(EEXIST, "flow already exists");
    if (put.stats_out) *put.stats_out = existing->stats();
    existing->set_actions(put.actions);
    if (put.flags & kPutZeroStats) existing->reset_stats();
    return ok_status();
  }
  if (!(put.flags & kPutCreate)) return Error(ENOENT, "flow not found");
  if (flows_.size() >= flow_limit_) return Error(EFBIG, "flow table full");
  auto f = std::make_shared<DpFlow>();
  f->key = key;
  f->mask = wc;
  f->ufid = ufid;
  f->key_attrs = put.key;
  f->mask_attrs = put.mask;
  f->set_actions(put.actions);
  flows_.insert(std::move(f));
  if (put.stats_out) *put.stats_out = FlowStats{};
  return ok_status();
}

Status DpNetdev::do_del(FlowDel& del) {
  std::unique_lock lock(flow_mutex_);
  auto f = find_flow(del.key, del.ufid);
  if (!f.ok()) return f.take_error();
  if (del.stats_out) *del.stats_out = (*f)->stats();
  flows_.remove(*f);
  return ok_status();
}

Status DpNetdev::do_get(FlowGet& get) {
  std::shared_lock lock(flow_mutex_);
  auto f = find_flow(get.key, get.ufid);
  if (!f.ok()) return f.take_error();
  if (get.flow_out) fill_flow(**f, false, get.flow_out);
  return ok_status();
}

Status DpNetdev::do_execute(Execute& exec) {
  Flow md = make_flow();
  if (!exec.key.empty()) {
    std::string err;
    if (odp::odp_flow_key_to_flow(view(exec.key), &md, &err) == odp::OdpKeyFitness::kError) {
      return Error(EINVAL, "bad execute key: " + err);
    }
  }
  Packet pkt = Packet::copy_of(exec.packet.data(), exec.packet.size());
  std::lock_guard run_lock(run_mutex_);
  Flow meta = pkt.extract(&md);  // keep only the metadata stage below
  std::memset(reinterpret_cast<uint8_t*>(&meta) + offsetof(Flow, dl_dst), 0,
              sizeof(Flow) - offsetof(Flow, dl_dst));
  Status st = execute_actions(main_ctx_, pkt, netdev::VnetHdr{}, meta, view(exec.actions), 0);
  flush_tx(main_ctx_);
  if (!st.ok() && !exec.probe) {
    VLOG_WARN("%s: execute failed: %s", name_.c_str(), st.error().to_string().c_str());
  }
  return st;
}

Status DpNetdev::flow_flush() {
  std::unique_lock lock(flow_mutex_);
  flows_.clear();
  return ok_status();
}

namespace {

// A dump walks a snapshot of the table taken at its start; threads claim
// slices of it through one atomic cursor.  Statistics are read when a
// flow is returned, so they are current.
class NetdevFlowDump : public FlowDump {
 public:
  NetdevFlowDump(std::vector<DpFlowPtr> flows, bool terse)
      : flows_(std::move(flows)), terse_(terse) {}

  class DumpThread : public FlowDump::Thread {
   public:
    explicit DumpThread(NetdevFlowDump& dump) : dump_(dump) {}
    size_t next(std::vector<DpifFlow>& out, size_t max) override {
      size_t n = 0;
      while (n < max) {
        size_t i = dump_.cursor_.fetch_add(1);
        if (i >= dump_.flows_.size()) break;
        const DpFlow& f = *dump_.flows_[i];
        if (f.dead) continue;  // deleted since the dump started
        out.emplace_back();
        fill_flow(f, dump_.terse_, &out.back());
        n++;
      }
      return n;
    }

   private:
    NetdevFlowDump& dump_;
  };

  std::unique_ptr<Thread> thread() override { return std::make_unique<DumpThread>(*this); }
  Status finish() override { return ok_status(); }

 private:
  std::vector<DpFlowPtr> flows_;
  bool terse_;
  std::atomic<size_t> cursor_{0};
};

}  // namespace

std::unique_ptr<FlowDump> DpNetdev::flow_dump(bool terse) {
  std::shared_lock lock(flow_mutex_);
  return std::make_unique<NetdevFlowDump>(flows_.all(), terse);
}

}  // namespace grebe::dpif
