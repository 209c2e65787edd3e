// OpenFlow message -> ovs-ofctl ofp-print text; see ofp_print.h.
#include "grebe/openflow/ofp_print.h"

#include <algorithm>

#include "grebe/openflow/bundle.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/stats_print.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

std::string version_suffix(uint8_t version) {
  if (version == kOfp10) return "";
  if (version >= kOfp11 && version <= kOfp15) return strfmt(" (%s)", version_to_short_string(version));
  return strfmt(" (OF 0x%02x)", version);
}

// The message's name as OVS spells it, or nullptr if OVS would not decode
// the header at all.
bool is_stats(const OfpHeader& h) {
  return h.version == kOfp10 ? (h.type == 16 || h.type == 17) : (h.type == 18 || h.type == 19);
}
bool is_stats_reply(const OfpHeader& h) { return h.type == (h.version == kOfp10 ? 17 : 19); }

// "OFPST_PORT_DESC reply" etc.; nullptr for stats this printer lacks.
const char* stats_name(uint16_t stype, bool reply) {
  switch (stype) {
    case 0: return reply ? "OFPST_DESC reply" : "OFPST_DESC request";
    case 1: return reply ? "OFPST_FLOW reply" : "OFPST_FLOW request";
    case 2: return reply ? "OFPST_AGGREGATE reply" : "OFPST_AGGREGATE request";
    case 3: return reply ? "OFPST_TABLE reply" : "OFPST_TABLE request";
    case 4: return reply ? "OFPST_PORT reply" : "OFPST_PORT request";
    case 5: return reply ? "OFPST_QUEUE reply" : "OFPST_QUEUE request";
    case 6: return reply ? "OFPST_GROUP reply" : "OFPST_GROUP request";
    case 7: return reply ? "OFPST_GROUP_DESC reply" : "OFPST_GROUP_DESC request";
    case 8: return reply ? "OFPST_GROUP_FEATURES reply" : "OFPST_GROUP_FEATURES request";
    case 9: return reply ? "OFPST_METER reply" : "OFPST_METER request";
    case 10: return reply ? "OFPST_METER_CONFIG reply" : "OFPST_METER_CONFIG request";
    case 11: return reply ? "OFPST_METER_FEATURES reply" : "OFPST_METER_FEATURES request";
    case 13: return reply ? "OFPST_PORT_DESC reply" : "OFPST_PORT_DESC request";
  }
  return nullptr;
}

const char* message_name(const uint8_t* data, size_t size, const OfpHeader& h) {
  if (is_stats(h)) {
    if (size < 12 || h.length < 12) return nullptr;
    return stats_name(load_be16(data + 8), is_stats_reply(h));
  }
  if (h.type == kOfptVendor && h.length >= 16 && size >= 16 && load_be32(data + 8) == kNxVendorId &&
      load_be32(data + 12) == kNxtFlowMod && h.version == kOfp10)
    return "NXT_FLOW_MOD";
  if (is_bundle_ctrl(data, size))
    return h.version == kOfp13 ? "ONFT_BUNDLE_CONTROL" : "OFPT_BUNDLE_CONTROL";
  if (is_bundle_add(data, size))
    return h.version == kOfp13 ? "ONFT_BUNDLE_ADD_MESSAGE" : "OFPT_BUNDLE_ADD_MESSAGE";
  if (h.type == kOfptVendor) return nullptr;
  return ofp_type_name(h.version, h.type);
}

// Ports as OVS prints a set of them: in port-number order.
std::string format_phy_ports(std::vector<PhyPort> ports) {
  std::stable_sort(ports.begin(), ports.end(),
                   [](const PhyPort& a, const PhyPort& b) { return a.port_no < b.port_no; });
  std::string s;
  for (const PhyPort& p : ports) s += format_phy_port(p);
  return s;
}

// The ports an OpenFlow 1.0-1.2 features reply carries after its 32-byte
// fixed part.
std::string features_ports_text(const uint8_t* data, size_t len, uint8_t version) {
  if (version > kOfp12) return std::string();
  std::vector<PhyPort> ports;
  for (size_t pos = 32; pos < len;) {
    size_t used = 0;
    auto p = decode_phy_port(data + pos, len - pos, version, &used);
    if (!p.ok() || used == 0) break;
    ports.push_back(std::move(*p));
    pos += used;
  }
  return format_phy_ports(std::move(ports));
}

