// appctl views of the bridges and their datapaths, with OVS's names and
// output: ofproto/list, ofproto/trace, dpif/show, dpif/dump-flows,
// bridge/dump-flows.
#include "ofproto_dpif/ofproto_commands.h"

#include <algorithm>
#include <mutex>

#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_flow_line.h"
#include "grebe/odp/odp_key.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/packet/flow_extract.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/clock.h"
#include "normal/fdb_commands.h"
#include "ofproto_dpif/ofproto_dpif.h"

namespace grebe::ofproto_dpif {
namespace {

using Args = std::vector<std::string>;
using unixctl::Reply;

std::vector<Ofproto*> all_ofprotos() {
  std::vector<Ofproto*> out;
  for (const auto& b : Backer::all()) {
    for (Ofproto* o : b->ofprotos()) out.push_back(o);
  }
  std::sort(out.begin(), out.end(),
            [](const Ofproto* a, const Ofproto* b) { return a->name() < b->name(); });
  return out;
}

openflow::PortMap port_map(const Ofproto& o) {
  openflow::PortMap m;
  for (const OfPort* p : o.port_list()) m.add(p->name, p->ofp_port);
  return m;
}

// A flow in ofproto/trace's "br_flow" syntax (ovs-ofctl match fields) or,
// if it contains '(', a datapath flow whose in_port picks the bridge.
Result<Flow> parse_trace_flow(const std::string& text, Ofproto*& ofproto) {
  if (text.find('(') != std::string::npos) {
    nl::AttrBuilder key;
    if (Status s = odp::odp_flow_from_string(text, key, nullptr); !s.ok()) return s.error();
    Flow flow = make_flow();
    std::string err;
    if (odp::odp_flow_key_to_flow(key.bytes(), &flow, &err) == odp::OdpKeyFitness::kError) {
      return Error(EINVAL, err);
    }
    for (const auto& b : Backer::all()) {
      if (ofproto && &ofproto->backer() != b.get()) continue;
      if (auto owner = b->lookup_port(flow.in_port)) {
        ofproto = owner->ofproto;
        flow.in_port = owner->ofp_port;
        return flow;
      }
    }
    return Error(EINVAL, "no OpenFlow port for datapath port " + std::to_string(flow.in_port));
  }
  if (!ofproto) return Error(EINVAL, "must specify bridge name");
  openflow::PortMap ports = port_map(*ofproto);
  auto p = openflow::parse_flow_mod(text, openflow::FlowModCommand::kDelete, &ports);
  if (!p.ok()) return p.error();
  return p->fm.match.flow;
}

void cmd_trace(const Args& argv, const Reply& reply) {
  // ofproto/trace [dp_name|bridge] flow [-generate|packet]
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bool generate = false;
  if (!args.empty() && args.back() == "-generate") {
    generate = true;
    args.pop_back();
  }
  Ofproto* ofproto = nullptr;
  std::string flow_text;
  std::optional<std::vector<uint8_t>> packet;
  if (args.size() >= 2) {
    for (Ofproto* o : all_ofprotos()) {
      if (o->name() == args[0]) ofproto = o;
    }
    bool is_dp = false;
    for (const auto& b : Backer::all()) is_dp |= b->dp_name() == args[0];
    if (!ofproto && !is_dp) return reply.error("no bridge named " + args[0]);
    flow_text = args[1];
    if (args.size() >= 3) {
      std::vector<uint8_t> bytes;
      const std::string& hex = args[2];
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
      }
      packet = bytes;
    }
  } else if (args.size() == 1) {
    flow_text = args[0];
  } else {
    return reply.error("ofproto/trace: missing flow");
  }
  Ofproto* target = ofproto;
  auto flow = parse_trace_flow(flow_text, target);
  if (!flow.ok()) return reply.error(flow.error().message());
  if (packet) {
    Flow md = *flow;
    *flow = flow_extract(packet->data(), packet->size(), &md);
    flow->in_port = md.in_port;
  }
  xlate::XlateIn in = target->xlate_in(*flow);
  in.want_trace = true;
  xlate::XlateOut out;
  {
    std::shared_lock lock(target->backer().xlate_lock());
    out = xlate::xlate_actions(in);
  }
  std::string text = xlate::format_trace(in, out);
  if (!out.error.empty()) text += "Translation failed (" + out.error + "), packet is dropped.\n";
  if (generate) {
    for (const auto& fm : out.learned) (void)target->flow_mod(fm);
  }
  reply.ok(text);
}

void cmd_list(const Args&, const Reply& reply) {
  std::string s;
  for (Ofproto* o : all_ofprotos()) s += o->name() + "\n";
  reply.ok(s);
}

void cmd_dpif_show(const Args&, const Reply& reply) {
  std::string s;
  for (const auto& b : Backer::all()) {
    dpif::DpStats st = b->dpif().stats();
    s += b->type() + "@" + b->dp_name() + ": hit:" + std::to_string(st.n_hit) +
         " missed:" + std::to_string(st.n_missed) + "\n";
    for (Ofproto* o : all_ofprotos()) {
      if (&o->backer() != b.get()) continue;
      s += "  " + o->name() + ":\n";
      std::vector<const OfPort*> ports = o->port_list();
      std::sort(ports.begin(), ports.end(),
                [](const OfPort* x, const OfPort* y) { return x->name < y->name; });
      for (const OfPort* p : ports) {
        s += "    " + p->name + " " + std::to_string(p->ofp_port) + "/" +
             std::to_string(p->odp_port) + ": (" + p->type + ")\n";
      }
    }
  }
  reply.ok(s);
}

void cmd_dpif_dump_flows(const Args& argv, const Reply& reply) {
  Ofproto* ofproto = nullptr;
  for (Ofproto* o : all_ofprotos()) {
    if (o->name() == argv.back()) ofproto = o;
  }
  if (!ofproto) return reply.error("no such bridge");
  bool verbose = false, names = false, set_names = false;
  for (size_t i = 1; i + 1 < argv.size(); i++) {
    if (argv[i] == "-m") verbose = true;
    else if (argv[i] == "--names") names = set_names = true;
    else if (argv[i] == "--no-names") set_names = true, names = false;
  }
  if (!set_names) names = verbose;
  odp::PortNoNames pnames;
  if (names) {
    for (const auto& p : ofproto->backer().dpif().ports()) pnames[p.port_no] = p.name;
  }
  std::string s;
  auto dump = ofproto->backer().dpif().flow_dump(false);
  auto thread = dump->thread();
  std::vector<dpif::DpifFlow> flows;
  long long now = time_msec();
  while (thread->next(flows, 64) > 0) {
    for (const auto& f : flows) {
      Flow flow = make_flow();
      nl::Bytes key(f.key.data(), f.key.size());
      if (odp::odp_flow_key_to_flow(key, &flow) == odp::OdpKeyFitness::kError) continue;
      {
        std::shared_lock lock(ofproto->backer().xlate_lock());
        auto owner = ofproto->backer().lookup_port(flow.in_port);
        if (!owner || owner->ofproto != ofproto) continue;
      }
      odp::DpifFlowText t;
      odp::Ufid u;
      u.w = f.ufid.w;
      if (f.ufid_present) t.ufid = u;
      t.key = key;
      t.mask = nl::Bytes(f.mask.data(), f.mask.size());
      t.actions = nl::Bytes(f.actions.data(), f.actions.size());
      t.stats = {f.stats.n_packets, f.stats.n_bytes, f.stats.used, f.stats.tcp_flags};
      s += odp::format_dpif_flow(t, verbose, now, names ? &pnames : nullptr) + "\n";
    }
    flows.clear();
  }
  if (Status st = dump->finish(); !st.ok()) {
    return reply.error("dpif/dump_flows failed: " + st.error().message());
  }
  reply.ok(s);
}

void cmd_bridge_dump_flows(const Args& argv, const Reply& reply) {
  Ofproto* ofproto = nullptr;
  for (Ofproto* o : all_ofprotos()) {
    if (o->name() == argv.back()) ofproto = o;
  }
  if (!ofproto) return reply.error("Unknown bridge " + argv.back());
  openflow::FlowStatsRequest req;
  std::string s = ofproto->tables().dump_flows(req, true);
  if (ofproto->fail_open()) {
    s = "duration=0s, n_packets=0, n_bytes=0, priority=15790320,actions=NORMAL\n" + s;
  }
  reply.ok(s);
}

Ofproto* find_bridge(const std::string& name) {
  for (Ofproto* o : all_ofprotos()) {
    if (o->name() == name) return o;
  }
  return nullptr;
}

bool parse_mac(const std::string& s, EthAddr* mac) {
  unsigned b[6];
  char extra;
  if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                  &extra) != 6) {
    return false;
  }
  for (int i = 0; i < 6; i++) {
    if (b[i] > 0xff) return false;
    mac->b[i] = static_cast<uint8_t>(b[i]);
  }
  return true;
}

