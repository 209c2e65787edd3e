// Connmgr: construction, configuration and status (see connmgr.h).
#include "connmgr/connmgr.h"

#include "grebe/event/event_loop.h"

namespace grebe::connmgr {

struct Connmgr::Impl {
  event::EventLoop& loop;
  SwitchOps& ops;
  std::string bridge, rundir;
  std::vector<ControllerConfig> controllers;
  FailMode fail_mode = FailMode::kStandalone;
  uint32_t allowed_versions = 0x7e;
};

Connmgr::Connmgr(event::EventLoop& loop, SwitchOps& ops, std::string bridge, std::string rundir)
    : impl_(new Impl{loop, ops, std::move(bridge), std::move(rundir), {}}) {}
Connmgr::~Connmgr() = default;

Status Connmgr::start() { return {}; }
void Connmgr::set_controllers(const std::vector<ControllerConfig>& c) { impl_->controllers = c; }
void Connmgr::set_fail_mode(FailMode mode) { impl_->fail_mode = mode; }
FailMode Connmgr::fail_mode() const { return impl_->fail_mode; }
Status Connmgr::set_extra_listeners(const std::vector<std::string>&) { return {}; }
void Connmgr::set_allowed_versions(uint32_t bitmap) { impl_->allowed_versions = bitmap; }
void Connmgr::run() {}
void Connmgr::send_packet_in(const PacketInRequest&) {}
void Connmgr::send_flow_removed(const ofproto::FlowRemoved&) {}
void Connmgr::send_port_status(uint8_t, const openflow::PhyPort&) {}
void Connmgr::report_flow_mod(const openflow::FlowMod&, const ofproto::FlowModOutcome&) {}
std::vector<ControllerStatus> Connmgr::controller_status() const {
  std::vector<ControllerStatus> out;
  for (const auto& c : impl_->controllers) out.push_back({c.target, false, "other", {}});
  return out;
}
bool Connmgr::has_controllers() const { return !impl_->controllers.empty(); }
bool Connmgr::is_connected() const { return false; }
bool Connmgr::fail_open_active() const { return false; }
size_t Connmgr::n_connections() const { return 0; }
std::string Connmgr::describe() const { return {}; }

}  // namespace grebe::connmgr
