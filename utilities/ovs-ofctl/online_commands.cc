// ovs-ofctl commands that talk to a switch: show, dump-desc, dump-tables,
// dump-ports-desc, dump-flows, dump-aggregate-less subset, add-flow(s),
// mod-flows, del-flows, probe.  OVS: utilities/ovs-ofctl.c.
#include <strings.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/util/byteorder.h"
#include "grebe/vconn/ofctl_target.h"
#include "conn.h"
#include "ofctl.h"

namespace grebe::ofctl {

using namespace grebe::openflow;
using vconn::OfpMsg;
using vconn::Vconn;

int open_error(const Error& e) {
  const std::string& m = e.message();
  static const std::string kNotBridge = "is not a bridge or a socket";
  if (m.size() >= kNotBridge.size() && m.ends_with(kNotBridge)) return fail(m);
  return fail(e.to_string());
}

Result<Conn> open_conn(const Options& opts, const std::string& name) {
  auto vc = vconn::open_ofctl_target(name, vconn::OfctlTarget::kMgmt, opts.versions);
  if (!vc.ok()) return vc.error();
  Conn c;
  c.vc = std::move(*vc);
  c.name = name;
  switch (c.vc->version()) {
    case kOfp10: c.protocol = kPOf10Std; break;
    case kOfp11: c.protocol = kPOf11Std; break;
    case kOfp12: c.protocol = kPOf12Oxm; break;
    case kOfp13: c.protocol = kPOf13Oxm; break;
    case kOfp14: c.protocol = kPOf14Oxm; break;
    default: c.protocol = kPOf15Oxm; break;
  }
  return c;
}

int talk_error(const Conn& c, const Error& e) {
  return fail("talking to " + c.name + " (" + e.message() + ")");
}

void print_msg(FILE* out, const OfpMsg& m, int verbosity) {
  std::string s = ofp_to_string(m.data(), m.size(), verbosity);
  if (s.empty() || s.back() != '\n') s += '\n';
  std::fputs(s.c_str(), out);
}

// Multipart request (OF1.0 stats type 16, OF1.1+ 18) with an empty body.
OfpMsg stats_request(uint8_t version, uint16_t type, uint32_t xid, size_t body_zeros) {
  OfpBuf b(version, version == kOfp10 ? 16 : 18, xid);
  b.put16(type);
  b.put16(0);
  if (version != kOfp10) b.put_zeros(4);
  b.put_zeros(body_zeros);
  return b.finish();
}

// Sends a request and prints every reply (OVS dump_transaction()).
int dump_transaction(Conn& c, OfpMsg request, int verbosity) {
  bool multipart = request[1] == (c.version() == kOfp10 ? 16 : 18);
  if (!multipart) {
    auto r = c.vc->transact(std::move(request));
    if (!r.ok()) return talk_error(c, r.error());
    print_msg(stdout, *r, verbosity + 1);
    return 0;
  }
  auto replies = c.vc->transact_multipart(std::move(request));
  if (!replies.ok()) return talk_error(c, replies.error());
  for (const OfpMsg& m : *replies) print_msg(stdout, m, verbosity + 1);
  return 0;
}

// The port named or numbered `port` (OVS fetch_ofputil_phy_port()), from
// a port-desc dump.
Result<PhyPort> fetch_port(Conn& c, const std::string& port) {
  uint8_t v = c.version();
  OfpMsg req = stats_request(v, 13, c.vc->next_xid(), v >= kOfp15 ? 8 : 0);
  if (v >= kOfp15) store_be32(&req[16], 0xffffffff);
  auto replies = c.vc->transact_multipart(std::move(req));
  if (!replies.ok()) return replies.error();
  char* end = nullptr;
  unsigned long number = std::strtoul(port.c_str(), &end, 10);
  bool numeric = !port.empty() && *end == '\0';
  for (const OfpMsg& m : *replies) {
    auto ports = decode_port_desc_reply(m.data(), m.size());
    if (!ports.ok()) continue;
    for (const PhyPort& p : *ports)
      if (numeric ? p.port_no == number : p.name == port) return p;
  }
  return Error(ENOENT, c.name + ": couldn't find port `" + port + "'");
}


// Switches the connection to `want` if that takes a message (OF1.0 flow
// format); false if the switch refused.  (OVS try_set_protocol().)
Result<bool> try_set_protocol(Conn& c, Protocols want) {
  if (want == c.protocol) return true;
  bool cur_nxm = c.protocol & kPOf10NxmAny, want_nxm = want & kPOf10NxmAny;
  bool cur_tid = c.protocol & (kPOf10StdTid | kPOf10NxmTid);
  bool want_tid = want & (kPOf10StdTid | kPOf10NxmTid);
  if (c.version() != kOfp10 || !(want & kPOf10Any)) return false;
  // As OVS: set the flow format first, then the table-id extension.
  if (cur_nxm != want_nxm) {
    auto r = c.vc->transact_noreply(encode_nx_set_flow_format(want_nxm ? 2 : 0, c.vc->next_xid()));
    if (!r.ok()) return r.error();
    if (r->has_value()) return false;
  }
  if (cur_tid != want_tid) {
    auto r = c.vc->transact_noreply(encode_nx_flow_mod_table_id(want_tid, c.vc->next_xid()));
    if (!r.ok()) return r.error();
    if (r->has_value()) return false;
  }
  c.protocol = want;
  return true;
}


namespace {

int cmd_show(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  uint8_t v = c->version();
  auto r = c->vc->transact(encode_features_request(v, c->vc->next_xid()));
  if (!r.ok()) return talk_error(*c, r.error());
  print_msg(stdout, *r, opts.verbosity + 1);
  if (v >= kOfp13) {
    uint32_t xid = c->vc->next_xid();
    OfpBuf b(v, 18, xid);
    b.put16(13);
    b.put16(0);
    b.put_zeros(4);
    b.put32(v >= kOfp15 ? 0xffffffff : 0);
    if (v >= kOfp15) b.put_zeros(4);
    OfpMsg req = v >= kOfp15 ? b.finish() : stats_request(v, 13, xid);
    if (int rc = dump_transaction(*c, std::move(req), opts.verbosity)) return rc;
  }
  OfpBuf gc(v, kOfptGetConfigRequest, c->vc->next_xid());
  return dump_transaction(*c, gc.finish(), opts.verbosity);
}

int trivial_stats(const Options& opts, const std::string& name, uint16_t type) {
  auto c = open_conn(opts, name);
  if (!c.ok()) return open_error(c.error());
  uint8_t v = c->version();
  size_t body = 0;
  if (type == 13 && v >= kOfp15) body = 8;  // port_no + pad
  OfpMsg req = stats_request(v, type, c->vc->next_xid(), body);
  if (type == 13 && v >= kOfp15) store_be32(&req[16], 0xffffffff);
  return dump_transaction(*c, std::move(req), opts.verbosity);
}

int cmd_dump_desc(const Options& o, const std::vector<std::string>& a) {
  return trivial_stats(o, a[0], 0);
}
int cmd_dump_tables(const Options& o, const std::vector<std::string>& a) {
  return trivial_stats(o, a[0], 3);
}
int cmd_dump_ports_desc(const Options& o, const std::vector<std::string>& a) {
  return trivial_stats(o, a[0], 13);
}

int cmd_probe(const Options& opts, const std::vector<std::string>& args) {
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  auto r = c->vc->transact(encode_echo(false, c->version(), c->vc->next_xid()));
  if (!r.ok()) return talk_error(*c, r.error());
  if ((*r)[1] != kOfptEchoReply) return fail("reply does not match request");
  return 0;
}

// OVS open_vconn_for_flow_mod(): keep the current protocol if usable,
// else switch to the first usable one.
Protocols allowed_protocols(const Options& opts) {
  return opts.allowed & protocols_from_version_bitmap(opts.versions);
}

Status pick_flow_mod_protocol(const Options& opts, Conn& c, Protocols usable) {
  Protocols ok = usable & allowed_protocols(opts);
  if (ok & c.protocol) return Status();
  for (int i = 0; i < 9; ++i) {
    Protocols f = 1u << i;
    if (!(f & ok) || f == c.protocol) continue;
    auto r = try_set_protocol(c, f);
    if (!r.ok()) return r.error();
    if (*r) return Status();
  }
  return Error(EINVAL, "switch does not support any of the usable flow formats (" +
                           protocols_to_string(usable) + ")");
}

int send_flow_mods(const Options& opts, const std::string& target,
                   const std::vector<FlowMod>& fms, Protocols usable) {
  if (opts.bundle) usable &= kPOf13Up;  // bundles need OpenFlow 1.3+
  if (!(usable & allowed_protocols(opts)))
    return fail("none of the usable flow formats (" + protocols_to_string(usable) +
                ") is among the allowed flow formats (" +
                protocols_to_string(allowed_protocols(opts)) + ")");
  auto c = open_conn(opts, target);
  if (!c.ok()) return open_error(c.error());
  if (Status s = pick_flow_mod_protocol(opts, *c, usable); !s.ok()) return fail(s.error().message());
  if (opts.bundle) {
    std::vector<OfpMsg> msgs;
    for (const FlowMod& fm : fms) {
      auto msg = encode_flow_mod(fm, c->protocol, c->vc->next_xid());
      if (!msg.ok()) return fail(msg.error().message());
      msgs.push_back(std::move(*msg));
    }
    return bundle_transact(opts, *c, msgs);
  }
  for (const FlowMod& fm : fms) {
    auto msg = encode_flow_mod(fm, c->protocol, c->vc->next_xid());
    if (!msg.ok()) return fail(msg.error().message());
    auto r = c->vc->transact_noreply(std::move(*msg));
    if (!r.ok()) return talk_error(*c, r.error());
    if (r->has_value()) {
      print_msg(stderr, **r, opts.verbosity + 2);
      return 1;
    }
  }
  return 0;
}

Result<std::vector<ParsedFlowMod>> read_flow_file(const std::string& file, FlowModCommand cmd) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (file != "-") {
    in.open(file);
    if (!in) return Error(errno, file + ": open failed (" + errno_string(errno) + ")");
    stream = &in;
  }
  std::vector<ParsedFlowMod> out;
  std::string line;
  for (int n = 1; std::getline(*stream, line); ++n) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    auto r = parse_flow_mod(line, cmd, nullptr, cmd == FlowModCommand::kAdd);
    if (!r.ok()) return Error(EINVAL, file + ":" + std::to_string(n) + ": " + r.error().message());
    out.push_back(std::move(*r));
  }
  return out;
}

