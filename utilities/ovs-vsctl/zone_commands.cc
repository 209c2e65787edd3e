// ovs-vsctl's conntrack zone timeout policy, datapath capability and Auto
// Attach commands (add/del/list-zone-tp, list-dp-cap, add/del/get-aa-mapping).
#include <climits>

#include "vsctl_util.h"

// GCC 12 reports a false "may be used uninitialized" inside std::variant's
// string alternative when atoms are built from integers here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace grebe::vsctl {

namespace {

// The Datapath row named 'dp_name' in Open_vSwitch.datapaths.
std::optional<Uuid> find_datapath(Context& ctx, const std::string& dp_name) {
  const Datum* dps = ctx.txn.get("Open_vSwitch", ctx.ovs, "datapaths");
  if (!dps) return std::nullopt;
  for (size_t i = 0; i < dps->size() && i < dps->values.size(); i++) {
    if (std::get<std::string>(dps->keys[i]) == dp_name) return std::get<Uuid>(dps->values[i]);
  }
  return std::nullopt;
}

std::optional<Uuid> find_zone(Context& ctx, const Uuid& dp, int64_t zone_id) {
  const Datum* zones = ctx.txn.get("Datapath", dp, "ct_zones");
  if (!zones) return std::nullopt;
  long i = zones->find_key(ovsdb::Atom(zone_id));
  if (i < 0) return std::nullopt;
  return std::get<Uuid>(zones->values[i]);
}

int64_t parse_zone(const std::string& arg) {
  if (arg.compare(0, 5, "zone=") != 0) return 0;
  return strtoll(arg.c_str() + 5, nullptr, 0);
}

// An existing CT_Timeout_Policy with exactly these timeouts, or a new one.
Uuid timeout_policy(Context& ctx, size_t first) {
  Datum want;
  for (size_t i = first; i < ctx.argc(); i++) {
    const std::string& arg = ctx.argv()[i];
    size_t sep = arg.find_first_of("=:");
    if (sep == std::string::npos) break;
    want.keys.push_back(arg.substr(0, sep));
    want.values.push_back(int64_t(atoi(arg.c_str() + sep + 1)));
  }
  const ovsdb::Type& type =
      ctx.txn.schema().find_table("CT_Timeout_Policy")->find_column("timeouts")->type;
  want.sort_unique(type);
  for (const Uuid& tp : ctx.txn.rows("CT_Timeout_Policy")) {
    const Datum* have = ctx.txn.get("CT_Timeout_Policy", tp, "timeouts");
    if (have && *have == want) return tp;
  }
  Uuid tp = ctx.txn.insert("CT_Timeout_Policy");
  ctx.txn.write("CT_Timeout_Policy", tp, "timeouts", want);
  return tp;
}

void cmd_add_zone_tp(Context& ctx) {
  const std::string& dp_name = ctx.argv()[1];
  int64_t zone_id = parse_zone(ctx.argv()[2]);
  std::optional<Uuid> dp = find_datapath(ctx, dp_name);
  if (!dp) {
    ctx.fail("datapath %s does not exist", dp_name.c_str());
    return;
  }
  std::optional<Uuid> zone = find_zone(ctx, *dp, zone_id);
  if (ctx.argc() <= 3) {
    ctx.fail("No timeout policy");
    return;
  }
  if (zone && !ctx.has_option("--may-exist")) {
    ctx.fail("zone id %lld already exists", static_cast<long long>(zone_id));
    return;
  }
  Uuid tp = timeout_policy(ctx, 3);
  if (!zone) {
    zone = ctx.txn.insert("CT_Zone");
    Datum zones = *ctx.txn.get("Datapath", *dp, "ct_zones");
    zones.keys.push_back(zone_id);
    zones.values.push_back(*zone);
    zones.sort_unique(ctx.txn.schema().find_table("Datapath")->find_column("ct_zones")->type);
    ctx.txn.write("Datapath", *dp, "ct_zones", zones);
  }
  ctx.txn.write("CT_Zone", *zone, "timeout_policy", uuid_set({tp}));
}

void cmd_del_zone_tp(Context& ctx) {
  const std::string& dp_name = ctx.argv()[1];
  int64_t zone_id = parse_zone(ctx.argv()[2]);
  std::optional<Uuid> dp = find_datapath(ctx, dp_name);
  if (!dp) {
    ctx.fail("datapath %s does not exist", dp_name.c_str());
    return;
  }
  std::optional<Uuid> zone = find_zone(ctx, *dp, zone_id);
  if (!zone) {
    if (!ctx.has_option("--if-exists")) {
      ctx.fail("zone id %lld does not exist", static_cast<long long>(zone_id));
    }
    return;
  }
  Datum zones = *ctx.txn.get("Datapath", *dp, "ct_zones");
  Datum key;
  key.keys.push_back(zone_id);
  zones.subtract(key, false);
  ctx.txn.write("Datapath", *dp, "ct_zones", zones);
}

void cmd_list_zone_tp(Context& ctx) {
  std::optional<Uuid> dp = find_datapath(ctx, ctx.argv()[1]);
  if (!dp) {
    ctx.fail("datapath: %s record not found", ctx.argv()[1].c_str());
    return;
  }
  const Datum* zones = ctx.txn.get("Datapath", *dp, "ct_zones");
  for (size_t i = 0; zones && i < zones->size(); i++) {
    std::string line = "Zone:" + std::to_string(std::get<int64_t>(zones->keys[i])) +
                       ", Timeout Policies: ";
    std::vector<Uuid> tp =
        datum_uuids(ctx.txn.get("CT_Zone", std::get<Uuid>(zones->values[i]), "timeout_policy"));
    if (tp.empty()) {
      line += "system default";
    } else {
      const Datum* t = ctx.txn.get("CT_Timeout_Policy", tp[0], "timeouts");
      for (size_t j = 0; t && j < t->size(); j++) {
        line += std::get<std::string>(t->keys[j]) + "=" +
                std::to_string(std::get<int64_t>(t->values[j])) + " ";
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    ctx.output() += line + "\n";
  }
}

void cmd_list_dp_cap(Context& ctx) {
  std::optional<Uuid> dp = find_datapath(ctx, ctx.argv()[1]);
  if (!dp) {
    ctx.fail("datapath \"%s\" record not found", ctx.argv()[1].c_str());
    return;
  }
  std::string line;
  for (const auto& [k, v] : read_smap(ctx.txn, "Datapath", *dp, "capabilities")) {
    line += k + "=" + v + " ";
  }
  if (!line.empty()) line.pop_back();
  ctx.output() += line + "\n";
}

// Parses I-SID and VLAN (argv[2], argv[3]) as OVS does: leading digits.
bool parse_aa_args(Context& ctx, int64_t* isid, int64_t* vlan) {
  for (int i = 2; i <= 3; i++) {
    const char* s = ctx.argv()[i].c_str();
    char* end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return ctx.fail("Invalid argument %s", s);
    *(i == 2 ? isid : vlan) = static_cast<int64_t>(v);
  }
  return true;
}

// The real bridge behind argv[1] (a fake bridge's parent).
VBridge* aa_bridge(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  return br && br->parent ? br->parent : br;
}

void cmd_add_aa_mapping(Context& ctx) {
  int64_t isid, vlan;
  if (!parse_aa_args(ctx, &isid, &vlan)) return;
  VBridge* br = aa_bridge(ctx);
  if (!br || !br->br_cfg) return;
  std::vector<Uuid> aa = datum_uuids(ctx.txn.get("Bridge", *br->br_cfg, "auto_attach"));
  if (aa.empty()) {
    aa.push_back(ctx.txn.insert("AutoAttach"));
    ctx.txn.write("Bridge", *br->br_cfg, "auto_attach", uuid_set(aa));
  }
  Datum m = *ctx.txn.get("AutoAttach", aa[0], "mappings");
  Datum add;
  add.keys.push_back(isid);
  add.values.push_back(vlan);
  m.subtract(add, false);
  m.union_with(add, ctx.txn.schema().find_table("AutoAttach")->find_column("mappings")->type);
  ctx.txn.write("AutoAttach", aa[0], "mappings", m);
}

void cmd_del_aa_mapping(Context& ctx) {
  int64_t isid, vlan;
  if (!parse_aa_args(ctx, &isid, &vlan)) return;
  VBridge* br = aa_bridge(ctx);
  if (!br || !br->br_cfg) return;
  std::vector<Uuid> aa = datum_uuids(ctx.txn.get("Bridge", *br->br_cfg, "auto_attach"));
  if (aa.empty()) return;
  Datum m = *ctx.txn.get("AutoAttach", aa[0], "mappings");
  Datum pair;
  pair.keys.push_back(isid);
  pair.values.push_back(vlan);
  if (m.find_key(pair.keys[0]) < 0) return;
  m.subtract(pair, true);
  ctx.txn.write("AutoAttach", aa[0], "mappings", m);
}

void cmd_get_aa_mapping(Context& ctx) {
  VBridge* br = aa_bridge(ctx);
  if (!br || !br->br_cfg) return;
  ctx.txn.verify("Bridge", *br->br_cfg, "auto_attach");
  std::vector<Uuid> aa = datum_uuids(ctx.txn.get("Bridge", *br->br_cfg, "auto_attach"));
  if (aa.empty()) return;
  const Datum* m = ctx.txn.get("AutoAttach", aa[0], "mappings");
  for (size_t i = 0; m && i < m->size(); i++) {
    ctx.output() += std::to_string(std::get<int64_t>(m->keys[i])) + " " +
                    std::to_string(std::get<int64_t>(m->values[i])) + "\n";
  }
}

}  // namespace

void register_zone_commands() {
  register_commands({
      {"add-zone-tp", 3, INT_MAX, "", cmd_add_zone_tp, nullptr, "--may-exist", Mode::kRW},
      {"del-zone-tp", 2, 2, "", cmd_del_zone_tp, nullptr, "--if-exists", Mode::kRW},
      {"list-zone-tp", 1, 1, "", cmd_list_zone_tp, nullptr, "", Mode::kRO},
      {"list-dp-cap", 1, 1, "", cmd_list_dp_cap, nullptr, "", Mode::kRO},
      {"add-aa-mapping", 3, 3, "BRIDGE ARG ARG", cmd_add_aa_mapping, nullptr, "", Mode::kRW},
      {"del-aa-mapping", 3, 3, "BRIDGE ARG ARG", cmd_del_aa_mapping, nullptr, "", Mode::kRW},
      {"get-aa-mapping", 1, 1, "BRIDGE", cmd_get_aa_mapping, nullptr, "", Mode::kRO},
  });
}

}  // namespace grebe::vsctl
