// Connmgr: configuration, listeners, controllers, fail-open, asynchronous
// messages and status (see connmgr.h; internals in connmgr_impl.h).
#include "connmgr/connmgr.h"

#include <algorithm>
#include <climits>

#include "connmgr/connmgr_impl.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace grebe::connmgr {

namespace {

bool is_passive(const std::string& target) {
  return target.rfind("ptcp:", 0) == 0 || target.rfind("punix:", 0) == 0 ||
         target.rfind("pssl:", 0) == 0;
}

const char* role_column(vconn::Rconn::Role role) {
  switch (role) {
    case vconn::Rconn::Role::kMaster: return "master";
    case vconn::Rconn::Role::kSlave: return "slave";
    default: return "other";
  }
}

}  // namespace

std::string ofperr_name(const Error& e, const char* fallback) {
  return openflow::ofperr_is_known(e.message()) ? e.message() : std::string(fallback);
}

bool RateLimiter::admit(long long now) {
  if (rate <= 0) return true;
  double cap = std::max(burst, 1);
  if (last == 0) {
    tokens = cap;
  } else if (now > last) {
    tokens = std::min(cap, tokens + (now - last) * rate / 1000.0);
  }
  last = now;
  if (tokens >= 1) {
    tokens -= 1;
    return true;
  }
  ++n_dropped;
  return false;
}

// ---------------------------------------------------------------------------
// Impl

Impl::Impl(event::EventLoop& l, SwitchOps& o, std::string b, std::string r)
    : loop(l), ops(o), bridge(std::move(b)), rundir(std::move(r)) {
  hook = loop.add_hook([this] { run(); });
  arm_timer();
}

Impl::~Impl() {
  loop.remove_hook(hook);
  loop.cancel_timer(timer);
  auto close = [this](Listener& l) {
    if (l.watch) loop.unwatch_fd(l.watch);
    l.watch = 0;
  };
  close(mgmt);
  close(snoop);
  for (auto& [t, l] : controller_listeners) close(l);
  for (auto& [t, l] : extra_listeners) close(l);
  accepted.clear();
  active.clear();
}

// A 1-second tick so fail-open and bundle timeouts advance on an idle loop.
void Impl::arm_timer() {
  timer = loop.add_timer(1000, [this] {
    run();
    arm_timer();
  });
}

Result<Impl::Listener> Impl::listen(const std::string& target, ConnType type) {
  auto pv = vconn::PVconn::open(target, allowed_versions);
  if (!pv.ok()) return pv.error();
  Listener l;
  l.pvconn = std::move(*pv);
  l.type = type;
  return l;
}

void Impl::watch_listener(Listener& l) {
  Listener* lp = &l;  // map nodes and members are stable
  l.watch = loop.watch_fd(l.pvconn->fd(), event::kReadable, [this, lp](uint32_t) { accept_all(*lp); });
}

std::unique_ptr<OFConn> Impl::make_conn(ConnType type, const ControllerConfig* config) {
  int probe = config ? config->inactivity_probe : 0;
  int backoff = config ? config->max_backoff : 8;
  uint8_t dscp = config ? config->dscp : 48;
  auto rconn = std::make_unique<vconn::Rconn>(loop, probe, backoff, dscp, allowed_versions);
  auto c = std::make_unique<OFConn>(*this, type, std::move(rconn));
  if (config) configure_conn(*c, *config);
  return c;
}

void Impl::configure_conn(OFConn& c, const ControllerConfig& config) {
  c.rconn->set_probe_interval(config.inactivity_probe);
  c.rconn->set_max_backoff(config.max_backoff);
  // OVS: rate limit at least 100/s, burst at least 25 (default rate / 4).
  c.limiter.rate = config.rate_limit > 0 ? std::max(config.rate_limit, 100) : 0;
  c.limiter.burst = config.burst_limit > 0 ? std::max(config.burst_limit, 25)
                                           : std::max(c.limiter.rate / 4, 25);
  c.queue_limit = config.controller_queue_size > 0 ? config.controller_queue_size : 100;
}