int flow_mod_command(const Options& opts, const std::vector<std::string>& args,
                     FlowModCommand cmd, bool from_file) {
  std::vector<ParsedFlowMod> parsed;
  if (from_file || (args.size() > 1 && args[1] == "-")) {
    auto r = read_flow_file(args.size() > 1 ? args[1] : "-", cmd);
    if (!r.ok()) return fail(r.error().message());
    parsed = std::move(*r);
  } else {
    auto r = parse_flow_mod(args.size() > 1 ? args[1] : "", cmd);
    if (!r.ok()) return fail(r.error().message());
    parsed.push_back(std::move(*r));
  }
  std::vector<FlowMod> fms;
  Protocols usable = kPAny;
  for (auto& p : parsed) {
    usable &= p.usable;
    fms.push_back(std::move(p.fm));
  }
  return send_flow_mods(opts, args[0], fms, usable);
}

int cmd_add_flow(const Options& o, const std::vector<std::string>& a) {
  return flow_mod_command(o, a, FlowModCommand::kAdd, false);
}
int cmd_add_flows(const Options& o, const std::vector<std::string>& a) {
  return flow_mod_command(o, a, FlowModCommand::kAdd, true);
}
int cmd_mod_flows(const Options& o, const std::vector<std::string>& a) {
  return flow_mod_command(o, a, o.strict ? FlowModCommand::kModifyStrict : FlowModCommand::kModify,
                          false);
}
int cmd_del_flows(const Options& o, const std::vector<std::string>& a) {
  return flow_mod_command(o, a, o.strict ? FlowModCommand::kDeleteStrict : FlowModCommand::kDelete,
                          false);
}

