// Port text; see ofp_port.h.
#include "grebe/openflow/ofp_port.h"

#include <strings.h>

#include <cctype>

#include "grebe/openflow/text_util.h"
#include "grebe/packet/flow.h"

namespace grebe::openflow {
namespace {

struct NamedPort {
  const char* name;
  uint32_t port;
};
constexpr NamedPort kNamedPorts[] = {
    {"IN_PORT", kOfppInPort}, {"TABLE", kOfppTable}, {"NORMAL", kOfppNormal},
    {"FLOOD", kOfppFlood},    {"ALL", kOfppAll},     {"CONTROLLER", kOfppController},
    {"LOCAL", kOfppLocal},    {"ANY", kOfppNone},    {"UNSET", kOfppUnset},
    {"NONE", kOfppNone},  // accepted on input only
};

constexpr uint32_t kOfpp11Offset = 0xffff0000;

bool needs_quotes(const std::string& name) {
  if (name.empty() || !isalpha(static_cast<unsigned char>(name[0]))) return true;
  for (char c : name)
    if (!isalnum(static_cast<unsigned char>(c))) return true;
  return false;
}

}  // namespace

const char* port_reserved_name(uint32_t port) {
  for (const auto& p : kNamedPorts)
    if (p.port == port) return p.name;
  return nullptr;
}

std::optional<uint32_t> port_from_string(std::string_view s, const PortMap* map) {
  if (s.empty() || s[0] == '-') return std::nullopt;
  if (auto v = parse_uint(s, 10)) {
    if (*v < 0xffff + 1) return static_cast<uint32_t>(*v);
    if (*v >= 0xffffff00u && *v <= 0xffffffffu) return static_cast<uint32_t>(*v - kOfpp11Offset);
    return std::nullopt;
  }
  for (const auto& p : kNamedPorts)
    if (s.size() == strlen(p.name) && !strncasecmp(s.data(), p.name, s.size())) return p.port;
  if (!map) return std::nullopt;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  auto it = map->by_name.find(s);
  if (it == map->by_name.end()) return std::nullopt;
  return it->second;
}

std::string format_port(uint32_t port, const PortMap* map) {
  if (const char* name = port_reserved_name(port)) return name;
  if (map) {
    auto it = map->by_number.find(port);
    if (it != map->by_number.end())
      return needs_quotes(it->second) ? "\"" + it->second + "\"" : it->second;
  }
  return std::to_string(port);
}

uint32_t port_to_ofp11(uint32_t port) {
  return port < kOfppMax ? port : port + kOfpp11Offset;
}

std::optional<uint32_t> port_from_ofp11(uint32_t port32) {
  if (port32 < kOfppMax) return port32;
  if (port32 >= 0xffffff00u) return port32 - kOfpp11Offset;
  return std::nullopt;
}

}  // namespace grebe::openflow
