// Ofproto as the connection manager's switch (connmgr::SwitchOps) and its
// bridge-level settings.  See ofproto_dpif.h.
#include <cstring>
#include <mutex>

#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"
#include "ofproto_dpif/ofproto_dpif.h"

VLOG_DEFINE_THIS_MODULE(ofproto_dpif);

namespace grebe::ofproto_dpif {

std::vector<openflow::PhyPort> Ofproto::ports() const {
  std::vector<openflow::PhyPort> out;
  for (const auto& [no, p] : ports_) out.push_back(phy_port(p));
  return out;
}

std::vector<connmgr::PortStats> Ofproto::port_stats() const {
  std::vector<connmgr::PortStats> out;
  long long now = time_msec();
  for (const auto& [no, p] : ports_) {
    connmgr::PortStats ps;
    ps.port_no = no;
    if (auto st = p.netdev->get_stats(); st.ok()) {
      ps.rx_packets = st->rx_packets;
      ps.tx_packets = st->tx_packets;
      ps.rx_bytes = st->rx_bytes;
      ps.tx_bytes = st->tx_bytes;
      ps.rx_dropped = st->rx_dropped;
      ps.tx_dropped = st->tx_dropped;
      ps.rx_errors = st->rx_errors;
      ps.tx_errors = st->tx_errors;
      ps.collisions = st->collisions;
    }
    ps.rx_frame_err = ps.rx_over_err = ps.rx_crc_err = ~0ull;
    long long age = now - p.created;
    ps.duration_sec = static_cast<uint32_t>(age / 1000);
    ps.duration_nsec = static_cast<uint32_t>((age % 1000) * 1000000);
    out.push_back(ps);
  }
  return out;
}

Status Ofproto::port_mod(const connmgr::PortMod& pm) {
  const OfPort* p = find_port(pm.port_no);
  if (!p) return Error(EINVAL, "OFPPMFC_BAD_PORT");
  openflow::PhyPort pp = phy_port(*p);
  if (std::memcmp(pp.hw_addr.b, pm.hw_addr.b, 6) != 0) return Error(EINVAL, "OFPPMFC_BAD_HW_ADDR");
  return set_port_config(pm.port_no, pm.config, pm.mask);
}

std::string Ofproto::dp_desc() const {
  auto it = other_config_.find("dp-desc");
  return it == other_config_.end() ? "None" : it->second;
}

void Ofproto::flows_changed(const ofproto::FlowModOutcome& outcome) {
  (void)outcome;
  flows_changed();
}

void Ofproto::groups_changed() {
  {
    std::unique_lock lock(backer_->xlate_lock());
    groups_snapshot_ = groups_.snapshot();
  }
  backer_->reconfigured().change();
}

Status Ofproto::meter_set(const ofproto::Meter& meter) {
  std::vector<dpif::Dpif::MeterBand> bands;
  for (const auto& b : meter.config.bands) bands.push_back({b.rate, b.burst_size});
  auto st = backer_->dpif().meter_set(meter.config.meter_id, meter.config.flags, bands);
  if (!st.ok()) return Error(st.error().code(), "OFPMMFC_OUT_OF_METERS");
  backer_->reconfigured().change();
  return st;
}

void Ofproto::meter_del(uint32_t meter_id) {
  (void)backer_->dpif().meter_del(meter_id);
  backer_->reconfigured().change();
}

Status Ofproto::packet_out(const openflow::PacketOut& po) {
  if (po.in_port != kOfppController && po.in_port != kOfppLocal && po.in_port != kOfppNone &&
      !find_port(po.in_port)) {
    return Error(EINVAL, "OFPBRC_BAD_PORT");
  }
  return execute(po.packet, po.in_port, &po.actions);
}

void Ofproto::send_packet_in(const connmgr::PacketInRequest& pin) {
  if (connmgr_) connmgr_->send_packet_in(pin);
}

void Ofproto::configure(const std::vector<connmgr::ControllerConfig>& controllers,
                        const std::string& fail_mode, const std::vector<std::string>& protocols,
                        const std::map<std::string, std::string>& other_config) {
  bool bpdu_changed = other_config_.count("forward-bpdu") != other_config.count("forward-bpdu") ||
                      (other_config.count("forward-bpdu") &&
                       other_config_.at("forward-bpdu") != other_config.at("forward-bpdu"));
  other_config_ = other_config;
  if (bpdu_changed) publish_normal_config();
  if (auto it = other_config.find("mac-aging-time"); it != other_config.end()) {
    int secs = std::atoi(it->second.c_str());
    if (secs > 0) mac_learning_->set_idle_time(static_cast<unsigned>(secs));
  }
  if (auto it = other_config.find("mac-table-size"); it != other_config.end()) {
    long n = std::atol(it->second.c_str());
    if (n > 0) mac_learning_->set_max_entries(static_cast<size_t>(n));
  }
  if (!connmgr_) return;
  connmgr_->set_controllers(controllers);
  connmgr_->set_fail_mode(fail_mode == "secure" ? connmgr::FailMode::kSecure
                                                : connmgr::FailMode::kStandalone);
  static const std::map<std::string, int> kVersions = {
      {"OpenFlow10", 1}, {"OpenFlow11", 2}, {"OpenFlow12", 3},
      {"OpenFlow13", 4}, {"OpenFlow14", 5}, {"OpenFlow15", 6}};
  uint32_t bitmap = 0;
  for (const auto& p : protocols) {
    auto it = kVersions.find(p);
    if (it != kVersions.end()) bitmap |= 1u << it->second;
  }
  if (!bitmap) bitmap = 0x7e;  // OVS's default: every supported version
  connmgr_->set_allowed_versions(bitmap);
}

}  // namespace grebe::ofproto_dpif