void Impl::accept_all(Listener& l) {
  for (int i = 0; i < 64; ++i) {
    auto v = l.pvconn->accept();
    if (!v.ok()) {
      if (!v.error().would_block()) {
        VLOG_WARN("%s: accept failed (%s)", l.pvconn->name().c_str(),
                  v.error().to_string().c_str());
      }
      return;
    }
    if (l.snoop) {
      // ovs-ofctl snoop watches the first connected controller.
      OFConn* target = nullptr;
      for (auto& [t, c] : active) {
        if (c->is_connected()) {
          target = c.get();
          break;
        }
      }
      for (auto& c : accepted) {
        if (!target && c->type == ConnType::kPrimary && c->is_connected()) target = c.get();
      }
      if (target) target->rconn->add_monitor(std::move(*v));
      continue;
    }
    const ControllerConfig* cfg = l.type == ConnType::kPrimary ? &l.config : nullptr;
    auto c = make_conn(l.type, cfg);
    std::string name = (*v)->name();
    c->target = l.type == ConnType::kPrimary ? l.config.target : name;
    c->rconn->connect_unreliably(std::move(*v), name);
    VLOG_DBG("%s: accepted %s connection %s", bridge.c_str(),
             l.type == ConnType::kPrimary ? "controller" : "service", name.c_str());
    accepted.push_back(std::move(c));
  }
}

void Impl::reap() {
  std::erase_if(accepted, [](const std::unique_ptr<OFConn>& c) { return c->dead; });
}

void Impl::run() {
  reap();
  update_fail_open();
  // Bundles idle for more than 10 minutes are discarded, as OVS's
  // bundle_idle_timeout.
  long long now = time_msec();
  for_each_conn([now](OFConn& c) {
    std::erase_if(c.bundles, [now](const auto& kv) { return now - kv.second.opened > 600000; });
  });
}

int Impl::failure_duration() const {
  int min = INT_MAX;
  bool any = false;
  for (const auto& [t, c] : active) {
    if (controllers.count(t) && controllers.at(t).service) continue;
    any = true;
    min = std::min(min, c->rconn->failure_duration());
  }
  for (const auto& c : accepted) {
    if (c->type != ConnType::kPrimary) continue;
    any = true;
    min = std::min(min, c->rconn->failure_duration());
  }
  return any ? min : 0;
}

bool Impl::any_controller_admitted() const {
  bool admitted = false;
  for_each_conn([&](const OFConn& c) {
    if (c.type == ConnType::kPrimary && c.rconn->is_admitted()) admitted = true;
  });
  return admitted;
}

// OVS fail-open: in standalone mode, after three inactivity-probe intervals
// without an admitted controller the switch acts as a learning switch
// until a controller is admitted again.
void Impl::update_fail_open() {
  bool want = false;
  if (fail_mode == FailMode::kStandalone && !active.empty()) {
    int probe = 0;
    for (const auto& [t, cfg] : controllers) probe = std::max(probe, cfg.inactivity_probe);
    int trigger = std::max(probe, 5) * 3;
    int duration = failure_duration();
    want = fail_open ? !any_controller_admitted() : duration >= trigger;
    if (want && !fail_open) {
      VLOG_WARN("%s: Could not connect to controller (or switch failed controller's "
                "post-connection admission control policy) for %d seconds, failing open",
                bridge.c_str(), duration);
    } else if (!want && fail_open) {
      VLOG_INFO("%s: No longer in fail-open mode", bridge.c_str());
    }
  } else if (fail_open) {
    VLOG_INFO("%s: No longer in fail-open mode", bridge.c_str());
  }
  if (want != fail_open) {
    fail_open = want;
    ops.set_fail_open(want);
  }
}

// ---------------------------------------------------------------------------
// Flow changes shared by flow_mod, bundles, group and meter deletion.

std::string Impl::check_actions(const openflow::ActionList& actions) const {
  for (uint32_t g : ofproto::groups_referenced(actions)) {
    if (!ops.groups().find(g)) return "OFPBAC_BAD_OUT_GROUP";
  }
  for (uint32_t m : ofproto::meters_referenced(actions)) {
    if (!ops.meters().find(m)) return "OFPMMFC_INVALID_METER";
  }
  return {};
}

Result<ofproto::FlowModOutcome> Impl::apply_flow_mods(const std::vector<openflow::FlowMod>& fms,
                                                      OFConn* source) {
  for (const auto& fm : fms) {
    if (fm.command == openflow::FlowModCommand::kDelete ||
        fm.command == openflow::FlowModCommand::kDeleteStrict)
      continue;
    if (std::string e = check_actions(fm.actions); !e.empty()) return Error(EINVAL, e);
  }
  auto r = fms.size() == 1 ? ops.tables().handle_flow_mod(fms[0]) : ops.tables().apply_bundle(fms);
  if (!r.ok()) return r.error();
  after_flow_change(*r, source);
  notify_monitors(fms, source);
  return r;
}

void Impl::after_flow_change(const ofproto::FlowModOutcome& outcome, OFConn* /*source*/) {
  ops.flows_changed(outcome);
  for (const auto& fr : outcome.removed) send_flow_removed_all(fr);
}

