// Netdev: a network device as the datapaths see it (OVS's lib/netdev).
//
// One interface, several providers chosen by type (OVS's netdev types):
//   "system"  a Linux device reached through AF_PACKET (TPACKET_V3 receive
//             ring, sendmmsg() transmit, optional virtio-net headers for
//             checksum/TSO offload) -- lib/netdev/linux
//   "internal" a tap device this process creates (exclusively) with the
//             port's name; "tap" an existing tap attached by name --
//             lib/netdev/tap (vnet headers both ways)
//   "dummy"   registered by lib/dpif; tunnels later
// Offload metadata (GSO, partial checksums) is finished in software only
// when the output cannot take it: grebe/netdev/offload.h.  Link changes
// and 64-bit counters over rtnetlink: grebe/netdev/link_monitor.h.
//
// Threads: configuration (MTU, MAC, flags, stats) from the main thread;
// rx_recv() from the one thread that polls the device (a PMD or handler),
// send() from any one thread at a time per Netdev (callers serialize, as
// OVS's per-txq locks do).  Nothing here blocks: rx_recv() returns EAGAIN
// when the ring is empty and rx_fd() becomes readable when it fills.
// Errors: errno values with OVS's meaning (ENODEV no such device,
// EOPNOTSUPP the provider cannot do it, EMSGSIZE frame over MTU).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::netdev {

// OVS's NETDEV_MAX_BURST: packets per rx/tx batch.
inline constexpr size_t kMaxBurst = 32;

struct EthAddr {
  std::array<uint8_t, 6> octets{};
  bool operator==(const EthAddr&) const = default;
  // "aa:bb:cc:dd:ee:ff", as OVS prints MACs.
  std::string to_string() const;
  static Result<EthAddr> from_string(std::string_view s);
};

// OVS's enum netdev_flags.
enum Flags : uint32_t { kUp = 1 << 0, kPromisc = 1 << 1, kLoopback = 1 << 2 };

// OVS's struct netdev_stats (the subset every Linux device reports).
struct Stats {
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  uint64_t multicast = 0, collisions = 0;
};

// struct virtio_net_hdr in host byte order: offload metadata that travels
// with a packet when the device uses vnet headers.
struct VnetHdr {
  static constexpr uint8_t kNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr uint8_t kDataValid = 2;  // VIRTIO_NET_HDR_F_DATA_VALID
  static constexpr uint8_t kGsoNone = 0, kGsoTcpv4 = 1, kGsoUdp = 3, kGsoTcpv6 = 4;
  static constexpr uint8_t kGsoUdpL4 = 5;   // VIRTIO_NET_HDR_GSO_UDP_L4 (USO)
  static constexpr uint8_t kGsoEcn = 0x80;  // VIRTIO_NET_HDR_GSO_ECN, or'd in
  uint8_t flags = 0;
  uint8_t gso_type = kGsoNone;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};

// One frame (Ethernet header first) and its offload metadata.
struct Packet {
  std::vector<uint8_t> data;
  VnetHdr vnet;
};
using PacketBatch = std::vector<Packet>;

// What the device can take off the CPU, for the datapath to decide whether
// to compute checksums / segment itself.
struct OffloadInfo {
  bool vnet_hdr = false;  // packets carry VnetHdr both ways
  bool tx_csum = false;   // send() accepts kNeedsCsum packets
  bool tso = false;       // send() accepts GSO packets larger than the MTU
};

// What a netdev does with offload metadata on transmit.
enum class TxOffloadPolicy {
  // Use the device's offloads when it has them (vnet headers): GSO and
  // partial checksums pass through; otherwise done in software.  Default.
  kAuto,
  // Always segment / checksum in software (for devices whose offloads are
  // broken, and to test the software path).
  kSoftware,
};

class Netdev {
 public:
  virtual ~Netdev() = default;

  // Opens device `name` with provider `type` ("system").  ENODEV if it does
  // not exist, EAFNOSUPPORT for an unknown type, EPERM without
  // CAP_NET_RAW.  Main thread.
  static Result<std::unique_ptr<Netdev>> open(std::string_view name, std::string_view type);
  // The provider types available: "system" plus any registered (sorted).
  static std::vector<std::string> types();
  // Adds provider `type` (e.g. "dummy" from lib/dpif) so open() can create
  // it by name.  Call explicitly at startup (no static-initializer magic:
  // static libraries drop unreferenced objects).  EEXIST if `type` is
  // already known.  Thread-safe.
  using Factory = std::function<Result<std::unique_ptr<Netdev>>(std::string_view name)>;
  static Status register_type(std::string type, Factory factory);

  virtual const std::string& name() const = 0;
  virtual std::string_view type() const = 0;
  virtual Result<int> get_ifindex() const = 0;

  virtual Result<int> get_mtu() const = 0;
  virtual Status set_mtu(int mtu) = 0;  // EINVAL out of the device's range
  virtual Result<EthAddr> get_etheraddr() const = 0;
  virtual Status set_etheraddr(const EthAddr& mac) = 0;
  // Current Flags; update_flags() clears `off` then sets `on` and returns
  // the flags before the change (OVS: netdev_update_flags).
  virtual Result<uint32_t> get_flags() const = 0;
  virtual Result<uint32_t> update_flags(uint32_t off, uint32_t on) = 0;
  // Link (carrier) up.
  virtual Result<bool> get_carrier() const = 0;
  virtual Result<Stats> get_stats() const = 0;

  virtual OffloadInfo offload_info() const = 0;
  // Chooses how send() treats offload metadata (see grebe/netdev/offload.h:
  // providers that take vnet headers finish GSO/partial-checksum packets
  // in software only when needed).  Main thread.  EOPNOTSUPP from
  // providers that never see offload metadata.
  virtual Status set_tx_offload_policy(TxOffloadPolicy) { return Error(EOPNOTSUPP); }

  // Receive: up to kMaxBurst frames appended to `batch`; returns how many.
  // EAGAIN when none is waiting (wait for rx_fd() readable).  Frames this
  // netdev sent itself are not received.  Poll thread only.
  virtual Result<size_t> rx_recv(PacketBatch& batch) = 0;
  virtual int rx_fd() const = 0;
  // Transmit every packet of `batch`; returns how many the device took
  // (the rest were dropped and counted; EMSGSIZE-style per-packet failures
  // do not fail the batch).  Fails only if the device is gone.  Packets
  // may carry offload metadata (GSO, kNeedsCsum); the provider passes it
  // to the device or finishes the packet in software, per its
  // TxOffloadPolicy (a segmented packet counts as its segments).
  virtual Result<size_t> send(const PacketBatch& batch) = 0;
};

}  // namespace grebe::netdev
