// Flow extraction: packet bytes -> struct Flow, as OVS's flow_extract().
//
// Never fails: a truncated or malformed header simply ends parsing at that
// layer, leaving the deeper fields zero (exactly what OVS does, so the same
// packet yields the same flow in both).  IPv4/IPv6 later fragments carry no
// L4 fields; IPv6 extension headers are skipped to the upper-layer protocol.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "grebe/packet/flow.h"

namespace grebe {

// Byte offsets of each layer within the packet, or -1 where absent.
struct PacketLayers {
  int l2 = -1;  // Ethernet header
  int l2_5 = -1;  // first MPLS label
  int l3 = -1;  // IP/ARP header
  int l4 = -1;  // TCP/UDP/SCTP/ICMP header
  int l7 = -1;  // L4 payload
};

// Extracts the flow of the Ethernet frame data[0..size).  The metadata stage
// (in_port, tunnel, registers, ...) is copied from `metadata` when given,
// otherwise zero.  `layers`, if non-null, receives the header offsets.
Flow flow_extract(const uint8_t* data, size_t size, const Flow* metadata = nullptr,
                  PacketLayers* layers = nullptr) noexcept;

}  // namespace grebe