void register_fdb_commands() {
  unixctl::register_command("fdb/show", "bridge", 1, 1, [](const Args& argv, const Reply& reply) {
    Ofproto* o = find_bridge(argv[1]);
    if (!o) return reply.error(normal::kFdbNoSuchBridge);
    reply.ok(normal::fdb_show(o->mac_table()));
  });
  unixctl::register_command("fdb/stats-show", "bridge", 1, 1,
                            [](const Args& argv, const Reply& reply) {
                              Ofproto* o = find_bridge(argv[1]);
                              if (!o) return reply.error(normal::kFdbNoSuchBridge);
                              reply.ok(normal::fdb_stats_show(o->name(), o->mac_table()));
                            });
  auto for_bridges = [](const Args& argv, const Reply& reply, auto fn, const char* ok) {
    if (argv.size() > 1) {
      Ofproto* o = find_bridge(argv[1]);
      if (!o) return reply.error(normal::kFdbNoSuchBridge);
      fn(*o);
    } else {
      for (Ofproto* o : all_ofprotos()) fn(*o);
    }
    reply.ok(ok);
  };
  unixctl::register_command("fdb/flush", "[bridge]", 0, 1,
                            [for_bridges](const Args& argv, const Reply& reply) {
                              for_bridges(
                                  argv, reply,
                                  [](Ofproto& o) {
                                    o.mac_table().flush();
                                    o.flows_changed();
                                  },
                                  normal::kFdbFlushReply);
                            });
  unixctl::register_command("fdb/stats-clear", "[bridge]", 0, 1,
                            [for_bridges](const Args& argv, const Reply& reply) {
                              for_bridges(
                                  argv, reply, [](Ofproto& o) { o.mac_table().clear_stats(); },
                                  normal::kFdbStatsClearReply);
                            });
  unixctl::register_command(
      "fdb/add", "bridge port vlan mac", 4, 4, [](const Args& argv, const Reply& reply) {
        Ofproto* o = find_bridge(argv[1]);
        if (!o) return reply.error(normal::kFdbNoSuchBridge);
        EthAddr mac{};
        if (!parse_mac(argv[4], &mac)) return reply.error("bad MAC address");
        const OfPort* p = o->find_port(argv[2]);
        if (!p) return reply.error("could not find port " + argv[2] + "\n");
        o->mac_table().add_static(mac, static_cast<uint16_t>(std::atoi(argv[3].c_str())),
                                  p->ofp_port);
        o->flows_changed();
        reply.ok();
      });
  unixctl::register_command("fdb/del", "bridge vlan mac", 3, 3,
                            [](const Args& argv, const Reply& reply) {
                              Ofproto* o = find_bridge(argv[1]);
                              if (!o) return reply.error(normal::kFdbNoSuchBridge);
                              EthAddr mac{};
                              if (!parse_mac(argv[3], &mac)) {
                                return reply.error("bad MAC address");
                              }
                              uint16_t vlan = static_cast<uint16_t>(std::atoi(argv[2].c_str()));
                              if (!o->mac_table().del_static(mac, vlan)) {
                                return reply.error("could not find static mac entry\n");
                              }
                              o->flows_changed();
                              reply.ok();
                            });
}

}  // namespace

void register_ofproto_commands() {
  register_fdb_commands();
  unixctl::register_command("ofproto/list", "", 0, 0, cmd_list);
  unixctl::register_command("ofproto/trace",
                            "{[dp_name] odp_flow | bridge br_flow} [OPTIONS...] "
                            "[-generate|packet]",
                            1, 4, cmd_trace);
  unixctl::register_command("dpif/show", "", 0, 0, cmd_dpif_show);
  unixctl::register_command("dpif/dump-flows", "[-m] [--names | --no-names] bridge", 1, INT_MAX,
                            cmd_dpif_dump_flows);
  unixctl::register_command("bridge/dump-flows", "[--offload-stats] bridge", 1, 2,
                            cmd_bridge_dump_flows);
}

}  // namespace grebe::ofproto_dpif