ofproto::FlowModOutcome Impl::delete_flows_using_group(uint32_t group_id) {
  openflow::FlowMod fm;
  fm.command = openflow::FlowModCommand::kDelete;
  fm.table_id = ofproto::kTableAll;
  fm.out_group = group_id;
  auto r = ops.tables().handle_flow_mod(fm);
  if (!r.ok()) return {};
  for (auto& fr : r->removed) fr.reason = ofproto::RemovedReason::kGroupDelete;
  return *r;
}

ofproto::FlowModOutcome Impl::delete_flows_using_meter(uint32_t meter_id) {
  openflow::FlowStatsRequest all;
  std::vector<openflow::FlowMod> dels;
  for (const auto& fs : ops.tables().flow_stats(all)) {
    auto ids = ofproto::meters_referenced(fs.actions);
    if (std::find(ids.begin(), ids.end(), meter_id) == ids.end()) continue;
    openflow::FlowMod fm;
    fm.command = openflow::FlowModCommand::kDeleteStrict;
    fm.table_id = fs.table_id;
    fm.match = fs.match;
    fm.priority = fs.priority;
    dels.push_back(std::move(fm));
  }
  if (dels.empty()) return {};
  auto r = ops.tables().apply_bundle(dels);
  if (!r.ok()) return {};
  for (auto& fr : r->removed) fr.reason = ofproto::RemovedReason::kMeterDelete;
  return *r;
}

void Impl::send_flow_removed_all(const ofproto::FlowRemoved& fr) {
  for_each_conn([&](OFConn& c) {
    if (!c.is_connected() || !c.wants(kAsyncFlowRemoved, static_cast<uint32_t>(fr.reason))) return;
    uint8_t v = static_cast<uint8_t>(c.version());
    openflow::OfpBuf b(v, openflow::kOfptFlowRemoved, 0);
    if (v == openflow::kOfp10) {
      openflow::ofp10_put_match(b.bytes(), fr.match);
      b.put64(fr.cookie);
      b.put16(fr.priority);
      b.put8(static_cast<uint8_t>(fr.reason));
      b.put8(0);
      b.put32(fr.duration_sec);
      b.put32(fr.duration_nsec);
      b.put16(fr.idle_timeout);
      b.put_zeros(2);
      b.put64(fr.packet_count);
      b.put64(fr.byte_count);
    } else if (v >= openflow::kOfp15) {
      // ofp15_flow_removed: ids, cookie, OXM match, OXS statistics.
      b.put8(fr.table_id);
      b.put8(static_cast<uint8_t>(fr.reason));
      b.put16(fr.priority);
      b.put16(fr.idle_timeout);
      b.put16(fr.hard_timeout);
      b.put64(fr.cookie);
      size_t start = b.size();
      b.put16(1);  // OFPMT_OXM
      b.put16(0);
      size_t n = openflow::nx_put_match(b.bytes(), fr.match, true, v);
      store_be16(&b.bytes()[start + 2], static_cast<uint16_t>(4 + n));
      b.pad_to(8);
      b.put16(0);
      b.put16(4 + 12 + 12 + 12);
      b.put32(0x80020008);  // OXS duration
      b.put32(fr.duration_sec);
      b.put32(fr.duration_nsec);
      b.put32(0x80020808);  // OXS packet_count
      b.put64(fr.packet_count);
      b.put32(0x80020a08);  // OXS byte_count
      b.put64(fr.byte_count);
      b.pad_to(8);
    } else {
      b.put64(fr.cookie);
      b.put16(fr.priority);
      b.put8(static_cast<uint8_t>(fr.reason));
      b.put8(fr.table_id);
      b.put32(fr.duration_sec);
      b.put32(fr.duration_nsec);
      b.put16(fr.idle_timeout);
      b.put16(fr.hard_timeout);
      b.put64(fr.packet_count);
      b.put64(fr.byte_count);
      size_t start = b.size();
      b.put16(1);  // OFPMT_OXM
      b.put16(0);
      size_t n = openflow::nx_put_match(b.bytes(), fr.match, true, v);
      b.bytes()[start + 2] = static_cast<uint8_t>((4 + n) >> 8);
      b.bytes()[start + 3] = static_cast<uint8_t>((4 + n) & 0xff);
      b.pad_to(8);
    }
    c.send(b.finish());
  });
}

// ---------------------------------------------------------------------------
// Connmgr

Connmgr::Connmgr(event::EventLoop& loop, SwitchOps& ops, std::string bridge, std::string rundir)
    : impl_(std::make_unique<Impl>(loop, ops, std::move(bridge), std::move(rundir))) {}
Connmgr::~Connmgr() = default;

