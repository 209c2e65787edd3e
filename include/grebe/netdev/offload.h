// Software fallbacks for virtio-net offloads (OVS's userspace TSO support,
// lib/dp-packet-gso.c and the csum parts of lib/netdev-linux.c).
//
// Why: a device opened with PACKET_VNET_HDR hands us what the sender's
// stack left undone -- a partial L4 checksum (VnetHdr::kNeedsCsum,
// csum_start/csum_offset) and GSO super-frames up to 64 kB (TSO4, TSO6,
// UDP L4).  If such a frame leaves through a device that cannot take the
// metadata, we must finish the work in software or the receiver drops it
// (the "ethtool -K tx off" problem of OVS's netdev datapath).  When the
// output device does take vnet headers, the metadata passes through so a
// veth->veth path forwards 64 kB super-frames untouched.
//
// All functions are pure computations on one packet: any thread, never
// block, never throw; malformed packets give EINVAL (nothing is asserted).
#pragma once

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {

// Fills in the L4 checksum a kNeedsCsum packet left partial: the one's
// complement sum from csum_start to the end of the frame (the field at
// csum_start + csum_offset holds the pseudo-header sum the sender put
// there), stored at that field.  Clears kNeedsCsum.  No-op for packets
// without the flag.  EINVAL if csum_start/csum_offset point outside.
Status complete_csum(Packet& p);

// Splits GSO packet `p` (gso_type kGsoTcpv4/kGsoTcpv6/kGsoUdpL4) into
// segments carrying at most gso_size payload bytes each, appended to
// `out`: every segment has correct IPv4 total length / id (+i) / header
// checksum or IPv6 payload length, TCP sequence numbers and flags (FIN/PSH
// on the last segment only, CWR on the first only) or UDP length, and a
// full L4 checksum; their VnetHdr is cleared.  A GSO packet whose payload
// already fits one segment yields one segment.  Non-GSO packets are
// appended with their checksum completed.  EINVAL for headers that do not
// parse or gso_size 0; EOPNOTSUPP for legacy UFO (kGsoUdp).
Status segment(const Packet& p, PacketBatch& out);

// Prepares `p` for a device with `info` under `policy`: appends to `out`
// either `p` as is (metadata passed through), or its software-finished
// form (checksum completed, or segments).  On EINVAL the packet is not
// appended (the caller counts a tx drop).
Status prepare_tx(Packet&& p, const OffloadInfo& info, TxOffloadPolicy policy, PacketBatch& out);

// The one's complement sum of `len` bytes at `data` added to `sum`,
// unfolded (RFC 1071); exposed for tests and for callers that patch
// headers.  fold_csum() folds to 16 bits and complements.
uint32_t csum_add_bytes(uint32_t sum, const uint8_t* data, size_t len);
uint16_t fold_csum(uint32_t sum);

}  // namespace grebe::netdev