// Opens `target` for a message usable in `usable` protocols (OVS
// open_vconn_for_flow_mod()); prints the error and returns nullopt-like
// failure as a non-zero exit code in `rc`.
Result<Conn> open_for_mod(const Options& opts, const std::string& target, Protocols usable) {
  if (!(usable & allowed_protocols(opts)))
    return Error(EINVAL, "none of the usable flow formats (" + protocols_to_string(usable) +
                             ") is among the allowed flow formats (" +
                             protocols_to_string(allowed_protocols(opts)) + ")");
  auto c = open_conn(opts, target);
  if (!c.ok()) return c.error();
  if (Status s = pick_flow_mod_protocol(opts, *c, usable); !s.ok()) return s.error();
  return c;
}

// Sends each message, stopping at the first the switch answers (an
// error), which is printed on stderr (OVS transact_noreply()).
int send_noreply(const Options& opts, Conn& c, std::vector<OfpMsg> msgs) {
  for (OfpMsg& m : msgs) {
    auto r = c.vc->transact_noreply(std::move(m));
    if (!r.ok()) return talk_error(c, r.error());
    if (r->has_value()) {
      print_msg(stderr, **r, opts.verbosity + 2);
      return 1;
    }
  }
  return 0;
}

int group_mod_command(const Options& opts, const std::vector<std::string>& args,
                      GroupCommand cmd, bool from_file) {
  std::vector<ParsedGroupMod> parsed;
  if (from_file) {
    std::ifstream in;
    std::istream* stream = &std::cin;
    if (args[1] != "-") {
      in.open(args[1]);
      if (!in) return fail(args[1] + ": open failed (" + errno_string(errno) + ")");
      stream = &in;
    }
    std::string line;
    for (int n = 1; std::getline(*stream, line); ++n) {
      size_t hash = line.find('#');
      if (hash != std::string::npos) line.resize(hash);
      if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
      auto r = parse_group_mod(line, cmd, nullptr, true);
      if (!r.ok()) return fail(args[1] + ":" + std::to_string(n) + ": " + r.error().message());
      parsed.push_back(std::move(*r));
    }
  } else {
    auto r = parse_group_mod(args.size() > 1 ? args[1] : "", cmd);
    if (!r.ok()) return fail(r.error().message());
    parsed.push_back(std::move(*r));
  }
  Protocols usable = kPAny;
  for (const auto& p : parsed) usable &= p.usable;
  if (opts.bundle) usable &= kPOf13Up;
  auto c = open_for_mod(opts, args[0], usable);
  if (!c.ok()) return c.error().code() == EINVAL ? fail(c.error().message()) : open_error(c.error());
  std::vector<OfpMsg> msgs;
  for (const auto& p : parsed) {
    auto m = encode_group_mod(p.gm, c->version(), c->vc->next_xid());
    if (!m.ok()) return fail(m.error().message());
    msgs.push_back(std::move(*m));
  }
  if (opts.bundle) return bundle_transact(opts, *c, msgs);
  return send_noreply(opts, *c, std::move(msgs));
}

