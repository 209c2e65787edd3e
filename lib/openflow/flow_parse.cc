// Flow text -> FlowMod, following OVS's parse_ofp_str().
#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

std::string sv(std::string_view s) { return std::string(s); }

struct ProtoKeyword {
  const char* name;
  uint16_t dl_type;
  uint8_t nw_proto;
};
constexpr ProtoKeyword kProtoKeywords[] = {
    {"ip", kEthTypeIp, 0},          {"ipv4", kEthTypeIp, 0},
    {"ip4", kEthTypeIp, 0},         {"arp", kEthTypeArp, 0},
    {"icmp", kEthTypeIp, kIpProtoIcmp}, {"tcp", kEthTypeIp, kIpProtoTcp},
    {"udp", kEthTypeIp, kIpProtoUdp},   {"sctp", kEthTypeIp, kIpProtoSctp},
    {"ipv6", kEthTypeIpv6, 0},      {"ip6", kEthTypeIpv6, 0},
    {"icmp6", kEthTypeIpv6, kIpProtoIcmpv6}, {"tcp6", kEthTypeIpv6, kIpProtoTcp},
    {"udp6", kEthTypeIpv6, kIpProtoUdp},     {"sctp6", kEthTypeIpv6, kIpProtoSctp},
    {"rarp", kEthTypeRarp, 0},      {"mpls", kEthTypeMpls, 0},
    {"mplsm", kEthTypeMplsMcast, 0},
};

// Fields each command accepts, as OVS's F_* bits.
enum : unsigned {
  kFOutPort = 1 << 0,
  kFActions = 1 << 1,
  kFImportance = 1 << 2,
  kFTimeout = 1 << 3,
  kFPriority = 1 << 4,
  kFFlags = 1 << 5,
};

unsigned fields_for(FlowModCommand c) {
  switch (c) {
    case FlowModCommand::kAdd:
      return kFActions | kFTimeout | kFPriority | kFFlags | kFImportance;
    case FlowModCommand::kDelete:
      return kFOutPort;
    case FlowModCommand::kDeleteStrict:
      return kFOutPort | kFPriority;
    default:
      return kFActions | kFTimeout | kFPriority | kFFlags;
  }
}

// Leading "add"/"modify"/... keyword of add-flows style input (prefix match
// on the first token, as OVS does with strncmp).
FlowModCommand command_from_prefix(std::string_view& s) {
  s = trim(s);
  size_t len = s.find_first_of(", \t\r\n");
  if (len == std::string_view::npos) len = s.size();
  std::string_view tok = s.substr(0, len);
  struct Cmd {
    const char* name;
    FlowModCommand cmd;
  };
  static const Cmd kCmds[] = {{"add", FlowModCommand::kAdd},
                              {"delete", FlowModCommand::kDelete},
                              {"delete_strict", FlowModCommand::kDeleteStrict},
                              {"modify", FlowModCommand::kModify},
                              {"modify_strict", FlowModCommand::kModifyStrict}};
  for (const Cmd& c : kCmds) {
    if (!tok.empty() && !strncmp(tok.data(), c.name, tok.size()) && tok.size() <= strlen(c.name)) {
      s.remove_prefix(len);
      return c.cmd;
    }
  }
  return FlowModCommand::kAdd;
}

// "reg0[0..3]=5": sets only the subfield's bits.
Status parse_match_subfield(std::string_view name, std::string_view value, Match& match,
                            Protocols* usable) {
  auto sf = parse_subfield(name);
  if (!sf.ok()) return sf.error();
  const MfField& mf = *sf->field;
  MfValue v{};
  size_t tail = 0;
  if (parse_int_string(value, v.b, mf.n_bytes, &tail) || tail != value.size())
    return Error(EINVAL, sv(value) + ": bad syntax for " + sv(name));
  MfValue cur_v = mf_get_value(mf, match.flow), cur_m = mf_get_mask(mf, match.wc);
  for (int bit = 0; bit < sf->n_bits; ++bit) {
    int src_byte = mf.n_bytes - 1 - bit / 8;
    int dst_bit = bit + sf->ofs;
    int dst_byte = mf.n_bytes - 1 - dst_bit / 8;
    uint8_t dbit = static_cast<uint8_t>(1 << (dst_bit % 8));
    cur_m.b[dst_byte] |= dbit;
    if (v.b[src_byte] & (1 << (bit % 8))) {
      cur_v.b[dst_byte] |= dbit;
    } else {
      cur_v.b[dst_byte] &= static_cast<uint8_t>(~dbit);
    }
  }
  *usable &= mf_set(mf, cur_v, cur_m, match);
  return ok_status();
}

