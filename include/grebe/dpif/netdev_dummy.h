// The "dummy" netdev (OVS's netdev-dummy): an in-memory device for tests.
// Frames arrive through receive() (behind `ovs-appctl netdev-dummy/receive`)
// and wait in an rx queue for the datapath's run(); frames the datapath
// sends are kept in a tx queue (take_sent()) and, when configured, written
// to pcap files (options:pcap= / rxq_pcap= / tx_pcap=).
//
// Lives in lib/dpif because only the userspace/dummy datapaths use it.
// Thread-safety: every method may be called from any thread (one internal
// mutex; nothing blocks except pcap file writes).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/netdev/netdev.h"
#include "grebe/packet/pcap.h"

namespace grebe::netdev {

class DummyNetdev : public Netdev {
 public:
  // Frames waiting for the datapath.  OVS does not bound this queue; we do,
  // generously, so a runaway injector cannot exhaust memory.
  static constexpr size_t kMaxRxQueue = 10000;
  // `type` is "dummy" or "dummy-internal" (the datapath's local port).
  static std::unique_ptr<DummyNetdev> create(std::string name, std::string type = "dummy");
  // The live dummy device named `name`, or nullptr: how `ovs-appctl
  // netdev-dummy/receive <port>` finds its device.  The pointer is valid
  // until that device is destroyed (main thread owns devices).
  static DummyNetdev* lookup(std::string_view name);
  // Names of every live dummy device, sorted (for "all" style commands).
  static std::vector<std::string> names();
  ~DummyNetdev() override;

  // netdev-dummy/receive: queues `frame` for reception.  ENETDOWN (frame
  // dropped and counted in rx_dropped) if the device is administratively
  // down.
  Status receive(std::vector<uint8_t> frame);
  // Parses netdev-dummy/receive's packet argument: hex bytes
  // ("50540000000a...") or a datapath flow ("in_port(1),eth(...),..."),
  // composed into a frame.  EINVAL with OVS-style text when neither parses.
  static Result<std::vector<uint8_t>> parse_packet(std::string_view s);

  // Frames sent by the datapath since the last call, oldest first.
  std::vector<std::vector<uint8_t>> take_sent();
  size_t n_sent() const;

  // Interface options: "pcap" (rx and tx into one file), "rxq_pcap",
  // "tx_pcap".  An unknown key is ignored, as OVS does for dummy devices.
  Status set_config(const std::map<std::string, std::string>& options);
  // netdev-dummy/set-admin-state: up/down (also drops carrier when down).
  void set_admin_state(bool up);

  // Netdev.
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return type_; }
  Result<int> get_ifindex() const override { return Error(EOPNOTSUPP); }
  Result<int> get_mtu() const override;
  Status set_mtu(int mtu) override;
  Result<EthAddr> get_etheraddr() const override;
  Status set_etheraddr(const EthAddr& mac) override;
  Result<uint32_t> get_flags() const override;
  Result<uint32_t> update_flags(uint32_t off, uint32_t on) override;
  Result<bool> get_carrier() const override;
  Result<Stats> get_stats() const override;
  OffloadInfo offload_info() const override { return {}; }
  Result<size_t> rx_recv(PacketBatch& batch) override;
  int rx_fd() const override { return -1; }
  Result<size_t> send(const PacketBatch& batch) override;

 private:
  DummyNetdev(std::string name, std::string type)
      : name_(std::move(name)), type_(std::move(type)) {}

  const std::string name_, type_;
  mutable std::mutex mutex_;
  std::deque<std::vector<uint8_t>> rxq_, txq_;
  int mtu_ = 1500;
  EthAddr mac_{};
  uint32_t flags_ = kUp;
  Stats stats_;
  std::shared_ptr<PcapWriter> rx_pcap_, tx_pcap_;
};

}  // namespace grebe::netdev
