// Protocol and version names; see ofp_protocol.h.
#include "grebe/openflow/ofp_protocol.h"

#include <strings.h>

namespace grebe::openflow {
namespace {

struct ProtoName {
  Protocols protocols;
  const char* name;
};
// Abbreviations, tried in this order when formatting a set.
constexpr ProtoName kAbbrevs[] = {
    {kPAny, "any"},
    {kPOf10StdAny, "OpenFlow10"},
    {kPOf10NxmAny, "NXM"},
    {kPAnyOxm, "OXM"},
};
constexpr ProtoName kSingles[] = {
    {kPOf10Std, "OpenFlow10-table_id"}, {kPOf10StdTid, "OpenFlow10+table_id"},
    {kPOf10Nxm, "NXM-table_id"},        {kPOf10NxmTid, "NXM+table_id"},
    {kPOf11Std, "OpenFlow11"},          {kPOf12Oxm, "OXM-OpenFlow12"},
    {kPOf13Oxm, "OXM-OpenFlow13"},      {kPOf14Oxm, "OXM-OpenFlow14"},
    {kPOf15Oxm, "OXM-OpenFlow15"},
};

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !strncasecmp(a.data(), b.data(), a.size());
}

}  // namespace

const char* protocol_to_string(Protocols single) {
  for (const auto& p : kSingles)
    if (p.protocols == single) return p.name;
  for (const auto& p : kAbbrevs)
    if (p.protocols == single) return p.name;
  return nullptr;
}

std::string protocols_to_string(Protocols protocols) {
  protocols &= kPAny;
  if (!protocols) return "none";
  std::string s;
  while (protocols) {
    if (!s.empty()) s += ',';
    bool found = false;
    for (const auto& p : kAbbrevs) {
      if ((protocols & p.protocols) == p.protocols) {
        s += p.name;
        protocols &= ~p.protocols;
        found = true;
        break;
      }
    }
    if (found) continue;
    Protocols bit = protocols & -protocols;
    s += protocol_to_string(bit);
    protocols &= ~bit;
  }
  return s;
}

Result<Protocols> protocols_from_string(std::string_view s) {
  Protocols result = 0;
  std::string_view orig = s;
  while (!s.empty()) {
    size_t n = s.find(',');
    std::string_view tok = s.substr(0, n);
    s = n == std::string_view::npos ? std::string_view() : s.substr(n + 1);
    if (tok.empty()) continue;
    Protocols p = 0;
    for (const auto& x : kSingles)
      if (ieq(tok, x.name)) p = x.protocols;
    for (const auto& x : kAbbrevs)
      if (ieq(tok, x.name)) p = x.protocols;
    // OVS also accepts the plain version names for OXM protocols.
    if (!p) {
      uint8_t v = version_from_string(tok);
      if (v >= kOfp12) p = protocols_from_version_bitmap(1u << v);
    }
    if (!p) return Error(EINVAL, std::string(tok) + ": unknown flow protocol");
    result |= p;
  }
  if (!result) return Error(EINVAL, std::string(orig) + ": no flow protocol specified");
  return result;
}

OfpVersion protocol_to_version(Protocols single) {
  switch (single) {
    case kPOf10Std:
    case kPOf10StdTid:
    case kPOf10Nxm:
    case kPOf10NxmTid:
      return kOfp10;
    case kPOf11Std:
      return kOfp11;
    case kPOf12Oxm:
      return kOfp12;
    case kPOf13Oxm:
      return kOfp13;
    case kPOf14Oxm:
      return kOfp14;
    default:
      return kOfp15;
  }
}

Protocols protocols_from_version_bitmap(uint32_t bitmap) {
  Protocols p = 0;
  if (bitmap & (1u << kOfp10)) p |= kPOf10Any;
  if (bitmap & (1u << kOfp11)) p |= kPOf11Std;
  if (bitmap & (1u << kOfp12)) p |= kPOf12Oxm;
  if (bitmap & (1u << kOfp13)) p |= kPOf13Oxm;
  if (bitmap & (1u << kOfp14)) p |= kPOf14Oxm;
  if (bitmap & (1u << kOfp15)) p |= kPOf15Oxm;
  return p;
}

Protocols protocol_set_tid(Protocols single, bool enable) {
  switch (single) {
    case kPOf10Std:
    case kPOf10StdTid:
      return enable ? kPOf10StdTid : kPOf10Std;
    case kPOf10Nxm:
    case kPOf10NxmTid:
      return enable ? kPOf10NxmTid : kPOf10Nxm;
    default:
      return single;
  }
}

uint8_t version_from_string(std::string_view s) {
  static constexpr const char* kNames[] = {"OpenFlow10", "OpenFlow11", "OpenFlow12",
                                           "OpenFlow13", "OpenFlow14", "OpenFlow15"};
  for (int i = 0; i < 6; ++i)
    if (ieq(s, kNames[i])) return static_cast<uint8_t>(i + 1);
  return 0;
}

Result<uint32_t> versions_from_string(std::string_view s) {
  uint32_t bitmap = 0;
  size_t i = 0;
  auto delim = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
  while (i < s.size()) {
    if (delim(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !delim(s[j])) ++j;
    std::string_view key = s.substr(i, j - i);
    uint8_t v = version_from_string(key);
    if (!v) return Error(EINVAL, "Unknown OpenFlow version: \"" + std::string(key) + "\"");
    bitmap |= 1u << v;
    i = j;
  }
  return bitmap;
}

const char* version_to_string(uint8_t version) {
  switch (version) {
    case kOfp10: return "OpenFlow10";
    case kOfp11: return "OpenFlow11";
    case kOfp12: return "OpenFlow12";
    case kOfp13: return "OpenFlow13";
    case kOfp14: return "OpenFlow14";
    case kOfp15: return "OpenFlow15";
    default: return "Unknown";
  }
}

const char* version_to_short_string(uint8_t version) {
  switch (version) {
    case kOfp10: return "OF1.0";
    case kOfp11: return "OF1.1";
    case kOfp12: return "OF1.2";
    case kOfp13: return "OF1.3";
    case kOfp14: return "OF1.4";
    case kOfp15: return "OF1.5";
    default: return "OF?";
  }
}

}  // namespace grebe::openflow
