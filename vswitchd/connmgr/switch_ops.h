// SwitchOps: what the OpenFlow connection manager needs from the switch it
// serves (OVS: the parts of struct ofproto / ofproto_class that
// ofproto.c's message handlers call).  The bridge's Ofproto implements it
// and owns the Connmgr that calls it.
//
// Threads: the Connmgr calls every method on the ofproto main thread (the
// thread of the EventLoop it was given), from its message handlers.  No
// method may block for long; none may call back into the Connmgr except the
// send_* notifications, which queue.
//
// Errors: methods that can fail return an Error whose message() is the
// OpenFlow error name the controller gets ("OFPPMFC_BAD_PORT"); any other
// message is reported as OFPBRC_EPERM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/util/result.h"
#include "ofproto/group_table.h"
#include "ofproto/meter_table.h"
#include "ofproto/ofproto_tables.h"

namespace grebe::connmgr {

// OFPMP_PORT_STATS counters of one port (~0 = unsupported, as OVS).
struct PortStats {
  uint32_t port_no = 0;
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_dropped = 0, tx_dropped = 0, rx_errors = 0, tx_errors = 0;
  uint64_t rx_frame_err = 0, rx_over_err = 0, rx_crc_err = 0, collisions = 0;
  uint32_t duration_sec = 0, duration_nsec = 0;
};

// A decoded OFPT_PORT_MOD: set the `mask` bits of the port's config to
// `config`; `advertise` 0 = leave unchanged.
struct PortMod {
  uint32_t port_no = 0;
  EthAddr hw_addr{};
  uint32_t config = 0, mask = 0;
  uint32_t advertise = 0;
};

// OFPMP_TABLE_STATS counters of one table (active_count comes from the
// tables themselves).
struct TableCounters {
  uint64_t lookup_count = 0, matched_count = 0;
};

class SwitchOps {
 public:
  virtual ~SwitchOps() = default;

  // ---- Identity and ports ----
  virtual uint64_t datapath_id() const = 0;
  // Every OpenFlow port including LOCAL, ascending port number.
  virtual std::vector<openflow::PhyPort> ports() const = 0;
  // Counters for every port (the Connmgr filters by port number).
  virtual std::vector<PortStats> port_stats() const = 0;
  // Applies a port_mod.  Errors: OFPPMFC_BAD_PORT (no such port),
  // OFPPMFC_BAD_HW_ADDR (hw_addr differs from the port's), OFPPMFC_BAD_CONFIG.
  // The switch sends the resulting port_status itself (send_port_status).
  virtual Status port_mod(const PortMod& pm) = 0;
  // OFPMP_DESC's dp_desc and serial_num (other_config:dp-desc); OVS's
  // defaults.
  virtual std::string dp_desc() const { return "None"; }
  virtual std::string serial_num() const { return "None"; }

  // ---- Tables ----
  // The flow tables.  The Connmgr applies flow_mods and bundles through
  // them and then calls flows_changed() with what happened.
  virtual ofproto::OfprotoTables& tables() = 0;
  // After every successful flow_mod, bundle commit, or group/meter delete
  // that removed flows: revalidate datapath flows.  flow_removed messages
  // for `outcome.removed` are sent by the Connmgr itself.
  virtual void flows_changed(const ofproto::FlowModOutcome& outcome) = 0;
  // Visible tables (features reply n_tables; OVS hides table 254).
  virtual uint8_t n_tables() const { return 254; }
  // Lookup/match counters of table `table_id`.
  virtual TableCounters table_counters(uint8_t /*table_id*/) const { return {}; }

  // ---- Groups and meters ----
  // The group table the switch translates with.  After a change the
  // Connmgr calls groups_changed() (publish the snapshot to xlate,
  // revalidate).
  virtual ofproto::GroupTable& groups() = 0;
  virtual void groups_changed() = 0;
  // The meter table.  After a successful MeterTable::apply the Connmgr
  // pushes each changed meter with meter_set() and each deleted one with
  // meter_del(); a meter_set() failure is reported to the controller
  // (its message should be an OFPMMFC_* name) and the meter stays in the
  // table.
  virtual ofproto::MeterTable& meters() = 0;
  virtual Status meter_set(const ofproto::Meter& meter) = 0;
  virtual void meter_del(uint32_t meter_id) = 0;
  // Refreshes the counters in meters() from the datapath before a
  // meter-stats reply.  Default: none.
  virtual void update_meter_stats() {}

  // ---- Packets ----
  // Executes a packet_out: `po.actions` applied to `po.packet` arriving on
  // `po.in_port` (OFPP_CONTROLLER / LOCAL / a port), through the pipeline
  // (resubmit / table actions work).  Errors: OFPBRC_BAD_PORT for an
  // unknown in_port, OFPBAC_* for actions the switch cannot execute.
  virtual Status packet_out(const openflow::PacketOut& po) = 0;

  // ---- Fail mode ----
  // Turns fail-open on or off.  While on, the switch must behave as OVS's
  // fail-open: a hidden flow in table 0, priority 0xf0f0f0 (above every
  // OpenFlow priority), actions=NORMAL, not shown by dump-flows.
  virtual void set_fail_open(bool active) = 0;
};

}  // namespace grebe::connmgr
