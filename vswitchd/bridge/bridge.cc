// Bridges: apply config deltas to ofprotos.  See bridge.h.
#include "bridge/bridge.h"

#include <algorithm>
#include <cinttypes>

#include "grebe/ovsdb_idl/replica.h"
#include "grebe/util/clock.h"
#include "grebe/util/hash.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge);

namespace grebe::bridge {

using ofproto_dpif::Ofproto;

Bridges::Bridges(DummyMode dummy, event::EventLoop* loop) : dummy_(dummy), loop_(loop) {}

namespace {

std::vector<connmgr::ControllerConfig> connmgr_controllers(const BridgeConfig& cfg) {
  std::vector<connmgr::ControllerConfig> out;
  for (const ControllerConfig& c : cfg.controllers) {
    connmgr::ControllerConfig cc;
    cc.target = c.target;
    if (c.connection_mode) cc.connection_mode = *c.connection_mode;
    if (c.max_backoff) cc.max_backoff = static_cast<int>(*c.max_backoff / 1000);
    if (cc.max_backoff < 1) cc.max_backoff = 8;
    if (c.inactivity_probe) cc.inactivity_probe = static_cast<int>(*c.inactivity_probe / 1000);
    if (c.rate_limit) cc.rate_limit = static_cast<int>(*c.rate_limit);
    if (c.burst_limit) cc.burst_limit = static_cast<int>(*c.burst_limit);
    if (c.queue_size) cc.controller_queue_size = static_cast<int>(*c.queue_size);
    if (c.enable_async_messages) cc.enable_async_messages = *c.enable_async_messages;
    cc.service = c.type && *c.type == "service";
    out.push_back(std::move(cc));
  }
  return out;
}

}  // namespace

Bridges::~Bridges() {
  std::vector<std::string> names;
  for (const auto& [name, o] : ofprotos_) names.push_back(name);
  for (const auto& n : names) del_bridge(n);
}

std::string Bridges::provider_for(const std::string& type) const {
  if (dummy_ == DummyMode::kOverride) return "dummy";
  return type;
}

std::vector<ConfigOp> Bridges::reconfigure(const ovsdb_idl::Replica& replica) {
  std::vector<std::string> warnings;
  SwitchConfig cfg = build_config(replica, &warnings);
  static vlog::RateLimit rl(10, 60);
  for (const auto& w : warnings) VLOG_WARN_RL(&rl, "%s", w.c_str());
  return apply(cfg);
}

std::vector<ConfigOp> Bridges::apply(const SwitchConfig& cfg) {
  std::vector<ConfigOp> ops = diff_config(current_, cfg);
  for (const ConfigOp& op : ops) {
    VLOG_DBG("reconfigure: %s", to_string(op).c_str());
    apply_op(op, cfg);
  }
  bool tuning_changed = !(current_.tuning == cfg.tuning);
  current_ = cfg;
  // A bridge that failed to come up is not in ofprotos_: drop it from the
  // applied snapshot so the next reconfiguration retries it.
  for (auto it = current_.bridges.begin(); it != current_.bridges.end();) {
    if (!ofprotos_.count(it->first)) it = current_.bridges.erase(it);
    else ++it;
  }
  if (tuning_changed && observer_) observer_->tuning_changed(cfg.tuning);
  return ops;
}

void Bridges::apply_op(const ConfigOp& op, const SwitchConfig& to) {
  using K = ConfigOp::Kind;
  switch (op.kind) {
    case K::kDelIface: {
      ifaces_.erase(op.iface);
      if (Ofproto* o = find(op.bridge)) o->del_port(op.iface);
      break;
    }
    case K::kDelBridge: del_bridge(op.bridge); break;
    case K::kAddBridge: add_bridge(to.bridges.at(op.bridge)); break;
    case K::kModBridge: {
      if (Ofproto* o = find(op.bridge)) {
        configure_bridge(*o, to.bridges.at(op.bridge));
        if (observer_) observer_->bridge_changed(*o, to.bridges.at(op.bridge));
      }
      break;
    }
    case K::kAddIface:
    case K::kModIface: {
      const BridgeConfig& br = to.bridges.at(op.bridge);
      const PortConfig& port = br.ports.at(op.port);
      for (const IfaceConfig& ic : port.ifaces) {
        if (ic.name != op.iface) continue;
        if (op.kind == K::kAddIface) {
          add_iface(br, port, ic);
        } else if (Ofproto* o = find(op.bridge)) {
          (void)o->reconfigure_port(ic.name, ic.options, ic.mtu_request);
        }
      }
      break;
    }
    case K::kModPort: {
      if (Ofproto* o = find(op.bridge)) {
        const PortConfig& port = to.bridges.at(op.bridge).ports.at(op.port);
        o->set_port_vlan(port.name, {port.vlan.tag, port.vlan.trunks, port.vlan.vlan_mode});
      }
      break;
    }
  }
}

void Bridges::add_bridge(const BridgeConfig& cfg) {
  if (ofprotos_.count(cfg.name)) return;
  Datapath& dp = datapaths_[cfg.datapath_type];
  if (!dp.backer) {
    auto b = ofproto_dpif::Backer::get(cfg.datapath_type, provider_for(cfg.datapath_type));
    if (!b.ok()) {
      bridge_errors_[cfg.name] = b.error().message();
      VLOG_ERR("failed to create bridge %s: %s", cfg.name.c_str(), b.error().message().c_str());
      datapaths_.erase(cfg.datapath_type);
      // Its interfaces cannot exist either.
      for (const auto& [pname, port] : cfg.ports) {
        for (const auto& ic : port.ifaces) ifaces_[ic.name] = IfaceState{std::nullopt, b.error().message()};
      }
      return;
    }
    dp.backer = *b;
    if (observer_) observer_->backer_added(*dp.backer);
  }
  dp.n_bridges++;
  bridge_errors_.erase(cfg.name);
  auto ofproto = std::make_unique<Ofproto>(cfg.name, dp.backer, loop_);
  Ofproto& o = *ofproto;
  ofprotos_[cfg.name] = std::move(ofproto);
  configure_bridge(o, cfg);
  if (observer_) observer_->bridge_added(o, cfg);
}

void Bridges::del_bridge(const std::string& name) {
  auto it = ofprotos_.find(name);
  if (it == ofprotos_.end()) return;
  std::string type = it->second->backer().type();
  if (observer_) observer_->bridge_removed(*it->second);
  for (const auto* p : it->second->port_list()) ifaces_.erase(p->name);
  ofprotos_.erase(it);
  auto dp = datapaths_.find(type);
  if (dp != datapaths_.end() && --dp->second.n_bridges <= 0) {
    if (observer_) observer_->backer_removed(*dp->second.backer);
    datapaths_.erase(dp);
  }
  VLOG_INFO("bridge %s: deleted", name.c_str());
}

void Bridges::configure_bridge(Ofproto& o, const BridgeConfig& cfg) {
  for (int t = 0; t < ofproto::kNumTables; t++) {
    ofproto::TableConfig& tc = o.tables().table_config(static_cast<uint8_t>(t));
    auto it = cfg.tables.find(t);
    tc.name = it != cfg.tables.end() && it->second.name ? *it->second.name : "";
    tc.max_flows = UINT32_MAX;
    if (it != cfg.tables.end() && it->second.flow_limit && *it->second.flow_limit >= 0) {
      tc.max_flows = static_cast<uint32_t>(std::min<int64_t>(*it->second.flow_limit, UINT32_MAX));
    }
  }
  o.configure(connmgr_controllers(cfg), cfg.fail_mode, cfg.protocols, cfg.other_config);
  uint64_t dpid = pick_datapath_id(o, cfg);
  if (dpid != o.datapath_id()) {
    o.set_datapath_id(dpid);
    VLOG_INFO("bridge %s: using datapath ID %016" PRIx64, cfg.name.c_str(), dpid);
  }
}

// OVS: other_config:datapath-id, else the bridge MAC (other_config:hwaddr,
// else the local port's), as a 48-bit number.
uint64_t Bridges::pick_datapath_id(Ofproto& o, const BridgeConfig& cfg) {
  if (cfg.datapath_id) return *cfg.datapath_id;
  netdev::EthAddr mac{};
  if (cfg.hwaddr) {
    if (auto m = netdev::EthAddr::from_string(*cfg.hwaddr); m.ok()) mac = *m;
  }
  if (mac == netdev::EthAddr{}) mac = o.hwaddr();
  if (mac == netdev::EthAddr{}) {
    // No local port: a stable address from the bridge name (locally
    // administered, unicast).
    uint32_t h = hash_string(cfg.name, 0);
    mac.octets = {0x02, 0x00, uint8_t(h >> 24), uint8_t(h >> 16), uint8_t(h >> 8), uint8_t(h)};
  }
  uint64_t dpid = 0;
  for (uint8_t b : mac.octets) dpid = (dpid << 8) | b;
  return dpid;
}

void Bridges::add_iface(const BridgeConfig& br, const PortConfig& port, const IfaceConfig& ic) {
  Ofproto* o = find(br.name);
  if (!o) return;  // the bridge failed; its interfaces were marked then
  ofproto_dpif::PortSpec spec;
  spec.name = ic.name;
  spec.type = ic.type;
  if (ic.ofport_request) spec.ofport_request = static_cast<uint32_t>(*ic.ofport_request);
  spec.options = ic.options;
  spec.mtu_request = ic.mtu_request;
  spec.bundle = port.name;
  auto r = o->add_port(spec);
  if (!r.ok()) {
    VLOG_WARN("%s", r.error().message().c_str());
    ifaces_[ic.name] = IfaceState{std::nullopt, r.error().message()};
    return;
  }
  ifaces_[ic.name] = IfaceState{*r, ""};
  o->set_port_vlan(port.name, {port.vlan.tag, port.vlan.trunks, port.vlan.vlan_mode});
  // The local port's MAC may define the datapath ID.
  if (*r == kOfppLocal) configure_bridge(*o, br);
}

void Bridges::run() {
  long long now = time_msec();
  for (auto& [name, o] : ofprotos_) (void)o->run(now);
}

Ofproto* Bridges::find(const std::string& name) const {
  auto it = ofprotos_.find(name);
  return it == ofprotos_.end() ? nullptr : it->second.get();
}

std::vector<Ofproto*> Bridges::all() const {
  std::vector<Ofproto*> out;
  for (const auto& [name, o] : ofprotos_) out.push_back(o.get());
  return out;
}

}  // namespace grebe::bridge
