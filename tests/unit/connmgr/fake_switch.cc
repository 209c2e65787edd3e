#include "fake_switch.h"

namespace grebe::connmgr::test {

FakeSwitch::FakeSwitch() {
  for (uint32_t no : {1u, 2u, 3u}) {
    openflow::PhyPort p;
    p.port_no = no;
    p.name = "p" + std::to_string(no);
    p.hw_addr = EthAddr{{0x02, 0, 0, 0, 0, static_cast<uint8_t>(no)}};
    p.curr = openflow::kPf10GbFd | openflow::kPfCopper;
    p.curr_speed = 10000000;
    port_list.push_back(p);
  }
  openflow::PhyPort local;
  local.port_no = 0xfffe;
  local.name = "br0";
  local.hw_addr = EthAddr{{0x02, 0, 0, 0, 0, 0xfe}};
  port_list.push_back(local);
}

std::vector<PortStats> FakeSwitch::port_stats() const {
  std::vector<PortStats> out;
  for (const auto& p : port_list) {
    PortStats s;
    s.port_no = p.port_no;
    s.rx_packets = p.port_no * 10;
    s.tx_packets = p.port_no * 20;
    out.push_back(s);
  }
  return out;
}

Status FakeSwitch::port_mod(const PortMod& pm) {
  for (auto& p : port_list) {
    if (p.port_no != pm.port_no) continue;
    if (p.hw_addr != pm.hw_addr) return Error(EINVAL, "OFPPMFC_BAD_HW_ADDR");
    p.config = (p.config & ~pm.mask) | (pm.config & pm.mask);
    port_mods.push_back(pm);
    return {};
  }
  return Error(ENOENT, "OFPPMFC_BAD_PORT");
}

void FakeSwitch::flows_changed(const ofproto::FlowModOutcome&) { ++n_flows_changed; }

Status FakeSwitch::meter_set(const ofproto::Meter& meter) {
  if (fail_meter_set) return Error(ENOSPC, "OFPMMFC_OUT_OF_METERS");
  meters_set.push_back(meter.config.meter_id);
  return {};
}

Status FakeSwitch::packet_out(const openflow::PacketOut& po) {
  bool known = po.in_port == 0xfffd || po.in_port == 0xfffe || po.in_port == 0xfff8;
  for (const auto& p : port_list) known |= p.port_no == po.in_port;
  if (!known) return Error(EINVAL, "OFPBRC_BAD_PORT");
  packet_outs.push_back(po);
  return {};
}

}  // namespace grebe::connmgr::test
