// Packet-in / packet-out messages and packet text (the "icmp,vlan_tci=...,
// icmp_type=8 icmp_csum:f7ff" lines ovs-ofctl and ofproto/trace print).
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/openflow/actions.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// A flow as OVS's flow_format() prints it: every field a packet carries,
// zero-valued metadata left out.
std::string format_flow(const Flow& flow, const PortMap* ports = nullptr);
// The packet's flow plus its L4 checksum ("... tcp_csum:1a2b") and a
// newline, as ofp_packet_to_string().
std::string format_packet(const uint8_t* data, size_t size);

// Packet-in reasons (OFPR_*).
enum PacketInReason : uint8_t {
  kPinNoMatch = 0, kPinAction = 1, kPinInvalidTtl = 2, kPinActionSet = 3, kPinGroup = 4,
  kPinPacketOut = 5,
};
const char* packet_in_reason_name(uint8_t reason);  // "no_match", "action", ...

struct PacketIn {
  uint8_t reason = kPinAction;
  uint8_t table_id = 0;
  uint64_t cookie = ~0ull;  // ~0: none (OF1.0/1.2 carry no cookie)
  uint32_t buffer_id = 0xffffffff;
  uint16_t total_len = 0;   // 0: the packet's length
  Match flow_metadata;      // in_port, tunnel, metadata, registers...
  std::vector<uint8_t> packet;
};
// OFPT_PACKET_IN for OF1.0 and OF1.2+ (OXM metadata).
Result<std::vector<uint8_t>> encode_packet_in(const PacketIn& pin, uint8_t version, uint32_t xid);
Result<PacketIn> decode_packet_in(const uint8_t* data, size_t size);

struct PacketOut {
  uint32_t buffer_id = 0xffffffff;
  uint32_t in_port = 0xfffd;  // OFPP_CONTROLLER by default, as OVS
  ActionList actions;
  std::vector<uint8_t> packet;
};
Result<std::vector<uint8_t>> encode_packet_out(const PacketOut& po, uint8_t version, uint32_t xid);
Result<PacketOut> decode_packet_out(const uint8_t* data, size_t size);

// Message bodies as ofp-print shows them (after the "(xid=..):" header).
std::string format_packet_in_body(const PacketIn& pin, int verbosity,
                                  const PortMap* ports = nullptr);
std::string format_packet_out_body(const PacketOut& po, uint8_t version, int verbosity,
                                   const PortMap* ports = nullptr);

}  // namespace grebe::openflow
