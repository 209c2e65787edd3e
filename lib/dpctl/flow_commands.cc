// Flow commands: dump-flows, add-flow, mod-flow, get-flow, del-flow,
// add-flows, mod-flows, del-flows.  Texts as OVS's lib/dpctl.c.
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

#include "dpctl_private.h"
#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_flow_line.h"
#include "grebe/odp/odp_key.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/packet/match.h"
#include "grebe/util/clock.h"

namespace grebe::dpctl {
namespace {

nl::Bytes view(const dpif::Bytes& b) { return nl::Bytes(b.data(), b.size()); }
dpif::Bytes copy(nl::Bytes b) { return dpif::Bytes(b.begin(), b.end()); }

dpif::Ufid to_dpif(const odp::Ufid& u) { return dpif::Ufid{u.w}; }
odp::Ufid to_odp(const dpif::Ufid& u) { return odp::Ufid{u.w}; }

// The secret for UFIDs dpctl generates (appctl only): fixed for the
// process, so a flow added by key can be deleted by key later.
uint32_t ufid_secret() {
  static const uint32_t secret = std::random_device{}();
  return secret;
}

odp::PortNameMap port_name_map(dpif::Dpif& dpif) {
  odp::PortNameMap m;
  for (const dpif::DpifPort& p : dpif.ports()) m[p.name] = p.port_no;
  return m;
}

std::optional<odp::PortNoNames> portno_names(Ctx& ctx, dpif::Dpif& dpif) {
  if (!ctx.p.names) return std::nullopt;
  odp::PortNoNames m;
  for (const dpif::DpifPort& p : dpif.ports()) m[p.port_no] = p.name;
  return m;
}

odp::DpifFlowStats to_odp(const dpif::FlowStats& s) {
  return odp::DpifFlowStats{s.n_packets, s.n_bytes, s.used, s.tcp_flags};
}

// OVS's userspace datapath reports a flow's key and mask rebuilt from its
// megaflow (so recirc_id(0) and every wildcarded field appear), whatever
// attributes the flow was put with; ours keeps the put attributes, so the
// rebuild happens here.  Kernel flows print as the kernel returns them.
void rebuild_key_mask(const dpif::DpifFlow& f, dpif::Bytes* key, dpif::Bytes* mask) {
  Flow flow = make_flow();
  FlowWildcards wc;
  if (odp::odp_flow_key_to_flow(view(f.key), &flow) == odp::OdpKeyFitness::kError ||
      odp::odp_flow_key_to_mask(view(f.mask), &wc, flow) == odp::OdpKeyFitness::kError) {
    *key = f.key;
    *mask = f.mask;
    return;
  }
  // The key keeps bits outside the mask ("src=10.0.0.1/255.255.255.0"), as
  // OVS's does.
  odp::OdpFlowKeyParms parms;
  parms.flow = &flow;
  parms.mask = &wc.masks;
  nl::AttrBuilder kb, mb;
  odp::odp_flow_key_from_flow(parms, kb);
  odp::odp_flow_key_from_mask(parms, mb);
  *key = copy(kb.bytes());
  *mask = copy(mb.bytes());
}

// One flow as dpctl prints it (format_dpif_flow).  Our datapaths never
// offload, and every flow lives in the "ovs" layer.
std::string format_flow(Ctx& ctx, const dpif::Dpif& dpif, const dpif::DpifFlow& f,
                        const odp::PortNoNames* names) {
  std::string s;
  bool verbose = ctx.p.verbosity > 0;
  if (verbose && f.ufid_present) s += odp::odp_format_ufid(to_odp(f.ufid)) + ", ";
  dpif::Bytes key = f.key, mask = f.mask;
  if (is_userspace(dpif)) rebuild_key_mask(f, &key, &mask);
  s += odp::odp_flow_format(view(key), view(mask), verbose, names);
  s += ", ";
  s += odp::dpif_flow_stats_format(to_odp(f.stats), time_msec());
  if (verbose) s += ", dp:ovs";
  s += ", actions:";
  odp::format_odp_actions(s, view(f.actions), names);
  return s;
}

struct DumpTypes {
  bool ovs = false, tc = false, dpdk = false, offloaded = false, non_offloaded = false,
       partially_offloaded = false;
  void all() { ovs = tc = dpdk = offloaded = non_offloaded = partially_offloaded = true; }
  // Every flow here is a non-offloaded "ovs" flow.
  bool passes() const { return ovs || non_offloaded; }
};

int populate_dump_types(Ctx& ctx, const std::optional<std::string>& list, DumpTypes* t) {
  if (!list) {
    t->all();
    return 0;
  }
  size_t i = 0;
  const std::string& s = *list;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    std::string type = s.substr(i, j - i);
    i = j + 1;
    if (type == "ovs") t->ovs = true;
    else if (type == "tc") t->tc = true;
    else if (type == "dpdk") t->dpdk = true;
    else if (type == "offloaded") t->offloaded = true;
    else if (type == "non-offloaded") t->non_offloaded = true;
    else if (type == "partially-offloaded") t->partially_offloaded = true;
    else if (type == "all") t->all();
    else {
      ctx.error(EINVAL, "Failed to parse type (" + type + ")");
      return EINVAL;
    }
  }
  return 0;
}

// PMD id as OVS's dump sees it: INT_MAX (PMD_ID_NULL) for the kernel,
// -1 (NON_PMD_CORE_ID) for a userspace flow owned by the main thread.
constexpr int kPmdIdNull = INT_MAX;

}  // namespace