int cmd_add_group(const Options& o, const std::vector<std::string>& a) {
  return group_mod_command(o, a, GroupCommand::kAdd, a.size() > 1 && a[1] == "-");
}
int cmd_add_groups(const Options& o, const std::vector<std::string>& a) {
  return group_mod_command(o, a, GroupCommand::kAdd, true);
}
int cmd_mod_group(const Options& o, const std::vector<std::string>& a) {
  return group_mod_command(o, a, GroupCommand::kModify, a.size() > 1 && a[1] == "-");
}
int cmd_del_groups(const Options& o, const std::vector<std::string>& a) {
  return group_mod_command(o, a, GroupCommand::kDelete, false);
}

int meter_mod_command(const Options& opts, const std::vector<std::string>& args,
                      MeterCommand cmd) {
  MeterMod mm;
  mm.command = cmd;
  mm.meter_id = kMeterAll;
  if (args.size() > 1) {
    auto r = parse_meter_mod(args[1], cmd);
    if (!r.ok()) return fail(r.error().message());
    mm = std::move(*r);
  }
  auto c = open_for_mod(opts, args[0], kPOf13Up);
  if (!c.ok()) return c.error().code() == EINVAL ? fail(c.error().message()) : open_error(c.error());
  auto m = encode_meter_mod(mm, c->version(), c->vc->next_xid());
  if (!m.ok()) return fail(m.error().message());
  std::vector<OfpMsg> msgs;
  msgs.push_back(std::move(*m));
  return send_noreply(opts, *c, std::move(msgs));
}

int cmd_add_meter(const Options& o, const std::vector<std::string>& a) {
  return meter_mod_command(o, a, MeterCommand::kAdd);
}
int cmd_mod_meter(const Options& o, const std::vector<std::string>& a) {
  return meter_mod_command(o, a, MeterCommand::kModify);
}
int cmd_del_meters(const Options& o, const std::vector<std::string>& a) {
  return meter_mod_command(o, a, MeterCommand::kDelete);
}

