// actions= text -> ActionList, following ovs-actions(7) and OVS's parser
// (same keywords, same defaults, same error text).
#include <strings.h>

#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

using Parser = Status (*)(std::string_view arg, ActionParseCtx& ctx);

std::string sv(std::string_view s) { return std::string(s); }

Status parse_output(std::string_view arg, ActionParseCtx& ctx) {
  if (arg.find("port") != std::string_view::npos && arg.find("max_len") != std::string_view::npos) {
    ActOutputTrunc t;
    std::string_view rest = arg, key, value;
    while (parse_key_value(rest, key, value)) {
      if (key == "port") {
        auto p = port_from_string(value, ctx.ports);
        if (!p) return Error(EINVAL, sv(value) + ": output to unknown port");
        t.port = *p;
      } else if (key == "max_len") {
        auto v = parse_uint(value);
        if (!v || *v > 0xffffffffu) return Error(EINVAL, "invalid numeric format " + sv(value));
        t.max_len = static_cast<uint32_t>(*v);
      } else {
        return Error(EINVAL, sv(key) + ": unknown parameter");
      }
    }
    ctx.out->push_back(t);
    return ok_status();
  }
  if (auto port = port_from_string(arg, ctx.ports)) {
    ctx.out->push_back(
        ActOutput{*port, static_cast<uint16_t>(*port == kOfppController ? 0xffff : 0)});
    return ok_status();
  }
  auto sf = parse_subfield(arg);
  if (sf.ok()) {
    ctx.out->push_back(ActOutputReg{*sf, 0xffff});
    return ok_status();
  }
  return Error(EINVAL, sv(arg) + ": output to unknown port");
}

Status parse_group(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u32(arg);
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActGroup{*v});
  return ok_status();
}

const char* kReasons[] = {"no_match", "action", "invalid_ttl", "action_set", "group",
                          "packet_out"};

Status parse_controller(std::string_view arg, ActionParseCtx& ctx) {
  ActController c;
  bool has_userdata = false;
  if (arg.empty()) {
  } else if (arg.find_first_not_of("0123456789") == std::string_view::npos) {
    auto v = str_to_u16(arg, "max_len");
    if (!v.ok()) return v.error();
    c.max_len = *v;
  } else {
    std::string_view rest = arg, key, value;
    while (parse_key_value(rest, key, value)) {
      if (key == "reason") {
        int found = -1;
        for (int i = 0; i < 6; ++i)
          if (value == kReasons[i]) found = i;
        if (found < 0) return Error(EINVAL, "unknown reason \"" + sv(value) + "\"");
        c.reason = static_cast<uint8_t>(found);
      } else if (key == "max_len") {
        auto v = str_to_u16(value, "max_len");
        if (!v.ok()) return v.error();
        c.max_len = *v;
      } else if (key == "id") {
        auto v = str_to_u16(value, "id");
        if (!v.ok()) return v.error();
        c.controller_id = *v;
      } else if (key == "userdata") {
        auto bytes = parse_hex_bytes(value);
        if (!bytes) return Error(EINVAL, "bad hex digit in `controller' action `userdata'");
        c.userdata = *bytes;
        has_userdata = true;
      } else if (key == "pause") {
        c.pause = true;
      } else if (key == "meter_id") {
        auto v = str_to_u32(value);
        if (!v.ok()) return v.error();
        c.meter_id = *v;
      } else {
        return Error(EINVAL, "unknown key \"" + sv(key) + "\" parsing controller action");
      }
    }
  }
  if (c.reason == 1 && !c.controller_id && !has_userdata && !c.pause && c.meter_id == 0xffffffff) {
    ctx.out->push_back(ActOutput{kOfppController, c.max_len});
  } else {
    c.simple = false;
    ctx.out->push_back(c);
  }
  return ok_status();
}