namespace {

// dump-flows' trailing keyword arguments, taken off the end of argv as OVS
// does (so they may come in any order after the datapath).
struct DumpArgs {
  size_t argc = 0;  // arguments left for the datapath name
  std::optional<std::string> filter, types_list;
  int pmd_id = kPmdIdNull;
  bool pmd_id_filter = false;
};

int parse_dump_args(Ctx& ctx, const Args& argv, DumpArgs* a) {
  a->argc = argv.size();
  size_t lastargc = 0;
  while (a->argc > 1 && lastargc != a->argc) {
    lastargc = a->argc;
    const std::string& last = argv[a->argc - 1];
    if (last.rfind("filter=", 0) == 0 && !a->filter) {
      a->filter = last.substr(7);
      a->argc--;
    } else if (last.rfind("type=", 0) == 0 && !a->types_list) {
      if (!ctx.p.is_appctl) {
        ctx.error(0, "Invalid argument 'type'. Use 'ovs-appctl dpctl/dump-flows' instead.");
        return EINVAL;
      }
      a->types_list = last.substr(5);
      a->argc--;
    } else if (last.rfind("pmd=", 0) == 0) {
      a->argc--;
      if (std::sscanf(last.c_str(), "pmd=%d", &a->pmd_id) != 1) return EINVAL;
      a->pmd_id_filter = true;  // pmd=-1 is the main thread, as NON_PMD_CORE_ID
    }
  }
  return 0;
}

}  // namespace

