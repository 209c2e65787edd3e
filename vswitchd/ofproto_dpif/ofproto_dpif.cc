// Ofproto: ports, flows and packet execution of one bridge.  See ofproto_dpif.h.
#include "ofproto_dpif/ofproto_dpif.h"

#include <cstring>
#include <mutex>

#include "grebe/dpif/netdev_dummy.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/packet/flow_extract.h"
#include "grebe/util/clock.h"
#include "grebe/util/dirs.h"
#include "grebe/util/hash.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto_dpif);

namespace grebe::ofproto_dpif {
namespace {

bool is_internal_type(const std::string& type) {
  return type == "internal" || type == "dummy-internal";
}

std::string errno_text(const Error& e) {
  return std::strerror(e.code() > 0 ? e.code() : EINVAL);
}

}  // namespace

bool OfPort::is_live() const {
  if (config & openflow::kPcPortDown) return false;
  if (!netdev) return false;
  auto flags = netdev->get_flags();
  if (!flags.ok() || !(*flags & netdev::kUp)) return false;
  auto carrier = netdev->get_carrier();
  return carrier.ok() && *carrier;
}

std::vector<std::string> iface_types(bool dummy_enabled) {
  std::vector<std::string> t = {"internal", "system", "tap"};
  if (dummy_enabled) {
    t.push_back("dummy");
    t.push_back("dummy-internal");
  }
  return t;
}

Ofproto::Ofproto(std::string name, std::shared_ptr<Backer> backer, event::EventLoop* loop)
    : name_(std::move(name)),
      backer_(std::move(backer)),
      normal_config_(std::make_shared<normal::NormalConfig>()),
      mac_learning_(std::make_unique<normal::MacLearning>()) {
  groups_snapshot_ = groups_.snapshot();  // groups_ is constructed only now
  if (loop) {
    connmgr_ = std::make_unique<connmgr::Connmgr>(*loop, *this, name_, ovs_rundir());
    if (Status st = connmgr_->start(); !st.ok()) {
      VLOG_ERR("bridge %s: could not open management socket: %s", name_.c_str(),
               st.error().message().c_str());
    }
  }
  std::unique_lock lock(backer_->xlate_lock());
  backer_->add_ofproto(this);
}

Ofproto::~Ofproto() {
  connmgr_.reset();  // no more OpenFlow requests while we dismantle
  std::vector<std::string> names;
  for (const auto& [no, p] : ports_) names.push_back(p.name);
  for (const auto& n : names) del_port(n);
  std::unique_lock lock(backer_->xlate_lock());
  backer_->remove_ofproto(this);
  backer_->reconfigured().change();
}

Result<std::unique_ptr<netdev::Netdev>> Ofproto::open_netdev(const PortSpec& spec,
                                                            bool is_local) const {
  std::string type = spec.type.empty() ? "system" : spec.type;
  if (is_local) type = "internal";
  // A dummy datapath gets dummy devices whatever the configured type, as
  // OVS's --enable-dummy=override does.
  if (backer_->is_dummy() || type == "dummy" || type == "dummy-internal") {
    if (type != "system" && type != "internal" && type != "tap" && type != "dummy" &&
        type != "dummy-internal") {
      return Error(EAFNOSUPPORT, "could not open network device " + spec.name +
                                     " (Address family not supported by protocol)");
    }
    std::string dtype = is_internal_type(type) ? "dummy-internal" : "dummy";
    if (netdev::DummyNetdev::lookup(spec.name)) {
      return Error(EEXIST, "could not open network device " + spec.name + " (File exists)");
    }
    return std::unique_ptr<netdev::Netdev>(netdev::DummyNetdev::create(spec.name, dtype));
  }
  auto nd = netdev::Netdev::open(spec.name, type);
  if (!nd.ok()) {
    return Error(nd.error().code(), "could not open network device " + spec.name + " (" +
                                        errno_text(nd.error()) + ")");
  }
  return std::move(*nd);
}

uint32_t Ofproto::alloc_ofp_port(std::optional<uint32_t> request) const {
  if (request && !ports_.count(*request)) return *request;
  for (uint32_t p = 1; p < kOfppMax; p++) {
    if (!ports_.count(p)) return p;
  }
  return kOfppNone;
}

Result<uint32_t> Ofproto::add_port(const PortSpec& spec) {
  if (find_port(spec.name)) return Error(EEXIST, spec.name + ": port already exists");
  bool is_local = spec.name == name_;
  auto nd = open_netdev(spec, is_local);
  if (!nd.ok()) return nd.error();
  std::unique_ptr<netdev::Netdev> netdev = std::move(*nd);
  if (auto* dummy = dynamic_cast<netdev::DummyNetdev*>(netdev.get())) {
    (void)dummy->set_config(spec.options);
  }
  if (spec.mtu_request) (void)netdev->set_mtu(static_cast<int>(*spec.mtu_request));

  uint32_t ofp = is_local ? kOfppLocal : alloc_ofp_port(spec.ofport_request);
  if (ofp == kOfppNone) return Error(EXFULL, "could not add network device " + spec.name +
                                                 " to ofproto (no free port numbers)");
  // The datapath port number follows the OpenFlow one when free, and a
  // bridge's own port starts at 100, so tests read "p1 1/1" and
  // "br0 65534/100" as OVS's dummy datapath shows.
  std::optional<dpif::OdpPort> want = is_local ? 100 : ofp;
  auto odp = backer_->dpif().port_add(*netdev, want);
  if (!odp.ok() && want) odp = backer_->dpif().port_add(*netdev, std::nullopt);
  if (!odp.ok()) {
    return Error(odp.error().code(), "could not add network device " + spec.name +
                                         " to ofproto (" + errno_text(odp.error()) + ")");
  }
  OfPort port;
  port.ofp_port = ofp;
  port.odp_port = *odp;
  port.name = spec.name;
  port.type = std::string(netdev->type());
  port.bundle = spec.bundle.empty() ? spec.name : spec.bundle;
  port.netdev = std::move(netdev);
  port.created = time_msec();
  {
    std::unique_lock lock(backer_->xlate_lock());
    backer_->bind_port(port.odp_port, this, ofp);
    ports_.emplace(ofp, std::move(port));
  }
  publish_normal_config();
  if (connmgr_) connmgr_->send_port_status(openflow::kPortAdd, phy_port(*find_port(ofp)));
  VLOG_INFO("bridge %s: added interface %s on port %u", name_.c_str(), spec.name.c_str(), ofp);
  return ofp;
}

void Ofproto::del_port(const std::string& name) {
  auto it = ports_.begin();
  while (it != ports_.end() && it->second.name != name) ++it;
  if (it == ports_.end()) return;
  OfPort port = std::move(it->second);
  openflow::PhyPort pp = phy_port(port);
  {
    std::unique_lock lock(backer_->xlate_lock());
    backer_->unbind_port(port.odp_port);
    ports_.erase(it);
  }
  // The datapath stops using the netdev before we destroy it.
  (void)backer_->dpif().port_del(port.odp_port);
  mac_learning_->flush_port(port.ofp_port);
  publish_normal_config();
  if (connmgr_) connmgr_->send_port_status(openflow::kPortDelete, pp);
  VLOG_INFO("bridge %s: deleted interface %s on port %u", name_.c_str(), name.c_str(),
            port.ofp_port);
}

Status Ofproto::reconfigure_port(const std::string& name,
                                 const std::map<std::string, std::string>& options,
                                 std::optional<int64_t> mtu_request) {
  for (auto& [no, p] : ports_) {
    if (p.name != name) continue;
    if (auto* dummy = dynamic_cast<netdev::DummyNetdev*>(p.netdev.get())) {
      (void)dummy->set_config(options);
    }
    if (mtu_request) return p.netdev->set_mtu(static_cast<int>(*mtu_request));
    return ok_status();
  }
  return Error(ENOENT, name + ": no such port");
}

void Ofproto::set_port_vlan(const std::string& bundle, const PortVlan& vlan) {
  for (auto& [no, p] : ports_) {
    if (p.bundle != bundle) continue;
    bool changed = p.vlan.tag != vlan.tag || p.vlan.trunks != vlan.trunks ||
                   p.vlan.vlan_mode != vlan.vlan_mode;
    p.vlan = vlan;  // only the main thread reads OfPort::vlan
    if (changed) mac_learning_->flush_port(no);
  }
  publish_normal_config();
}

void Ofproto::publish_normal_config() {
  auto cfg = std::make_shared<normal::NormalConfig>();
  auto it = other_config_.find("forward-bpdu");
  cfg->forward_bpdu = it != other_config_.end() && it->second == "true";
  for (const auto& [no, p] : ports_) {
    normal::NormalPort np;
    np.ofp_port = no;
    np.name = p.name;
    const std::string& m = p.vlan.vlan_mode;
    if (m == "access" || (m.empty() && p.vlan.tag)) np.vlan_mode = normal::VlanMode::kAccess;
    else if (m == "native-tagged") np.vlan_mode = normal::VlanMode::kNativeTagged;
    else if (m == "native-untagged") np.vlan_mode = normal::VlanMode::kNativeUntagged;
    else if (m == "dot1q-tunnel") np.vlan_mode = normal::VlanMode::kDot1qTunnel;
    else np.vlan_mode = normal::VlanMode::kTrunk;
    np.tag = static_cast<uint16_t>(p.vlan.tag.value_or(0));
    if (!p.vlan.trunks.empty()) {
      std::vector<uint16_t> t(p.vlan.trunks.begin(), p.vlan.trunks.end());
      np.trunks = normal::VlanBitmap(t);
    }
    np.floodable = !(p.config & openflow::kPcNoFlood);
    np.normalize();
    cfg->ports.push_back(std::move(np));
  }
  {
    std::unique_lock lock(backer_->xlate_lock());
    normal_config_ = std::move(cfg);
  }
  backer_->reconfigured().change();
}

const OfPort* Ofproto::find_port(uint32_t ofp_port) const {
  auto it = ports_.find(ofp_port);
  return it == ports_.end() ? nullptr : &it->second;
}

const OfPort* Ofproto::find_port(const std::string& name) const {
  for (const auto& [no, p] : ports_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<const OfPort*> Ofproto::port_list() const {
  std::vector<const OfPort*> out;
  for (const auto& [no, p] : ports_) out.push_back(&p);
  return out;
}

openflow::PhyPort Ofproto::phy_port(const OfPort& port) const {
  openflow::PhyPort pp;
  pp.port_no = port.ofp_port;
  pp.name = port.name;
  if (auto mac = port.netdev->get_etheraddr(); mac.ok()) {
    std::memcpy(pp.hw_addr.b, mac->octets.data(), 6);
  }
  pp.config = port.config;
  auto flags = port.netdev->get_flags();
  if (!flags.ok() || !(*flags & netdev::kUp)) pp.config |= openflow::kPcPortDown;
  auto carrier = port.netdev->get_carrier();
  bool link = carrier.ok() && *carrier;
  pp.state = link ? 0u : uint32_t(openflow::kPsLinkDown);
  if (port.is_live()) pp.state |= openflow::kPsLive;
  // Dummy and virtual devices report 10 Gb/s copper, as OVS's netdev-dummy.
  pp.curr = openflow::kPf10GbFd | openflow::kPfCopper;
  pp.curr_speed = 10000000;
  return pp;
}

Status Ofproto::set_port_config(uint32_t ofp_port, uint32_t config, uint32_t mask) {
  auto it = ports_.find(ofp_port);
  if (it == ports_.end()) return Error(EINVAL, "OFPPMFC_BAD_PORT");
  OfPort& p = it->second;
  uint32_t next = (p.config & ~mask) | (config & mask);
  if (mask & openflow::kPcPortDown) {
    bool down = next & openflow::kPcPortDown;
    uint32_t up = netdev::kUp;
    (void)p.netdev->update_flags(down ? up : 0u, down ? 0u : up);
    next &= ~openflow::kPcPortDown;  // reflected by the netdev's flags from now on
  }
  {
    std::unique_lock lock(backer_->xlate_lock());
    p.config = next;
  }
  publish_normal_config();
  if (connmgr_) connmgr_->send_port_status(openflow::kPortModify, phy_port(p));
  return ok_status();
}

netdev::EthAddr Ofproto::hwaddr() const {
  auto it = ports_.find(kOfppLocal);
  if (it != ports_.end()) {
    if (auto mac = it->second.netdev->get_etheraddr(); mac.ok()) return *mac;
  }
  return {};
}

Result<ofproto::FlowModOutcome> Ofproto::flow_mod(const openflow::FlowMod& fm) {
  auto r = tables_.handle_flow_mod(fm);
  if (r.ok()) flows_changed();
  return r;
}

void Ofproto::flows_changed() { backer_->reconfigured().change(); }

std::vector<ofproto::FlowRemoved> Ofproto::run(long long now) {
  std::vector<ofproto::FlowRemoved> expired;
  std::vector<ofproto::FlowRemoved> out;
  {
    // run() frees rules removed earlier: no translation may hold them.
    std::unique_lock lock(backer_->xlate_lock());
    out = tables_.run(now, &expired);
  }
  if (!expired.empty()) flows_changed();
  if (connmgr_) {
    for (const auto& fr : out) connmgr_->send_flow_removed(fr);
    connmgr_->run();
  }
  if (mac_learning_->run()) backer_->reconfigured().change();
  return out;
}

void Ofproto::set_fail_open(bool active) {
  if (active == fail_open_) return;
  std::unique_lock lock(backer_->xlate_lock());
  fail_open_ = active;
  backer_->reconfigured().change();
}

xlate::XlateIn Ofproto::xlate_in(const Flow& flow) const {
  // fail-open's hidden flow (priority 0xf0f0f0, above every OpenFlow
  // priority) sends everything to NORMAL.
  static const openflow::ActionList kNormal = {openflow::Action{openflow::ActOutput{kOfppNormal, 0}}};
  xlate::XlateIn in;
  in.tables = &tables_;
  in.hooks = this;
  in.bridge = name_;
  in.flow = flow;
  if (fail_open_) in.actions = &kNormal;
  return in;
}

Status Ofproto::execute(const std::vector<uint8_t>& packet, uint32_t in_port,
                        const openflow::ActionList* actions) {
  Flow md = make_flow();
  md.in_port = in_port;
  Flow flow = flow_extract(packet.data(), packet.size(), &md);
  xlate::XlateOut out;
  {
    std::shared_lock lock(backer_->xlate_lock());
    xlate::XlateIn in = xlate_in(flow);
    if (actions) in.actions = actions;
    in.may_learn = true;
    out = xlate::xlate_actions(in);
  }
  for (uint32_t id : out.recirc_refs) backer_->recirc().unref(id);
  for (const auto& fm : out.learned) (void)flow_mod(fm);
  if (out.odp_actions.empty()) return ok_status();
  Flow key_flow = make_flow();
  auto odp_in = odp_port(in_port);
  // Packets from the controller enter as if on the datapath's own port.
  key_flow.in_port = odp_in ? *odp_in : dpif::kOdppLocal;
  nl::AttrBuilder key;
  odp::OdpFlowKeyParms parms;
  parms.flow = &key_flow;
  odp::odp_flow_key_from_flow(parms, key);
  std::vector<dpif::Op> ops(1);
  ops[0].type = dpif::Op::Type::kExecute;
  ops[0].execute.packet = packet;
  ops[0].execute.key = key.take();
  ops[0].execute.actions = std::move(out.odp_actions);
  backer_->dpif().operate(ops);
  return ops[0].result;
}

std::optional<uint32_t> Ofproto::odp_port(uint32_t ofp_port) const {
  auto it = ports_.find(ofp_port);
  if (it == ports_.end()) return std::nullopt;
  return it->second.odp_port;
}

std::vector<uint32_t> Ofproto::flood_ports() const {
  std::vector<uint32_t> out;
  for (const auto& [no, p] : ports_) {
    if (!(p.config & openflow::kPcNoFlood)) out.push_back(no);
  }
  return out;
}

const openflow::GroupMod* Ofproto::group(uint32_t group_id) const {
  if (!groups_snapshot_) return nullptr;
  auto it = groups_snapshot_->find(group_id);
  return it == groups_snapshot_->end() ? nullptr : it->second.get();
}

std::optional<uint32_t> Ofproto::dp_meter_id(uint32_t meter_id) const {
  // Meters live in one datapath meter space per bridge's backer; OVS
  // allocates ids, we use the OpenFlow id (one bridge per meter id).
  return meter_id;
}

bool Ofproto::packet_in_on_miss(uint8_t table_id) const {
  return tables_.table_config(table_id).miss_to_controller;
}

bool Ofproto::port_is_live(uint32_t ofp_port) const {
  auto it = ports_.find(ofp_port);
  return it != ports_.end() && it->second.is_live();
}

}  // namespace grebe::ofproto_dpif
