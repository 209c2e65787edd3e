// Connmgr: the OpenFlow connection manager of one bridge (OVS
// ofproto/connmgr.c + the message handlers of ofproto.c).
//
// It owns every OpenFlow connection of the bridge:
//  - controllers (Controller table rows): active targets ("tcp:IP:PORT",
//    "unix:PATH", "ssl:...") kept up by a reliable Rconn with backoff and
//    inactivity probes, or passive targets ("ptcp:", "punix:") whose
//    accepted connections count as controllers;
//  - the management socket punix:<rundir>/<bridge>.mgmt (always, for
//    ovs-ofctl) and extra passive listeners (set_extra_listeners), whose
//    connections are "service" connections: they get replies but no
//    asynchronous messages unless they ask (as OVS);
//  - the snoop socket punix:<rundir>/<bridge>.snoop (ovs-ofctl snoop).
// and answers every OpenFlow message a switch handles (OF1.0-1.5 + Nicira
// extensions) through SwitchOps, sends packet-ins, flow-removed and
// port-status messages to the connections that want them, and runs the
// fail-open logic.
//
// Threads: one.  Construct, call and destroy on the thread running `loop`;
// the Connmgr registers its own fd watches and timers on it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connmgr/switch_ops.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"
#include "ofproto/rule.h"

namespace grebe::event {
class EventLoop;
}  // namespace grebe::event

namespace grebe::connmgr {

enum class FailMode { kStandalone, kSecure };

// One Controller row, as ovs-vswitchd reads it.
struct ControllerConfig {
  std::string target;                         // "tcp:127.0.0.1:6653", "ptcp:6653"
  std::string connection_mode = "in-band";    // "in-band" (treated as out-of-band, logged)
  int max_backoff = 8;                        // seconds
  int inactivity_probe = 5;                   // seconds; 0 = none
  int rate_limit = 0;                         // packet-ins per second; 0 = none (min 100)
  int burst_limit = 0;                        // 0 = rate_limit / 4 (min 25)
  bool enable_async_messages = true;
  int controller_queue_size = 100;            // packets queued per connection (OVS default)
  uint8_t dscp = 48;
  bool service = false;                       // type=service: never counts for fail-open
};

// What a Controller row's status columns show.
struct ControllerStatus {
  std::string target;
  bool is_connected = false;
  std::string role;  // "other", "master", "slave" (OVS's column values)
  // state, sec_since_connect, sec_since_disconnect, last_error (only those
  // that apply), as OVS.
  std::map<std::string, std::string> status;
};

// A packet-in the switch wants sent (from a controller action, a table
// miss with a send-to-controller miss behaviour, or fail-open).
struct PacketInRequest {
  uint8_t reason = openflow::kPinAction;  // OFPR_*
  uint8_t table_id = 0;
  uint64_t cookie = ~0ull;                // rule cookie, ~0 = none
  std::vector<uint8_t> packet;            // the whole packet
  Flow flow = make_flow();                // its metadata: in_port, tunnel, regs, metadata
  std::vector<uint8_t> userdata;          // controller(userdata=...)
  uint16_t max_len = 0xffff;              // controller action max_len; misses use miss_send_len
  uint16_t controller_id = 0;             // controller(id=N): 0 = every controller
};

struct Impl;

class Connmgr {
 public:
  // `bridge` names the management socket (<rundir>/<bridge>.mgmt).
  Connmgr(event::EventLoop& loop, SwitchOps& ops, std::string bridge, std::string rundir);
  ~Connmgr();
  Connmgr(const Connmgr&) = delete;
  Connmgr& operator=(const Connmgr&) = delete;

  // Opens the management and snoop sockets.  Error: the listen failure
  // (e.g. EADDRINUSE, ENOENT for a missing rundir).  Idempotent.
  Status start();

  // Reconfigures the controllers: targets no longer listed are
  // disconnected, new ones connect, existing ones keep their connection and
  // take the new settings.  Invalid targets are logged and skipped.
  void set_controllers(const std::vector<ControllerConfig>& controllers);
  void set_fail_mode(FailMode mode);
  FailMode fail_mode() const;
  // Extra passive listeners ("ptcp:6634", "punix:/x"), service connections.
  // Returns the first error but opens the others.
  Status set_extra_listeners(const std::vector<std::string>& targets);
  // OpenFlow versions allowed (Bridge protocols; bit v = wire version v).
  // Applies to connections made after the call.
  void set_allowed_versions(uint32_t bitmap);

  // Periodic work (fail-open, bundle timeouts, rate limiter refill).  The
  // Connmgr also arms its own timer; calling run() more often is harmless.
  void run();

  // ---- Asynchronous messages from the switch (queued, never block) ----
  void send_packet_in(const PacketInRequest& pin);
  // A rule removed by timeout/eviction (flow_mods the Connmgr applies send
  // their own).
  void send_flow_removed(const ofproto::FlowRemoved& fr);
  void send_port_status(uint8_t reason, const openflow::PhyPort& port);
  // Flow changes the switch made by itself (learn actions): reported to
  // flow monitors.
  void report_flow_mod(const openflow::FlowMod& fm, const ofproto::FlowModOutcome& outcome);

  // ---- State for the database and appctl ----
  // One entry per configured controller target, in target order.
  std::vector<ControllerStatus> controller_status() const;
  bool has_controllers() const;
  // True if any controller (not service) connection is up and admitted.
  bool is_connected() const;
  bool fail_open_active() const;
  // Open connections of every kind.
  size_t n_connections() const;
  // Human-readable state for appctl (one connection per line).
  std::string describe() const;

 private:
  std::unique_ptr<Impl> impl_;  // connmgr_impl.h
};

}  // namespace grebe::connmgr