int cmd_dump_flows(Ctx& ctx, const Args& argv) {
  DumpArgs args;
  if (int error = parse_dump_args(ctx, argv, &args)) return error;
  const size_t argc = args.argc;
  const std::optional<std::string>& filter = args.filter;
  int pmd_id = args.pmd_id;
  const bool pmd_id_filter = args.pmd_id_filter;

  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argc, 2, &dpif);
  if (error) return error;
  auto names = portno_names(ctx, *dpif);

  Match filter_match;
  if (filter) {
    openflow::PortMap port_map;
    for (const dpif::DpifPort& p : dpif->ports()) port_map.add(p.name, p.port_no);
    auto parsed = openflow::parse_flow_mod(*filter, openflow::FlowModCommand::kDelete, &port_map);
    if (!parsed.ok()) {
      // parse_ofp_exact_flow()'s words: "FILTER: unknown field NAME".
      std::string msg = parsed.error().message();
      if (msg.rfind("unknown keyword ", 0) == 0) msg = "unknown field " + msg.substr(16);
      ctx.error(0, "Failed to parse filter (" + *filter + ": " + msg + ")");
      return EINVAL;
    }
    filter_match = parsed->fm.match;
  }

  DumpTypes dump_types;
  error = populate_dump_types(ctx, args.types_list, &dump_types);
  if (error) return error;

  const bool kernel = !is_userspace(*dpif);
  auto dump = dpif->flow_dump(false);
  auto thread = dump->thread();
  std::vector<dpif::DpifFlow> batch;
  while (batch.clear(), thread->next(batch, 50) > 0) {
    for (const dpif::DpifFlow& f : batch) {
      if (filter) {
        Flow flow = make_flow();
        FlowWildcards wc;
        odp::odp_flow_key_to_flow(view(f.key), &flow);
        odp::odp_flow_key_to_mask(view(f.mask), &wc, flow);
        // Bits the datapath flow wildcards cannot contradict the filter.
        FlowWildcards both = FlowWildcards::intersect(wc, filter_match.wc);
        if (!flow_equal_except(flow, filter_match.flow, both)) continue;
      }
      int f_pmd = kernel ? kPmdIdNull : f.pmd_id;
      std::string out;
      if (!pmd_id_filter && pmd_id != f_pmd) {
        if (f_pmd == -1) {
          out += "flow-dump from the main thread:\n";
        } else {
          out += "flow-dump from pmd on cpu core: " + std::to_string(f_pmd) + "\n";
        }
        pmd_id = f_pmd;
      }
      if (pmd_id == f_pmd && dump_types.passes()) {
        out += format_flow(ctx, *dpif, f, names ? &*names : nullptr);
        ctx.print(out + "\n");
      }
    }
  }
  thread.reset();
  Status st = dump->finish();
  if (!st.ok()) {
    error = st.error().code();
    ctx.error(error, "Failed to dump flows from datapath");
  }
  return error;
}

namespace {

int put_flow(Ctx& ctx, dpif::Dpif& dpif, std::string_view key_s, std::string_view actions_s,
             uint32_t flags) {
  std::optional<dpif::Ufid> ufid;
  odp::Ufid u;
  auto n = odp::odp_ufid_from_string(key_s, &u);
  if (!n.ok()) {
    ctx.error(n.error().code(), "parsing flow ufid");
    return n.error().code();
  }
  if (*n) {
    key_s.remove_prefix(*n);
    ufid = to_dpif(u);
  }
  odp::PortNameMap port_names = port_name_map(dpif);
  nl::AttrBuilder key, mask;
  Status st = odp::odp_flow_from_string(key_s, key, &mask, &port_names);
  if (!st.ok()) {
    ctx.error(st.error().code(), "parsing flow key (" + st.error().message() + ")");
    return st.error().code();
  }
  nl::AttrBuilder actions;
  st = odp::odp_actions_from_string(actions_s, actions);
  if (!st.ok()) {
    ctx.error(st.error().code(), "parsing actions");
    return st.error().code();
  }
  // appctl names flows by a generated UFID so that they can be found again
  // by key; ovs-dpctl cannot (its secret changes with every run).
  if (!ufid && ctx.p.is_appctl) ufid = to_dpif(odp::odp_flow_key_hash(key.bytes(), ufid_secret()));

  dpif::FlowStats stats;
  std::vector<dpif::Op> ops(1);
  ops[0].type = dpif::Op::Type::kPut;
  ops[0].put.key = copy(key.bytes());
  ops[0].put.mask = copy(mask.bytes());
  ops[0].put.actions = copy(actions.bytes());
  ops[0].put.ufid = ufid;
  ops[0].put.flags = flags;
  ops[0].put.stats_out = ctx.p.print_statistics ? &stats : nullptr;
  dpif.operate(ops);
  if (!ops[0].result.ok()) {
    int error = ops[0].result.error().code();
    ctx.error(error, "updating flow table");
    return error;
  }
  if (ctx.p.print_statistics) ctx.print(odp::dpif_flow_stats_format(to_odp(stats), time_msec()) + "\n");
  return 0;
}

int put_flow_cmd(Ctx& ctx, const Args& argv, uint32_t flags) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argv.size(), 4, &dpif);
  if (error) return error;
  return put_flow(ctx, *dpif, argv[argv.size() - 2], argv[argv.size() - 1], flags);
}