Status parse_enqueue(std::string_view arg, ActionParseCtx& ctx) {
  size_t sep = arg.find_first_of(":q,");
  std::string_view port_s = arg.substr(0, sep);
  if (sep == std::string_view::npos || port_s.empty() || sep + 1 >= arg.size())
    return Error(EINVAL,
                 "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"");
  auto port = port_from_string(port_s, ctx.ports);
  if (!port) return Error(EINVAL, sv(port_s) + ": enqueue to unknown port");
  auto q = str_to_u32(arg.substr(sep + 1));
  if (!q.ok()) return q.error();
  ctx.out->push_back(ActEnqueue{*port, *q});
  return ok_status();
}

Status parse_vlan_vid_common(std::string_view arg, bool push, ActionParseCtx& ctx) {
  auto v = str_to_u16(arg, "VLAN VID");
  if (!v.ok()) return v.error();
  if (*v & ~kVlanVidMask) return Error(EINVAL, sv(arg) + ": not a valid VLAN VID");
  ctx.out->push_back(ActSetVlanVid{*v, push});
  return ok_status();
}
Status parse_set_vlan_vid(std::string_view a, ActionParseCtx& c) {
  return parse_vlan_vid_common(a, false, c);
}
Status parse_mod_vlan_vid(std::string_view a, ActionParseCtx& c) {
  return parse_vlan_vid_common(a, true, c);
}

Status parse_vlan_pcp_common(std::string_view arg, bool push, ActionParseCtx& ctx) {
  auto v = str_to_u8(arg, "VLAN PCP");
  if (!v.ok()) return v.error();
  if (*v & ~7) return Error(EINVAL, sv(arg) + ": not a valid VLAN PCP");
  ctx.out->push_back(ActSetVlanPcp{*v, push});
  return ok_status();
}
Status parse_set_vlan_pcp(std::string_view a, ActionParseCtx& c) {
  return parse_vlan_pcp_common(a, false, c);
}
Status parse_mod_vlan_pcp(std::string_view a, ActionParseCtx& c) {
  return parse_vlan_pcp_common(a, true, c);
}

Status parse_strip_vlan(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActStripVlan{false});
  return ok_status();
}
Status parse_pop_vlan(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActStripVlan{true});
  return ok_status();
}

Status parse_push_vlan(std::string_view arg, ActionParseCtx& ctx) {
  *ctx.usable &= kPOf11Up;
  auto v = str_to_u16(arg, "ethertype");
  if (!v.ok()) return v.error();
  if (*v != kEthTypeVlan8021Q && *v != kEthTypeVlan8021AD)
    return Error(EINVAL, sv(arg) + ": not a valid VLAN ethertype");
  ctx.out->push_back(ActPushVlan{*v});
  return ok_status();
}

Status parse_mac_action(std::string_view arg, ActionParseCtx& ctx, bool src) {
  auto mac = parse_eth(arg);
  if (!mac) return Error(EINVAL, "invalid mac address " + sv(arg));
  if (src) {
    ctx.out->push_back(ActSetEthSrc{*mac});
  } else {
    ctx.out->push_back(ActSetEthDst{*mac});
  }
  return ok_status();
}
Status parse_mod_dl_src(std::string_view a, ActionParseCtx& c) { return parse_mac_action(a, c, true); }
Status parse_mod_dl_dst(std::string_view a, ActionParseCtx& c) { return parse_mac_action(a, c, false); }

Status parse_ip_action(std::string_view arg, ActionParseCtx& ctx, bool src) {
  auto ip = parse_ip4(arg);
  if (!ip) return Error(EINVAL, sv(arg) + ": invalid IP address");
  if (src) {
    ctx.out->push_back(ActSetIpv4Src{*ip});
  } else {
    ctx.out->push_back(ActSetIpv4Dst{*ip});
  }
  return ok_status();
}
Status parse_mod_nw_src(std::string_view a, ActionParseCtx& c) { return parse_ip_action(a, c, true); }
Status parse_mod_nw_dst(std::string_view a, ActionParseCtx& c) { return parse_ip_action(a, c, false); }

