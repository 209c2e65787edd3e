// ovs-ofctl statistics commands: dump-ports, queue-stats, dump-groups,
// dump-group-stats, dump-group-features, dump-meters, meter-stats,
// meter-features.  OVS: utilities/ovs-ofctl.c (ofctl_dump_ports, ...).
#include <strings.h>

#include <cstdlib>

#include "conn.h"
#include "grebe/openflow/group_stats.h"
#include "grebe/openflow/meter_stats.h"
#include "grebe/openflow/multipart.h"
#include "grebe/openflow/port_stats.h"
#include "ofctl.h"

namespace grebe::ofctl {

using namespace grebe::openflow;

namespace {

// OVS str_to_port_no(): a number or reserved name, else a port name
// looked up on the switch.
Result<uint32_t> port_arg(Conn& c, const std::string& s) {
  if (auto p = port_from_string(s, nullptr)) return *p;
  auto port = fetch_port(c, s);
  if (port.ok()) return port->port_no;
  // str_to_port_no() words a missing port differently from mod-port.
  if (port.error().code() == ENOENT)
    return Error(ENOENT, c.name + ": unknown port `" + s + "'");
  return port.error();
}

int port_error(const Error& e) {
  return fail(e.code() == ENOENT ? e.message() : e.to_string());
}

int cmd_dump_ports(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  uint32_t port = kOfppNone;
  if (args.size() > 1) {
    auto p = port_arg(*c, args[1]);
    if (!p.ok()) return port_error(p.error());
    port = *p;
  }
  return dump_transaction(*c, encode_port_stats_request(c->version(), port, c->vc->next_xid()),
                          opts.verbosity);
}

int cmd_queue_stats(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  QueueStatsRequest r;
  r.port_no = kOfppNone;
  if (args.size() > 1 && !args[1].empty() && strcasecmp(args[1].c_str(), "all") != 0) {
    auto p = port_arg(*c, args[1]);
    if (!p.ok()) return port_error(p.error());
    r.port_no = *p;
  }
  if (args.size() > 2 && !args[2].empty() && strcasecmp(args[2].c_str(), "all") != 0)
    r.queue_id = static_cast<uint32_t>(std::atoi(args[2].c_str()));
  return dump_transaction(*c, encode_queue_stats_request(c->version(), r, c->vc->next_xid()),
                          opts.verbosity);
}

// Groups before OpenFlow 1.1 are Nicira extensions this tool does not
// speak yet; say so rather than send something the switch rejects.
bool groups_supported(const Conn& c) { return c.version() >= kOfp11; }

int cmd_dump_group_stats(const Options& opts, const std::vector<std::string>& args) {
  auto g = parse_group_mod(args.size() > 1 ? args[1] : "", GroupCommand::kDelete);
  if (!g.ok()) return fail(g.error().message());
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  if (!groups_supported(*c)) return fail("group statistics need OpenFlow 1.1 or later (-O)");
  return dump_transaction(
      *c, encode_group_stats_request(c->version(), g->gm.group_id, c->vc->next_xid()),
      opts.verbosity);
}

int cmd_dump_groups(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  if (!groups_supported(*c)) return fail("group descriptions need OpenFlow 1.1 or later (-O)");
  if (c->version() >= kOfp15) return fail("OpenFlow 1.5 group descriptions are not supported yet");
  return dump_transaction(*c, encode_group_desc_request(c->version(), c->vc->next_xid()),
                          opts.verbosity);
}

int cmd_dump_group_features(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  if (c->version() < kOfp12) return fail("group features need OpenFlow 1.2 or later (-O)");
  return dump_transaction(*c, encode_group_features_request(c->version(), c->vc->next_xid()),
                          opts.verbosity);
}

// OVS ofctl_meter_request__(): meters need OpenFlow 1.3+.
int meter_request(const Options& opts, const std::vector<std::string>& args, uint16_t type) {
  uint32_t meter_id = kMeterAll;
  if (args.size() > 1 && type != kMpMeterFeatures) {
    auto mm = parse_meter_mod(args[1], MeterCommand::kDelete);
    if (!mm.ok()) return fail(mm.error().message());
    meter_id = mm->meter_id;
  }
  Protocols allowed = opts.allowed & protocols_from_version_bitmap(opts.versions);
  if (!(allowed & kPOf13Up))
    return fail("none of the usable flow formats (" + protocols_to_string(kPOf13Up) +
                ") is among the allowed flow formats (" + protocols_to_string(allowed) + ")");
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  if (c->version() < kOfp13)
    return fail("switch does not support any of the usable flow formats (" +
                protocols_to_string(kPOf13Up) + ")");
  uint32_t xid = c->vc->next_xid();
  auto req = type == kMpMeterFeatures ? encode_meter_features_request(c->version(), xid)
                                      : encode_meter_request(c->version(), type, meter_id, xid);
  return dump_transaction(*c, std::move(req), opts.verbosity);
}

int cmd_dump_meters(const Options& o, const std::vector<std::string>& a) {
  return meter_request(o, a, kMpMeterConfig);
}
int cmd_meter_stats(const Options& o, const std::vector<std::string>& a) {
  return meter_request(o, a, kMpMeter);
}
int cmd_meter_features(const Options& o, const std::vector<std::string>& a) {
  return meter_request(o, a, kMpMeterFeatures);
}

}  // namespace

void add_stats_commands(std::vector<Command>& commands) {
  static const Command kStats[] = {
      {"dump-ports", 1, 2, cmd_dump_ports},
      {"queue-stats", 1, 3, cmd_queue_stats},
      {"dump-queue-stats", 1, 3, cmd_queue_stats},
      {"dump-groups", 1, 2, cmd_dump_groups},
      {"dump-group-stats", 1, 2, cmd_dump_group_stats},
      {"dump-group-features", 1, 1, cmd_dump_group_features},
      {"dump-meters", 1, 2, cmd_dump_meters},
      {"meter-stats", 1, 2, cmd_meter_stats},
      {"meter-features", 1, 1, cmd_meter_features},
  };
  commands.insert(commands.end(), std::begin(kStats), std::end(kStats));
}

}  // namespace grebe::ofctl