int del_flow(Ctx& ctx, dpif::Dpif& dpif, std::string_view key_s) {
  std::optional<dpif::Ufid> ufid;
  bool ufid_generated = false;
  odp::Ufid u;
  auto n = odp::odp_ufid_from_string(key_s, &u);
  if (!n.ok()) {
    ctx.error(n.error().code(), "parsing flow ufid");
    return n.error().code();
  }
  if (*n) {
    key_s.remove_prefix(*n);
    ufid = to_dpif(u);
  }
  odp::PortNameMap port_names = port_name_map(dpif);
  nl::AttrBuilder key, mask;
  Status st = odp::odp_flow_from_string(key_s, key, &mask, &port_names);
  if (!st.ok()) {
    ctx.error(st.error().code(), st.error().message());
    return st.error().code();
  }
  if (!ufid && ctx.p.is_appctl) {
    ufid = to_dpif(odp::odp_flow_key_hash(key.bytes(), ufid_secret()));
    ufid_generated = true;
  }
  dpif::FlowStats stats;
  std::vector<dpif::Op> ops(1);
  ops[0].type = dpif::Op::Type::kDel;
  ops[0].del.key = copy(key.bytes());
  ops[0].del.ufid = ufid;
  ops[0].del.stats_out = ctx.p.print_statistics ? &stats : nullptr;
  dpif.operate(ops);
  if (!ops[0].result.ok()) {
    int error = ops[0].result.error().code();
    ctx.error(error, "deleting flow");
    if (error == ENOENT && (!ufid || ufid_generated)) {
      ctx.print("Perhaps you need to specify a UFID?\n");
    }
    return error;
  }
  if (ctx.p.print_statistics) ctx.print(odp::dpif_flow_stats_format(to_odp(stats), time_msec()) + "\n");
  return 0;
}

enum class FlowsCmd { kAdd, kDel, kMod };

// One add-flows file line: "[add|delete|modify] FLOW [ACTIONS]".
FlowsCmd parse_flow_line(FlowsCmd cmd, std::string_view line, std::string* flow,
                         std::string* actions) {
  auto skip_ws = [&line]() {
    size_t k = line.find_first_not_of(" \t\r\n");
    line.remove_prefix(k == std::string_view::npos ? line.size() : k);
  };
  skip_ws();
  size_t len = std::min(line.find_first_of(", \t\r\n"), line.size());
  std::string_view word = line.substr(0, len);
  // strncmp(line, "add", len): any prefix of the keyword selects it.
  auto is = [&word](std::string_view kw) { return kw.substr(0, word.size()) == word; };
  if (word.size() <= 3 && is("add")) {
    cmd = FlowsCmd::kAdd;
  } else if (word.size() <= 6 && is("delete")) {
    cmd = FlowsCmd::kDel;
  } else if (word.size() <= 6 && is("modify")) {
    cmd = FlowsCmd::kMod;
  } else {
    len = 0;
  }
  line.remove_prefix(len);
  skip_ws();
  len = std::min(line.find_first_of(" \t\r\n"), line.size());
  flow->assign(line.substr(0, len));
  line.remove_prefix(len);
  skip_ws();
  actions->assign(line);
  return cmd;
}

}  // namespace

int cmd_add_flow(Ctx& ctx, const Args& argv) { return put_flow_cmd(ctx, argv, dpif::kPutCreate); }