Status parse_mod_nw_tos(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u8(arg, "TOS");
  if (!v.ok()) return v.error();
  if (*v & ~0xfc) return Error(EINVAL, sv(arg) + ": not a valid TOS");
  ctx.out->push_back(ActSetIpDscp{*v});
  return ok_status();
}

Status parse_mod_nw_ecn(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u8(arg, "ECN");
  if (!v.ok()) return v.error();
  if (*v & ~3) return Error(EINVAL, sv(arg) + ": not a valid ECN");
  ctx.out->push_back(ActSetIpEcn{*v});
  return ok_status();
}

Status parse_mod_nw_ttl(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u8(arg, "TTL");
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetIpTtl{*v});
  return ok_status();
}

Status parse_mod_tp_src(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u16(arg, "source port");
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetL4SrcPort{*v});
  return ok_status();
}

Status parse_mod_tp_dst(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u16(arg, "destination port");
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetL4DstPort{*v});
  return ok_status();
}

Status parse_move(std::string_view arg, ActionParseCtx& ctx) {
  auto mv = parse_reg_move(arg);
  if (!mv.ok()) return mv.error();
  ctx.out->push_back(*mv);
  return ok_status();
}

Status parse_dec_ttl(std::string_view arg, ActionParseCtx& ctx) {
  ActDecTtl d;
  if (!arg.empty()) {
    d.explicit_ids = true;
    std::string_view rest = arg;
    while (!rest.empty()) {
      size_t n = rest.find_first_of(", ");
      std::string_view tok = rest.substr(0, n);
      rest = n == std::string_view::npos ? std::string_view() : rest.substr(n + 1);
      if (tok.empty()) continue;
      d.controller_ids.push_back(static_cast<uint16_t>(atoi(sv(tok).c_str())));
    }
    if (d.controller_ids.empty())
      return Error(EINVAL, "dec_ttl_cnt_ids: expected at least one controller id.");
  }
  ctx.out->push_back(d);
  return ok_status();
}

Status parse_set_mpls_label(std::string_view arg, ActionParseCtx& ctx) {
  if (arg.empty()) return Error(EINVAL, "set_mpls_label: expected label.");
  auto v = str_to_u32(arg);
  if (!v.ok()) return v.error();
  if (*v & ~0xfffffu) return Error(EINVAL, sv(arg) + ": not a valid MPLS label");
  ctx.out->push_back(ActSetMplsLabel{*v});
  return ok_status();
}

Status parse_set_mpls_tc(std::string_view arg, ActionParseCtx& ctx) {
  if (arg.empty()) return Error(EINVAL, "set_mpls_tc: expected tc.");
  auto v = str_to_u8(arg, "MPLS TC");
  if (!v.ok()) return v.error();
  if (*v & ~7) return Error(EINVAL, sv(arg) + ": not a valid MPLS TC");
  ctx.out->push_back(ActSetMplsTc{*v});
  return ok_status();
}

Status parse_set_mpls_ttl(std::string_view arg, ActionParseCtx& ctx) {
  if (arg.empty()) return Error(EINVAL, "set_mpls_ttl: expected ttl.");
  auto v = str_to_u8(arg, "MPLS TTL");
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetMplsTtl{*v});
  return ok_status();
}

Status parse_dec_mpls_ttl(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActDecMplsTtl{});
  return ok_status();
}

Status parse_push_mpls(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u16(arg, "push_mpls");
  if (!v.ok()) return v.error();
  if (*v != kEthTypeMpls && *v != kEthTypeMplsMcast)
    return Error(EINVAL, sv(arg) + ": not a valid MPLS ethertype");
  ctx.out->push_back(ActPushMpls{*v});
  return ok_status();
}

Status parse_pop_mpls(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u16(arg, "pop_mpls");
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActPopMpls{*v});
  return ok_status();
}