std::string capabilities_text(uint8_t version, uint32_t caps) {
  std::string s;
  for (int bit = 0; bit < 32; ++bit) {
    if (!(caps & (1u << bit))) continue;
    const char* name = nullptr;
    switch (bit) {
      case 0: name = "FLOW_STATS"; break;
      case 1: name = "TABLE_STATS"; break;
      case 2: name = "PORT_STATS"; break;
      case 3: name = version == kOfp10 ? "STP" : "GROUP_STATS"; break;
      case 5: name = "IP_REASM"; break;
      case 6: name = "QUEUE_STATS"; break;
      case 7: name = version <= kOfp12 ? "ARP_MATCH_IP" : nullptr; break;
      case 8: name = version >= kOfp13 ? "PORT_BLOCKED" : nullptr; break;
      case 9: name = version >= kOfp14 ? "BUNDLES" : nullptr; break;
      case 10: name = version >= kOfp14 ? "FLOW_MONITORING" : nullptr; break;
    }
    if (!s.empty()) s += ' ';
    s += name ? name : strfmt("0x%x", 1u << bit);
  }
  return s;
}

std::string of10_actions_text(uint32_t actions) {
  // OVS lists them in its own action order, not bit order.
  static const struct {
    int bit;
    const char* name;
  } kOrder[] = {{0, "output"},      {11, "enqueue"},    {1, "set_vlan_vid"}, {2, "set_vlan_pcp"},
                {3, "strip_vlan"},  {4, "mod_dl_src"},  {5, "mod_dl_dst"},   {6, "mod_nw_src"},
                {7, "mod_nw_dst"},  {8, "mod_nw_tos"},  {9, "mod_tp_src"},   {10, "mod_tp_dst"}};
  std::string s;
  for (const auto& a : kOrder) {
    if (!(actions & (1u << a.bit))) continue;
    if (!s.empty()) s += ' ';
    s += a.name;
  }
  return s;
}

std::string bitmap_text(uint32_t bitmap) {
  std::string s;
  for (int v = 0; v < 32; ++v) {
    if (!(bitmap & (1u << v))) continue;
    if (!s.empty()) s += ", ";
    s += strfmt("0x%02x", v);
  }
  return s;
}

// Multipart (stats) bodies this printer knows.
Result<std::string> stats_body_text(const uint8_t* data, const OfpHeader& h) {
  size_t len = h.length;
  uint16_t stype = load_be16(data + 8), flags = load_be16(data + 10);
  size_t body = h.version == kOfp10 ? 12 : 16;
  if (len < body) return Error(EINVAL, "OFPBRC_BAD_LEN");
  std::string s;
  if (flags) {
    s += " flags=";
    if (flags & 1) s += "[more]";
    if (flags & ~1) s += strfmt("[***unknown flags 0x%04x***]", flags & ~1);
  }
  bool reply = is_stats_reply(h);
  if (stype == 13 && reply) {
    auto ports = decode_port_desc_reply(data, len);
    if (!ports.ok()) return ports.error();
    s += "\n";
    return s + format_phy_ports(*ports);
  }
  if (stype == 0 && reply) {
    if (len < body + 1056) return Error(EINVAL, "OFPBRC_BAD_LEN");
    auto field = [&](size_t off, size_t n) {
      std::string v(reinterpret_cast<const char*>(data + body + off), n);
      return v.substr(0, v.find('\0'));
    };
    return s + "\nManufacturer: " + field(0, 256) + "\nHardware: " + field(256, 256) +
           "\nSoftware: " + field(512, 256) + "\nSerial Num: " + field(768, 32) +
           "\nDP Description: " + field(800, 256) + "\n";
  }
  if (stype == 1 && !reply) {
    auto r = decode_flow_stats_request(data, len);
    if (!r.ok()) return r.error();
    return s + format_flow_stats_request(*r);
  }
  if (stype == 1 && reply) {
    auto fs = decode_flow_stats_reply(data, len);
    if (!fs.ok()) return fs.error();
    for (const FlowStats& f : *fs) s += "\n " + format_flow_stats(f, true, h.version);
    return s;
  }
  if (auto fam = stats_family_text(data, len); fam.ok()) {
    if (fam->has_value()) return s + **fam;
  } else {
    return fam.error();
  }
  if (stype == 13 && !reply) return s + " port=ANY";
  if (stype == 0 && !reply) return s;
  return Error(EINVAL, "OFPBRC_BAD_STAT");
}

