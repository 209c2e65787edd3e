// The "system" netdev provider.  See netdev_linux.h.
#include "netdev_linux.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "grebe/netdev/offload.h"
#include "grebe/util/vlog.h"
#include "packet_ring.h"

VLOG_DEFINE_THIS_MODULE(netdev_linux);

namespace grebe::netdev {

namespace {

// A datagram socket for interface ioctls, opened per call so the netdev
// keeps no fd that a namespace change would make stale.
class IoctlSocket {
 public:
  IoctlSocket() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~IoctlSocket() {
    if (fd_ >= 0) close(fd_);
  }
  // Runs `request` on `ifr` for `name`; errno on failure.
  Status run(const std::string& name, unsigned long request, ifreq& ifr, const char* what) {
    if (fd_ < 0) return errno_error("socket");
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd_, request, &ifr) < 0) {
      int e = errno;
      return Error(e, name + ": ioctl(" + what + ") failed");
    }
    return ok_status();
  }

 private:
  int fd_;
};

// Reads `name`'s line of /proc/net/dev (the calling thread's namespace).
Result<Stats> read_proc_stats(const std::string& name) {
  std::ifstream f("/proc/net/dev");
  if (!f) return errno_error("/proc/net/dev");
  std::string line;
  while (std::getline(f, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t start = line.find_first_not_of(' ');
    if (line.compare(start, colon - start, name) != 0 || colon - start != name.size()) continue;
    std::istringstream in(line.substr(colon + 1));
    uint64_t v[16] = {};
    for (auto& x : v) in >> x;
    if (!in && !in.eof()) break;
    Stats s;
    s.rx_bytes = v[0], s.rx_packets = v[1], s.rx_errors = v[2], s.rx_dropped = v[3];
    s.multicast = v[7];
    s.tx_bytes = v[8], s.tx_packets = v[9], s.tx_errors = v[10], s.tx_dropped = v[11];
    s.collisions = v[13];
    return s;
  }
  return Error(ENODEV, name + ": not in /proc/net/dev");
}

class NetdevLinux final : public Netdev {
 public:
  NetdevLinux(std::string name, int ifindex, std::unique_ptr<PacketRing> ring)
      : name_(std::move(name)), ifindex_(ifindex), ring_(std::move(ring)) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "system"; }
  Result<int> get_ifindex() const override { return ifindex_; }

  Result<int> get_mtu() const override {
    ifreq ifr{};
    GREBE_TRY(IoctlSocket().run(name_, SIOCGIFMTU, ifr, "SIOCGIFMTU"));
    return ifr.ifr_mtu;
  }
  Status set_mtu(int mtu) override {
    ifreq ifr{};
    ifr.ifr_mtu = mtu;
    return IoctlSocket().run(name_, SIOCSIFMTU, ifr, "SIOCSIFMTU");
  }
  Result<EthAddr> get_etheraddr() const override {
    ifreq ifr{};
    GREBE_TRY(IoctlSocket().run(name_, SIOCGIFHWADDR, ifr, "SIOCGIFHWADDR"));
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
      return Error(EINVAL, name_ + ": device has unknown hardware address family " +
                               std::to_string(ifr.ifr_hwaddr.sa_family));
    }
    EthAddr mac;
    std::memcpy(mac.octets.data(), ifr.ifr_hwaddr.sa_data, 6);
    return mac;
  }
  Status set_etheraddr(const EthAddr& mac) override {
    ifreq ifr{};
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    std::memcpy(ifr.ifr_hwaddr.sa_data, mac.octets.data(), 6);
    return IoctlSocket().run(name_, SIOCSIFHWADDR, ifr, "SIOCSIFHWADDR");
  }
  Result<uint32_t> get_flags() const override {
    ifreq ifr{};
    GREBE_TRY(IoctlSocket().run(name_, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
    return to_flags(ifr.ifr_flags);
  }
  Result<uint32_t> update_flags(uint32_t off, uint32_t on) override {
    IoctlSocket sock;
    ifreq ifr{};
    GREBE_TRY(sock.run(name_, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
    uint32_t old = to_flags(ifr.ifr_flags);
    int iff = ifr.ifr_flags;
    if (off & kUp) iff &= ~IFF_UP;
    if (off & kPromisc) iff &= ~IFF_PROMISC;
    if (on & kUp) iff |= IFF_UP;
    if (on & kPromisc) iff |= IFF_PROMISC;
    if (iff != ifr.ifr_flags) {
      ifr.ifr_flags = static_cast<short>(iff);
      GREBE_TRY(sock.run(name_, SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS"));
    }
    return old;
  }
  Result<bool> get_carrier() const override {
    // IFF_RUNNING is the kernel's operational state: carrier present on
    // an up device (what OVS reads from the link's netlink flags).
    ifreq ifr{};
    GREBE_TRY(IoctlSocket().run(name_, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"));
    return (ifr.ifr_flags & IFF_RUNNING) != 0;
  }
  Result<Stats> get_stats() const override {
    auto s = read_proc_stats(name_);
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
  static uint32_t to_flags(int iff) {
    uint32_t f = 0;
    if (iff & IFF_UP) f |= kUp;
    if (iff & IFF_PROMISC) f |= kPromisc;
    if (iff & IFF_LOOPBACK) f |= kLoopback;
    return f;
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
