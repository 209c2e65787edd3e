// Userspace datapath core: ports, handler queues and the packet path.
// Flow operations live in dp_netdev_flow.cc.  See dp_netdev.h.
#include "dp_netdev.h"

#include <linux/openvswitch.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <random>

#include "grebe/dpif/odp_execute.h"
#include "grebe/netdev/offload.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpif_netdev);

namespace grebe::dpif {

namespace {
grebe::vlog::RateLimit upcall_rl(5, 20);
}

DpNetdev::DpNetdev(std::string type, std::string name, std::unique_ptr<netdev::Netdev> local_port)
    : type_(std::move(type)), name_(std::move(name)), local_port_(std::move(local_port)) {
  ufid_secret_ = std::random_device{}();
  if (local_port_) {
    ports_[kOdppLocal] = Port{local_port_->name(), std::string(local_port_->type()),
                              local_port_.get(), local_port_->rx_fd()};
  }
  (void)handlers_set(1);
}

DpNetdev::~DpNetdev() {
  stop_rx_threads();
  for (auto& h : handlers_) {
    if (h->event_fd >= 0) ::close(h->event_fd);
  }
}

Status DpNetdev::destroy() {
  stop_rx_threads();
  std::lock_guard run_lock(run_mutex_);
  {
    std::unique_lock lock(flow_mutex_);
    flows_.clear();
  }
  main_ctx_.emc.clear();
  {
    std::unique_lock lock(ports_mutex_);
    ports_.clear();
    destroyed_ = true;
  }
  recv_purge();
  return ok_status();
}

DpStats DpNetdev::stats() const {
  DpStats s;
  s.n_hit = n_hit_;
  s.n_missed = n_missed_;
  s.n_lost = n_lost_;
  s.n_mask_hit = n_mask_hit_;
  s.n_cache_hit = n_cache_hit_;
  std::shared_lock lock(flow_mutex_);
  s.n_flows = flows_.size();
  s.n_masks = flows_.n_masks();
  return s;
}

// ---- Ports ----

Result<OdpPort> DpNetdev::port_add(netdev::Netdev& netdev, std::optional<OdpPort> requested) {
  std::unique_lock lock(ports_mutex_);
  if (destroyed_) return Error(ENODEV, name_ + ": datapath was destroyed");
  for (const auto& [no, p] : ports_) {
    if (p.name == netdev.name()) return Error(EEXIST, netdev.name() + ": port already exists");
  }
  OdpPort port_no;
  if (requested && *requested != kOdppNone) {
    if (ports_.count(*requested)) {
      return Error(EBUSY, "port number " + std::to_string(*requested) + " is in use");
    }
    port_no = *requested;
  } else {
    port_no = 1;
    while (ports_.count(port_no)) port_no++;
  }
  ports_[port_no] = Port{netdev.name(), std::string(netdev.type()), &netdev, netdev.rx_fd()};
  ports_gen_++;
  lock.unlock();
  wake_rx_threads();
  VLOG_INFO("%s: added port %s as port %u", name_.c_str(), netdev.name().c_str(), port_no);
  return port_no;
}

Status DpNetdev::port_del(OdpPort port) {
  if (port == kOdppLocal) return Error(EINVAL, "cannot delete the local port");
  {
    std::unique_lock lock(ports_mutex_);
    if (!ports_.erase(port)) return Error(ENOENT, "no port " + std::to_string(port));
    ports_gen_++;
  }
  wake_rx_threads();
  quiesce();
  return ok_status();
}

Result<DpifPort> DpNetdev::port_query(OdpPort port) const {
  std::shared_lock lock(ports_mutex_);
  auto it = ports_.find(port);
  if (it == ports_.end()) return Error(ENOENT, "no port " + std::to_string(port));
  return DpifPort{it->second.name, it->second.type, port};
}

Result<DpifPort> DpNetdev::port_query(std::string_view devname) const {
  std::shared_lock lock(ports_mutex_);
  for (const auto& [no, p] : ports_) {
    if (p.name == devname) return DpifPort{p.name, p.type, no};
  }
  return Error(ENOENT, "no port named " + std::string(devname));
}

std::vector<DpifPort> DpNetdev::ports() const {
  std::shared_lock lock(ports_mutex_);
  std::vector<DpifPort> out;
  for (const auto& [no, p] : ports_) out.push_back(DpifPort{p.name, p.type, no});
  return out;
}

// ---- Upcall queues ----

Status DpNetdev::handlers_set(uint32_t n_handlers) {
  if (n_handlers == 0) n_handlers = 1;  // misses always have somewhere to go
  std::lock_guard lock(handlers_mutex_);
  while (handlers_.size() > n_handlers) {
    if (handlers_.back()->event_fd >= 0) ::close(handlers_.back()->event_fd);
    handlers_.pop_back();
  }
  while (handlers_.size() < n_handlers) {
    auto h = std::make_unique<HandlerQueue>();
    h->event_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (h->event_fd < 0) return errno_error("eventfd");
    handlers_.push_back(std::move(h));
  }
  return ok_status();
}

void DpNetdev::queue_upcall(Upcall&& upcall) {
  std::lock_guard lock(handlers_mutex_);
  HandlerQueue& h = *handlers_[upcall.hash % handlers_.size()];
  std::lock_guard qlock(h.mutex);
  if (h.queue.size() >= kMaxUpcallQueue) {
    n_lost_++;
    VLOG_WARN_RL(&upcall_rl, "%s: upcall queue full, packet dropped", name_.c_str());
    return;
  }
  h.queue.push_back(std::move(upcall));
  uint64_t one = 1;
  ssize_t n = ::write(h.event_fd, &one, sizeof one);
  (void)n;  // the counter saturating only means "already readable"
}

Result<Upcall> DpNetdev::recv(uint32_t handler_id) {
  std::lock_guard lock(handlers_mutex_);
  if (handler_id >= handlers_.size()) return Error(EINVAL, "no such handler");
  HandlerQueue& h = *handlers_[handler_id];
  std::lock_guard qlock(h.mutex);
  if (h.queue.empty()) {
    uint64_t v;
    ssize_t n = ::read(h.event_fd, &v, sizeof v);  // drain: fd no longer readable
    (void)n;
    return Error(EAGAIN);
  }
  Upcall u = std::move(h.queue.front());
  h.queue.pop_front();
  return u;
}

int DpNetdev::wait_fd(uint32_t handler_id) const {
  std::lock_guard lock(handlers_mutex_);
  return handler_id < handlers_.size() ? handlers_[handler_id]->event_fd : -1;
}

void DpNetdev::recv_purge() {
  std::lock_guard lock(handlers_mutex_);
  for (auto& h : handlers_) {
    std::lock_guard qlock(h->mutex);
    h->queue.clear();
  }
}

Status DpNetdev::meter_set(uint32_t meter_id, uint32_t flags, const std::vector<MeterBand>& bands) {
  return meters_.set(meter_id, flags, bands);
}
Status DpNetdev::meter_del(uint32_t meter_id) { return meters_.del(meter_id); }

Status DpNetdev::set_flow_limit(size_t limit) {
  std::unique_lock lock(flow_mutex_);
  flow_limit_ = limit;
  return ok_status();
}

// ---- Packet path ----

namespace {

// Software-finished copies of a packet that carries offload metadata:
// itself with its checksum completed, or its segments.  For upcalls and
// before header-rewriting actions.
netdev::PacketBatch finish_in_software(const uint8_t* data, size_t size,
                                       const netdev::VnetHdr& vnet) {
  netdev::Packet p;
  p.data.assign(data, data + size);
  p.vnet = vnet;
  netdev::PacketBatch out;
  Status st = netdev::segment(p, out);
  if (!st.ok()) {
    VLOG_WARN_RL(&upcall_rl, "dropping packet with bad offload metadata: %s",
                 st.error().to_string().c_str());
    out.clear();
  }
  return out;
}

bool has_offload(const netdev::VnetHdr& v) {
  return (v.flags & netdev::VnetHdr::kNeedsCsum) || v.gso_type != netdev::VnetHdr::kGsoNone;
}

// Whether `actions` may rewrite L3/L4 headers, which a partial checksum
// or GSO super-frame cannot survive; anything but forwarding, VLAN tags,
// meters, recirculation, upcalls and conntrack without NAT does.
bool rewrites_headers(nl::Bytes actions) {
  for (nl::AttrIterator it(actions); it.ok(); it.next()) {
    nl::Attr a = it.attr();
    switch (a.type()) {
      case OVS_ACTION_ATTR_OUTPUT:
      case OVS_ACTION_ATTR_PUSH_VLAN:
      case OVS_ACTION_ATTR_POP_VLAN:
      case OVS_ACTION_ATTR_RECIRC:
      case OVS_ACTION_ATTR_METER:
      case OVS_ACTION_ATTR_HASH:
      case OVS_ACTION_ATTR_USERSPACE:
      case OVS_ACTION_ATTR_CT_CLEAR:
        break;
      case OVS_ACTION_ATTR_CT:
        if (nl::find_attr(a.payload(), OVS_CT_ATTR_NAT).valid()) return true;
        break;
      case OVS_ACTION_ATTR_CLONE:
        if (rewrites_headers(a.payload())) return true;
        break;
      default:
        return true;
    }
  }
  return false;
}

// The actions are exactly "output:N": the packet can move to the tx batch.
bool single_output(nl::Bytes actions, uint32_t* port) {
  nl::AttrIterator it(actions);
  if (!it.ok() || it.attr().type() != OVS_ACTION_ATTR_OUTPUT || it.attr().size() != 4) {
    return false;
  }
  *port = it.attr().get_u32();
  it.next();
  return !it.ok() && !it.malformed();
}

}  // namespace

size_t DpNetdev::run() {
  std::lock_guard run_lock(run_mutex_);
  std::vector<std::pair<OdpPort, netdev::Netdev*>> polled;
  bool threads_on = rx_threads_on_.load();
  {
    std::shared_lock lock(ports_mutex_);
    for (const auto& [no, p] : ports_) {
      if (threads_on && p.rx_fd >= 0) continue;  // an rx thread's
      polled.emplace_back(no, p.netdev);
    }
  }
  size_t total = 0;
  for (auto [port_no, netdev] : polled) {
    for (int i = 0; i < 64; i++) {  // bounded: other ports get their turn
      netdev::PacketBatch rx;
      auto n = netdev->rx_recv(rx);
      if (!n.ok() || *n == 0) break;
      total += rx.size();
      rx_batch(main_ctx_, port_no, rx);
    }
  }
  return total;
}

void DpNetdev::rx_batch(PmdContext& ctx, OdpPort port_no, netdev::PacketBatch& rx) {
  std::vector<Packet> batch;
  std::vector<netdev::VnetHdr> vnets;
  batch.reserve(rx.size());
  vnets.reserve(rx.size());
  for (auto& p : rx) {
    batch.push_back(Packet::adopt(std::move(p.data)));
    vnets.push_back(p.vnet);
  }
  Flow md = make_flow();
  md.in_port = port_no;
  ctx.n_packets += batch.size();
  ctx.n_batches++;
  process(ctx, batch, vnets, std::vector<Flow>(batch.size(), md), 0);
  flush_tx(ctx);
}

void DpNetdev::inject(OdpPort in_port, std::vector<Packet>& batch) {
  std::lock_guard run_lock(run_mutex_);
  Flow md = make_flow();
  md.in_port = in_port;
  for (size_t i = 0; i < batch.size(); i += netdev::kMaxBurst) {
    size_t n = std::min(batch.size() - i, netdev::kMaxBurst);
    std::vector<Packet> chunk(std::make_move_iterator(batch.begin() + static_cast<long>(i)),
                              std::make_move_iterator(batch.begin() + static_cast<long>(i + n)));
    std::vector<netdev::VnetHdr> vnets(n);
    process(main_ctx_, chunk, vnets, std::vector<Flow>(n, md), 0);
  }
  flush_tx(main_ctx_);
}

Bytes DpNetdev::key_from_flow(const Flow& flow) const {
  nl::AttrBuilder key;
  odp::OdpFlowKeyParms parms;
  parms.flow = &flow;
  odp::odp_flow_key_from_flow(parms, key);
  return key.take();
}

void DpNetdev::queue_miss(const Packet& pkt, const netdev::VnetHdr& vnet, const Flow& flow,
                          uint32_t hash) {
  Upcall up;
  up.type = Upcall::Type::kMiss;
  up.key = key_from_flow(flow);
  auto u = odp::odp_flow_key_hash(nl::Bytes(up.key.data(), up.key.size()), ufid_secret_);
  up.ufid.w = u.w;
  up.hash = hash;
  if (!has_offload(vnet)) {
    up.packet.assign(pkt.data(), pkt.data() + pkt.size());
    queue_upcall(std::move(up));
    return;
  }
  // Userspace sees finished packets (as from the kernel datapath): a
  // super-frame goes up as its segments, all with this key.
  netdev::PacketBatch segs = finish_in_software(pkt.data(), pkt.size(), vnet);
  for (size_t i = 0; i < segs.size(); i++) {
    Upcall copy = i + 1 < segs.size() ? up : std::move(up);
    copy.packet = std::move(segs[i].data);
    queue_upcall(std::move(copy));
  }
}

void DpNetdev::process(PmdContext& ctx, std::vector<Packet>& batch,
                       std::vector<netdev::VnetHdr>& vnets, const std::vector<Flow>& mds,
                       int depth) {
  struct Group {
    DpFlowPtr flow;
    std::vector<Packet*> pkts;
    std::vector<netdev::VnetHdr*> vnets;
    std::vector<Flow> mds;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < batch.size(); i++) {
    Flow f = batch[i].extract(&mds[i]);
    uint32_t hash = flow_hash(f, 0);
    DpFlowPtr hit = ctx.emc.lookup(f, hash);
    if (hit) {
      n_cache_hit_.fetch_add(1, std::memory_order_relaxed);
    } else {
      uint64_t probed = 0;
      {
        std::shared_lock lock(flow_mutex_);
        hit = flows_.lookup(f, &probed);
      }
      n_mask_hit_.fetch_add(probed, std::memory_order_relaxed);
      if (hit) ctx.emc.insert(f, hash, hit);
    }
    if (!hit) {
      n_missed_.fetch_add(1, std::memory_order_relaxed);
      ctx.n_upcalls++;
      queue_miss(batch[i], vnets[i], f, hash);
      continue;
    }
    n_hit_.fetch_add(1, std::memory_order_relaxed);
    auto g =
        std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.flow == hit; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{hit, {}, {}, {}});
    g->pkts.push_back(&batch[i]);
    g->vnets.push_back(&vnets[i]);
    g->mds.push_back(mds[i]);
    g->mds.back().tcp_flags = f.tcp_flags;
  }
  for (auto& g : groups) execute_flow(ctx, g.flow, g.pkts, g.vnets, g.mds, depth);
}