Status parse_field(const MfField& mf, std::string_view value, const PortMap* ports, Match& match,
                   Protocols* usable) {
  // An empty value matches on the field's existence: no-op "0/0".
  auto vm = mf_parse(mf, value.empty() ? std::string_view("0/0") : value, ports);
  if (!vm.ok()) return vm.error();
  *usable &= mf_set(mf, vm->value, vm->mask, match);
  mf_add_ethernet_prereq(mf, match);
  return ok_status();
}

// Handles the non-field keywords: table, priority, timeouts, cookie, ...
Status parse_keyword(std::string_view name, std::string_view value, unsigned fields,
                     FlowMod& fm, Protocols* usable, const PortMap* ports) {
  if (value.empty()) return Error(EINVAL, "field " + sv(name) + " missing value");
  if (name == "table") {
    auto t = parse_uint(value, 10);
    if (!t || *t > 255) return Error(EINVAL, "unknown table \"" + sv(value) + "\"");
    fm.table_id = static_cast<uint8_t>(*t);
    if (fm.table_id != 0xff) *usable &= kPTid;
  } else if ((fields & kFOutPort) && name == "out_port") {
    auto p = port_from_string(value, ports);
    if (!p) return Error(EINVAL, sv(value) + " is not a valid OpenFlow port");
    fm.out_port = *p;
  } else if ((fields & kFOutPort) && name == "out_group") {
    *usable &= kPOf11Up;
    auto g = str_to_u32(value);
    if (!g.ok()) return Error(EINVAL, sv(value) + " is not a valid OpenFlow group");
    fm.out_group = *g;
  } else if ((fields & kFPriority) && name == "priority") {
    auto v = str_to_u16(value, "priority");
    if (!v.ok()) return v.error();
    fm.priority = *v;
  } else if ((fields & kFTimeout) && (name == "idle_timeout" || name == "hard_timeout")) {
    auto v = str_to_u16(value, sv(name).c_str());
    if (!v.ok()) return v.error();
    (name == "idle_timeout" ? fm.idle_timeout : fm.hard_timeout) = *v;
  } else if ((fields & kFImportance) && name == "importance") {
    auto v = str_to_u16(value, "importance");
    if (!v.ok()) return v.error();
    fm.importance = *v;
  } else if (name == "cookie") {
    size_t slash = value.find('/');
    if (slash != std::string_view::npos) {
      if (fm.command == FlowModCommand::kAdd)
        return Error(EINVAL, "flow additions cannot use a cookie mask");
      auto c = str_to_u64(value.substr(0, slash));
      if (!c.ok()) return c.error();
      fm.cookie = *c;
      // "-1" is an accepted spelling of an all-ones mask.
      std::string_view m = value.substr(slash + 1);
      auto mask = m == "-1" ? Result<uint64_t>(~0ull) : str_to_u64(m);
      if (!mask.ok()) return mask.error();
      fm.cookie_mask = *mask;
      if (fm.cookie_mask) *usable &= kPNxmOf11Up;
    } else {
      if (fm.command != FlowModCommand::kAdd && fm.command != FlowModCommand::kModify &&
          fm.command != FlowModCommand::kModifyStrict)
        return Error(EINVAL, "cannot set cookie (to match on a cookie, specify a mask, e.g. "
                             "cookie=" + sv(value) + "/-1)");
      auto c = str_to_u64(value);
      if (!c.ok()) return c.error();
      fm.new_cookie = *c;
      fm.modify_cookie = true;
    }
  } else if (name == "duration" || name == "n_packets" || name == "n_bytes" ||
             name == "idle_age" || name == "hard_age") {
    // Output of dump-flows fed back in: ignored.
  } else {
    return Error(EINVAL, "unknown keyword " + sv(name));
  }
  return ok_status();
}