Status Connmgr::start() {
  Impl& m = *impl_;
  if (m.started) return {};
  auto mg = m.listen("punix:" + m.rundir + "/" + m.bridge + ".mgmt", ConnType::kService);
  if (!mg.ok()) {
    VLOG_ERR("%s: failed to listen on %s/%s.mgmt (%s)", m.bridge.c_str(), m.rundir.c_str(),
             m.bridge.c_str(), mg.error().to_string().c_str());
    return mg.error();
  }
  m.mgmt = std::move(*mg);
  m.watch_listener(m.mgmt);
  auto sn = m.listen("punix:" + m.rundir + "/" + m.bridge + ".snoop", ConnType::kService);
  if (sn.ok()) {
    m.snoop = std::move(*sn);
    m.snoop.snoop = true;
    m.watch_listener(m.snoop);
  }
  m.started = true;
  return {};
}

void Connmgr::set_controllers(const std::vector<ControllerConfig>& controllers) {
  Impl& m = *impl_;
  std::map<std::string, ControllerConfig> next;
  for (const auto& c : controllers) {
    bool passive = is_passive(c.target);
    if (passive ? !vconn::pvconn_name_is_valid(c.target) : !vconn::vconn_name_is_valid(c.target)) {
      VLOG_WARN("%s: invalid controller target \"%s\"", m.bridge.c_str(), c.target.c_str());
      continue;
    }
    if (c.connection_mode == "in-band" && !m.controllers.count(c.target)) {
      VLOG_INFO("%s: in-band control is not supported; using out-of-band for %s",
                m.bridge.c_str(), c.target.c_str());
    }
    next[c.target] = c;
  }
  // Drop what is gone.
  std::erase_if(m.active, [&](const auto& kv) { return !next.count(kv.first); });
  for (auto it = m.controller_listeners.begin(); it != m.controller_listeners.end();) {
    if (next.count(it->first)) {
      ++it;
      continue;
    }
    m.loop.unwatch_fd(it->second.watch);
    it = m.controller_listeners.erase(it);
  }
  // Add or update the rest.
  for (const auto& [target, cfg] : next) {
    if (is_passive(target)) {
      auto it = m.controller_listeners.find(target);
      if (it == m.controller_listeners.end()) {
        auto l = m.listen(target, ConnType::kPrimary);
        if (!l.ok()) {
          VLOG_WARN("%s: %s: listen failed (%s)", m.bridge.c_str(), target.c_str(),
                    l.error().to_string().c_str());
          continue;
        }
        it = m.controller_listeners.emplace(target, std::move(*l)).first;
        m.watch_listener(it->second);
      }
      it->second.config = cfg;
      continue;
    }
    auto it = m.active.find(target);
    if (it == m.active.end()) {
      auto c = m.make_conn(ConnType::kPrimary, &cfg);
      c->target = target;
      c->rconn->connect(target);
      m.active.emplace(target, std::move(c));
    } else {
      m.configure_conn(*it->second, cfg);
    }
  }
  m.controllers = std::move(next);
  m.update_fail_open();
}

void Connmgr::set_fail_mode(FailMode mode) {
  impl_->fail_mode = mode;
  impl_->update_fail_open();
}
FailMode Connmgr::fail_mode() const { return impl_->fail_mode; }

Status Connmgr::set_extra_listeners(const std::vector<std::string>& targets) {
  Impl& m = *impl_;
  Status result;
  for (auto it = m.extra_listeners.begin(); it != m.extra_listeners.end();) {
    if (std::find(targets.begin(), targets.end(), it->first) != targets.end()) {
      ++it;
      continue;
    }
    m.loop.unwatch_fd(it->second.watch);
    it = m.extra_listeners.erase(it);
  }
  for (const auto& t : targets) {
    if (m.extra_listeners.count(t)) continue;
    auto l = m.listen(t, ConnType::kService);
    if (!l.ok()) {
      VLOG_WARN("%s: %s: listen failed (%s)", m.bridge.c_str(), t.c_str(),
                l.error().to_string().c_str());
      if (result.ok()) result = l.error();
      continue;
    }
    auto it = m.extra_listeners.emplace(t, std::move(*l)).first;
    m.watch_listener(it->second);
  }
  return result;
}

void Connmgr::set_allowed_versions(uint32_t bitmap) {
  impl_->allowed_versions = bitmap ? bitmap : vconn::kDefaultVersions;
}

void Connmgr::run() { impl_->run(); }