void DpNetdev::execute_flow(PmdContext& ctx, const DpFlowPtr& flow, std::vector<Packet*>& pkts,
                            std::vector<netdev::VnetHdr*>& vnets, std::vector<Flow>& mds,
                            int depth) {
  uint64_t bytes = 0;
  uint16_t flags = 0;
  for (size_t i = 0; i < pkts.size(); i++) {
    bytes += pkts[i]->size();
    flags |= mds[i].tcp_flags;
  }
  flow->account(pkts.size(), bytes, flags, time_msec());
  std::shared_ptr<const Bytes> actions = flow->actions();
  nl::Bytes acts(actions->data(), actions->size());
  uint32_t out_port;
  if (single_output(acts, &out_port)) {
    for (size_t i = 0; i < pkts.size(); i++) queue_tx(ctx, out_port, pkts[i]->take_frame(), *vnets[i]);
    return;
  }
  bool rewrites = rewrites_headers(acts);
  for (size_t i = 0; i < pkts.size(); i++) {
    if (rewrites && has_offload(*vnets[i])) {
      netdev::PacketBatch segs = finish_in_software(pkts[i]->data(), pkts[i]->size(), *vnets[i]);
      for (auto& seg : segs) {
        Packet p = Packet::adopt(std::move(seg.data));
        p.extract(&mds[i]);
        Flow md = mds[i];
        Status st = execute_actions(ctx, p, netdev::VnetHdr{}, md, acts, depth);
        if (!st.ok()) VLOG_WARN_RL(&upcall_rl, "%s: %s", name_.c_str(), st.error().to_string().c_str());
      }
      continue;
    }
    Status st = execute_actions(ctx, *pkts[i], *vnets[i], mds[i], acts, depth);
    if (!st.ok()) VLOG_WARN_RL(&upcall_rl, "%s: %s", name_.c_str(), st.error().to_string().c_str());
  }
}

