// Connmgr internals shared by its source files (not a public header).
//
// connmgr.cc        configuration, listeners, controllers, fail-open, async
//                   messages, status
// ofconn_handle.cc  per-message handlers (dispatch, config, role, flow_mod,
//                   packet_out, port_mod, group_mod, meter_mod, NX ext)
// ofconn_stats.cc   multipart (statistics) requests
// ofconn_bundle.cc  bundles (OF1.4 and the OF1.3 ONF extension)
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connmgr/connmgr.h"
#include "grebe/event/event_loop.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/multipart.h"
#include "grebe/openflow/switch_stats.h"
#include "grebe/vconn/rconn.h"
#include "grebe/vconn/vconn.h"

namespace grebe::connmgr {

using vconn::OfpMsg;

// Controllers (from the Controller table) vs. service connections
// (management socket, extra listeners), as OVS's OFCONN_PRIMARY/SERVICE.
enum class ConnType { kPrimary, kService };

// Asynchronous message kinds and their per-role enable masks (OF1.3
// async config: [0] = master/equal, [1] = slave).
enum AsyncKind { kAsyncPacketIn = 0, kAsyncPortStatus = 1, kAsyncFlowRemoved = 2, kAsyncN = 3 };
struct AsyncConfig {
  uint32_t mask[2][kAsyncN];
};
AsyncConfig default_async_config();

// One open bundle.
struct Bundle {
  uint32_t id = 0;
  uint16_t flags = 0;
  bool closed = false;
  long long opened = 0;  // time_msec(), for the idle timeout
  std::vector<openflow::FlowMod> flow_mods;
  std::vector<OfpMsg> raw;  // the added messages, for error replies
};

// A token bucket for packet-ins (OVS pinsched): `rate` per second, `burst`
// tokens at most.
struct RateLimiter {
  int rate = 0;  // 0 = unlimited
  int burst = 0;
  double tokens = 0;
  long long last = 0;
  uint64_t n_dropped = 0;
  bool admit(long long now);
};

// An NX flow monitor (NXST_FLOW_MONITOR request).
struct FlowMonitor {
  uint32_t id = 0;
  uint16_t flags = 0;
  uint32_t out_port = 0;
  uint8_t table_id = 0xff;
  Match match;
};

struct Impl;

// One OpenFlow connection (OVS struct ofconn).
struct OFConn {
  OFConn(Impl& cm, ConnType type, std::unique_ptr<vconn::Rconn> rconn);
  ~OFConn();

  Impl& cm;
  const ConnType type;
  std::unique_ptr<vconn::Rconn> rconn;
  std::string target;  // configured target for controllers, else the peer name
  bool dead = false;   // unreliable connection ended: reaped by the Connmgr

  // Session state, reset on (re)connect.
  openflow::Protocols flow_format = openflow::kPOf10Std;  // OF1.0: std or NXM
  bool flow_mod_table_id = false;                         // NXT_FLOW_MOD_TABLE_ID
  uint16_t miss_send_len = 0;
  int packet_in_format = 0;  // 0 standard, 1 NXT_PACKET_IN, 2 NXT_PACKET_IN2
  uint16_t controller_id = 0;
  vconn::Rconn::Role role = vconn::Rconn::Role::kEqual;
  AsyncConfig async = default_async_config();
  std::map<uint32_t, Bundle> bundles;
  std::map<uint32_t, FlowMonitor> monitors;

  vconn::PacketCounter queued;  // packet-ins waiting in the rconn
  RateLimiter limiter;
  int queue_limit = 100;
  uint64_t n_packet_in = 0, n_dropped_queue = 0;

  void reset_session();
  int version() const { return rconn->version(); }
  bool is_connected() const { return rconn->is_connected(); }
  // True if this connection should get an async message of `kind` with
  // reason bit `reason`.
  bool wants(AsyncKind kind, uint32_t reason) const;

  // Message entry point (ofconn_handle.cc).
  void handle(OfpMsg&& msg);
  void send(OfpMsg msg);
  void send_error(const OfpMsg& request, const std::string& name);
  void send_replies(std::vector<OfpMsg> msgs);
  // Packs reply records into messages of at most 64 kB (REPLY_MORE set).
  void send_records(const openflow::MultipartMsg& req, const std::vector<OfpMsg>& records);

