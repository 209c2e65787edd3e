// grebe-ofprotod: the OpenFlow side of one bridge -- a Connmgr over real
// OfprotoTables, GroupTable and MeterTable -- with a stand-in switch that
// has ports 1-3 and LOCAL and no datapath.  Stock ovs-ofctl and
// ovs-testcontroller drive it in tests/integration/test-ofproto*.sh.
//
//   grebe-ofprotod RUNDIR BRIDGE [--controller TARGET] [--fail-mode MODE]
//
// Listens on RUNDIR/BRIDGE.mgmt, runs until SIGTERM.  Packet-outs are
// logged to stderr ("packet_out in_port=1 actions=output:2").  SIGUSR1
// sends a table-miss packet-in (an Ethernet frame from 00:00:00:00:00:01
// to 00:00:00:00:00:02 on port 1) to the controllers; SIGUSR2 one from
// ...:02 to ...:01 on port 2.  Flow expiry runs every 100 ms.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "connmgr/connmgr.h"
#include "grebe/event/event_loop.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

namespace {

using namespace grebe;

class StandInSwitch : public connmgr::SwitchOps {
 public:
  StandInSwitch() {
    for (uint32_t no : {1u, 2u, 3u, 0xfffeu}) {
      openflow::PhyPort p;
      p.port_no = no;
      p.name = no == 0xfffe ? "br0" : "p" + std::to_string(no);
      p.hw_addr = EthAddr{{0xaa, 0x55, 0, 0, 0, static_cast<uint8_t>(no)}};
      p.curr = openflow::kPf10GbFd | openflow::kPfCopper;
      p.curr_speed = p.max_speed = 10000000;
      ports_.push_back(p);
    }
  }
  uint64_t datapath_id() const override { return 0x0000aa5500000001ull; }
  std::vector<openflow::PhyPort> ports() const override { return ports_; }
  std::vector<connmgr::PortStats> port_stats() const override {
    std::vector<connmgr::PortStats> out;
    for (const auto& p : ports_) out.push_back(connmgr::PortStats{.port_no = p.port_no});
    return out;
  }
  Status port_mod(const connmgr::PortMod& pm) override {
    for (auto& p : ports_) {
      if (p.port_no != pm.port_no) continue;
      if (p.hw_addr != pm.hw_addr) return Error(EINVAL, "OFPPMFC_BAD_HW_ADDR");
      p.config = (p.config & ~pm.mask) | (pm.config & pm.mask);
      if (cm) cm->send_port_status(openflow::kPortModify, p);
      return {};
    }
    return Error(ENOENT, "OFPPMFC_BAD_PORT");
  }
  ofproto::OfprotoTables& tables() override { return tables_; }
  void flows_changed(const ofproto::FlowModOutcome&) override {}
  ofproto::GroupTable& groups() override { return groups_; }
  void groups_changed() override {}
  ofproto::MeterTable& meters() override { return meters_; }
  Status meter_set(const ofproto::Meter& m) override {
    std::fprintf(stderr, "meter_set %u\n", m.config.meter_id);
    return {};
  }
  void meter_del(uint32_t id) override { std::fprintf(stderr, "meter_del %u\n", id); }
  Status packet_out(const openflow::PacketOut& po) override {
    bool known = po.in_port == 0xfffd || po.in_port == 0xfff8;
    for (const auto& p : ports_) known |= p.port_no == po.in_port;
    if (!known) return Error(EINVAL, "OFPBRC_BAD_PORT");
    std::fprintf(stderr, "packet_out in_port=%u actions=%s\n", po.in_port,
                 openflow::format_actions(po.actions).c_str());
    return {};
  }
  void set_fail_open(bool active) override {
    std::fprintf(stderr, "fail_open %s\n", active ? "on" : "off");
  }

  connmgr::Connmgr* cm = nullptr;

 private:
  std::vector<openflow::PhyPort> ports_;
  ofproto::OfprotoTables tables_;
  ofproto::GroupTable groups_;
  ofproto::MeterTable meters_;
};

connmgr::PacketInRequest miss_packet(uint8_t src, uint8_t dst, uint32_t in_port) {
  connmgr::PacketInRequest pin;
  pin.reason = openflow::kPinNoMatch;
  pin.packet.assign(64, 0);
  pin.packet[5] = dst;
  pin.packet[11] = src;
  pin.packet[12] = 0x88;  // an unassigned ethertype: plain L2
  pin.packet[13] = 0xb5;
  pin.flow.in_port = in_port;
  return pin;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RUNDIR BRIDGE [--controller T] [--fail-mode M]\n", argv[0]);
    return 2;
  }
  std::string rundir = argv[1], bridge = argv[2];
  std::vector<connmgr::ControllerConfig> controllers;
  connmgr::FailMode mode = connmgr::FailMode::kSecure;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--controller")) {
      connmgr::ControllerConfig c;
      c.target = argv[i + 1];
      c.connection_mode = "out-of-band";
      controllers.push_back(c);
    } else if (!std::strcmp(argv[i], "--fail-mode")) {
      mode = !std::strcmp(argv[i + 1], "standalone") ? connmgr::FailMode::kStandalone
                                                     : connmgr::FailMode::kSecure;
    }
  }
  event::EventLoop loop;
  event::SignalWatcher signals(loop);
  StandInSwitch sw;
  connmgr::Connmgr cm(loop, sw, bridge, rundir);
  sw.cm = &cm;
  if (auto st = cm.start(); !st.ok()) {
    std::fprintf(stderr, "start: %s\n", st.error().to_string().c_str());
    return 1;
  }
  cm.set_fail_mode(mode);
  cm.set_controllers(controllers);
  signals.on(SIGTERM, [&] { loop.stop(); });
  signals.on(SIGINT, [&] { loop.stop(); });
  signals.on(SIGUSR1, [&] { cm.send_packet_in(miss_packet(1, 2, 1)); });
  signals.on(SIGUSR2, [&] { cm.send_packet_in(miss_packet(2, 1, 2)); });
  std::function<void()> expire = [&] {
    for (const auto& fr : sw.tables().run(time_msec())) cm.send_flow_removed(fr);
    loop.add_timer(100, expire);
  };
  loop.add_timer(100, expire);
  std::fprintf(stderr, "ready\n");
  loop.run();
  return 0;
}