Status parse_match_items(std::string_view s, unsigned fields, FlowMod& fm, Protocols* usable,
                         const PortMap* ports) {
  std::string_view rest = s, name, value;
  while (parse_key_value(rest, name, value)) {
    const ProtoKeyword* proto = nullptr;
    for (const auto& p : kProtoKeywords)
      if (name == p.name) proto = &p;
    if (proto) {
      fm.match.set_dl_type(proto->dl_type);
      if (proto->nw_proto) fm.match.set_nw_proto(proto->nw_proto);
      fm.match.set_packet_type(kPacketTypeEthernet);
    } else if (name == "eth") {
      fm.match.set_packet_type(kPacketTypeEthernet);
    } else if ((fields & kFFlags) && name == "send_flow_rem") {
      fm.flags |= kFfSendFlowRem;
    } else if ((fields & kFFlags) && name == "check_overlap") {
      fm.flags |= kFfCheckOverlap;
    } else if ((fields & kFFlags) && name == "reset_counts") {
      fm.flags |= kFfResetCounts;
      *usable &= kPOf12Up;
    } else if ((fields & kFFlags) && name == "no_packet_counts") {
      fm.flags |= kFfNoPktCounts;
      *usable &= kPOf13Up;
    } else if ((fields & kFFlags) && name == "no_byte_counts") {
      fm.flags |= kFfNoBytCounts;
      *usable &= kPOf13Up;
    } else if (name == "no_readonly_table" || name == "allow_hidden_fields") {
      // Accepted and ignored, as OVS does.
    } else if (const MfField* mf = mf_from_name(name)) {
      GREBE_TRY(parse_field(*mf, value, ports, fm.match, usable));
    } else if (name.find('[') != std::string_view::npos) {
      GREBE_TRY(parse_match_subfield(name, value, fm.match, usable));
    } else {
      GREBE_TRY(parse_keyword(name, value, fields, fm, usable, ports));
    }
  }
  return ok_status();
}

}  // namespace

Result<ParsedFlowMod> parse_flow_mod(std::string_view s, FlowModCommand command,
                                     const PortMap* ports, bool command_from_text) {
  ParsedFlowMod r;
  FlowMod& fm = r.fm;
  if (command_from_text) command = command_from_prefix(s);
  fm.command = command;
  unsigned fields = fields_for(command);
  if (command == FlowModCommand::kModify || command == FlowModCommand::kModifyStrict)
    fm.new_cookie = ~0ull;

  std::string_view match_part = s, act_str;
  if (fields & kFActions) {
    size_t a = s.find("action");
    if (a == std::string_view::npos) return Error(EINVAL, "must specify an action");
    size_t eq = s.find('=', a);
    if (eq == std::string_view::npos) return Error(EINVAL, "must specify an action");
    match_part = s.substr(0, a);
    act_str = s.substr(eq + 1);
  }
  GREBE_TRY(parse_match_items(match_part, fields, fm, &r.usable, ports));

  const Flow& f = fm.match.flow;
  const Flow& m = fm.match.wc.masks;
  if (f.dl_type == kEthTypeIpv6 && (m.nw_proto || m.nw_tos || m.tp_src || m.tp_dst))
    r.usable &= kPNxmOxmAny;  // only NXM/OXM match L3/L4 inside IPv6
  if (!fm.cookie_mask && fm.new_cookie == ~0ull &&
      (command == FlowModCommand::kModify || command == FlowModCommand::kModifyStrict))
    fm.new_cookie = 0;

  if (fields & kFActions) {
    ActionParseCtx ctx{ports, &fm.actions, nullptr, true};
    Protocols action_usable = kPAny;
    ctx.usable = &action_usable;
    GREBE_TRY(parse_action_list(act_str, ctx));
    r.usable &= action_usable;
    Protocols check_usable = kPAny;
    auto st = check_actions(fm.actions, fm.match, &check_usable);
    if (!st.ok())
      return Error(EINVAL, "actions are invalid with specified match (" + st.error().message() + ")");
    r.usable &= check_usable;
    if (!r.usable)
      return Error(EINVAL, "actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)");
  }
  return r;
}

}  // namespace grebe::openflow