Status DpNetdev::execute_actions(PmdContext& ctx, Packet& pkt, const netdev::VnetHdr& vnet,
                                 Flow& md, nl::Bytes actions, int depth) {
  // Offsets in the offload metadata follow the frame as VLAN/MPLS headers
  // are pushed or popped in front of L3.
  const size_t orig_size = pkt.size();
  auto shifted = [&vnet, orig_size](const Packet& p) {
    netdev::VnetHdr v = vnet;
    long delta = static_cast<long>(p.size()) - static_cast<long>(orig_size);
    if (has_offload(v) && delta) {
      v.csum_start = static_cast<uint16_t>(v.csum_start + delta);
      if (v.hdr_len) v.hdr_len = static_cast<uint16_t>(v.hdr_len + delta);
    }
    return v;
  };
  ExecuteHooks hooks;
  hooks.output = [&](const Packet& p, const Flow&, uint32_t port) {
    queue_tx(ctx, port, std::vector<uint8_t>(p.data(), p.data() + p.size()), shifted(p));
  };
  hooks.userspace = [&](const Packet& p, const Flow& m, nl::Bytes attr) {
    Upcall up;
    up.type = Upcall::Type::kAction;
    netdev::VnetHdr v = shifted(p);
    if (has_offload(v)) {
      netdev::PacketBatch segs = finish_in_software(p.data(), p.size(), v);
      if (segs.empty()) return;
      up.packet = std::move(segs[0].data);  // one is enough for a controller
    } else {
      up.packet.assign(p.data(), p.data() + p.size());
    }
    Flow f = flow_extract(up.packet.data(), up.packet.size(), &m);
    up.key = key_from_flow(f);
    nl::Attr ud = nl::find_attr(attr, OVS_USERSPACE_ATTR_USERDATA);
    if (ud.valid()) up.userdata.assign(ud.data(), ud.data() + ud.size());
    // OVS_USERSPACE_ATTR_ACTIONS asks for the actions being executed.
    if (nl::find_attr(attr, OVS_USERSPACE_ATTR_ACTIONS).valid()) {
      up.actions.assign(actions.begin(), actions.end());
    }
    up.hash = flow_hash(f, 0);
    queue_upcall(std::move(up));
  };
  hooks.meter = [this](const Packet& p, uint32_t meter_id) {
    return meters_.admit(meter_id, p.size(), time_msec());
  };
  hooks.recirc = [&](const Packet& p, const Flow& m) {
    if (depth + 1 >= kMaxRecircDepth) {
      VLOG_WARN_RL(&upcall_rl, "%s: recirculation depth exceeded, packet dropped", name_.c_str());
      return;
    }
    std::vector<Packet> one;
    one.push_back(Packet::copy_of(p.data(), p.size()));
    std::vector<netdev::VnetHdr> vnets{shifted(p)};
    Flow next = m;
    next.tcp_flags = 0;
    process(ctx, one, vnets, std::vector<Flow>{next}, depth + 1);
  };
  if (ct_hook_) {
    hooks.ct = [this](Packet& p, Flow& m, nl::Bytes attr) { return ct_hook_(p, m, attr); };
  } else {
    hooks.ct = [this](Packet& p, Flow& m, nl::Bytes attr) {
      long long now = time_msec();
      // Expired connections go once a second, from whichever thread
      // gets here first.
      long long due = next_ct_sweep_.load(std::memory_order_relaxed);
      if (now >= due && next_ct_sweep_.compare_exchange_strong(due, now + 1000)) ct_.sweep(now);
      return ct_.execute(p, m, attr, now);
    };
  }
  return odp_execute_actions(pkt, md, actions, hooks);
}

