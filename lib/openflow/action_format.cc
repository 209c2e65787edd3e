// ActionList -> text, byte-for-byte as ovs-ofctl prints actions.
#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

struct Formatter {
  const PortMap* ports;
  std::string& s;

  void operator()(const ActOutput& a) {
    if (a.port < kOfppMax) s += "output:";
    s += format_port(a.port, ports);
    if (a.port == kOfppController) s += strfmt(":%u", a.max_len);
  }
  void operator()(const ActOutputTrunc& a) {
    s += "output(port=" + format_port(a.port, ports) + strfmt(",max_len=%u)", a.max_len);
  }
  void operator()(const ActOutputReg& a) { s += "output:" + format_subfield(a.src); }
  void operator()(const ActController& a);
  void operator()(const ActEnqueue& a) {
    s += "enqueue:" + format_port(a.port, ports) + strfmt(":%u", a.queue);
  }
  void operator()(const ActGroup& a) { s += strfmt("group:%u", a.group_id); }
  void operator()(const ActSetVlanVid& a) {
    s += strfmt("%s:%u", a.push_vlan_if_needed ? "mod_vlan_vid" : "set_vlan_vid", a.vid);
  }
  void operator()(const ActSetVlanPcp& a) {
    s += strfmt("%s:%u", a.push_vlan_if_needed ? "mod_vlan_pcp" : "set_vlan_pcp", a.pcp);
  }
  void operator()(const ActStripVlan& a) { s += a.pop_vlan ? "pop_vlan" : "strip_vlan"; }
  void operator()(const ActPushVlan& a) { s += strfmt("push_vlan:%#x", a.ethertype); }
  void operator()(const ActSetEthSrc& a) { s += "mod_dl_src:" + format_eth(a.mac); }
  void operator()(const ActSetEthDst& a) { s += "mod_dl_dst:" + format_eth(a.mac); }
  void operator()(const ActSetIpv4Src& a) { s += "mod_nw_src:" + format_ip4(a.ip); }
  void operator()(const ActSetIpv4Dst& a) { s += "mod_nw_dst:" + format_ip4(a.ip); }
  void operator()(const ActSetIpDscp& a) { s += strfmt("mod_nw_tos:%d", a.dscp); }
  void operator()(const ActSetIpEcn& a) { s += strfmt("mod_nw_ecn:%d", a.ecn); }
  void operator()(const ActSetIpTtl& a) { s += strfmt("mod_nw_ttl:%d", a.ttl); }
  void operator()(const ActSetL4SrcPort& a) { s += strfmt("mod_tp_src:%d", a.port); }
  void operator()(const ActSetL4DstPort& a) { s += strfmt("mod_tp_dst:%d", a.port); }
  void operator()(const ActSetField& a);
  void operator()(const ActRegMove& a) {
    s += "move:" + format_subfield(a.src) + "->" + format_subfield(a.dst);
  }
  void operator()(const ActDecTtl& a) {
    s += "dec_ttl";
    if (a.explicit_ids) {
      s += '(';
      for (size_t i = 0; i < a.controller_ids.size(); ++i)
        s += strfmt(i ? ",%u" : "%u", a.controller_ids[i]);
      s += ')';
    }
  }
  void operator()(const ActSetMplsLabel& a) { s += strfmt("set_mpls_label(%u)", a.label); }
  void operator()(const ActSetMplsTc& a) { s += strfmt("set_mpls_tc(%u)", a.tc); }
  void operator()(const ActSetMplsTtl& a) { s += strfmt("set_mpls_ttl(%u)", a.ttl); }
  void operator()(const ActDecMplsTtl&) { s += "dec_mpls_ttl"; }
  void operator()(const ActPushMpls& a) { s += strfmt("push_mpls:0x%04x", a.ethertype); }
  void operator()(const ActPopMpls& a) { s += strfmt("pop_mpls:0x%04x", a.ethertype); }
  void operator()(const ActSetTunnel& a) {
    s += strfmt("set_tunnel%s:%#llx", a.tunnel64 ? "64" : "",
                static_cast<unsigned long long>(a.tun_id));
  }
  void operator()(const ActSetQueue& a) { s += strfmt("set_queue:%u", a.queue_id); }
  void operator()(const ActPopQueue&) { s += "pop_queue"; }
  void operator()(const ActFinTimeout& a) {
    s += "fin_timeout(";
    if (a.idle) s += strfmt("idle_timeout=%u,", a.idle);
    if (a.hard) s += strfmt("hard_timeout=%u,", a.hard);
    if (s.back() == ',') s.pop_back();
    s += ')';
  }
  void operator()(const ActResubmit& a) {
    if (a.in_port != kOfppInPort && a.table_id == 255) {
      s += "resubmit:" + format_port(a.in_port, ports);
      return;
    }
    s += "resubmit(";
    if (a.in_port != kOfppInPort) s += format_port(a.in_port, ports);
    s += ',';
    if (a.table_id != 255) s += std::to_string(a.table_id);
    if (a.with_ct_orig) s += ",ct";
    s += ')';
  }
  void operator()(const ActConjunction& a) {
    s += strfmt("conjunction(%u,%d/%u)", a.id, a.clause + 1, a.n_clauses);
  }
  void operator()(const ActNote& a) { s += "note:" + format_hex_bytes(a.data); }
  void operator()(const ActExit&) { s += "exit"; }
  void operator()(const ActCtClear&) { s += "ct_clear"; }
  void operator()(const ActMultipath& a) {
    s += strfmt("multipath(%s,%u,%s,%d,%u,", a.fields.c_str(), a.basis, a.algorithm.c_str(),
                a.max_link + 1, a.arg);
    s += format_subfield(a.dst) + ")";
  }
  void operator()(const ActBundle& a) {
    s += strfmt("%s(%s,%u,%s,ofport,", a.load ? "bundle_load" : "bundle", a.fields.c_str(),
                a.basis, a.algorithm.c_str());
    if (a.load) s += format_subfield(a.dst) + ",";
    s += "members:";
    for (size_t i = 0; i < a.members.size(); ++i) {
      if (i) s += ',';
      s += format_port(a.members[i], ports);
    }
    s += ')';
  }
  void operator()(const ActSample& a) {
    s += strfmt("sample(probability=%u,collector_set_id=%u,obs_domain_id=%u,obs_point_id=%u",
                a.probability, a.collector_set_id, a.obs_domain_id, a.obs_point_id);
    if (a.sampling_port != kOfppNone) s += ",sampling_port=" + format_port(a.sampling_port, ports);
    if (a.direction == 1) s += ",ingress";
    if (a.direction == 2) s += ",egress";
    s += ')';
  }
  void operator()(const ActCt& a);
  void operator()(const ActClone& a) {
    s += "clone(" + format_actions(a.actions, ports) + ")";
  }
  void operator()(const ActCheckPktLarger& a) {
    s += strfmt("check_pkt_larger(%u)->", a.pkt_len) + format_subfield(a.dst);
  }
  void operator()(const ActLearn& a);
  void operator()(const InstMeter& a) { s += strfmt("meter:%u", a.meter_id); }
  void operator()(const InstClearActions&) { s += "clear_actions"; }
  void operator()(const InstWriteActions& a) {
    s += "write_actions(" + format_actions(a.actions, ports) + ")";
  }
  void operator()(const InstWriteMetadata& a) {
    s += strfmt("write_metadata:%#llx", static_cast<unsigned long long>(a.metadata));
    if (a.mask != ~0ull) s += strfmt("/%#llx", static_cast<unsigned long long>(a.mask));
  }
  void operator()(const InstGotoTable& a) { s += strfmt("goto_table:%u", a.table_id); }
};