int cmd_mod_flow(Ctx& ctx, const Args& argv) {
  uint32_t flags = dpif::kPutModify;
  if (ctx.p.may_create) flags |= dpif::kPutCreate;
  if (ctx.p.zero_statistics) flags |= dpif::kPutZeroStats;
  return put_flow_cmd(ctx, argv, flags);
}

int cmd_get_flow(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argv.size(), 3, &dpif);
  if (error) return error;
  auto names = portno_names(ctx, *dpif);
  odp::Ufid u;
  auto n = odp::odp_ufid_from_string(argv.back(), &u);
  if (!n.ok() || *n == 0) {
    // OVS reports this and still succeeds.
    ctx.error(n.ok() ? 0 : n.error().code(), "parsing flow ufid");
    return 0;
  }
  dpif::DpifFlow flow;
  std::vector<dpif::Op> ops(1);
  ops[0].type = dpif::Op::Type::kGet;
  ops[0].get.ufid = to_dpif(u);
  ops[0].get.flow_out = &flow;
  dpif->operate(ops);
  if (!ops[0].result.ok()) {
    error = ops[0].result.error().code();
    ctx.error(error, "getting flow");
    return error;
  }
  if (!flow.ufid_present) {
    flow.ufid = to_dpif(u);
    flow.ufid_present = true;
  }
  ctx.print(format_flow(ctx, *dpif, flow, names ? &*names : nullptr) + "\n");
  return 0;
}

int cmd_del_flow(Ctx& ctx, const Args& argv) {
  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argv.size(), 3, &dpif);
  if (error) return error;
  return del_flow(ctx, *dpif, argv.back());
}

int cmd_process_flows(Ctx& ctx, const Args& argv) {
  const std::string& file_name = argv.back();
  FlowsCmd def_cmd = FlowsCmd::kAdd;
  if (argv[0].find("mod-flows") != std::string::npos) def_cmd = FlowsCmd::kMod;
  if (argv[0].find("del-flows") != std::string::npos) def_cmd = FlowsCmd::kDel;

  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argv.size(), 4, &dpif);
  if (error) return error;

  std::ifstream file;
  std::istream* in = &std::cin;
  if (file_name != "-") {
    file.open(file_name);
    if (!file) {
      error = errno ? errno : ENOENT;
      ctx.error(error, "Opening file \"" + file_name + "\" failed");
      return 0;  // OVS reports and still succeeds
    }
    in = &file;
  }
  std::string line;
  unsigned line_number = 0;
  while (std::getline(*in, line)) {
    line_number++;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\n") == std::string::npos) continue;
    std::string flow, actions;
    FlowsCmd cmd = parse_flow_line(def_cmd, line, &flow, &actions);
    if ((flow.empty() && actions.empty()) ||
        ((cmd == FlowsCmd::kAdd || cmd == FlowsCmd::kMod) && actions.empty()) ||
        (cmd == FlowsCmd::kDel && !actions.empty())) {
      ctx.error(0, "Failed parsing line number " + std::to_string(line_number) + ", skipped!");
      continue;
    }
    switch (cmd) {
      case FlowsCmd::kAdd:
        (void)put_flow(ctx, *dpif, flow, actions, dpif::kPutCreate);
        break;
      case FlowsCmd::kMod:
        (void)put_flow(ctx, *dpif, flow, actions, dpif::kPutModify);
        break;
      case FlowsCmd::kDel:
        (void)del_flow(ctx, *dpif, flow);
        break;
    }
  }
  return 0;
}

int cmd_del_flows(Ctx& ctx, const Args& argv) {
  size_t argc = argv.size();
  if ((!dp_arg_exists(ctx, argv, argc) && argc == 2) || argc > 2) {
    return cmd_process_flows(ctx, argv);
  }
  std::unique_ptr<dpif::Dpif> dpif;
  int error = opt_dpif_open(ctx, argv, argc, 2, &dpif);
  if (error) return error;
  Status st = dpif->flow_flush();
  if (!st.ok()) {
    error = st.error().code();
    ctx.error(error, "deleting all flows");
  }
  return error;
}

}  // namespace grebe::dpctl
