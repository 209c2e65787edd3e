// Switch ports on the wire: ofp_phy_port (OF1.0), ofp11_port (OF1.1-1.3),
// ofp14_port with the Ethernet property (OF1.4+); port-status messages and
// port-description multipart replies.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grebe/packet/headers.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

// OVS's ofputil feature bits (netdev_features): speeds, media, autoneg.
enum : uint32_t {
  kPf10MbHd = 1 << 0, kPf10MbFd = 1 << 1, kPf100MbHd = 1 << 2, kPf100MbFd = 1 << 3,
  kPf1GbHd = 1 << 4, kPf1GbFd = 1 << 5, kPf10GbFd = 1 << 6, kPf40GbFd = 1 << 7,
  kPf100GbFd = 1 << 8, kPf1TbFd = 1 << 9, kPfOther = 1 << 10, kPfCopper = 1 << 11,
  kPfFiber = 1 << 12, kPfAutoneg = 1 << 13, kPfPause = 1 << 14, kPfPauseAsym = 1 << 15,
};
// Port config / state bits (OFPPC_*, OFPPS_*; STP state in bits 8-9).
enum : uint32_t {
  kPcPortDown = 1 << 0, kPcNoStp = 1 << 1, kPcNoRecv = 1 << 2, kPcNoRecvStp = 1 << 3,
  kPcNoFlood = 1 << 4, kPcNoFwd = 1 << 5, kPcNoPacketIn = 1 << 6,
  kPsLinkDown = 1 << 0, kPsBlocked = 1 << 1, kPsLive = 1 << 2, kPsStpMask = 3 << 8,
};

struct PhyPort {
  uint32_t port_no = 0;  // ofp_port_t space
  EthAddr hw_addr{};
  std::string name;
  uint32_t config = 0;
  uint32_t state = 0;
  uint32_t curr = 0, advertised = 0, supported = 0, peer = 0;  // kPf* bits
  uint32_t curr_speed = 0, max_speed = 0;                      // kbps
};

// Appends the port in `version`'s layout.
void encode_phy_port(std::vector<uint8_t>& out, const PhyPort& port, uint8_t version);
// Parses one port at p (bounded by len); sets *used to its size.
Result<PhyPort> decode_phy_port(const uint8_t* p, size_t len, uint8_t version, size_t* used);
// " 1(eth0): addr:..\n     config: ...\n ..." as ofputil_phy_port_format.
std::string format_phy_port(const PhyPort& port);

enum PortReason : uint8_t { kPortAdd = 0, kPortDelete = 1, kPortModify = 2 };
std::vector<uint8_t> encode_port_status(uint8_t reason, const PhyPort& port, uint8_t version,
                                        uint32_t xid);
struct PortStatus {
  uint8_t reason = 0;
  PhyPort port;
};
Result<PortStatus> decode_port_status(const uint8_t* data, size_t size);

// OFPMP_PORT_DESC reply (OF1.0 uses the OVS stats extension type 13).
std::vector<uint8_t> encode_port_desc_reply(const std::vector<PhyPort>& ports, uint8_t version,
                                            uint32_t xid);
Result<std::vector<PhyPort>> decode_port_desc_reply(const uint8_t* data, size_t size);

}  // namespace grebe::openflow