Result<std::vector<conntrack::Entry>> DpNetdev::ct_dump(std::optional<uint16_t> zone) const {
  return ct_.dump(zone, time_msec());
}

Status DpNetdev::ct_flush(std::optional<uint16_t> zone) {
  ct_.flush(zone);
  return ok_status();
}

Result<std::map<uint16_t, std::pair<uint32_t, size_t>>> DpNetdev::ct_get_limits() const {
  std::map<uint16_t, std::pair<uint32_t, size_t>> out;
  for (auto [zone, limit] : ct_.zone_limits()) out[zone] = {limit, ct_.zone_count(zone)};
  return out;
}

void DpNetdev::queue_tx(PmdContext& ctx, OdpPort port, std::vector<uint8_t>&& frame,
                        const netdev::VnetHdr& vnet) {
  netdev::PacketBatch& b = ctx.tx[port];
  b.emplace_back();
  b.back().data = std::move(frame);
  b.back().vnet = vnet;
}

void DpNetdev::flush_tx(PmdContext& ctx) {
  for (auto& [port, batch] : ctx.tx) {
    if (batch.empty()) continue;
    netdev::Netdev* dev = nullptr;
    std::shared_ptr<std::mutex> tx_mutex;
    {
      std::shared_lock lock(ports_mutex_);
      auto it = ports_.find(port);
      if (it != ports_.end()) {
        dev = it->second.netdev;
        tx_mutex = it->second.tx_mutex;
      }
    }
    if (dev) {
      std::lock_guard tx_lock(*tx_mutex);
      (void)dev->send(batch);
    }
    batch.clear();
  }
}

}  // namespace grebe::dpif
