// SwitchDaemon: IDL -> Bridges -> status write-back; Udpifs per datapath;
// appctl commands.  See switch_daemon.h.
#include "main/switch_daemon.h"

#include <climits>

#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/netdev_dummy_commands.h"
#include "grebe/event/event_loop.h"
#include "grebe/ovsdb_idl/session_idl.h"
#include "grebe/ovsdb_idl/txn.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ofproto_dpif/backer.h"
#include "ofproto_dpif/ofproto_commands.h"
#include "upcall/udpif.h"

VLOG_DEFINE_THIS_MODULE(vswitchd);

namespace grebe::vswitchd {

using Args = std::vector<std::string>;
using unixctl::Reply;

// The main-thread side of a Udpif: applies what its threads ask for.
struct SwitchDaemon::UdpifSlot : public upcall::UdpifSink {
  explicit UdpifSlot(bridge::Bridges& b) : bridges(b) {}
  void packet_in(const std::string& bridge, connmgr::PacketInRequest pin) override {
    if (ofproto_dpif::Ofproto* o = bridges.find(bridge)) o->send_packet_in(pin);
  }
  void learned(const std::string& bridge, std::vector<openflow::FlowMod> fms) override {
    ofproto_dpif::Ofproto* o = bridges.find(bridge);
    if (!o) return;
    for (const auto& fm : fms) {
      auto r = o->flow_mod(fm);
      if (r.ok() && o->connmgr()) o->connmgr()->report_flow_mod(fm, *r);
      if (!r.ok()) {
        static vlog::RateLimit rl(5, 20);
        VLOG_WARN_RL(&rl, "%s: learned flow rejected: %s", bridge.c_str(),
                     r.error().message().c_str());
      }
    }
  }
  void credit(const std::string& bridge, std::vector<Credit> credits) override {
    ofproto_dpif::Ofproto* o = bridges.find(bridge);
    if (!o) return;
    for (const auto& c : credits) o->tables().credit_stats(c.rule, c.packets, c.bytes, c.used);
  }

