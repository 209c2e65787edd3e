// OpenFlow port numbers as text: reserved names (LOCAL, CONTROLLER, ...),
// numbers, and --names mapping to switch port names.
//
// Ports are OVS's 16-bit ofp_port_t space (OF1.1+ 32-bit numbers are mapped:
// 0xffffff00 + x <-> 0xff00 + x).
// Thread-safety: PortMap is a plain value; functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace grebe::openflow {

struct PortMap {
  std::map<std::string, uint32_t, std::less<>> by_name;
  std::map<uint32_t, std::string> by_number;
  void add(const std::string& name, uint32_t port) {
    by_name[name] = port;
    by_number[port] = name;
  }
};

// Parses a port: number, reserved name (case-insensitive), a mapped name,
// or a "quoted" mapped name.  nullopt if none of those.
std::optional<uint32_t> port_from_string(std::string_view s, const PortMap* map);
// Reserved name, mapped name (quoted when needed) or decimal number.
std::string format_port(uint32_t port, const PortMap* map);
// Reserved name or nullptr.
const char* port_reserved_name(uint32_t port);

// OF1.0 16-bit <-> OF1.1+ 32-bit port number mapping.
uint32_t port_to_ofp11(uint32_t port);
std::optional<uint32_t> port_from_ofp11(uint32_t port32);

}  // namespace grebe::openflow
