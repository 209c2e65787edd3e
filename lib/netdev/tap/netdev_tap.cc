// The "internal" and "tap" netdev providers.  See netdev_tap.h.
#include "netdev_tap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <sys/uio.h>

#include <cstring>

#include "../linux/if_util.h"
#include "grebe/netdev/link_monitor.h"
#include "grebe/netdev/offload.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_tap);

namespace grebe::netdev {

namespace {

// struct virtio_net_hdr, the 10-byte header tun puts before each frame
// with IFF_VNET_HDR (host byte order).
struct WireVnetHdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(WireVnetHdr) == 10);

// Big enough for a 64 kB GSO frame plus link headers.
constexpr size_t kRxBufSize = sizeof(WireVnetHdr) + (1u << 17);

class NetdevTap final : public Netdev {
 public:
  NetdevTap(std::string name, std::string_view type, int fd, int ifindex)
      : name_(std::move(name)), type_(type), fd_(fd), ifindex_(ifindex), rxbuf_(kRxBufSize) {}
  ~NetdevTap() override { close(fd_); }

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return type_; }
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
    // The kernel counts from the host's side of the device: what it
    // transmits we receive.  Swap so the numbers are the switch's.
    auto s = rtnl_get_stats(ifindex_);
    if (!s.ok()) s = read_proc_stats(name_);
    if (!s.ok()) return s;
    Stats k = *s, out = k;
    out.rx_packets = k.tx_packets, out.tx_packets = k.rx_packets;
    out.rx_bytes = k.tx_bytes, out.tx_bytes = k.rx_bytes;
    out.rx_errors = k.tx_errors, out.tx_errors = k.rx_errors;
    out.rx_dropped = k.tx_dropped, out.tx_dropped = k.rx_dropped + tx_dropped_;
    return out;
  }
  // tun always takes vnet headers on write, GSO included.
  OffloadInfo offload_info() const override { return OffloadInfo{true, true, true}; }
  Status set_tx_offload_policy(TxOffloadPolicy policy) override {
    policy_ = policy;
    return ok_status();
  }

  Result<size_t> rx_recv(PacketBatch& batch) override {
    size_t n = 0;
    while (n < kMaxBurst) {
      ssize_t r = read(fd_, rxbuf_.data(), rxbuf_.size());
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || n) break;
        return errno_error(name_ + ": read");
      }
      if (size_t(r) < sizeof(WireVnetHdr) + 14) continue;  // runt: ignore
      WireVnetHdr vh;
      std::memcpy(&vh, rxbuf_.data(), sizeof vh);
      Packet p;
      p.vnet =
          VnetHdr{vh.flags, vh.gso_type, vh.hdr_len, vh.gso_size, vh.csum_start, vh.csum_offset};
      p.data.assign(rxbuf_.begin() + sizeof vh, rxbuf_.begin() + r);
      batch.push_back(std::move(p));
      n++;
    }
    if (!n) return Error(EAGAIN);
    return n;
  }
  int rx_fd() const override { return fd_; }

  Result<size_t> send(const PacketBatch& batch) override {
    OffloadInfo info = offload_info();
    size_t sent = 0;
    for (const Packet& p : batch) {
      PacketBatch ready;
      Status s = prepare_tx(Packet(p), info, policy_, ready);
      if (!s.ok()) {
        VLOG_WARN_RL(&rl_, "%s: dropping packet on transmit: %s", name_.c_str(),
                     s.error().to_string().c_str());
        tx_dropped_++;
        continue;
      }
      for (const Packet& q : ready) {
        GREBE_TRY(write_one(q));
        sent++;
      }
    }
    return sent;
  }

 private:
  // Writes one frame; counts drops for per-packet failures (device down,
  // queue full, too big) and fails only when the tap is gone.
  Status write_one(const Packet& p) {
    const VnetHdr& v = p.vnet;
    WireVnetHdr vh{v.flags, v.gso_type, v.hdr_len, v.gso_size, v.csum_start, v.csum_offset};
    iovec iov[2] = {{&vh, sizeof vh}, {const_cast<uint8_t*>(p.data.data()), p.data.size()}};
    while (writev(fd_, iov, 2) < 0) {
      if (errno == EINTR) continue;
      if (errno == EBADFD || errno == ENODEV) return errno_error(name_ + ": write");
      VLOG_WARN_RL(&rl_, "%s: send failed (%s)", name_.c_str(), errno_string(errno).c_str());
      tx_dropped_++;
      break;
    }
    return ok_status();
  }

  std::string name_;
  std::string_view type_;
  int fd_;
  int ifindex_;
  std::vector<uint8_t> rxbuf_;
  TxOffloadPolicy policy_ = TxOffloadPolicy::kAuto;
  uint64_t tx_dropped_ = 0;
  vlog::RateLimit rl_{5, 20};
};

// Attaches `fd` to tap `name`; errno with OVS-like text on failure.
Status attach(int fd, const std::string& name, bool exclusive) {
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  if (exclusive) ifr.ifr_flags |= IFF_TUN_EXCL;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    if (e == EBUSY && exclusive) e = EEXIST;  // some kernels say EBUSY for EXCL
    return Error(e, name + ": could not create tap device (" + errno_string(e) + ")");
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Netdev>> open_tap(std::string_view name_sv, bool create_exclusive) {
  std::string name(name_sv);
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Error(EINVAL, name + ": invalid device name");
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return Error(e == ENOENT ? ENODEV : e,
                 "opening \"/dev/net/tun\" failed (" + errno_string(e) + ")");
  }
  Status s = attach(fd, name, create_exclusive);
  // Let the kernel hand us partial checksums and TSO super-frames: they
  // pass through to vnet-capable outputs or get finished in software.
  if (s.ok() &&
      ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) != 0) {
    VLOG_INFO("%s: TUNSETOFFLOAD failed (%s); host traffic arrives unoffloaded", name.c_str(),
              errno_string(errno).c_str());
  }
  ifreq ifr{};
  if (s.ok()) s = IoctlSocket().run(name, SIOCGIFINDEX, ifr, "SIOCGIFINDEX");
  if (s.ok() && create_exclusive) {
    auto up = linux_update_flags(name, 0, kUp);
    if (!up.ok()) s = up.take_error();
  }
  if (!s.ok()) {
    close(fd);
    VLOG_WARN("%s", s.error().to_string().c_str());
    return s.take_error();
  }
  std::string_view type = create_exclusive ? "internal" : "tap";
  return std::unique_ptr<Netdev>(new NetdevTap(name, type, fd, ifr.ifr_ifindex));
}

}  // namespace grebe::netdev
