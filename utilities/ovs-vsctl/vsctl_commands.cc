// ovs-vsctl's bridge, port, bond and interface commands.
#include <algorithm>
#include <climits>

#include "ctl.h"
#include "vsctl_cache.h"
#include "vsctl_util.h"

namespace grebe::vsctl {

namespace {

void output_sorted(std::vector<std::string> names, std::string& out) {
  std::sort(names.begin(), names.end());
  for (const auto& n : names) out += n + "\n";
}

void cmd_init(Context&) {}

void cmd_add_br(Context& ctx) {
  bool may_exist = ctx.has_option("--may-exist");
  const std::string& br_name = ctx.argv()[1];
  if (br_name.empty()) {
    ctx.fail("bridge name must not be empty string");
    return;
  }
  std::string parent_name;
  int vlan = 0;
  if (ctx.argc() == 4) {
    parent_name = ctx.argv()[2];
    vlan = atoi(ctx.argv()[3].c_str());
    if (vlan < 0 || vlan > 4095) {
      ctx.fail("%s: vlan must be between 0 and 4095", ctx.argv()[0].c_str());
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.fail("'%s' command takes exactly 1 or 3 arguments", ctx.argv()[0].c_str());
    return;
  }
  VsctlCache& cache = *ctx.cache;
  cache.populate();
  if (may_exist) {
    if (VBridge* br = find_bridge(ctx, br_name, false)) {
      const char* b = br_name.c_str();
      const char* p = parent_name.c_str();
      if (parent_name.empty()) {
        if (br->parent) {
          ctx.fail("\"--may-exist add-br %s\" but %s is a VLAN bridge for VLAN %d", b, b, br->vlan);
        }
      } else if (!br->parent) {
        ctx.fail("\"--may-exist add-br %s %s %d\" but %s is not a VLAN bridge", b, p, vlan, b);
      } else if (br->parent->name != parent_name) {
        ctx.fail("\"--may-exist add-br %s %s %d\" but %s has the wrong parent %s", b, p, vlan, b,
                 br->parent->name.c_str());
      } else if (br->vlan != vlan) {
        ctx.fail("\"--may-exist add-br %s %s %d\" but %s is a VLAN bridge for the wrong VLAN %d",
                 b, p, vlan, b, br->vlan);
      }
      return;
    }
  }
  if (!check_conflicts(ctx, br_name, "cannot create a bridge named " + br_name)) return;
  Txn& txn = ctx.txn;
  Uuid iface = txn.insert("Interface");
  txn.write("Interface", iface, "name", Datum::scalar(br_name));
  txn.write("Interface", iface, "type", Datum::scalar(std::string("internal")));
  Uuid port = txn.insert("Port");
  txn.write("Port", port, "name", Datum::scalar(br_name));
  txn.write("Port", port, "interfaces", uuid_set({iface}));
  if (parent_name.empty()) {
    Uuid br = txn.insert("Bridge");
    txn.write("Bridge", br, "name", Datum::scalar(br_name));
    txn.write("Bridge", br, "ports", uuid_set({port}));
    add_ref(txn, "Open_vSwitch", ctx.ovs, "bridges", br);
  } else {
    VBridge* parent = find_bridge(ctx, parent_name, false);
    if (parent && parent->parent) {
      ctx.fail("cannot create bridge with fake bridge as parent");
      return;
    }
    if (!parent) {
      ctx.fail("parent bridge %s does not exist", parent_name.c_str());
      return;
    }
    auto conflict = parent->children.find(vlan);
    if (conflict != parent->children.end()) {
      ctx.fail("bridge %s already has a child VLAN bridge %s on VLAN %d", parent_name.c_str(),
               conflict->second->name.c_str(), vlan);
      return;
    }
    txn.write("Port", port, "fake_bridge", Datum::scalar(true));
    txn.write("Port", port, "tag", Datum::scalar(int64_t(vlan)));
    add_ref(txn, "Bridge", *parent->br_cfg, "ports", port);
  }
  ctx.expect_iface(iface);
  cache.invalidate();
}

void cmd_del_br(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], !ctx.has_option("--if-exists"));
  if (br) del_bridge(ctx, br);
}

void cmd_list_br(Context& ctx) {
  bool real = ctx.has_option("--real"), fake = ctx.has_option("--fake");
  if (!real && !fake) real = fake = true;
  ctx.cache->populate();
  std::vector<std::string> names;
  for (const auto& [name, br] : ctx.cache->bridges()) {
    if (br->parent ? fake : real) names.push_back(name);
  }
  output_sorted(names, ctx.output());
}

void cmd_br_exists(Context& ctx) {
  ctx.cache->populate();
  if (!find_bridge(ctx, ctx.argv()[1], false)) ctx.exit_status = 2;
}

void cmd_br_to_vlan(Context& ctx) {
  ctx.cache->populate();
  if (VBridge* br = find_bridge(ctx, ctx.argv()[1], true)) {
    ctx.output() += std::to_string(br->vlan) + "\n";
  }
}

void cmd_br_to_parent(Context& ctx) {
  ctx.cache->populate();
  if (VBridge* br = find_bridge(ctx, ctx.argv()[1], true)) {
    ctx.output() += (br->parent ? br->parent : br)->name + "\n";
  }
}

// The row and column holding a bridge's external ids (a fake bridge keeps
// them as "fake-bridge-KEY" in its Port).
void external_id_location(Context& ctx, VBridge* br, std::string* table, Uuid* row) {
  if (br->br_cfg) {
    *table = "Bridge";
    *row = *br->br_cfg;
  } else {
    *table = "Port";
    *row = ctx.cache->port(br->name)->port_cfg;
  }
}

void cmd_br_set_external_id(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  std::string table;
  Uuid row;
  external_id_location(ctx, br, &table, &row);
  std::string key = (br->br_cfg ? "" : "fake-bridge-") + ctx.argv()[2];
  std::map<std::string, std::string> ids = read_smap(ctx.txn, table, row, "external_ids");
  if (ctx.argc() >= 4) {
    ids[key] = ctx.argv()[3];
  } else {
    ids.erase(key);
  }
  ctx.txn.verify(table, row, "external_ids");
  ctx.txn.write(table, row, "external_ids", smap_datum(ids));
}

void cmd_br_get_external_id(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  std::string table;
  Uuid row;
  external_id_location(ctx, br, &table, &row);
  std::string prefix = br->br_cfg ? "" : "fake-bridge-";
  ctx.txn.verify(table, row, "external_ids");
  std::map<std::string, std::string> ids = read_smap(ctx.txn, table, row, "external_ids");
  if (ctx.argc() >= 3) {
    auto it = ids.find(prefix + ctx.argv()[2]);
    if (it != ids.end()) ctx.output() += it->second + "\n";
    return;
  }
  for (const auto& [k, v] : ids) {
    if (k.compare(0, prefix.size(), prefix) == 0) ctx.output() += k.substr(prefix.size()) + "=" + v + "\n";
  }
}

void cmd_list_ports(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  ctx.txn.verify("Bridge", br->br_cfg ? *br->br_cfg : *br->parent->br_cfg, "ports");
  std::vector<std::string> names;
  for (VPort* p : br->ports) {
    if (p->name != br->name) names.push_back(p->name);
  }
  output_sorted(names, ctx.output());
}

void cmd_add_port(Context& ctx) {
  std::vector<std::string> ifaces = {ctx.argv()[2]};
  std::vector<std::string> settings(ctx.argv().begin() + 3, ctx.argv().end());
  add_port(ctx, ctx.argv()[1], ctx.argv()[2], ctx.has_option("--may-exist"), false, ifaces,
           settings);
}

void cmd_add_bond(Context& ctx) {
  size_t n_ifaces = ctx.argc() - 3;
  for (size_t i = 3; i < ctx.argc(); i++) {
    if (ctx.argv()[i].find('=') != std::string::npos) {
      n_ifaces = i - 3;
      break;
    }
  }
  if (n_ifaces < 2) {
    ctx.fail("add-bond requires at least 2 interfaces, but only %zu were specified", n_ifaces);
    return;
  }
  std::vector<std::string> ifaces(ctx.argv().begin() + 3, ctx.argv().begin() + 3 + n_ifaces);
  std::vector<std::string> settings(ctx.argv().begin() + 3 + n_ifaces, ctx.argv().end());
  add_port(ctx, ctx.argv()[1], ctx.argv()[2], ctx.has_option("--may-exist"),
           ctx.has_option("--fake-iface"), ifaces, settings);
}

void cmd_add_bond_iface(Context& ctx) {
  ctx.cache->populate();
  VPort* port = find_port(ctx, ctx.argv()[1], true);
  if (!port) return;
  const std::string& iface_name = ctx.argv()[2];
  if (ctx.has_option("--may-exist")) {
    if (VIface* iface = find_iface(ctx, iface_name, false)) {
      if (iface->port != port) {
        ctx.fail("\"%s\" but %s is actually attached to port %s", command_string(ctx).c_str(),
                 iface_name.c_str(), iface->port->name.c_str());
      }
      return;
    }
  }
  if (!check_conflicts(ctx, iface_name, "cannot create an interface named " + iface_name)) return;
  Uuid iface = ctx.txn.insert("Interface");
  ctx.txn.write("Interface", iface, "name", Datum::scalar(iface_name));
  add_ref(ctx.txn, "Port", port->port_cfg, "interfaces", iface);
  ctx.expect_iface(iface);
  ctx.cache->add_iface(port, iface, iface_name);
}

void cmd_del_bond_iface(Context& ctx) {
  ctx.cache->populate();
  const std::string& iface_name = ctx.argv().back();
  bool must_exist = !ctx.has_option("--if-exists");
  VIface* iface = find_iface(ctx, iface_name, must_exist);
  if (!iface) return;
  if (ctx.argc() > 2) {
    VPort* port = find_port(ctx, ctx.argv()[1], true);
    if (!port) return;
    if (iface->port != port) {
      ctx.fail("port %s does not have an interface %s", ctx.argv()[1].c_str(), iface_name.c_str());
      return;
    }
  }
  if (iface->port->ifaces.size() <= 1) {
    ctx.fail("cannot delete last interface from port %s", iface->port->name.c_str());
    return;
  }
  remove_ref(ctx.txn, "Port", iface->port->port_cfg, "interfaces", iface->iface_cfg);
  ctx.txn.delete_row("Interface", iface->iface_cfg);
  ctx.cache->del_iface(iface);
}

void cmd_del_port(Context& ctx) {
  bool must_exist = !ctx.has_option("--if-exists");
  bool with_iface = ctx.has_option("--with-iface");
  const std::string& target = ctx.argv().back();
  ctx.cache->populate();
  VPort* port = nullptr;
  if (find_bridge(ctx, target, false)) {
    if (must_exist) {
      ctx.fail("cannot delete port %s because it is the local port for bridge %s (deleting this "
               "port requires deleting the entire bridge)", target.c_str(), target.c_str());
      return;
    }
  } else if (!with_iface) {
    port = find_port(ctx, target, must_exist);
    if (!port && !ctx.error.empty()) return;
  } else {
    port = find_port(ctx, target, false);
    if (!port) {
      if (VIface* iface = find_iface(ctx, target, false)) port = iface->port;
    }
    if (must_exist && !port) {
      ctx.fail("no port or interface named %s", target.c_str());
      return;
    }
  }
  if (!port) return;
  if (ctx.argc() == 3) {
    VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
    if (!br) return;
    if (port->bridge != br) {
      if (port->bridge->parent == br) {
        ctx.fail("bridge %s does not have a port %s (although its child bridge %s does)",
                 ctx.argv()[1].c_str(), ctx.argv()[2].c_str(), port->bridge->name.c_str());
      } else {
        ctx.fail("bridge %s does not have a port %s", ctx.argv()[1].c_str(), ctx.argv()[2].c_str());
      }
      return;
    }
  }
  del_port(ctx, port);
}

void cmd_port_to_br(Context& ctx) {
  ctx.cache->populate();
  if (VPort* port = find_port(ctx, ctx.argv()[1], true)) ctx.output() += port->bridge->name + "\n";
}

void cmd_list_ifaces(Context& ctx) {
  ctx.cache->populate();
  VBridge* br = find_bridge(ctx, ctx.argv()[1], true);
  if (!br) return;
  ctx.cache->verify_ports();
  std::vector<std::string> names;
  for (VPort* p : br->ports) {
    for (VIface* i : p->ifaces) {
      if (i->name != br->name) names.push_back(i->name);
    }
  }
  output_sorted(names, ctx.output());
}

void cmd_iface_to_br(Context& ctx) {
  ctx.cache->populate();
  if (VIface* iface = find_iface(ctx, ctx.argv()[1], true)) {
    ctx.output() += iface->port->bridge->name + "\n";
  }
}

}  // namespace

