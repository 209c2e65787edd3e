// ovs-vsctl's controller, fail-mode, manager, SSL and emer-reset commands.
#include <algorithm>
#include <climits>

#include "grebe/stream/stream.h"
#include "grebe/util/vlog.h"
#include "vsctl_util.h"

VLOG_DEFINE_THIS_MODULE(vsctl_config);

namespace grebe::vsctl {

namespace {

void verify_controllers(Context& ctx, const Uuid& br) {
  ctx.txn.verify("Bridge", br, "controller");
  for (const Uuid& c : datum_uuids(ctx.txn.get("Bridge", br, "controller"))) {
    ctx.txn.verify("Controller", c, "target");
  }
}

void print_targets(Context& ctx, const std::string& table, const std::vector<Uuid>& rows,
                   bool unique) {
  std::vector<std::string> targets;
  for (const Uuid& r : rows) targets.push_back(datum_string(ctx.txn.get(table, r, "target")));
  std::sort(targets.begin(), targets.end());
  if (unique) targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (const auto& t : targets) ctx.output() += t + "\n";
}

void cmd_get_controller(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  if (br->parent) br = br->parent;
  verify_controllers(ctx, *br->br_cfg);
  print_targets(ctx, "Controller", datum_uuids(ctx.txn.get("Bridge", *br->br_cfg, "controller")),
                false);
}

void delete_controllers(Context& ctx, const Uuid& br) {
  for (const Uuid& c : datum_uuids(ctx.txn.get("Bridge", br, "controller"))) {
    ctx.txn.delete_row("Controller", c);
  }
}

void cmd_del_controller(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_real_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  verify_controllers(ctx, *br->br_cfg);
  delete_controllers(ctx, *br->br_cfg);
  ctx.txn.write("Bridge", *br->br_cfg, "controller", Datum());
}

// Inserts Controller or Manager rows for argv[first..] and returns them.
std::vector<Uuid> insert_targets(Context& ctx, const std::string& table, size_t first,
                                 bool passive_ok_check_stream) {
  std::optional<std::string> probe = ctx.option("--inactivity-probe");
  std::vector<Uuid> rows;
  for (size_t i = first; i < ctx.argc(); i++) {
    const std::string& target = ctx.argv()[i];
    bool known = passive_ok_check_stream
                     ? stream::Stream::is_valid_name(target) ||
                           stream::PassiveStream::is_valid_name(target)
                     : true;
    if (!known) VLOG_WARN("target type \"%s\" is possibly erroneous", target.c_str());
    Uuid row = ctx.txn.insert(table);
    ctx.txn.write(table, row, "target", Datum::scalar(target));
    if (probe) {
      ctx.txn.write(table, row, "inactivity_probe",
                    Datum::scalar(int64_t(atoll(probe->c_str()))));
    }
    rows.push_back(row);
  }
  return rows;
}

bool is_vconn_name(const std::string& t) {
  static const char* kPrefixes[] = {"tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:"};
  for (const char* p : kPrefixes) {
    if (t.compare(0, strlen(p), p) == 0) return true;
  }
  return false;
}

void cmd_set_controller(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_real_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  verify_controllers(ctx, *br->br_cfg);
  delete_controllers(ctx, *br->br_cfg);
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!is_vconn_name(ctx.argv()[i])) {
      VLOG_WARN("target type \"%s\" is possibly erroneous", ctx.argv()[i].c_str());
    }
  }
  std::vector<Uuid> rows = insert_targets(ctx, "Controller", 2, false);
  ctx.txn.write("Bridge", *br->br_cfg, "controller", uuid_set(rows));
}

void cmd_get_fail_mode(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  if (br->parent) br = br->parent;
  ctx.txn.verify("Bridge", *br->br_cfg, "fail_mode");
  std::string mode = datum_string(ctx.txn.get("Bridge", *br->br_cfg, "fail_mode"));
  if (!mode.empty()) ctx.output() += mode + "\n";
}

void cmd_del_fail_mode(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_real_bridge(ctx, ctx.argv()[1], true);
  if (br) ctx.txn.write("Bridge", *br->br_cfg, "fail_mode", Datum());
}

void cmd_set_fail_mode(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_real_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  const std::string& mode = ctx.argv()[2];
  if (mode != "standalone" && mode != "secure") {
    ctx.fail("fail-mode must be \"standalone\" or \"secure\"");
    return;
  }
  ctx.txn.write("Bridge", *br->br_cfg, "fail_mode", Datum::scalar(mode));
}

void verify_managers(Context& ctx) {
  ctx.txn.verify("Open_vSwitch", ctx.ovs, "manager_options");
  for (const Uuid& m : datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "manager_options"))) {
    ctx.txn.verify("Manager", m, "target");
  }
}

void cmd_get_manager(Context& ctx) {
  verify_managers(ctx);
  print_targets(ctx, "Manager",
                datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "manager_options")), true);
}

void delete_managers(Context& ctx) {
  for (const Uuid& m : datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "manager_options"))) {
    ctx.txn.delete_row("Manager", m);
  }
  ctx.txn.write("Open_vSwitch", ctx.ovs, "manager_options", Datum());
}

void cmd_del_manager(Context& ctx) {
  verify_managers(ctx);
  delete_managers(ctx);
}

void cmd_set_manager(Context& ctx) {
  verify_managers(ctx);
  delete_managers(ctx);
  std::vector<Uuid> rows = insert_targets(ctx, "Manager", 1, true);
  ctx.txn.write("Open_vSwitch", ctx.ovs, "manager_options", uuid_set(rows));
}