void Formatter::operator()(const ActController& a) {
  if (a.reason == 1 && !a.controller_id && a.userdata.empty() && !a.pause &&
      a.meter_id == 0xffffffff) {
    s += strfmt("CONTROLLER:%u", a.max_len);
    return;
  }
  static const char* kReasons[] = {"no_match", "action", "invalid_ttl", "action_set", "group",
                                   "packet_out"};
  s += "controller(";
  if (a.reason != 1) s += strfmt("reason=%s,", a.reason < 6 ? kReasons[a.reason] : "?");
  if (a.max_len != 0xffff) s += strfmt("max_len=%u,", a.max_len);
  if (a.controller_id) s += strfmt("id=%u,", a.controller_id);
  if (!a.userdata.empty()) s += "userdata=" + format_hex_bytes(a.userdata) + ",";
  if (a.pause) s += "pause,";
  if (a.meter_id != 0xffffffff) s += strfmt("meter_id=%u,", a.meter_id);
  if (s.back() == ',') s.pop_back();
  s += ')';
}

// A load is printed as one "load:V->F[a..b]" per contiguous run of mask
// bits, as OVS's next_load_segment() walks them.
void Formatter::operator()(const ActSetField& a) {
  const MfField& mf = *a.field;
  if (!a.load) {
    s += "set_field:" + mf_format(mf, a.value, &a.mask, ports) + "->" + mf.name;
    return;
  }
  int n_bits = mf.n_bytes * 8;
  auto bit = [&](const MfValue& v, int i) { return (v.b[mf.n_bytes - 1 - i / 8] >> (i % 8)) & 1; };
  bool first = true;
  for (int i = 0; i < n_bits;) {
    if (!bit(a.mask, i)) {
      ++i;
      continue;
    }
    int start = i;
    while (i < n_bits && bit(a.mask, i)) ++i;
    // The run's value, shifted down; wide runs are printed in hex.
    MfValue run{};
    for (int k = start; k < i; ++k)
      if (bit(a.value, k)) run.b[15 - (k - start) / 8] |= static_cast<uint8_t>(1 << ((k - start) % 8));
    std::string hex = format_hex(run.b, 16);
    if (hex == "0") hex = "0";
    if (!first) s += ',';
    first = false;
    Subfield sf{&mf, static_cast<uint16_t>(start), static_cast<uint16_t>(i - start)};
    s += "load:" + (hex == "0" ? std::string("0") : hex) + "->" + format_subfield(sf);
  }
}