  bridge::Bridges& bridges;
  std::unique_ptr<upcall::Udpif> udpif;
};

SwitchDaemon::SwitchDaemon(event::EventLoop& loop, const std::string& remote,
                           bridge::DummyMode dummy)
    : loop_(loop), dummy_(dummy), bridges_(dummy, &loop) {
  bridges_.set_observer(this);
  register_commands();
  idl_ = std::make_unique<ovsdb_idl::SessionIdl>(loop_, std::vector<std::string>{remote},
                                                 ovsrec::schema(), [this] { on_db_change(); });
  // Userspace datapaths without threads of their own are polled here.
  hook_id_ = loop_.add_hook([this] {
    for (const auto& b : ofproto_dpif::Backer::all()) b->dpif().run();
  });
  periodic();
}

SwitchDaemon::~SwitchDaemon() {
  loop_.remove_hook(hook_id_);
  udpifs_.clear();  // threads stop before the bridges go
  bridges_.set_observer(nullptr);
}

void SwitchDaemon::on_db_change() {
  if (status_txn_ && status_txn_->status() != ovsdb_idl::TxnStatus::kIncomplete) {
    if (status_txn_->status() != ovsdb_idl::TxnStatus::kSuccess &&
        status_txn_->status() != ovsdb_idl::TxnStatus::kUnchanged) {
      status_dirty_ = true;  // try again with fresh data
    }
    status_txn_.reset();
  }
  const auto& idl = idl_->idl();
  if (!idl.has_snapshot()) return;
  uint64_t seqno = idl.replica().change_seqno();
  if (seqno != applied_seqno_) {
    applied_seqno_ = seqno;
    bridges_.reconfigure(idl.replica());
    status_dirty_ = true;
  }
  write_status();
}

void SwitchDaemon::write_status() {
  if (status_txn_ || !status_dirty_ || !idl_->idl().has_snapshot()) return;
  status_dirty_ = false;
  status_txn_ = std::make_unique<ovsdb_idl::Txn>(idl_->replica());
  bridges_.write_status(*status_txn_);
  auto st = idl_->submit(*status_txn_);
  if (st != ovsdb_idl::TxnStatus::kIncomplete) {
    if (st == ovsdb_idl::TxnStatus::kTryAgain) status_dirty_ = true;
    status_txn_.reset();
  }
}

void SwitchDaemon::periodic() {
  bridges_.run();
  // Link and admin state can change without a database change.
  status_dirty_ = true;
  write_status();
  loop_.add_timer(1000, [this] { periodic(); });
}

void SwitchDaemon::backer_added(ofproto_dpif::Backer& backer) {
  for (const auto& b : ofproto_dpif::Backer::all()) {
    if (b.get() != &backer) continue;
    auto slot = std::make_unique<UdpifSlot>(bridges_);
    slot->udpif = std::make_unique<upcall::Udpif>(b, loop_, *slot);
    upcall::UdpifConfig cfg;
    cfg.n_handlers = tuning_.n_handler_threads.value_or(1);
    cfg.max_idle_msec = tuning_.max_idle_msec;
    cfg.flow_limit = tuning_.flow_limit;
    slot->udpif->set_config(cfg);
    udpifs_[backer.type()] = std::move(slot);
  }
}

void SwitchDaemon::backer_removed(ofproto_dpif::Backer& backer) { udpifs_.erase(backer.type()); }

void SwitchDaemon::tuning_changed(const bridge::DatapathTuning& tuning) {
  tuning_ = tuning;
  for (auto& [type, slot] : udpifs_) {
    upcall::UdpifConfig cfg = slot->udpif->config();
    cfg.n_handlers = tuning.n_handler_threads.value_or(1);
    cfg.max_idle_msec = tuning.max_idle_msec;
    cfg.flow_limit = tuning.flow_limit;
    slot->udpif->set_config(cfg);
  }
}

void SwitchDaemon::register_commands() {
  ofproto_dpif::register_ofproto_commands();
  // dpctl/*: the backers' datapaths, plus any that dpctl/add-dp creates.
  auto dpctl_host = std::make_shared<dpctl::DatapathHost>([](std::string_view type) {
    std::vector<std::string> names;
    for (const auto& b : ofproto_dpif::Backer::all()) {
      if (b->type() == type) names.push_back(b->dp_name());
    }
    return names;
  });
  if (dummy_ == bridge::DummyMode::kOverride) {
    dpctl_host->alias_type("system", "dummy");
    dpctl_host->alias_type("netdev", "dummy");
  }
  dpctl::register_dpctl_unixctl(dpctl_host);
  unixctl::register_command("upcall/show", "", 0, 0, [this](const Args&, const Reply& reply) {
    std::string s;
    for (const auto& [type, slot] : udpifs_) s += slot->udpif->show();
    reply.ok(s);
  });
  unixctl::register_command("revalidator/wait", "", 0, 0, [this](const Args&, const Reply& reply) {
    if (udpifs_.empty()) return reply.ok();
    auto remaining = std::make_shared<size_t>(udpifs_.size());
    for (auto& [type, slot] : udpifs_) {
      slot->udpif->wait_revalidation([reply, remaining] {
        if (--*remaining == 0) reply.ok();
      });
    }
  });
  unixctl::register_command("revalidator/purge", "", 0, 0,
                            [this](const Args&, const Reply& reply) {
                              for (auto& [type, slot] : udpifs_) slot->udpif->purge();
                              reply.ok();
                            });
  if (dummy_ != bridge::DummyMode::kNone) {
    unixctl::register_command(
        "netdev-dummy/receive", "name [--qid queue_id] packet|flow [--len packet_len]", 2,
        INT_MAX, [](const Args& argv, const Reply& reply) {
          auto r = netdev::netdev_dummy_receive_command(Args(argv.begin() + 1, argv.end()));
          if (r.ok()) reply.ok(*r);
          else reply.error(r.error().message());
        });
    unixctl::register_command(
        "netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2,
        [](const Args& argv, const Reply& reply) {
          auto r =
              netdev::netdev_dummy_set_admin_state_command(Args(argv.begin() + 1, argv.end()));
          if (r.ok()) reply.ok(*r);
          else reply.error(r.error().message());
        });
  }
}

}  // namespace grebe::vswitchd
