// SwitchDaemon: the running ovs-vswitchd: the database connection (IDL),
// the bridges built from it, the upcall handlers of each datapath, the
// status written back, and the appctl commands over all of them.
//
// Threads: constructed, run and destroyed on the main thread (the
// EventLoop's); upcall handler/revalidator threads belong to the Udpifs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "bridge/bridge.h"

namespace grebe::event {
class EventLoop;
}
namespace grebe::ovsdb_idl {
class SessionIdl;
class Txn;
}  // namespace grebe::ovsdb_idl

namespace grebe::vswitchd {

class SwitchDaemon : public bridge::BridgeObserver {
 public:
  SwitchDaemon(event::EventLoop& loop, const std::string& remote, bridge::DummyMode dummy);
  ~SwitchDaemon() override;

  // BridgeObserver.
  void backer_added(ofproto_dpif::Backer& backer) override;
  void backer_removed(ofproto_dpif::Backer& backer) override;
  void tuning_changed(const bridge::DatapathTuning& tuning) override;

 private:
  void on_db_change();
  void write_status();
  void periodic();
  void register_commands();

  event::EventLoop& loop_;
  bridge::DummyMode dummy_;
  bridge::Bridges bridges_;
  std::unique_ptr<ovsdb_idl::SessionIdl> idl_;
  std::unique_ptr<ovsdb_idl::Txn> status_txn_;
  uint64_t applied_seqno_ = 0;
  bool status_dirty_ = true;
  uint64_t hook_id_ = 0;
  bridge::DatapathTuning tuning_;
  struct UdpifSlot;
  std::map<std::string, std::unique_ptr<UdpifSlot>> udpifs_;  // by datapath type
};

}  // namespace grebe::vswitchd