 private:
  void dispatch(const OfpMsg& msg, const openflow::OfpHeader& h);
  void dispatch_vendor(const OfpMsg& msg, const openflow::OfpHeader& h);
  // Handlers return an OFPERR name on failure ("" = success, reply sent).
  std::string handle_features(const OfpMsg& msg, const openflow::OfpHeader& h);
  std::string handle_get_config(const openflow::OfpHeader& h);
  std::string handle_set_config(const OfpMsg& msg);
  std::string handle_flow_mod(const OfpMsg& msg);
  // Decodes a flow_mod with this connection's session state applied.
  std::string decode_flow_mod_msg(const OfpMsg& msg, openflow::FlowMod* fm) const;
  std::string handle_packet_out(const OfpMsg& msg);
  std::string handle_port_mod(const OfpMsg& msg, const openflow::OfpHeader& h);
  std::string handle_table_mod(const OfpMsg& msg);
  std::string handle_group_mod(const OfpMsg& msg);
  std::string handle_meter_mod(const OfpMsg& msg);
  std::string handle_role(const OfpMsg& msg, const openflow::OfpHeader& h, bool nx);
  std::string handle_get_async(const openflow::OfpHeader& h);
  std::string handle_set_async(const OfpMsg& msg, const openflow::OfpHeader& h, bool nx);
  std::string handle_multipart(const OfpMsg& msg);
  std::string handle_bundle_control(const OfpMsg& msg, const openflow::OfpHeader& h, bool onf);
  std::string handle_bundle_add(const OfpMsg& msg, const openflow::OfpHeader& h, bool onf);
  std::string handle_flow_monitor_request(const openflow::MultipartMsg& req);
  std::string handle_flow_monitor_cancel(const OfpMsg& msg);

  // Multipart handlers (ofconn_stats.cc).
  std::string stats_flow(const openflow::MultipartMsg& req, bool nx);
  std::string stats_aggregate(const openflow::MultipartMsg& req, bool nx);
  std::string stats_table(const openflow::MultipartMsg& req);
  std::string stats_port(const openflow::MultipartMsg& req, const OfpMsg& msg);
  std::string stats_group(const openflow::MultipartMsg& req, const OfpMsg& msg);
  std::string stats_group_desc(const openflow::MultipartMsg& req);
  std::string stats_meter(const openflow::MultipartMsg& req, const OfpMsg& msg, bool config);

  bool is_slave() const { return role == vconn::Rconn::Role::kSlave; }
  void reply_bundle_control(const openflow::OfpHeader& h, bool onf, uint32_t id, uint16_t type,
                            uint16_t flags);
};

struct Impl {
  Impl(event::EventLoop& loop, SwitchOps& ops, std::string bridge, std::string rundir);
  ~Impl();

  event::EventLoop& loop;
  SwitchOps& ops;
  std::string bridge, rundir;
  FailMode fail_mode = FailMode::kStandalone;
  uint32_t allowed_versions = vconn::kDefaultVersions;
  uint16_t frag_flags = 0;  // OFPC_FRAG_* (switch-wide, as OVS)

  struct Listener {
    std::unique_ptr<vconn::PVconn> pvconn;
    event::WatchId watch = 0;
    ConnType type = ConnType::kService;
    ControllerConfig config;  // for passive controller targets
    bool snoop = false;
  };
  std::map<std::string, ControllerConfig> controllers;  // by target
  std::map<std::string, std::unique_ptr<OFConn>> active;  // reliable controller conns
  std::map<std::string, Listener> controller_listeners;   // passive controller targets
  std::map<std::string, Listener> extra_listeners;
  Listener mgmt, snoop;
  bool started = false;
  std::vector<std::unique_ptr<OFConn>> accepted;  // from any listener

  bool fail_open = false;
  bool generation_defined = false;  // role requests' generation_id
  uint64_t generation_id = 0;
  uint64_t hook = 0;
  event::TimerId timer = 0;

  // Listening and accepting.
  Result<Listener> listen(const std::string& target, ConnType type);
  void watch_listener(Listener& l);
  void accept_all(Listener& l);
  std::unique_ptr<OFConn> make_conn(ConnType type, const ControllerConfig* config);
  void configure_conn(OFConn& c, const ControllerConfig& config);

  void run();
  void reap();
  void arm_timer();
  void update_fail_open();
  int failure_duration() const;
  bool any_controller_admitted() const;

  template <typename F>
  void for_each_conn(F&& f) {
    for (auto& [t, c] : active) f(*c);
    for (auto& c : accepted) f(*c);
  }
  template <typename F>
  void for_each_conn(F&& f) const {
    for (const auto& [t, c] : active) f(*c);
    for (const auto& c : accepted) f(*c);
  }

  // After flows were removed by a flow_mod, group or meter deletion.
  void after_flow_change(const ofproto::FlowModOutcome& outcome, OFConn* source);
  void send_flow_removed_all(const ofproto::FlowRemoved& fr);
  // Flow monitor updates for applied flow_mods.
  void notify_monitors(const std::vector<openflow::FlowMod>& fms, OFConn* source);
  // Deletes flows using the group (out_group) or meter; returns what happened.
  ofproto::FlowModOutcome delete_flows_using_group(uint32_t group_id);
  ofproto::FlowModOutcome delete_flows_using_meter(uint32_t meter_id);
  // Group/meter existence checks for flow_mod / packet_out actions.
  std::string check_actions(const openflow::ActionList& actions) const;
  // Applies flow_mods (one or a bundle) with all the side effects.
  Result<ofproto::FlowModOutcome> apply_flow_mods(const std::vector<openflow::FlowMod>& fms,
                                                  OFConn* source);
};

// OFPERR name for an Error from a lower layer: its message if it is an
// OpenFlow error name, else `fallback`.
std::string ofperr_name(const Error& e, const char* fallback = "OFPBRC_EPERM");

}  // namespace grebe::connmgr