void register_vsctl_commands() {
  register_commands({
      {"init", 0, 0, "", cmd_init, nullptr, "", Mode::kRW},
      {"add-br", 1, 3, "NEW-BRIDGE [PARENT] [NEW-VLAN]", cmd_add_br, nullptr, "--may-exist",
       Mode::kRW},
      {"del-br", 1, 1, "BRIDGE", cmd_del_br, nullptr, "--if-exists", Mode::kRW},
      {"list-br", 0, 0, "", cmd_list_br, nullptr, "--real,--fake", Mode::kRO},
      {"br-exists", 1, 1, "BRIDGE", cmd_br_exists, nullptr, "", Mode::kRO},
      {"br-to-vlan", 1, 1, "BRIDGE", cmd_br_to_vlan, nullptr, "", Mode::kRO},
      {"br-to-parent", 1, 1, "BRIDGE", cmd_br_to_parent, nullptr, "", Mode::kRO},
      {"br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]", cmd_br_set_external_id, nullptr, "",
       Mode::kRW},
      {"br-get-external-id", 1, 2, "BRIDGE [KEY]", cmd_br_get_external_id, nullptr, "",
       Mode::kRO},
      {"list-ports", 1, 1, "BRIDGE", cmd_list_ports, nullptr, "", Mode::kRO},
      {"add-port", 2, INT_MAX, "BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]...", cmd_add_port, nullptr,
       "--may-exist", Mode::kRW},
      {"del-port", 1, 2, "[BRIDGE] PORT|IFACE", cmd_del_port, nullptr, "--if-exists,--with-iface",
       Mode::kRW},
      {"port-to-br", 1, 1, "PORT", cmd_port_to_br, nullptr, "", Mode::kRO},
      {"add-bond", 4, INT_MAX, "BRIDGE BOND IFACE... [COLUMN[:KEY]=VALUE]...", cmd_add_bond,
       nullptr, "--may-exist,--fake-iface", Mode::kRW},
      {"add-bond-iface", 2, 2, "BOND IFACE", cmd_add_bond_iface, nullptr, "--may-exist",
       Mode::kRW},
      {"del-bond-iface", 1, 2, "[BOND] IFACE", cmd_del_bond_iface, nullptr, "--if-exists",
       Mode::kRW},
      {"list-ifaces", 1, 1, "BRIDGE", cmd_list_ifaces, nullptr, "", Mode::kRO},
      {"iface-to-br", 1, 1, "IFACE", cmd_iface_to_br, nullptr, "", Mode::kRO},
  });
  register_config_commands();
}

}  // namespace grebe::vsctl