Status parse_set_tunnel_common(std::string_view arg, bool is64, ActionParseCtx& ctx) {
  auto v = str_to_u64(arg);
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetTunnel{*v, is64 || *v > 0xffffffffu});
  return ok_status();
}
Status parse_set_tunnel(std::string_view a, ActionParseCtx& c) {
  return parse_set_tunnel_common(a, false, c);
}
Status parse_set_tunnel64(std::string_view a, ActionParseCtx& c) {
  return parse_set_tunnel_common(a, true, c);
}

Status parse_set_queue(std::string_view arg, ActionParseCtx& ctx) {
  auto v = str_to_u32(arg);
  if (!v.ok()) return v.error();
  ctx.out->push_back(ActSetQueue{*v});
  return ok_status();
}

Status parse_pop_queue(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActPopQueue{});
  return ok_status();
}

Status parse_fin_timeout(std::string_view arg, ActionParseCtx& ctx) {
  ActFinTimeout f;
  std::string_view rest = arg, key, value;
  while (parse_key_value(rest, key, value)) {
    if (key == "idle_timeout") {
      auto v = str_to_u16(value, "idle_timeout");
      if (!v.ok()) return v.error();
      f.idle = *v;
    } else if (key == "hard_timeout") {
      auto v = str_to_u16(value, "hard_timeout");
      if (!v.ok()) return v.error();
      f.hard = *v;
    } else {
      return Error(EINVAL, "invalid key '" + sv(key) + "' in 'fin_timeout' argument");
    }
  }
  ctx.out->push_back(f);
  return ok_status();
}

Status parse_resubmit(std::string_view arg, ActionParseCtx& ctx) {
  ActResubmit r;
  if (arg.find(',') == std::string_view::npos) {
    // resubmit:PORT
    auto p = port_from_string(arg, ctx.ports);
    if (!p) return Error(EINVAL, sv(arg) + ": resubmit to unknown port");
    r.in_port = *p;
    ctx.out->push_back(r);
    return ok_status();
  }
  std::string_view parts[3];
  int n = 0;
  std::string_view rest = arg;
  while (n < 3) {
    size_t c = rest.find(',');
    parts[n++] = rest.substr(0, c);
    if (c == std::string_view::npos) break;
    rest = rest.substr(c + 1);
  }
  if (!parts[0].empty()) {
    auto p = port_from_string(parts[0], ctx.ports);
    if (!p) return Error(EINVAL, sv(parts[0]) + ": resubmit to unknown port");
    r.in_port = *p;
  }
  if (n > 1 && !parts[1].empty()) {
    auto t = parse_uint(parts[1], 10);
    if (!t || *t > 255) return Error(EINVAL, sv(parts[1]) + ": resubmit to unknown table");
    r.table_id = static_cast<uint8_t>(*t);
  }
  if (n > 2 && !parts[2].empty()) {
    if (parts[2] != "ct") return Error(EINVAL, sv(parts[2]) + ": unknown parameter");
    r.with_ct_orig = true;
  }
  if (r.in_port == kOfppInPort && r.table_id == 255)
    return Error(EINVAL, "at least one \"in_port\" or \"table\" must be specified on resubmit");
  ctx.out->push_back(r);
  return ok_status();
}

Status parse_conjunction(std::string_view arg, ActionParseCtx& ctx) {
  std::string s(arg);
  unsigned id = 0, clause = 0, n_clauses = 0;
  int consumed = 0;
  const char* kSyntax = "\"conjunction\" syntax is \"conjunction(id,i/n)\"";
  if (sscanf(s.c_str(), "%u , %u / %u %n", &id, &clause, &n_clauses, &consumed) != 3 ||
      consumed != static_cast<int>(s.size()) || clause > 255 || n_clauses > 255)
    return Error(EINVAL, kSyntax);
  if (n_clauses < 2) return Error(EINVAL, "conjunction must have at least 2 clauses");
  if (n_clauses > 64) return Error(EINVAL, "conjunction must have at most 64 clauses");
  if (clause < 1) return Error(EINVAL, "clause index must be positive");
  if (clause > n_clauses)
    return Error(EINVAL, "clause index must be less than or equal to number of clauses");
  ctx.out->push_back(ActConjunction{id, static_cast<uint8_t>(clause - 1),
                                    static_cast<uint8_t>(n_clauses)});
  return ok_status();
}