// Appends the body text; returns an OFPERR name on decode failure.
Result<std::string> body_text(const uint8_t* data, const OfpHeader& h, int verbosity) {
  size_t len = h.length;
  switch (h.type) {
    case kOfptHello: {
      auto bm = decode_hello(data, len);
      std::string s = "\n version bitmap: ";
      if (bm.ok()) return s + bitmap_text(*bm);
      return s + bitmap_text((1u << (h.version + 1)) - 2) + "\n unknown data in hello:\n" +
             hex_dump(data, len);
    }
    case kOfptError: {
      if (len < 12) return Error(EINVAL, "OFPBRC_BAD_LEN");
      const char* name = ofperr_decode(h.version, load_be16(data + 8), load_be16(data + 10));
      size_t payload = 12;
      if (!name && load_be16(data + 8) == 0xffff && len >= 16) {
        name = ofperr_decode_experimenter(h.version, load_be32(data + 12), load_be16(data + 10));
        payload = 16;
      }
      if (!name) return Error(EINVAL, "OFPBRC_BAD_LEN");
      std::string s = strfmt(" %s\n", name);
      std::string n(name);
      if (n == "OFPHFC_INCOMPATIBLE" || n == "OFPHFC_EPERM") {
        for (size_t i = 12; i < len; ++i)
          if (data[i] >= 32 && data[i] < 127) s += static_cast<char>(data[i]);
        return s;
      }
      return s + ofp_to_string(data + payload, len - payload, 1);
    }
    case kOfptEchoRequest:
    case kOfptEchoReply: {
      std::string s = strfmt(" %zu bytes of payload\n", len - kOfpHeaderLen);
      if (verbosity > 1) s += hex_dump(data + kOfpHeaderLen, len - kOfpHeaderLen);
      return s;
    }
    case kOfptFeaturesReply: {
      auto f = decode_features_reply(data, len);
      if (!f.ok()) return f.error();
      std::string s = strfmt(" dpid:%016llx\n", static_cast<unsigned long long>(f->datapath_id));
      s += strfmt("n_tables:%u, n_buffers:%u", f->n_tables, f->n_buffers);
      if (f->auxiliary_id && h.version >= kOfp13) s += strfmt(", auxiliary_id:%u", f->auxiliary_id);
      s += "\ncapabilities: " + capabilities_text(h.version, f->capabilities) + "\n";
      if (h.version == kOfp10 && f->actions) s += "actions: " + of10_actions_text(f->actions) + "\n";
      return s + features_ports_text(data, len, h.version);
    }
    case kOfptGetConfigReply:
    case kOfptSetConfig: {
      auto c = decode_switch_config(data, len);
      if (!c.ok()) return c.error();
      static const char* kFrags[] = {"normal", "drop", "reassemble", "nx-match"};
      std::string s = strfmt(" frags=%s", kFrags[c->flags & 3]);
      if ((c->flags & 4) && h.version <= kOfp12) s += " invalid_ttl_to_controller";
      return s + strfmt(" miss_send_len=%u\n", c->miss_send_len);
    }
    case kOfptFeaturesRequest:
    case kOfptGetConfigRequest:
      return std::string();
    case kOfptPortStatus: {
      auto ps = decode_port_status(data, len);
      if (!ps.ok()) return ps.error();
      static const char* kReasons[] = {"ADD", "DEL", "MOD"};
      std::string r = ps->reason < 3 ? kReasons[ps->reason] : strfmt("reason %u", ps->reason);
      return " " + r + ":" + format_phy_port(ps->port);
    }
    case kOfptPacketIn: {
      auto pin = decode_packet_in(data, len);
      if (!pin.ok()) return pin.error();
      return format_packet_in_body(*pin, verbosity);
    }
    case kOfptPacketOut: {
      auto po = decode_packet_out(data, len);
      if (!po.ok()) return po.error();
      return format_packet_out_body(*po, h.version, verbosity);
    }
    default:
      break;
  }
  if (h.type == ofpt_barrier_request(h.version) || h.type == ofpt_barrier_reply(h.version))
    return std::string();
  if (is_stats(h)) return stats_body_text(data, h);
  if (is_bundle_ctrl(data, len)) {
    auto bc = decode_bundle_ctrl(data, len);
    if (!bc.ok()) return bc.error();
    return format_bundle_ctrl(*bc);
  }
  if (is_bundle_add(data, len)) {
    auto ba = decode_bundle_add(data, len);
    if (!ba.ok()) return ba.error();
    return format_bundle_add(*ba, verbosity);
  }
  if ((h.type == 24 || h.type == 25) && h.version >= kOfp12) {
    auto r = decode_role(data, len);
    if (!r.ok()) return r.error();
    return format_role(*r);
  }
  if (h.type == 15 && h.version >= kOfp11 && h.version <= kOfp14) {
    auto gm = decode_group_mod(data, len);
    if (!gm.ok()) return gm.error();
    std::string full = format_group_mod_message(*gm, h.version, h.xid);
    return full.substr(full.find("):") + 2);
  }
  if (h.type == 29 && h.version >= kOfp13) {
    auto mm = decode_meter_mod(data, len);
    if (!mm.ok()) return mm.error();
    static const char* kCmds[] = {" ADD ", " MOD ", " DEL "};
    uint16_t c = static_cast<uint16_t>(mm->command);
    return std::string(c < 3 ? kCmds[c] : strfmt(" cmd:%d ", c).c_str()) + format_meter_config(*mm);
  }
  if (h.type == kOfptFlowMod || h.type == kOfptVendor) {
    auto fm = decode_flow_mod(data, len);
    if (!fm.ok()) return fm.error();
    Protocols p = h.type == kOfptVendor ? kPOf10NxmTid
                  : h.version == kOfp10 ? kPOf10StdTid
                                        : protocols_from_version_bitmap(1u << h.version);
    std::string full = format_flow_mod_message(*fm, p, h.xid);
    size_t colon = full.find("):");
    return full.substr(colon + 2);
  }
  return Error(EINVAL, "OFPBRC_BAD_TYPE");
}

}  // namespace