// OFPT_PORT_MOD for OpenFlow 1.0-1.3 (1.4+ moved advertise into a
// property, not encoded here).
Result<OfpMsg> encode_port_mod(const PhyPort& p, uint32_t config, uint32_t mask, uint8_t v,
                               uint32_t xid) {
  if (v >= kOfp14) return Error(EINVAL, "mod-port supports OpenFlow 1.0 to 1.3");
  OfpBuf b(v, v == kOfp10 ? 15 : 16, xid);
  if (v == kOfp10) {
    b.put16(static_cast<uint16_t>(p.port_no));
  } else {
    b.put32(port_to_ofp11(p.port_no));
    b.put_zeros(4);
  }
  b.put_bytes(p.hw_addr.b, 6);
  if (v != kOfp10) b.put_zeros(2);
  b.put32(config);
  b.put32(mask);
  b.put32(0);  // advertise: unchanged
  b.put_zeros(4);
  return b.finish();
}

int cmd_mod_port(const Options& opts, const std::vector<std::string>& args) {
  struct Flag {
    const char* name;
    uint32_t bit;
    bool on;
  };
  static const Flag kFlags[] = {
      {"up", 1, false},       {"down", 1, true},       {"stp", 2, false},
      {"receive", 4, false},  {"receive-stp", 8, false}, {"flood", 16, false},
      {"forward", 32, false}, {"packet-in", 64, false},
  };
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  auto port = fetch_port(*c, args[1]);
  if (!port.ok()) return fail(port.error().code() == ENOENT ? port.error().message()
                                                            : port.error().to_string());
  std::string cmd = args[2];
  bool negate = false;
  if (strncasecmp(cmd.c_str(), "no-", 3) == 0) {
    cmd = cmd.substr(3), negate = true;
  } else if (strncasecmp(cmd.c_str(), "no", 2) == 0) {
    cmd = cmd.substr(2), negate = true;
  }
  for (const Flag& f : kFlags) {
    if (strcasecmp(cmd.c_str(), f.name) != 0) continue;
    auto m = encode_port_mod(*port, (f.on != negate) ? f.bit : 0, f.bit, c->version(),
                             c->vc->next_xid());
    if (!m.ok()) return fail(m.error().message());
    std::vector<OfpMsg> msgs;
    msgs.push_back(std::move(*m));
    return send_noreply(opts, *c, std::move(msgs));
  }
  return fail("unknown mod-port command '" + args[2] + "'");
}

}  // namespace

int dump_flows_command(const Options& opts, const std::vector<std::string>& args);
int dump_aggregate_command(const Options& opts, const std::vector<std::string>& args);
void add_stats_commands(std::vector<Command>& commands);
void add_flow_diff_commands(std::vector<Command>& commands);

const std::vector<Command>& online_commands() {
  static const std::vector<Command> kCommands = {
      {"show", 1, 1, cmd_show},
      {"dump-desc", 1, 1, cmd_dump_desc},
      {"dump-tables", 1, 1, cmd_dump_tables},
      {"dump-ports-desc", 1, 2, cmd_dump_ports_desc},
      {"probe", 1, 1, cmd_probe},
      {"mod-port", 3, 3, cmd_mod_port},
      {"add-flow", 2, 2, cmd_add_flow},
      {"add-flows", 2, 2, cmd_add_flows},
      {"mod-flows", 2, 2, cmd_mod_flows},
      {"del-flows", 1, 2, cmd_del_flows},
      {"dump-flows", 1, 2, dump_flows_command},
      {"dump-aggregate", 1, 2, dump_aggregate_command},
      {"add-group", 1, 2, cmd_add_group},
      {"add-groups", 2, 2, cmd_add_groups},
      {"mod-group", 1, 2, cmd_mod_group},
      {"del-groups", 1, 2, cmd_del_groups},
      {"add-meter", 2, 2, cmd_add_meter},
      {"mod-meter", 2, 2, cmd_mod_meter},
      {"del-meter", 1, 2, cmd_del_meters},
      {"del-meters", 1, 2, cmd_del_meters},
  };
  static const std::vector<Command> kAll = [] {
    std::vector<Command> all = kCommands;
    add_stats_commands(all);
    add_flow_diff_commands(all);
    return all;
  }();
  return kAll;
}

}  // namespace grebe::ofctl
