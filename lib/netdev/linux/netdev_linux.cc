// The "system" netdev provider.  See netdev_linux.h.
#include "netdev_linux.h"

#include "grebe/netdev/link_monitor.h"
#include "grebe/netdev/offload.h"
#include "grebe/util/vlog.h"
#include "if_util.h"
#include "packet_ring.h"

VLOG_DEFINE_THIS_MODULE(netdev_linux);

namespace grebe::netdev {

namespace {

class NetdevLinux final : public Netdev {
 public:
  NetdevLinux(std::string name, int ifindex, std::unique_ptr<PacketRing> ring)
      : name_(std::move(name)), ifindex_(ifindex), ring_(std::move(ring)) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "system"; }
  Result<int> get_ifindex() const override { return ifindex_; }

  Result<int> get_mtu() const override { return linux_get_mtu(name_); }
  Status set_mtu(int mtu) override { return linux_set_mtu(name_, mtu); }
  Result<EthAddr> get_etheraddr() const override { return linux_get_etheraddr(name_); }
  Status set_etheraddr(const EthAddr& mac) override { return linux_set_etheraddr(name_, mac); }
  Result<uint32_t> get_flags() const override { return linux_get_flags(name_); }
  Result<uint32_t> update_flags(uint32_t off, uint32_t on) override {
    return linux_update_flags(name_, off, on);
  }
  Result<bool> get_carrier() const override { return linux_get_carrier(name_); }
  Result<Stats> get_stats() const override {
    // rtnetlink's 64-bit counters; /proc/net/dev if netlink is refused.
    auto s = rtnl_get_stats(ifindex_);
    if (!s.ok()) s = read_proc_stats(name_);
    if (s.ok()) s->tx_dropped += ring_->tx_dropped() + sw_tx_dropped_;
    return s;
  }
  OffloadInfo offload_info() const override {
    OffloadInfo o;
    o.vnet_hdr = ring_->vnet_hdr();
    o.tx_csum = o.vnet_hdr;
    o.tso = o.vnet_hdr;
    return o;
  }
  Result<size_t> rx_recv(PacketBatch& batch) override { return ring_->recv(batch); }
  int rx_fd() const override { return ring_->fd(); }
  Status set_tx_offload_policy(TxOffloadPolicy policy) override {
    policy_ = policy;
    return ok_status();
  }
  Result<size_t> send(const PacketBatch& batch) override {
    OffloadInfo info = offload_info();
    if (!needs_software(batch, info)) return ring_->send(batch);
    // Some packet must be finished in software: build the batch the
    // device can take (segments counted as frames sent).
    PacketBatch ready;
    ready.reserve(batch.size());
    for (const Packet& p : batch) {
      Status s = prepare_tx(Packet(p), info, policy_, ready);
      if (!s.ok()) {
        VLOG_WARN_RL(&rl_, "%s: dropping packet on transmit: %s", name_.c_str(),
                     s.error().to_string().c_str());
        sw_tx_dropped_++;
      }
    }
    return ring_->send(ready);
  }

 private:
  // Whether any packet of `batch` cannot go to the device as it is.
  bool needs_software(const PacketBatch& batch, const OffloadInfo& info) const {
    bool hw = policy_ == TxOffloadPolicy::kAuto && info.vnet_hdr;
    for (const Packet& p : batch) {
      if (p.vnet.gso_type != VnetHdr::kGsoNone && !(hw && info.tso)) return true;
      if ((p.vnet.flags & VnetHdr::kNeedsCsum) && !(hw && info.tx_csum)) return true;
    }
    return false;
  }
  std::string name_;
  int ifindex_;
  std::unique_ptr<PacketRing> ring_;
  TxOffloadPolicy policy_ = TxOffloadPolicy::kAuto;
  uint64_t sw_tx_dropped_ = 0;  // packets prepare_tx() refused
  vlog::RateLimit rl_{5, 20};
};

}  // namespace

Result<std::unique_ptr<Netdev>> open_linux(std::string_view name_sv) {
  std::string name(name_sv);
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Error(ENODEV, name + ": invalid device name");
  }
  ifreq ifr{};
  Status s = IoctlSocket().run(name, SIOCGIFINDEX, ifr, "SIOCGIFINDEX");
  if (!s.ok()) {
    int code = s.error().code();
    return Error(code == ENODEV ? ENODEV : code, name + ": could not open network device " + name +
                                                     " (" + errno_string(code) + ")");
  }
  auto ring = PacketRing::open(ifr.ifr_ifindex, true);
  if (!ring.ok()) {
    VLOG_WARN("%s: %s", name.c_str(), ring.error().to_string().c_str());
    return ring.take_error();
  }
  return std::unique_ptr<Netdev>(new NetdevLinux(name, ifr.ifr_ifindex, std::move(*ring)));
}

}  // namespace grebe::netdev
