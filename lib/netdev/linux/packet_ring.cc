// AF_PACKET TPACKET_V3 receive ring + sendmmsg transmit.  See packet_ring.h.
#include "packet_ring.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_linux_ring);

namespace grebe::netdev {

namespace {

// 8 blocks of 256 kB: room for ~1000 full-size frames while the poll thread
// is busy, retired after 1 ms so light traffic is not held back.
constexpr unsigned kBlockSize = 1u << 18;
constexpr unsigned kBlockCount = 8;
constexpr unsigned kFrameSize = 2048;
constexpr unsigned kRetireMsec = 1;

vlog::RateLimit rl(5, 20);

// struct virtio_net_hdr (the legacy 10-byte layout PACKET_VNET_HDR uses),
// spelled out because <linux/virtio_net.h> does not compile as C++.
struct virtio_net_hdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(virtio_net_hdr) == 10);

virtio_net_hdr to_wire(const VnetHdr& v) {
  virtio_net_hdr h{};
  h.flags = v.flags;
  h.gso_type = v.gso_type;
  h.hdr_len = v.hdr_len;  // virtio legacy headers are in host byte order
  h.gso_size = v.gso_size;
  h.csum_start = v.csum_start;
  h.csum_offset = v.csum_offset;
  return h;
}

VnetHdr from_wire(const virtio_net_hdr& h) {
  VnetHdr v;
  v.flags = h.flags;
  v.gso_type = h.gso_type;
  v.hdr_len = h.hdr_len;
  v.gso_size = h.gso_size;
  v.csum_start = h.csum_start;
  v.csum_offset = h.csum_offset;
  return v;
}

// The kernel hands VLAN-tagged frames over with the tag stripped into the
// header; put it back so the frame is what was on the wire.
void reinsert_vlan(Packet& p, const tpacket3_hdr* hdr) {
  if (!(hdr->tp_status & TP_STATUS_VLAN_VALID) || p.data.size() < 12) return;
  uint16_t tpid =
      (hdr->tp_status & TP_STATUS_VLAN_TPID_VALID) ? hdr->hv1.tp_vlan_tpid : ETH_P_8021Q;
  uint16_t tci = hdr->hv1.tp_vlan_tci;
  uint8_t tag[4] = {uint8_t(tpid >> 8), uint8_t(tpid), uint8_t(tci >> 8), uint8_t(tci)};
  p.data.insert(p.data.begin() + 12, tag, tag + 4);
  if (p.vnet.csum_start) p.vnet.csum_start += 4;
}

}  // namespace

PacketRing::~PacketRing() {
  if (map_) munmap(map_, map_len_);
  if (fd_ >= 0) close(fd_);
}

Status PacketRing::setup_ring() {
  int version = TPACKET_V3;
  if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0) {
    return errno_error("setsockopt(PACKET_VERSION)");
  }
  tpacket_req3 req{};
  req.tp_block_size = kBlockSize;
  req.tp_block_nr = kBlockCount;
  req.tp_frame_size = kFrameSize;
  req.tp_frame_nr = kBlockSize / kFrameSize * kBlockCount;
  req.tp_retire_blk_tov = kRetireMsec;
  if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) {
    return errno_error("setsockopt(PACKET_RX_RING)");
  }
  map_len_ = size_t(kBlockSize) * kBlockCount;
  void* m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    map_ = nullptr;
    return errno_error("mmap(packet ring)");
  }
  map_ = static_cast<uint8_t*>(m);
  block_size_ = kBlockSize;
  n_blocks_ = kBlockCount;
  return ok_status();
}

