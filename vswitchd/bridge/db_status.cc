// Bridges::write_status(): what the database shows about the running
// switch (OVS's bridge.c iface_refresh_*, bridge_run's cur_cfg update).
#include <cinttypes>
#include <cstdio>
#include <set>

#include "bridge/bridge.h"
#include "grebe/dpif/dpif.h"
#include "grebe/ovsdb_idl/txn.h"
#include "grebe/ovsdb_idl/vswitch_idl.h"
#include "grebe/util/version.h"

namespace grebe::bridge {

using ofproto_dpif::OfPort;
using ofproto_dpif::Ofproto;

void Bridges::write_iface_status(ovsdb_idl::Txn& txn, const IfaceConfig& ic) const {
  ovsrec::Interface row(txn, ic.uuid);
  if (!row.exists()) return;
  auto st = ifaces_.find(ic.name);
  if (st == ifaces_.end()) return;  // not applied (yet)
  if (!st->second.ofport) {
    row.set_ofport(txn, std::optional<int64_t>(-1));
    row.set_error(txn, std::optional<std::string>(st->second.error));
    row.set_admin_state(txn, std::nullopt);
    row.set_link_state(txn, std::nullopt);
    row.set_mac_in_use(txn, std::nullopt);
    row.set_ifindex(txn, std::nullopt);
    return;
  }
  row.set_ofport(txn, std::optional<int64_t>(*st->second.ofport));
  row.set_error(txn, std::nullopt);
  const OfPort* port = nullptr;
  for (const auto* o : all()) {
    if ((port = o->find_port(ic.name))) break;
  }
  if (!port || !port->netdev) return;
  auto flags = port->netdev->get_flags();
  bool admin_up = flags.ok() && (*flags & netdev::kUp);
  auto carrier = port->netdev->get_carrier();
  bool link_up = admin_up && carrier.ok() && *carrier;
  row.set_admin_state(txn, std::optional<std::string>(admin_up ? "up" : "down"));
  row.set_link_state(txn, std::optional<std::string>(link_up ? "up" : "down"));
  if (auto mac = port->netdev->get_etheraddr(); mac.ok()) {
    row.set_mac_in_use(txn, std::optional<std::string>(mac->to_string()));
  }
  auto ifindex = port->netdev->get_ifindex();
  row.set_ifindex(txn, std::optional<int64_t>(ifindex.ok() ? *ifindex : 0));
  if (auto mtu = port->netdev->get_mtu(); mtu.ok()) {
    row.set_mtu(txn, std::optional<int64_t>(*mtu));
  }
}

void Bridges::write_controller_status(ovsdb_idl::Txn& txn, const BridgeConfig& br) const {
  auto* o = find(br.name);
  if (!o || !o->connmgr()) return;
  auto status = o->connmgr()->controller_status();
  for (const ControllerConfig& cc : br.controllers) {
    ovsrec::Controller row(txn, cc.uuid);
    if (!row.exists()) continue;
    for (const auto& st : status) {
      if (st.target != cc.target) continue;
      row.set_is_connected(txn, st.is_connected);
      row.set_role(txn, st.role.empty() ? std::nullopt : std::optional<std::string>(st.role));
      row.set_status(txn, st.status);
    }
  }
}

void Bridges::write_status(ovsdb_idl::Txn& txn) const {
  if (!current_.have_root) return;
  ovsrec::Open_vSwitch root(txn, current_.root_uuid);
  if (!root.exists()) return;

  for (const auto& [bname, br] : current_.bridges) {
    ovsrec::Bridge row(txn, br.uuid);
    if (!row.exists()) continue;
    if (const auto* o = find(bname)) {
      char dpid[17];
      std::snprintf(dpid, sizeof dpid, "%016" PRIx64, o->datapath_id());
      row.set_datapath_id(txn, std::optional<std::string>(dpid));
      row.set_datapath_version(txn, std::string(o->backer().dpif().version()));
    }
    for (const auto& [pname, port] : br.ports) {
      for (const IfaceConfig& ic : port.ifaces) write_iface_status(txn, ic);
    }
    write_controller_status(txn, br);
  }

  std::set<std::string> dp_types;
  for (const auto& t : dpif::Dpif::types()) dp_types.insert(t);
  if (dummy_ == DummyMode::kOverride) {
    dp_types.insert("system");
    dp_types.insert("netdev");
  }
  root.set_datapath_types(txn, std::vector<std::string>(dp_types.begin(), dp_types.end()));
  auto itypes = ofproto_dpif::iface_types(dummy_ != DummyMode::kNone);
  std::sort(itypes.begin(), itypes.end());
  root.set_iface_types(txn, itypes);
  root.set_ovs_version(txn, std::optional<std::string>(kOvsCompatVersion));
  if (root.cur_cfg() != current_.next_cfg) root.set_cur_cfg(txn, current_.next_cfg);
}

}  // namespace grebe::bridge
