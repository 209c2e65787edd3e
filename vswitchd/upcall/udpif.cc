// Udpif: threads, handler path.  See udpif.h.  The revalidator is in
// revalidator.cc.
#include "upcall/udpif.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <shared_mutex>

#include "grebe/event/event_loop.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_put.h"
#include "grebe/util/clock.h"
#include "grebe/util/coverage.h"
#include "grebe/util/vlog.h"
#include "ofproto_dpif/ofproto_dpif.h"
#include "xlate/upcall_cookie.h"

VLOG_DEFINE_THIS_MODULE(upcall);
COVERAGE_DEFINE(upcall_miss);
COVERAGE_DEFINE(upcall_action);
COVERAGE_DEFINE(upcall_flow_limit_hit);

namespace grebe::upcall {

Udpif::Udpif(std::shared_ptr<ofproto_dpif::Backer> backer, event::EventLoop& main_loop,
             UdpifSink& sink)
    : backer_(std::move(backer)), main_loop_(main_loop), sink_(sink) {
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

Udpif::~Udpif() {
  stop_threads();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void Udpif::set_config(const UdpifConfig& cfg) {
  bool restart = handlers_.empty() || cfg.n_handlers != cfg_.n_handlers;
  if (restart) stop_threads();
  {
    std::lock_guard lock(reval_mutex_);
    cfg_ = cfg;
    if (cfg_.n_handlers < 1) cfg_.n_handlers = 1;
  }
  flow_limit_ = cfg.flow_limit;
  if (restart) start_threads();
  reval_cv_.notify_all();
}

void Udpif::start_threads() {
  exiting_ = false;
  uint64_t v;
  while (::read(stop_fd_, &v, sizeof v) > 0) {
  }
  if (Status s = backer_->dpif().handlers_set(cfg_.n_handlers); !s.ok()) {
    VLOG_ERR("%s: failed to set %d handlers: %s", backer_->dp_name().c_str(), cfg_.n_handlers,
             s.error().message().c_str());
  }
  for (int i = 0; i < cfg_.n_handlers; i++) {
    handlers_.emplace_back([this, i] { handler_main(static_cast<uint32_t>(i)); });
  }
  revalidator_ = std::thread([this] { revalidator_main(); });
}

void Udpif::stop_threads() {
  if (handlers_.empty() && !revalidator_.joinable()) return;
  exiting_ = true;
  uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  reval_cv_.notify_all();
  for (auto& t : handlers_) t.join();
  handlers_.clear();
  if (revalidator_.joinable()) revalidator_.join();
}

void Udpif::handler_main(uint32_t id) {
  while (!exiting_) {
    auto upcall = backer_->dpif().recv(id);
    if (upcall.ok()) {
      handle_upcall(*upcall);
      continue;
    }
    // Nothing queued: sleep until the datapath or stop_fd_ wakes us.  The
    // timeout only bounds how long a lost wakeup could delay us.
    struct pollfd fds[2] = {{backer_->dpif().wait_fd(id), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    ::poll(fds, 2, 1000);
    if (fds[0].revents & POLLIN) {
      uint64_t v;
      (void)!::read(fds[0].fd, &v, sizeof v);
    }
  }
}

void Udpif::handle_upcall(dpif::Upcall& up) {
  n_upcalls_++;
  Flow flow = make_flow();
  nl::Bytes key(up.key.data(), up.key.size());
  if (odp::odp_flow_key_to_flow(key, &flow) == odp::OdpKeyFitness::kError) {
    static vlog::RateLimit rl(5, 20);
    VLOG_WARN_RL(&rl, "%s: upcall with unparseable flow key", backer_->dp_name().c_str());
    return;
  }
  const dpif::OdpPort odp_in = flow.in_port;

  if (up.type == dpif::Upcall::Type::kAction) {
    COVERAGE_INC(upcall_action);
    n_action_upcalls_++;
    handle_controller_upcall(up, flow);
    return;
  }

  COVERAGE_INC(upcall_miss);
  n_misses_++;
  xlate::XlateOut out;
  std::string bridge;
  {
    std::shared_lock lock(backer_->xlate_lock());
    auto owner = backer_->lookup_port(odp_in);
    if (!owner) return;  // a port being removed: drop
    bridge = owner->ofproto->name();
    Flow ofp_flow = flow;
    ofp_flow.in_port = owner->ofp_port;
    xlate::XlateIn in = owner->ofproto->xlate_in(ofp_flow);
    in.may_learn = true;
    out = xlate::xlate_actions(in);
  }
  // The packet handled here counts for its rules too (the datapath flow's
  // own statistics only start with the next packet).
  if (!out.rules.empty()) {
    std::vector<UdpifSink::Credit> credits;
    long long now = time_msec();
    for (const auto* rule : out.rules) credits.push_back({rule, 1, up.packet.size(), now});
    UdpifSink* sink = &sink_;
    main_loop_.post([sink, bridge, credits = std::move(credits)]() mutable {
      sink->credit(bridge, std::move(credits));
    });
  }
  if (!out.learned.empty()) {
    UdpifSink* sink = &sink_;
    main_loop_.post([sink, bridge, fms = std::move(out.learned)]() mutable {
      sink->learned(bridge, std::move(fms));
    });
  }

  // The mask, in datapath terms (in_port is the datapath port).
  nl::AttrBuilder mask;
  odp::OdpFlowKeyParms parms;
  parms.flow = &flow;
  Flow mask_flow = out.wc.masks;
  parms.mask = &mask_flow;
  odp::odp_flow_key_from_mask(parms, mask);

  std::vector<dpif::Op> ops;
  bool install = backer_->dpif().stats().n_flows < flow_limit_.load();
  if (!install) COVERAGE_INC(upcall_flow_limit_hit);
  if (install && out.slow) install = false;  // handled in userspace every time
  if (install) {
    std::lock_guard lock(ukeys_mutex_);
    // A flow we already installed (two packets raced): keep the first.
    if (ukeys_.count(up.ufid)) install = false;
  }
  if (!install) {
    for (uint32_t id : out.recirc_refs) backer_->recirc().unref(id);
  } else {
    dpif::Op put{dpif::Op::Type::kPut, {}, {}, {}, {}, {}};
    put.put.key = up.key;
    put.put.mask = mask.take();
    put.put.actions = out.odp_actions;
    put.put.ufid = up.ufid;
    put.put.flags = dpif::kPutCreate;
    {
      std::lock_guard lock(ukeys_mutex_);
      Ukey& uk = ukeys_[up.ufid];
      uk.key = put.put.key;
      uk.mask = put.put.mask;
      uk.actions = put.put.actions;
      uk.recirc_refs = out.recirc_refs;
      uk.created = time_msec();
      uk.packets = uk.bytes = 0;
    }
    ops.push_back(std::move(put));
  }
  if (!out.odp_actions.empty()) {
    dpif::Op exec{dpif::Op::Type::kExecute, {}, {}, {}, {}, {}};
    exec.execute.packet = std::move(up.packet);
    exec.execute.key = up.key;
    exec.execute.actions = std::move(out.odp_actions);
    exec.execute.mtu = up.mru;
    ops.push_back(std::move(exec));
  }
  if (ops.empty()) return;
  backer_->dpif().operate(ops);
  for (const auto& op : ops) {
    if (op.result.ok()) continue;
    if (op.type == dpif::Op::Type::kPut && op.result.error().code() == EEXIST) continue;
    static vlog::RateLimit rl(5, 20);
    VLOG_WARN_RL(&rl, "%s: %s failed: %s", backer_->dp_name().c_str(),
                 op.type == dpif::Op::Type::kPut ? "flow put" : "execute",
                 op.result.error().message().c_str());
  }
}

// A userspace(controller) upcall: decode the cookie and its frozen state
// into a packet-in for the main thread.
void Udpif::handle_controller_upcall(dpif::Upcall& up, const Flow& flow) {
  std::string bridge;
  uint32_t ofp_in = 0;
  {
    std::shared_lock lock(backer_->xlate_lock());
    auto owner = backer_->lookup_port(flow.in_port);
    if (owner) {
      bridge = owner->ofproto->name();
      ofp_in = owner->ofp_port;
    }
  }
  auto cu = xlate::decode_controller_upcall(nl::Bytes(up.userdata.data(), up.userdata.size()),
                                            &backer_->recirc());
  if (!cu.ok()) return;  // not a controller cookie, or its flow is gone
  if (cu->frozen && !cu->frozen->bridge.empty()) bridge = cu->frozen->bridge;
  if (bridge.empty() || cu->dont_send) return;
  connmgr::PacketInRequest pin;
  switch (cu->reason) {
    case xlate::kOfprExplicitMiss:
    case xlate::kOfprImplicitMiss: pin.reason = openflow::kPinNoMatch; break;
    default: pin.reason = cu->reason;
  }
  pin.table_id = cu->table_id;
  pin.cookie = cu->rule_cookie;
  pin.max_len = cu->max_len;
  pin.controller_id = cu->controller_id;
  pin.userdata = cu->userdata;
  pin.flow = flow;
  pin.flow.in_port = ofp_in;
  if (cu->frozen) xlate::restore_frozen_metadata(cu->frozen->metadata, &pin.flow);
  pin.packet = std::move(up.packet);
  UdpifSink* sink = &sink_;
  main_loop_.post([sink, bridge, pin = std::move(pin)]() mutable {
    sink->packet_in(bridge, std::move(pin));
  });
}

void Udpif::release(const Ukey& ukey) {
  for (uint32_t id : ukey.recirc_refs) backer_->recirc().unref(id);
}

void Udpif::wait_revalidation(std::function<void()> done) {
  {
    std::lock_guard lock(reval_mutex_);
    waiters_.emplace_back(++reval_requests_, std::move(done));
  }
  reval_cv_.notify_all();
}

void Udpif::purge() {
  (void)backer_->dpif().flow_flush();
  std::lock_guard lock(ukeys_mutex_);
  for (const auto& [ufid, uk] : ukeys_) release(uk);
  ukeys_.clear();
}

std::string Udpif::show() const {
  size_t n_keys;
  {
    std::lock_guard lock(ukeys_mutex_);
    n_keys = ukeys_.size();
  }
  uint64_t n_flows = backer_->dpif().stats().n_flows;
  std::string s = backer_->type() + "@" + backer_->dp_name() + ":\n";
  s += "  flows         : (current " + std::to_string(n_flows) + ") (avg " +
       std::to_string(last_dump_flows_.load()) + ") (max " + std::to_string(max_n_flows_.load()) +
       ") (limit " + std::to_string(flow_limit_.load()) + ")\n";
  s += "  dump duration : " + std::to_string(last_dump_duration_.load()) + "ms\n";
  s += "  ufid enabled : true\n\n";
  s += "  " + std::to_string(cfg_.n_handlers) + ": (keys " + std::to_string(n_keys) + ")\n";
  return s;
}

}  // namespace grebe::upcall