void format_nat(std::string& s, const ActNat& n) {
  s += "nat";
  if (!n.src && !n.dst) return;
  s += n.src ? "(src" : "(dst";
  if (n.range_set) {
    s += '=';
    if (!n.ipv6) {
      s += format_ip4(n.ip4_min);
      if (n.ip4_max && n.ip4_max != n.ip4_min) s += "-" + format_ip4(n.ip4_max);
    } else {
      auto addr = [&](const In6Addr& a) {
        return n.port_min ? "[" + format_ip6(a) + "]" : format_ip6(a);
      };
      s += addr(n.ip6_min);
      if (!n.ip6_max.is_zero() && !(n.ip6_max == n.ip6_min)) s += "-" + addr(n.ip6_max);
    }
    if (n.port_min) {
      s += strfmt(":%u", n.port_min);
      if (n.port_max && n.port_max != n.port_min) s += strfmt("-%u", n.port_max);
    }
    s += ',';
    if (n.persistent) s += "persistent,";
    if (n.hash) s += "hash,";
    if (n.random) s += "random,";
  }
  if (s.back() == ',') s.pop_back();
  s += ')';
}

void Formatter::operator()(const ActCt& a) {
  s += "ct(";
  if (a.commit) s += "commit,";
  if (a.force) s += "force,";
  if (a.recirc_table != 255) s += strfmt("table=%u,", a.recirc_table);
  if (a.zone_src.field) {
    s += "zone=" + format_subfield(a.zone_src) + ",";
  } else if (a.zone_imm) {
    s += strfmt("zone=%u,", a.zone_imm);
  }
  if (!a.nat.empty()) {
    format_nat(s, a.nat.front());
    s += ',';
  }
  if (!a.exec.empty()) s += "exec(" + format_actions(a.exec, ports) + "),";
  if (a.alg == 21) {
    s += "alg=ftp,";
  } else if (a.alg == 69) {
    s += "alg=tftp,";
  } else if (a.alg) {
    s += strfmt("alg=%d,", a.alg);
  }
  if (s.back() == ',') s.pop_back();
  s += ')';
}

void Formatter::operator()(const ActLearn& a) {
  s += strfmt("learn(table=%u", a.table_id);
  if (a.idle_timeout) s += strfmt(",idle_timeout=%u", a.idle_timeout);
  if (a.hard_timeout) s += strfmt(",hard_timeout=%u", a.hard_timeout);
  if (a.fin_idle_timeout) s += strfmt(",fin_idle_timeout=%u", a.fin_idle_timeout);
  if (a.fin_hard_timeout) s += strfmt(",fin_hard_timeout=%u", a.fin_hard_timeout);
  if (a.priority != 0x8000) s += strfmt(",priority=%u", a.priority);
  if (a.send_flow_rem) s += ",send_flow_rem";
  if (a.delete_learned) s += ",delete_learned";
  if (a.cookie) s += strfmt(",cookie=%#llx", static_cast<unsigned long long>(a.cookie));
  if (a.limit) s += strfmt(",limit=%u", a.limit);
  if (a.write_result) s += ",result_dst=" + format_subfield(a.result_dst);
  for (const LearnSpec& sp : a.specs) {
    s += ',';
    int n_bytes = (sp.dst_type == 2 ? sp.src.n_bits : sp.dst.n_bits + 7) / 8;
    if (sp.dst_type == 0 && sp.src_is_imm) {
      const MfField& mf = *sp.dst.field;
      if (sp.dst.ofs == 0 && sp.dst.n_bits == mf.n_bits) {
        MfValue v{};
        std::memcpy(v.b, &sp.imm.b[16 - mf.n_bytes], mf.n_bytes);
        s += std::string(mf.name) + "=" + mf_format(mf, v, nullptr, ports);
      } else {
        s += format_subfield(sp.dst) + "=" + format_hex(&sp.imm.b[16 - n_bytes], n_bytes);
      }
    } else if (sp.dst_type == 0) {
      s += format_subfield(sp.dst);
      if (sp.src.field != sp.dst.field || sp.src.ofs != sp.dst.ofs)
        s += "=" + format_subfield(sp.src);
    } else if (sp.dst_type == 1 && sp.src_is_imm) {
      s += "load:" + format_hex(&sp.imm.b[16 - n_bytes], n_bytes) + "->" +
           format_subfield(sp.dst);
    } else if (sp.dst_type == 1) {
      s += "load:" + format_subfield(sp.src) + "->" + format_subfield(sp.dst);
    } else {
      s += "output:" + format_subfield(sp.src);
    }
  }
  s += ')';
}

}  // namespace

std::string format_actions(const ActionList& actions, const PortMap* ports) {
  if (actions.empty()) return "drop";
  std::string s;
  Formatter f{ports, s};
  for (size_t i = 0; i < actions.size(); ++i) {
    if (i) s += ',';
    std::visit(f, actions[i].v);
  }
  return s;
}

}  // namespace grebe::openflow