std::string ofp_to_string(const uint8_t* data, size_t size, int verbosity) {
  if (!size) return "OpenFlow message is empty\n";
  if (size < kOfpHeaderLen)
    return strfmt("OpenFlow packet too short (only %zu bytes):\n", size) + hex_dump(data, size);
  OfpHeader h{data[0], data[1], load_be16(data + 2), load_be32(data + 4)};
  const char* name = h.version >= kOfp10 && h.version <= kOfp15 ? message_name(data, size, h) : nullptr;
  std::string head = name ? std::string(name) + version_suffix(h.version) + strfmt(" (xid=0x%x):", h.xid) : "";
  if (h.length > size) {
    std::string s = name ? head + "\n" : "";
    return s + strfmt("(***truncated to %zu bytes from %u***)\n", size, h.length) +
           hex_dump(data, size);
  }
  if (h.length < size)
    return strfmt("(***only uses %u bytes out of %zu***)\n", h.length, size) + hex_dump(data, size);
  std::string s;
  bool error = false;
  // Messages without a body must be exactly a header; OVS rejects them
  // before naming them.
  bool bodyless = h.type == kOfptFeaturesRequest || h.type == kOfptGetConfigRequest ||
                  h.type == ofpt_barrier_request(h.version) ||
                  h.type == ofpt_barrier_reply(h.version);
  if (bodyless && h.length != kOfpHeaderLen) name = nullptr;
  if (!name && bodyless && h.length >= kOfpHeaderLen) {
    s = "***decode error: OFPBRC_BAD_LEN***\n";
    error = true;
  } else if (!name || h.length < kOfpHeaderLen) {
    s = strfmt("***decode error: %s***\n", h.length < kOfpHeaderLen ? "OFPBRC_BAD_LEN" : "OFPBRC_BAD_TYPE");
    error = true;
  } else {
    s = head;
    auto body = body_text(data, h, verbosity);
    if (body.ok()) {
      s += *body;
      while (!s.empty() && s.back() == ' ') s.pop_back();
    } else {
      s += s.size() > head.size() ? "\n" : " ";
      s += "***decode error: " + body.error().message() + "***\n";
      error = true;
    }
  }
  if (verbosity >= 5 || error) {
    if (s.back() != '\n') s += '\n';
    s += hex_dump(data, size);
  }
  if (s.back() != '\n') s += '\n';
  return s;
}

}  // namespace grebe::openflow