Status parse_note(std::string_view arg, ActionParseCtx& ctx) {
  auto bytes = parse_hex_bytes(arg);
  if (!bytes) return Error(EINVAL, "bad hex digit in `note' argument");
  ctx.out->push_back(ActNote{*bytes});
  return ok_status();
}

Status parse_exit(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActExit{});
  return ok_status();
}

Status parse_ct_clear(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(ActCtClear{});
  return ok_status();
}

Status parse_check_pkt_larger(std::string_view arg, ActionParseCtx& ctx) {
  // The key-value splitter hands us "LEN)->DST".
  size_t close = arg.find(")->");
  if (close == std::string_view::npos)
    return Error(EINVAL, sv(arg) + ": invalid check_pkt_larger argument");
  auto len = str_to_u16(arg.substr(0, close), "pkt_len");
  if (!len.ok()) return len.error();
  auto dst = parse_subfield(arg.substr(close + 3));
  if (!dst.ok()) return dst.error();
  if (dst->n_bits != 1)
    return Error(EINVAL, "Only 1-bit destination field is allowed");
  ctx.out->push_back(ActCheckPktLarger{*len, *dst});
  return ok_status();
}

Status parse_meter(std::string_view arg, ActionParseCtx& ctx) {
  *ctx.usable &= kPOf13Up;
  auto v = str_to_u32(arg);
  if (!v.ok()) return v.error();
  if (!ctx.allow_instructions) *ctx.usable &= kPOf15Up;
  ctx.out->push_back(InstMeter{*v});
  return ok_status();
}

Status parse_clear_actions(std::string_view, ActionParseCtx& ctx) {
  ctx.out->push_back(InstClearActions{});
  return ok_status();
}

Status parse_write_actions(std::string_view arg, ActionParseCtx& ctx) {
  InstWriteActions w;
  Protocols sub_usable = kPAny;
  ActionParseCtx sub{ctx.ports, &w.actions, &sub_usable, false};
  GREBE_TRY(parse_action_list(arg, sub));
  ctx.out->push_back(std::move(w));
  return ok_status();
}

Status parse_write_metadata(std::string_view arg, ActionParseCtx& ctx) {
  *ctx.usable &= kPNxmOf11Up;
  InstWriteMetadata m;
  size_t slash = arg.find('/');
  auto v = str_to_u64(arg.substr(0, slash));
  if (!v.ok()) return v.error();
  m.metadata = *v;
  if (slash != std::string_view::npos) {
    auto mk = str_to_u64(arg.substr(slash + 1));
    if (!mk.ok()) return mk.error();
    m.mask = *mk;
  }
  ctx.out->push_back(m);
  return ok_status();
}

Status parse_goto_table(std::string_view arg, ActionParseCtx& ctx) {
  auto t = parse_uint(arg, 10);
  if (!t || *t > 254) return Error(EINVAL, "unknown table \"" + sv(arg) + "\"");
  ctx.out->push_back(InstGotoTable{static_cast<uint8_t>(*t)});
  return ok_status();
}

Status parse_clone(std::string_view arg, ActionParseCtx& ctx) {
  ActClone c;
  ActionParseCtx sub{ctx.ports, &c.actions, ctx.usable, false};
  GREBE_TRY(parse_action_list(arg, sub));
  ctx.out->push_back(std::move(c));
  return ok_status();
}

struct NamedParser {
  const char* name;
  Parser parse;
};

