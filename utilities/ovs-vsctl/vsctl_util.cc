// Helpers for ovs-vsctl's topology commands.
#include "vsctl_util.h"

#include <algorithm>
#include <cstring>

namespace grebe::vsctl {

VBridge* find_bridge(Context& ctx, const std::string& name, bool must_exist) {
  VBridge* br = ctx.cache->bridge(name);
  // A scoped run sees real bridges only: this may be a fake bridge.
  if (!br && ctx.cache->scoped()) ctx.cache->request_full();
  if (must_exist && !br) ctx.fail("no bridge named %s", name.c_str());
  ctx.txn.verify("Open_vSwitch", ctx.ovs, "bridges");
  return br;
}

VBridge* find_real_bridge(Context& ctx, const std::string& name, bool must_exist) {
  VBridge* br = find_bridge(ctx, name, must_exist);
  if (br && br->parent) {
    ctx.fail("%s is a fake bridge", name.c_str());
    return nullptr;
  }
  return br;
}

VPort* find_port(Context& ctx, const std::string& name, bool must_exist) {
  VPort* port = ctx.cache->port(name);
  if (port && name == port->bridge->name) port = nullptr;
  if (must_exist && !port) ctx.fail("no port named %s", name.c_str());
  ctx.cache->verify_ports();
  return port;
}

VIface* find_iface(Context& ctx, const std::string& name, bool must_exist) {
  VIface* iface = ctx.cache->iface(name);
  if (iface && name == iface->port->bridge->name) iface = nullptr;
  if (must_exist && !iface) ctx.fail("no interface named %s", name.c_str());
  ctx.cache->verify_ports();
  return iface;
}

bool check_conflicts(Context& ctx, const std::string& name, const std::string& msg) {
  ctx.cache->verify_ports();
  if (ctx.cache->bridge(name)) {
    return ctx.fail("%s because a bridge named %s already exists", msg.c_str(), name.c_str());
  }
  if (VPort* port = ctx.cache->port(name)) {
    return ctx.fail("%s because a port named %s already exists on bridge %s", msg.c_str(),
                    name.c_str(), port->bridge->name.c_str());
  }
  if (VIface* iface = ctx.cache->iface(name)) {
    return ctx.fail("%s because an interface named %s already exists on bridge %s", msg.c_str(),
                    name.c_str(), iface->port->bridge->name.c_str());
  }
  return true;
}

// Partial updates ("mutate"), as OVS's *_addvalue/_delvalue: the cost
// does not grow with the set, and the column need not be monitored.
void add_ref(Txn& txn, const std::string& table, const Uuid& row, const std::string& column,
             const Uuid& ref) {
  txn.insert_into_set(table, row, column, Datum::scalar(ref));
}

void remove_ref(Txn& txn, const std::string& table, const Uuid& row, const std::string& column,
                const Uuid& ref) {
  txn.remove_from_set(table, row, column, Datum::scalar(ref));
}

std::map<std::string, std::string> read_smap(const Txn& txn, const std::string& table,
                                             const Uuid& row, const std::string& column) {
  std::map<std::string, std::string> out;
  const Datum* d = txn.get(table, row, column);
  if (!d) return out;
  for (size_t i = 0; i < d->size() && i < d->values.size(); i++) {
    if (d->keys[i].index() == 3 && d->values[i].index() == 3) {
      out[std::get<3>(d->keys[i])] = std::get<3>(d->values[i]);
    }
  }
  return out;
}

Datum smap_datum(const std::map<std::string, std::string>& smap) {
  Datum d;
  for (const auto& [k, v] : smap) {
    d.keys.push_back(k);
    d.values.push_back(v);
  }
  return d;  // std::map order is the canonical string order
}

std::string escape_args(const std::vector<std::string>& words) {
  std::string s;
  for (size_t i = 0; i < words.size(); i++) {
    if (i) s += ' ';
    const std::string& w = words[i];
    if (w.find_first_of(" \t\r\n\v\\'\"") == std::string::npos) {
      s += w;
      continue;
    }
    s += '"';
    for (char c : w) {
      if (c == '\\' || c == '"') s += '\\';
      s += c;
    }
    s += '"';
  }
  return s;
}

std::string command_string(const Context& ctx) {
  std::vector<std::string> words;
  for (const auto& [name, value] : ctx.cmd.options) words.push_back(name);
  for (const auto& a : ctx.argv()) words.push_back(a);
  return escape_args(words);
}

namespace {

// --may-exist: the port must already look exactly as requested.
void check_existing_port(Context& ctx, VPort* port, const std::string& br_name,
                         const std::vector<std::string>& iface_names) {
  std::vector<std::string> want = iface_names, have;
  std::sort(want.begin(), want.end());
  for (const Uuid& i : datum_uuids(ctx.txn.get("Port", port->port_cfg, "interfaces"))) {
    have.push_back(datum_string(ctx.txn.get("Interface", i, "name")));
  }
  std::sort(have.begin(), have.end());
  if (port->bridge->name != br_name) {
    ctx.fail("\"%s\" but %s is actually attached to bridge %s", command_string(ctx).c_str(),
             port->name.c_str(), port->bridge->name.c_str());
    return;
  }
  if (want != have) {
    std::string names;
    for (const auto& n : have) names += (names.empty() ? "" : ", ") + n;
    ctx.fail("\"%s\" but %s actually has interface(s) %s", command_string(ctx).c_str(),
             port->name.c_str(), names.c_str());
  }
}

}  // namespace

void add_port(Context& ctx, const std::string& br_name, const std::string& port_name,
              bool may_exist, bool fake_iface, const std::vector<std::string>& iface_names,
              const std::vector<std::string>& settings) {
  if (port_name.empty()) {
    ctx.fail("port name must not be empty string");
    return;
  }
  for (const auto& n : iface_names) {
    if (n.empty()) {
      ctx.fail("interface name must not be empty string");
      return;
    }
  }
  ctx.cache->populate();
  if (may_exist) {
    if (VPort* port = find_port(ctx, port_name, false)) {
      check_existing_port(ctx, port, br_name, iface_names);
      return;
    }
  }
  if (!check_conflicts(ctx, port_name, "cannot create a port named " + port_name)) return;
  for (const auto& n : iface_names) {
    if (!check_conflicts(ctx, n, "cannot create an interface named " + n)) return;
  }
  VBridge* bridge = find_bridge(ctx, br_name, true);
  if (!bridge) return;
  Txn& txn = ctx.txn;
  std::vector<Uuid> ifaces;
  for (const auto& n : iface_names) {
    Uuid iface = txn.insert("Interface");
    txn.write("Interface", iface, "name", Datum::scalar(n));
    ctx.expect_iface(iface);
    ifaces.push_back(iface);
  }
  Uuid port = txn.insert("Port");
  txn.write("Port", port, "name", Datum::scalar(port_name));
  txn.write("Port", port, "interfaces", uuid_set(ifaces));
  txn.write("Port", port, "bond_fake_iface", Datum::scalar(fake_iface));
  int64_t tag = bridge->vlan;
  if (bridge->parent) txn.write("Port", port, "tag", Datum::scalar(tag));
  const ovsdb::TableSchema* port_table = txn.schema().find_table("Port");
  for (const auto& setting : settings) {
    if (!ctl_set_column(ctx, *port_table, port, setting)) return;
  }
  add_ref(txn, "Bridge", bridge->parent ? *bridge->parent->br_cfg : *bridge->br_cfg, "ports", port);
  VPort* vport = ctx.cache->add_port(bridge, port, port_name, bridge->parent ? &tag : nullptr);
  for (size_t i = 0; i < ifaces.size(); i++) ctx.cache->add_iface(vport, ifaces[i], iface_names[i]);
}

void del_port(Context& ctx, VPort* port) {
  VBridge* br = port->bridge->parent ? port->bridge->parent : port->bridge;
  remove_ref(ctx.txn, "Bridge", *br->br_cfg, "ports", port->port_cfg);
  std::vector<VIface*> ifaces = port->ifaces;
  for (VIface* iface : ifaces) {
    ctx.txn.delete_row("Interface", iface->iface_cfg);
    ctx.cache->del_iface(iface);
  }
  ctx.txn.delete_row("Port", port->port_cfg);
  ctx.cache->del_port(port);
}

void del_bridge(Context& ctx, VBridge* br) {
  std::vector<VBridge*> children;
  for (auto& [vlan, child] : br->children) children.push_back(child);
  for (VBridge* child : children) del_bridge(ctx, child);
  std::vector<VPort*> ports = br->ports;
  for (VPort* port : ports) del_port(ctx, port);
  for (const Uuid& fscs : ctx.txn.rows("Flow_Sample_Collector_Set")) {
    std::vector<Uuid> b = datum_uuids(ctx.txn.get("Flow_Sample_Collector_Set", fscs, "bridge"));
    if (br->br_cfg && b.size() == 1 && b[0] == *br->br_cfg) {
      ctx.txn.delete_row("Flow_Sample_Collector_Set", fscs);
    }
  }
  if (br->br_cfg) {
    ctx.txn.delete_row("Bridge", *br->br_cfg);
    remove_ref(ctx.txn, "Open_vSwitch", ctx.ovs, "bridges", *br->br_cfg);
  }
  ctx.cache->del_bridge(br);
}

}  // namespace grebe::vsctl
