// PacketRing: one AF_PACKET socket bound to a device, receiving through a
// TPACKET_V3 memory-mapped ring and sending with sendmmsg(2), optionally
// with virtio-net headers (PACKET_VNET_HDR) for checksum/GSO offload.
// Internal to lib/netdev.
//
// Threads: rx from one thread, tx from one thread (they share no state but
// the socket, which the kernel serializes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {

class PacketRing {
 public:
  // Binds to `ifindex`.  Tries vnet headers first when `want_vnet`, and
  // falls back without them if the kernel refuses (vnet_hdr() tells).
  static Result<std::unique_ptr<PacketRing>> open(int ifindex, bool want_vnet);
  ~PacketRing();
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  int fd() const { return fd_; }
  bool vnet_hdr() const { return vnet_; }
  // Up to kMaxBurst frames appended to `batch`; EAGAIN if none.
  Result<size_t> recv(PacketBatch& batch);
  // Sends the batch; returns how many were sent (the rest are dropped and
  // counted in tx_dropped()).  Fails only if the device went away.
  Result<size_t> send(const PacketBatch& batch);
  uint64_t tx_dropped() const { return batch_dropped_; }

 private:
  PacketRing() = default;
  Status setup_ring();
  // The current block, if the kernel has handed it to us.
  uint8_t* user_block();
  void release_block(uint8_t* block);

  int fd_ = -1;
  int ifindex_ = 0;
  bool vnet_ = false;
  uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  unsigned block_size_ = 0;
  unsigned n_blocks_ = 0;
  unsigned cur_block_ = 0;
  // Position inside the current block (packets already consumed).
  unsigned pkts_done_ = 0;
  size_t next_offset_ = 0;
  size_t accepted_ = 0;         // packets taken by the kernel in this send()
  uint64_t batch_dropped_ = 0;  // packets send() had to drop, ever
};

}  // namespace grebe::netdev