void cmd_get_ssl(Context& ctx) {
  ctx.txn.verify("Open_vSwitch", ctx.ovs, "ssl");
  std::vector<Uuid> ssl = datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "ssl"));
  if (ssl.empty()) return;
  const Uuid& s = ssl[0];
  for (const char* c : {"private_key", "certificate", "ca_cert", "bootstrap_ca_cert"}) {
    ctx.txn.verify("SSL", s, c);
  }
  const Datum* boot = ctx.txn.get("SSL", s, "bootstrap_ca_cert");
  bool bootstrap = boot && !boot->empty() && std::get<bool>(boot->keys[0]);
  ctx.output() += "Private key: " + datum_string(ctx.txn.get("SSL", s, "private_key")) + "\n";
  ctx.output() += "Certificate: " + datum_string(ctx.txn.get("SSL", s, "certificate")) + "\n";
  ctx.output() += "CA Certificate: " + datum_string(ctx.txn.get("SSL", s, "ca_cert")) + "\n";
  ctx.output() += std::string("Bootstrap: ") + (bootstrap ? "true" : "false") + "\n";
}

void cmd_del_ssl(Context& ctx) {
  std::vector<Uuid> ssl = datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "ssl"));
  if (ssl.empty()) return;
  ctx.txn.verify("Open_vSwitch", ctx.ovs, "ssl");
  ctx.txn.delete_row("SSL", ssl[0]);
  ctx.txn.write("Open_vSwitch", ctx.ovs, "ssl", Datum());
}

void cmd_set_ssl(Context& ctx) {
  std::vector<Uuid> old = datum_uuids(ctx.txn.get("Open_vSwitch", ctx.ovs, "ssl"));
  ctx.txn.verify("Open_vSwitch", ctx.ovs, "ssl");
  if (!old.empty()) ctx.txn.delete_row("SSL", old[0]);
  Uuid s = ctx.txn.insert("SSL");
  ctx.txn.write("SSL", s, "private_key", Datum::scalar(ctx.argv()[1]));
  ctx.txn.write("SSL", s, "certificate", Datum::scalar(ctx.argv()[2]));
  ctx.txn.write("SSL", s, "ca_cert", Datum::scalar(ctx.argv()[3]));
  ctx.txn.write("SSL", s, "bootstrap_ca_cert", Datum::scalar(ctx.has_option("--bootstrap")));
  ctx.txn.write("Open_vSwitch", ctx.ovs, "ssl", uuid_set({s}));
}

void cmd_emer_reset(Context& ctx) {
  Txn& txn = ctx.txn;
  txn.write("Open_vSwitch", ctx.ovs, "manager_options", Datum());
  txn.write("Open_vSwitch", ctx.ovs, "ssl", Datum());
  for (const Uuid& br : txn.rows("Bridge")) {
    for (const char* c : {"controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix",
                          "flood_vlans"}) {
      txn.write("Bridge", br, c, Datum());
    }
    std::map<std::string, std::string> oc = read_smap(txn, "Bridge", br, "other_config");
    std::map<std::string, std::string> kept;
    if (oc.count("hwaddr")) kept["hwaddr"] = oc["hwaddr"];
    txn.write("Bridge", br, "other_config", smap_datum(kept));
  }
  for (const Uuid& p : txn.rows("Port")) txn.write("Port", p, "other_config", Datum());
  for (const Uuid& i : txn.rows("Interface")) {
    txn.write("Interface", i, "ingress_policing_rate", Datum::scalar(int64_t(0)));
    txn.write("Interface", i, "ingress_policing_burst", Datum::scalar(int64_t(0)));
  }
  for (const char* t : {"Mirror", "Controller", "Manager", "NetFlow", "SSL", "sFlow", "IPFIX",
                        "Flow_Sample_Collector_Set"}) {
    for (const Uuid& r : txn.rows(t)) txn.delete_row(t, r);
  }
  ctx.invalidate_cache();
}

}  // namespace

void register_config_commands() {
  register_commands({
      {"get-controller", 1, 1, "BRIDGE", cmd_get_controller, nullptr, "", Mode::kRO},
      {"del-controller", 1, 1, "BRIDGE", cmd_del_controller, nullptr, "", Mode::kRW},
      {"set-controller", 1, INT_MAX, "BRIDGE TARGET...", cmd_set_controller, nullptr,
       "--inactivity-probe=", Mode::kRW},
      {"get-fail-mode", 1, 1, "BRIDGE", cmd_get_fail_mode, nullptr, "", Mode::kRO},
      {"del-fail-mode", 1, 1, "BRIDGE", cmd_del_fail_mode, nullptr, "", Mode::kRW},
      {"set-fail-mode", 2, 2, "BRIDGE MODE", cmd_set_fail_mode, nullptr, "", Mode::kRW},
      {"get-manager", 0, 0, "", cmd_get_manager, nullptr, "", Mode::kRO},
      {"del-manager", 0, 0, "", cmd_del_manager, nullptr, "", Mode::kRW},
      {"set-manager", 1, INT_MAX, "TARGET...", cmd_set_manager, nullptr, "--inactivity-probe=",
       Mode::kRW},
      {"get-ssl", 0, 0, "", cmd_get_ssl, nullptr, "", Mode::kRO},
      {"del-ssl", 0, 0, "", cmd_del_ssl, nullptr, "", Mode::kRW},
      {"set-ssl", 3, 3, "PRIVATE-KEY CERTIFICATE CA-CERT", cmd_set_ssl, nullptr, "--bootstrap",
       Mode::kRW},
      {"emer-reset", 0, 0, "", cmd_emer_reset, nullptr, "", Mode::kRW},
  });
  register_show_command();
  register_zone_commands();
}

}  // namespace grebe::vsctl