// Keyword -> parser.  Matched case-insensitively, as OVS does.
constexpr NamedParser kParsers[] = {
    {"output", parse_output},
    {"group", parse_group},
    {"controller", parse_controller},
    {"enqueue", parse_enqueue},
    {"bundle", parse_bundle},
    {"bundle_load", parse_bundle_load},
    {"set_vlan_vid", parse_set_vlan_vid},
    {"mod_vlan_vid", parse_mod_vlan_vid},
    {"set_vlan_pcp", parse_set_vlan_pcp},
    {"mod_vlan_pcp", parse_mod_vlan_pcp},
    {"strip_vlan", parse_strip_vlan},
    {"pop_vlan", parse_pop_vlan},
    {"push_vlan", parse_push_vlan},
    {"mod_dl_src", parse_mod_dl_src},
    {"mod_dl_dst", parse_mod_dl_dst},
    {"mod_nw_src", parse_mod_nw_src},
    {"mod_nw_dst", parse_mod_nw_dst},
    {"mod_nw_tos", parse_mod_nw_tos},
    {"mod_nw_ecn", parse_mod_nw_ecn},
    {"mod_nw_ttl", parse_mod_nw_ttl},
    {"set_nw_ttl", parse_mod_nw_ttl},
    {"mod_tp_src", parse_mod_tp_src},
    {"mod_tp_dst", parse_mod_tp_dst},
    {"set_field", parse_set_field},
    {"load", parse_load},
    {"move", parse_move},
    {"dec_ttl", parse_dec_ttl},
    {"set_mpls_label", parse_set_mpls_label},
    {"set_mpls_tc", parse_set_mpls_tc},
    {"set_mpls_ttl", parse_set_mpls_ttl},
    {"dec_mpls_ttl", parse_dec_mpls_ttl},
    {"push_mpls", parse_push_mpls},
    {"pop_mpls", parse_pop_mpls},
    {"set_tunnel", parse_set_tunnel},
    {"set_tunnel64", parse_set_tunnel64},
    {"set_queue", parse_set_queue},
    {"pop_queue", parse_pop_queue},
    {"fin_timeout", parse_fin_timeout},
    {"resubmit", parse_resubmit},
    {"learn", parse_learn},
    {"conjunction", parse_conjunction},
    {"multipath", parse_multipath},
    {"note", parse_note},
    {"exit", parse_exit},
    {"sample", parse_sample},
    {"ct", parse_ct},
    {"ct_clear", parse_ct_clear},
    {"clone", parse_clone},
    {"check_pkt_larger", parse_check_pkt_larger},
    {"meter", parse_meter},
    {"clear_actions", parse_clear_actions},
    {"write_actions", parse_write_actions},
    {"write_metadata", parse_write_metadata},
    {"goto_table", parse_goto_table},
};

}  // namespace

Status parse_action_list(std::string_view s, ActionParseCtx& ctx) {
  bool drop = false;
  std::string_view rest = s, key, value;
  while (parse_key_value(rest, key, value)) {
    const NamedParser* found = nullptr;
    for (const auto& p : kParsers) {
      if (key.size() == strlen(p.name) && !strncasecmp(key.data(), p.name, key.size())) {
        found = &p;
        break;
      }
    }
    if (found) {
      GREBE_TRY(found->parse(value, ctx));
    } else if (key.size() == 4 && !strncasecmp(key.data(), "drop", 4)) {
      drop = true;
    } else if (key == "apply_actions") {
      return Error(EINVAL, "apply_actions is the default instruction");
    } else if (auto port = port_from_string(key, ctx.ports)) {
      ctx.out->push_back(ActOutput{*port, static_cast<uint16_t>(*port == kOfppController ? 0xffff : 0)});
    } else {
      return Error(EINVAL, "unknown action " + sv(key));
    }
  }
  if (drop && !ctx.out->empty())
    return Error(EINVAL,
                 "\"drop\" must not be accompanied by any other action or instruction");
  return verify_action_list(*ctx.out, ctx.allow_instructions);
}

Result<ActionParseResult> parse_actions(std::string_view s, const PortMap* ports) {
  ActionParseResult r;
  ActionParseCtx ctx{ports, &r.actions, &r.usable, true};
  GREBE_TRY(parse_action_list(s, ctx));
  return r;
}

}  // namespace grebe::openflow