void Connmgr::send_packet_in(const PacketInRequest& pin) {
  Impl& m = *impl_;
  long long now = time_msec();
  m.for_each_conn([&](OFConn& c) {
    if (!c.is_connected() || !c.wants(kAsyncPacketIn, pin.reason)) return;
    if (pin.controller_id && pin.controller_id != c.controller_id) return;
    // Table misses honor miss_send_len; service connections only get
    // packet-ins once they asked (miss_send_len != 0), as OVS.
    if (c.type == ConnType::kService && !c.miss_send_len) return;
    uint16_t max_len = pin.reason == openflow::kPinNoMatch ? c.miss_send_len : pin.max_len;
    if (c.type == ConnType::kPrimary && !c.limiter.admit(now)) return;
    if (c.queued.n_packets >= static_cast<unsigned>(c.queue_limit)) {
      ++c.n_dropped_queue;
      return;
    }
    openflow::PacketIn p;
    p.reason = pin.reason;
    p.table_id = pin.table_id;
    p.cookie = pin.cookie;
    p.total_len = static_cast<uint16_t>(std::min<size_t>(pin.packet.size(), 0xffff));
    size_t n = max_len == 0xffff ? pin.packet.size() : std::min<size_t>(max_len, pin.packet.size());
    p.packet.assign(pin.packet.begin(), pin.packet.begin() + n);
    p.flow_metadata.set_in_port(pin.flow.in_port);
    if (pin.flow.metadata) p.flow_metadata.set_metadata_masked(pin.flow.metadata, ~0ull);
    for (int i = 0; i < kFlowNumRegs; ++i) {
      if (pin.flow.regs[i]) p.flow_metadata.set_reg_masked(i, pin.flow.regs[i], ~0u);
    }
    auto msg = encode_packet_in(p, static_cast<uint8_t>(c.version()), 0);
    if (!msg.ok()) return;
    ++c.n_packet_in;
    (void)c.rconn->send_with_limit(std::move(*msg), &c.queued,
                                   static_cast<unsigned>(c.queue_limit));
  });
}

void Connmgr::send_flow_removed(const ofproto::FlowRemoved& fr) {
  impl_->send_flow_removed_all(fr);
}

void Connmgr::send_port_status(uint8_t reason, const openflow::PhyPort& port) {
  impl_->for_each_conn([&](OFConn& c) {
    if (!c.is_connected() || !c.wants(kAsyncPortStatus, reason)) return;
    c.send(openflow::encode_port_status(reason, port, static_cast<uint8_t>(c.version()), 0));
  });
}

void Connmgr::report_flow_mod(const openflow::FlowMod& fm, const ofproto::FlowModOutcome&) {
  impl_->notify_monitors({fm}, nullptr);
}

std::vector<ControllerStatus> Connmgr::controller_status() const {
  const Impl& m = *impl_;
  std::vector<ControllerStatus> out;
  for (const auto& [target, cfg] : m.controllers) {
    ControllerStatus st;
    st.target = target;
    const OFConn* conn = nullptr;
    if (auto it = m.active.find(target); it != m.active.end()) conn = it->second.get();
    for (const auto& c : m.accepted) {
      if (!conn && c->type == ConnType::kPrimary && c->target == target && c->is_connected())
        conn = c.get();
    }
    if (conn) {
      st.is_connected = conn->is_connected();
      st.role = role_column(conn->role);
      st.status = conn->rconn->status_pairs();
    } else {
      st.role = "other";
      st.status["state"] = is_passive(target) ? "LISTENING" : "VOID";
    }
    out.push_back(std::move(st));
  }
  return out;
}

bool Connmgr::has_controllers() const { return !impl_->controllers.empty(); }

bool Connmgr::is_connected() const {
  bool any = false;
  impl_->for_each_conn([&](const OFConn& c) {
    if (c.type == ConnType::kPrimary && c.is_connected()) any = true;
  });
  return any;
}

bool Connmgr::fail_open_active() const { return impl_->fail_open; }

size_t Connmgr::n_connections() const {
  size_t n = 0;
  impl_->for_each_conn([&](const OFConn& c) { n += c.is_connected() ? 1 : 0; });
  return n;
}

std::string Connmgr::describe() const {
  std::string s;
  impl_->for_each_conn([&](const OFConn& c) {
    s += c.target + ": " + (c.type == ConnType::kPrimary ? "controller" : "service") + " " +
         c.rconn->state() + " role=" + role_column(c.role) +
         " packet_ins=" + std::to_string(c.n_packet_in) +
         " rate_limited=" + std::to_string(c.limiter.n_dropped) +
         " queue_dropped=" + std::to_string(c.n_dropped_queue) + "\n";
  });
  if (impl_->fail_open) s += "fail-open active\n";
  return s;
}

}  // namespace grebe::connmgr
