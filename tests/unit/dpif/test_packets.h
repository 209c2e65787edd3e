// Packets built byte by byte for the dpif tests, and checksum checkers
// that use lib/packet's csum helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace grebe::dpif::test {

using Frame = std::vector<uint8_t>;

// Ethernet (dst 50:54:00:00:00:02, src 50:54:00:00:00:01) + IPv4
// 10.0.0.1 -> 10.0.0.2 (ttl 64, tos 0) + L4 with valid checksums.
Frame tcp4(uint16_t sport, uint16_t dport, size_t payload = 16);
Frame udp4(uint16_t sport, uint16_t dport, size_t payload = 16);
Frame icmp4(uint8_t type, uint8_t code);
Frame sctp4(uint16_t sport, uint16_t dport);
// IPv6 fe80::1 -> fe80::2 + UDP.
Frame udp6(uint16_t sport, uint16_t dport);
// ARP request 10.0.0.1 asks for 10.0.0.2.
Frame arp_request();
// ICMPv6 neighbour solicitation for fe80::2 with a source LLA option.
Frame nd_solicit();

// Checksum validity of a frame's headers (true when absent).
bool ipv4_csum_ok(const Frame& f);
bool l4_csum_ok(const Frame& f);  // TCP/UDP/ICMP/ICMPv6/SCTP over IPv4 or IPv6

}  // namespace grebe::dpif::test