Result<std::unique_ptr<PacketRing>> PacketRing::open(int ifindex, bool want_vnet) {
  std::unique_ptr<PacketRing> r(new PacketRing());
  r->ifindex_ = ifindex;
  // Protocol 0: receive nothing until bind() names the device.
  r->fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (r->fd_ < 0) return errno_error("socket(AF_PACKET)");
  int one = 1;
  if (want_vnet && setsockopt(r->fd_, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) == 0) {
    r->vnet_ = true;
  }
  Status ring = r->setup_ring();
  if (!ring.ok() && r->vnet_) {
    // Older kernels refuse vnet headers with a V3 ring: start over without.
    VLOG_INFO("packet ring with vnet headers unavailable (%s); using plain frames",
              ring.error().to_string().c_str());
    return open(ifindex, false);
  }
  GREBE_TRY(ring);
  // Frames we send come back on a packet socket unless told otherwise.
  (void)setsockopt(r->fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex;
  if (bind(r->fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
    return errno_error("bind(AF_PACKET)");
  }
  return r;
}

uint8_t* PacketRing::user_block() {
  uint8_t* block = map_ + size_t(cur_block_) * block_size_;
  auto* desc = reinterpret_cast<tpacket_block_desc*>(block);
  uint32_t status = __atomic_load_n(&desc->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
  return (status & TP_STATUS_USER) ? block : nullptr;
}

void PacketRing::release_block(uint8_t* block) {
  auto* desc = reinterpret_cast<tpacket_block_desc*>(block);
  __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  cur_block_ = (cur_block_ + 1) % n_blocks_;
  pkts_done_ = 0;
  next_offset_ = 0;
}

Result<size_t> PacketRing::recv(PacketBatch& batch) {
  size_t n = 0;
  while (n < kMaxBurst) {
    uint8_t* block = user_block();
    if (!block) break;
    auto* desc = reinterpret_cast<tpacket_block_desc*>(block);
    if (pkts_done_ >= desc->hdr.bh1.num_pkts) {
      release_block(block);
      continue;
    }
    size_t off = pkts_done_ == 0 ? desc->hdr.bh1.offset_to_first_pkt : next_offset_;
    if (off + sizeof(tpacket3_hdr) > block_size_) {  // a corrupt block: skip it
      VLOG_WARN_RL(&rl, "packet ring: bad packet offset %zu", off);
      release_block(block);
      continue;
    }
    auto* hdr = reinterpret_cast<tpacket3_hdr*>(block + off);
    next_offset_ = off + hdr->tp_next_offset;
    pkts_done_++;
    if (off + hdr->tp_mac + hdr->tp_snaplen > block_size_) continue;
    Packet p;
    const uint8_t* frame = block + off + hdr->tp_mac;
    p.data.assign(frame, frame + hdr->tp_snaplen);
    if (vnet_ && hdr->tp_mac >= sizeof(virtio_net_hdr)) {
      virtio_net_hdr vh;
      std::memcpy(&vh, frame - sizeof vh, sizeof vh);
      p.vnet = from_wire(vh);
    }
    reinsert_vlan(p, hdr);
    batch.push_back(std::move(p));
    n++;
  }
  if (!n) return Error(EAGAIN);
  return n;
}

Result<size_t> PacketRing::send(const PacketBatch& batch) {
  size_t sent = 0;
  while (sent < batch.size()) {
    size_t count = std::min(batch.size() - sent, kMaxBurst);
    mmsghdr msgs[kMaxBurst] = {};
    iovec iov[kMaxBurst][2];
    virtio_net_hdr vh[kMaxBurst];
    for (size_t i = 0; i < count; i++) {
      const Packet& p = batch[sent + i];
      int k = 0;
      if (vnet_) {
        vh[i] = to_wire(p.vnet);
        iov[i][k++] = {&vh[i], sizeof vh[i]};
      }
      iov[i][k++] = {const_cast<uint8_t*>(p.data.data()), p.data.size()};
      msgs[i].msg_hdr.msg_iov = iov[i];
      msgs[i].msg_hdr.msg_iovlen = k;
    }
    int r = sendmmsg(fd_, msgs, static_cast<unsigned>(count), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == ENXIO || errno == ENODEV) return errno_error("sendmmsg");
      // The first packet was refused (too big, ring full...): drop it and
      // go on with the rest, as OVS counts tx drops per packet.
      VLOG_WARN_RL(&rl, "packet ring: send failed (%s)", errno_string(errno).c_str());
      batch_dropped_++;
      sent++;
      continue;
    }
    sent += static_cast<size_t>(r);
    accepted_ += static_cast<size_t>(r);
  }
  size_t accepted = accepted_;
  accepted_ = 0;
  return accepted;
}

}  // namespace grebe::netdev
