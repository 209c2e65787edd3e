// Subfields, action equality, instruction-order verification, the
// match/action consistency check and per-version rewriting.
#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {

bool operator==(const ActCt& a, const ActCt& b) {
  return a.commit == b.commit && a.force == b.force && a.recirc_table == b.recirc_table &&
         a.zone_imm == b.zone_imm && a.zone_src == b.zone_src && a.alg == b.alg &&
         a.exec == b.exec && a.nat == b.nat;
}
bool operator==(const ActClone& a, const ActClone& b) { return a.actions == b.actions; }
bool operator==(const InstWriteActions& a, const InstWriteActions& b) {
  return a.actions == b.actions;
}

Result<Subfield> parse_subfield(std::string_view s) {
  std::string full(s);
  size_t name_len = s.find_first_of("[-");
  if (name_len == std::string_view::npos) name_len = s.size();
  std::string_view name = s.substr(0, name_len);
  const MfField* mf = mf_from_code_name(name);
  if (!mf) mf = mf_from_name(name);
  if (!mf)
    return Error(EINVAL, strfmt("%s: unknown field `%.*s'", full.c_str(),
                                static_cast<int>(name.size()), name.data()));
  int start = 0, end = mf->n_bits - 1;
  std::string_view rest = s.substr(name_len);
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    std::string_view inner = close == std::string_view::npos ? std::string_view() : rest.substr(1, close - 1);
    size_t dots = inner.find("..");
    auto a = parse_uint(inner.substr(0, dots), 10);
    auto b = dots == std::string_view::npos ? a : parse_uint(inner.substr(dots + 2), 10);
    if (close == std::string_view::npos || (!inner.empty() && (!a || !b)))
      return Error(EINVAL, full + ": syntax error expecting [] or [<bit>] or [<start>..<end>]");
    if (!inner.empty()) {
      start = static_cast<int>(*a);
      end = static_cast<int>(*b);
    }
    rest = rest.substr(close + 1);
  }
  if (start > end)
    return Error(EINVAL, strfmt("%s: starting bit %d is after ending bit %d", full.c_str(), start, end));
  if (start >= mf->n_bits)
    return Error(EINVAL, strfmt("%s: starting bit %d is not valid because field is only %d bits wide",
                                full.c_str(), start, mf->n_bits));
  if (end >= mf->n_bits)
    return Error(EINVAL, strfmt("%s: ending bit %d is not valid because field is only %d bits wide",
                                full.c_str(), end, mf->n_bits));
  if (!rest.empty()) return Error(EINVAL, "unexpected input following field syntax");
  return Subfield{mf, static_cast<uint16_t>(start), static_cast<uint16_t>(end - start + 1)};
}

std::string format_subfield(const Subfield& sf) {
  if (!sf.field) return "<unknown>";
  const MfField& mf = *sf.field;
  std::string s = mf.nxm.valid() ? mf.nxm.name : mf.oxm.valid() ? mf.oxm.name : mf.name;
  if (sf.ofs == 0 && sf.n_bits == mf.n_bits) return s + "[]";
  if (sf.n_bits == 1) return s + strfmt("[%d]", sf.ofs);
  return s + strfmt("[%d..%d]", sf.ofs, sf.ofs + sf.n_bits - 1);
}

namespace {

// OpenFlow 1.1+ instruction kinds in their required order.
enum InstKind { kInstMeter, kInstApply, kInstClear, kInstWrite, kInstMetadata, kInstGoto };
const char* kInstNames[] = {"meter", "apply_actions", "clear_actions", "write_actions",
                            "write_metadata", "goto_table"};

InstKind inst_kind(const Action& a) {
  if (std::holds_alternative<InstMeter>(a.v)) return kInstMeter;
  if (std::holds_alternative<InstClearActions>(a.v)) return kInstClear;
  if (std::holds_alternative<InstWriteActions>(a.v)) return kInstWrite;
  if (std::holds_alternative<InstWriteMetadata>(a.v)) return kInstMetadata;
  if (std::holds_alternative<InstGotoTable>(a.v)) return kInstGoto;
  return kInstApply;
}

const char* action_name(const Action& a) {
  static const char* kNames[] = {
      "output", "output_trunc", "output_reg", "controller", "enqueue", "group",
      "set_vlan_vid", "set_vlan_pcp", "strip_vlan", "push_vlan", "mod_dl_src", "mod_dl_dst",
      "mod_nw_src", "mod_nw_dst", "mod_nw_tos", "mod_nw_ecn", "mod_nw_ttl", "mod_tp_src",
      "mod_tp_dst", "set_field", "move", "dec_ttl", "set_mpls_label", "set_mpls_tc",
      "set_mpls_ttl", "dec_mpls_ttl", "push_mpls", "pop_mpls", "set_tunnel", "set_queue",
      "pop_queue", "fin_timeout", "resubmit", "conjunction", "note", "exit", "ct_clear",
      "multipath", "bundle", "sample", "ct", "clone", "check_pkt_larger", "learn", "meter",
      "clear_actions", "write_actions", "write_metadata", "goto_table"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == std::variant_size_v<ActionVariant>);
  return kNames[a.v.index()];
}

}  // namespace

Status verify_action_list(const ActionList& actions, bool allow_instructions) {
  InstKind inst = kInstMeter;
  for (size_t i = 0; i < actions.size(); ++i) {
    const Action& a = actions[i];
    if (std::holds_alternative<ActConjunction>(a.v)) {
      for (const Action& b : actions) {
        if (!std::holds_alternative<ActConjunction>(b.v) && !std::holds_alternative<ActNote>(b.v))
          return Error(EINVAL, strfmt("\"conjunction\" actions may be used along with \"note\" "
                                      "but not any other kind of action (such as the \"%s\" "
                                      "action used here)",
                                      action_name(b)));
      }
      return ok_status();
    }
    InstKind next = inst_kind(a);
    if (i > 0 && (inst == kInstApply ? next < inst : next <= inst)) {
      if (next == inst)
        return Error(EINVAL, strfmt("duplicate %s instruction not allowed, for OpenFlow 1.1+ "
                                    "compatibility",
                                    kInstNames[inst]));
      return Error(EINVAL, strfmt("invalid instruction ordering: %s must appear before %s, for "
                                  "OpenFlow 1.1+ compatibility",
                                  kInstNames[next], kInstNames[inst]));
    }
    if (!allow_instructions && next != kInstApply && next != kInstMeter)
      return Error(EINVAL, strfmt("%s instruction not allowed here", kInstNames[next]));
    inst = next;
  }
  return ok_status();
}

namespace {

bool is_ip_any(const Flow& f) { return f.dl_type == kEthTypeIp || f.dl_type == kEthTypeIpv6; }
bool is_mpls(const Flow& f) {
  return f.dl_type == kEthTypeMpls || f.dl_type == kEthTypeMplsMcast;
}

// Walks actions like OVS's ofpacts_check(), updating a scratch flow as
// VLAN/MPLS pushes and pops change what later actions see.
struct Checker {
  Flow flow;
  Protocols* usable;

  void inconsistent() { *usable &= kPOf10Any; }
  bool has_vlan() const { return flow.vlans[0].tci & kVlanCfi; }

  Status check(const ActionList& list);
  Status check_one(const Action& a);
};

Status Checker::check(const ActionList& list) {
  for (const Action& a : list) GREBE_TRY(check_one(a));
  return ok_status();
}

Status Checker::check_one(const Action& a) {
  const Error kInconsistent(EINVAL, "OFPBAC_MATCH_INCONSISTENT");
  if (auto* v = std::get_if<ActSetVlanVid>(&a.v)) {
    if (!has_vlan() && !v->push_vlan_if_needed) inconsistent();
  } else if (auto* p = std::get_if<ActSetVlanPcp>(&a.v)) {
    if (!has_vlan() && !p->push_vlan_if_needed) inconsistent();
  } else if (std::holds_alternative<ActStripVlan>(a.v)) {
    if (!has_vlan()) inconsistent();
    flow.vlans[0] = flow.vlans[1];
    flow.vlans[1] = FlowVlan{};
  } else if (std::holds_alternative<ActPushVlan>(a.v)) {
    if (flow.vlans[1].tci & kVlanCfi) return Error(EINVAL, "OFPBAC_BAD_TAG");
    flow.vlans[1] = flow.vlans[0];
    flow.vlans[0].tci |= kVlanCfi;
  } else if (std::holds_alternative<ActSetIpv4Src>(a.v) ||
             std::holds_alternative<ActSetIpv4Dst>(a.v)) {
    if (flow.dl_type != kEthTypeIp) inconsistent();
  } else if (std::holds_alternative<ActSetIpDscp>(a.v) || std::holds_alternative<ActSetIpEcn>(a.v) ||
             std::holds_alternative<ActSetIpTtl>(a.v) || std::holds_alternative<ActDecTtl>(a.v)) {
    if (!is_ip_any(flow)) inconsistent();
  } else if (std::holds_alternative<ActSetL4SrcPort>(a.v) ||
             std::holds_alternative<ActSetL4DstPort>(a.v)) {
    if (!is_ip_any(flow) || (flow.nw_frag & kFlowNwFragLater) ||
        (flow.nw_proto != kIpProtoTcp && flow.nw_proto != kIpProtoUdp &&
         flow.nw_proto != kIpProtoSctp))
      inconsistent();
  } else if (auto* sf = std::get_if<ActSetField>(&a.v)) {
    if (!mf_are_prereqs_ok(*sf->field, flow) ||
        (sf->field->id == MfId::kVlanVid && !has_vlan()))
      return kInconsistent;
  } else if (std::holds_alternative<ActSetMplsLabel>(a.v) ||
             std::holds_alternative<ActSetMplsTc>(a.v) ||
             std::holds_alternative<ActSetMplsTtl>(a.v) ||
             std::holds_alternative<ActDecMplsTtl>(a.v)) {
    if (!is_mpls(flow)) inconsistent();
  } else if (auto* pm = std::get_if<ActPushMpls>(&a.v)) {
    flow.dl_type = pm->ethertype;
  } else if (auto* pp = std::get_if<ActPopMpls>(&a.v)) {
    if (!is_mpls(flow)) inconsistent();
    flow.dl_type = pp->ethertype;
  } else if (std::holds_alternative<ActFinTimeout>(a.v)) {
    if (flow.nw_proto != kIpProtoTcp) inconsistent();
  } else if (auto* ct = std::get_if<ActCt>(&a.v)) {
    if (!is_ip_any(flow) || ((flow.ct_state & kCsInvalid) && ct->commit) ||
        (ct->alg == 21 && flow.nw_proto != kIpProtoTcp) ||
        (ct->alg == 69 && flow.nw_proto != kIpProtoUdp))
      return kInconsistent;
    GREBE_TRY(check(ct->exec));
  } else if (auto* rs = std::get_if<ActResubmit>(&a.v)) {
    if (rs->with_ct_orig && (!(flow.ct_state & kCsTracked) || (flow.ct_state & kCsInvalid)))
      return kInconsistent;
  } else if (auto* cl = std::get_if<ActClone>(&a.v)) {
    Checker sub{flow, usable};
    GREBE_TRY(sub.check(cl->actions));
  } else if (auto* wa = std::get_if<InstWriteActions>(&a.v)) {
    Protocols scratch = kPAny;
    Checker sub{flow, &scratch};
    GREBE_TRY(sub.check(wa->actions));
  }
  return ok_status();
}

}  // namespace

Status check_actions(const ActionList& actions, const Match& match, Protocols* usable) {
  Checker c{match.flow, usable};
  return c.check(actions);
}

namespace {

ActSetField make_set_field(MfId id, uint64_t value) {
  const MfField& mf = mf_field(id);
  ActSetField sf;
  sf.field = &mf;
  sf.value = MfValue::from_u64(mf, value);
  sf.mask = MfValue::ones(mf);
  return sf;
}

ActSetField make_set_field_bytes(MfId id, const uint8_t* bytes) {
  const MfField& mf = mf_field(id);
  ActSetField sf;
  sf.field = &mf;
  std::memcpy(sf.value.b, bytes, mf.n_bytes);
  sf.mask = MfValue::ones(mf);
  return sf;
}

MfId l4_field(uint8_t nw_proto, bool src) {
  if (nw_proto == kIpProtoUdp) return src ? MfId::kUdpSrc : MfId::kUdpDst;
  if (nw_proto == kIpProtoSctp) return src ? MfId::kSctpSrc : MfId::kSctpDst;
  return src ? MfId::kTcpSrc : MfId::kTcpDst;
}

// OF1.0: set_field on a field with a classic OF1.0 action becomes that
// action; other fields go out as NXAST_REG_LOAD.
Action set_field_to_of10(const ActSetField& sf) {
  uint64_t v = sf.field->n_bytes <= 8 ? sf.value.to_u64(*sf.field) : 0;
  if (!sf.load) {
    switch (sf.field->id) {
      case MfId::kEthSrc: { ActSetEthSrc a; std::memcpy(a.mac.b, sf.value.b, 6); return a; }
      case MfId::kEthDst: { ActSetEthDst a; std::memcpy(a.mac.b, sf.value.b, 6); return a; }
      case MfId::kIpv4Src: return ActSetIpv4Src{static_cast<uint32_t>(v)};
      case MfId::kIpv4Dst: return ActSetIpv4Dst{static_cast<uint32_t>(v)};
      case MfId::kIpDscp: return ActSetIpDscp{static_cast<uint8_t>(v)};
      case MfId::kIpDscpShifted: return ActSetIpDscp{static_cast<uint8_t>(v << 2)};
      case MfId::kTcpSrc: case MfId::kUdpSrc: return ActSetL4SrcPort{static_cast<uint16_t>(v)};
      case MfId::kTcpDst: case MfId::kUdpDst: return ActSetL4DstPort{static_cast<uint16_t>(v)};
      case MfId::kVlanVid: return ActSetVlanVid{static_cast<uint16_t>(v & kVlanVidMask), false};
      case MfId::kVlanPcp: return ActSetVlanPcp{static_cast<uint8_t>(v), false};
      default: break;
    }
  }
  ActSetField load = sf;
  load.load = true;
  return load;
}

ActionList translate(const ActionList& actions, const Flow& f, uint8_t version, bool* has_vlan);

// NXAST_NOTE pads its payload so the action is a multiple of 8 bytes long
// (10 bytes of header), and the padding comes back as zero bytes.
ActNote pad_note(const ActNote& n) {
  ActNote p = n;
  size_t total = (10 + n.data.size() + 7) / 8 * 8;
  p.data.resize(total - 10, 0);
  return p;
}

// Nested lists (clone, ct exec, write_actions) travel in the same encoding.
bool translate_nested(const Action& a, const Flow& f, uint8_t version, bool* has_vlan,
                      ActionList& out) {
  if (auto* n = std::get_if<ActNote>(&a.v)) {
    out.push_back(pad_note(*n));
  } else if (auto* c = std::get_if<ActClone>(&a.v)) {
    bool hv = *has_vlan;
    out.push_back(ActClone{translate(c->actions, f, version, &hv)});
  } else if (auto* ct = std::get_if<ActCt>(&a.v)) {
    ActCt copy = *ct;
    bool hv = *has_vlan;
    copy.exec = translate(ct->exec, f, version, &hv);
    out.push_back(std::move(copy));
  } else if (auto* w = std::get_if<InstWriteActions>(&a.v)) {
    if (version < kOfp11) return true;  // not expressible in OF1.0: dropped
    bool hv = *has_vlan;
    out.push_back(InstWriteActions{translate(w->actions, f, version, &hv)});
  } else {
    return false;
  }
  return true;
}

ActSetField as_load(MfId id, uint64_t value) {
  ActSetField sf = make_set_field(id, value);
  const MfField& mf = *sf.field;
  uint64_t bits = mf.n_bits >= 64 ? ~0ull : (1ull << mf.n_bits) - 1;
  sf.mask = MfValue::from_u64(mf, bits);
  sf.load = true;
  return sf;
}

// OF1.0 and OF1.1 share the classic set-field actions; they differ in
// VLAN handling (OF1.1 has push/pop and a plain set_vlan_vid), ECN/TTL
// setters, enqueue and instructions.
void to_of10_or_11(const Action& a, uint8_t version, bool* has_vlan, ActionList& out) {
  bool of11 = version == kOfp11;
  if (auto* v = std::get_if<ActSetVlanVid>(&a.v)) {
    if (of11 && !*has_vlan && v->push_vlan_if_needed) out.push_back(ActPushVlan{kEthTypeVlan8021Q});
    if (of11) *has_vlan = true;
    // OFPAT10_SET_VLAN_VID decodes as mod_vlan_vid, OFPAT11's as set_vlan_vid.
    out.push_back(ActSetVlanVid{v->vid, !of11});
  } else if (auto* p = std::get_if<ActSetVlanPcp>(&a.v)) {
    if (of11 && !*has_vlan && p->push_vlan_if_needed) out.push_back(ActPushVlan{kEthTypeVlan8021Q});
    if (of11) *has_vlan = true;
    out.push_back(ActSetVlanPcp{p->pcp, !of11});
  } else if (auto* e = std::get_if<ActSetIpEcn>(&a.v)) {
    if (of11) {
      out.push_back(*e);
    } else {
      out.push_back(as_load(MfId::kIpEcn, e->ecn));
    }
  } else if (auto* t = std::get_if<ActSetIpTtl>(&a.v)) {
    if (of11) {
      out.push_back(*t);
    } else {
      out.push_back(as_load(MfId::kIpTtl, t->ttl));
    }
  } else if (auto* sf = std::get_if<ActSetField>(&a.v)) {
    Action legacy = set_field_to_of10(*sf);
    if (auto* lv = std::get_if<ActSetVlanVid>(&legacy.v)) lv->push_vlan_if_needed = !of11;
    if (auto* lp = std::get_if<ActSetVlanPcp>(&legacy.v)) lp->push_vlan_if_needed = !of11;
    out.push_back(std::move(legacy));
  } else if (std::holds_alternative<ActStripVlan>(a.v)) {
    *has_vlan = false;
    out.push_back(ActStripVlan{of11});
  } else if (std::holds_alternative<ActPushVlan>(a.v)) {
    *has_vlan = true;
    out.push_back(a);
  } else if (auto* q = std::get_if<ActEnqueue>(&a.v); q && of11) {
    out.push_back(ActSetQueue{q->queue});
    out.push_back(ActOutput{q->port, 0});
    out.push_back(ActPopQueue{});
  } else if (auto* g = std::get_if<InstGotoTable>(&a.v); g && !of11) {
    out.push_back(ActResubmit{kOfppInPort, g->table_id, false});
  } else if (!of11 && std::holds_alternative<InstClearActions>(a.v)) {
    // Not expressible in OpenFlow 1.0: encoding drops it.
  } else {
    out.push_back(a);
  }
}

void to_of12(const Action& a, const Flow& f, uint8_t version, bool* has_vlan, ActionList& out) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ActSetEthSrc>) {
          out.push_back(make_set_field_bytes(MfId::kEthSrc, x.mac.b));
        } else if constexpr (std::is_same_v<T, ActSetEthDst>) {
          out.push_back(make_set_field_bytes(MfId::kEthDst, x.mac.b));
        } else if constexpr (std::is_same_v<T, ActSetIpv4Src>) {
          out.push_back(make_set_field(MfId::kIpv4Src, x.ip));
        } else if constexpr (std::is_same_v<T, ActSetIpv4Dst>) {
          out.push_back(make_set_field(MfId::kIpv4Dst, x.ip));
        } else if constexpr (std::is_same_v<T, ActSetIpDscp>) {
          out.push_back(make_set_field(MfId::kIpDscpShifted, x.dscp >> 2));
        } else if constexpr (std::is_same_v<T, ActSetIpEcn>) {
          out.push_back(make_set_field(MfId::kIpEcn, x.ecn));
        } else if constexpr (std::is_same_v<T, ActSetL4SrcPort>) {
          out.push_back(make_set_field(l4_field(f.nw_proto, true), x.port));
        } else if constexpr (std::is_same_v<T, ActSetL4DstPort>) {
          out.push_back(make_set_field(l4_field(f.nw_proto, false), x.port));
        } else if constexpr (std::is_same_v<T, ActSetVlanVid>) {
          if (!*has_vlan && x.push_vlan_if_needed) out.push_back(ActPushVlan{kEthTypeVlan8021Q});
          *has_vlan = true;
          out.push_back(make_set_field(MfId::kVlanVid, x.vid | kVlanCfi));
        } else if constexpr (std::is_same_v<T, ActSetVlanPcp>) {
          if (!*has_vlan && x.push_vlan_if_needed) out.push_back(ActPushVlan{kEthTypeVlan8021Q});
          *has_vlan = true;
          out.push_back(make_set_field(MfId::kVlanPcp, x.pcp));
        } else if constexpr (std::is_same_v<T, ActStripVlan>) {
          *has_vlan = false;
          out.push_back(ActStripVlan{true});
        } else if constexpr (std::is_same_v<T, ActPushVlan>) {
          *has_vlan = true;
          out.push_back(x);
        } else if constexpr (std::is_same_v<T, ActEnqueue>) {
          // OF1.1+ has no enqueue: it becomes set_queue, output, pop_queue.
          out.push_back(ActSetQueue{x.queue});
          out.push_back(ActOutput{x.port, 0});
          out.push_back(ActPopQueue{});
        } else if constexpr (std::is_same_v<T, ActSetTunnel>) {
          out.push_back(make_set_field(MfId::kTunId, x.tun_id));
        } else if constexpr (std::is_same_v<T, ActSetMplsLabel>) {
          out.push_back(make_set_field(MfId::kMplsLabel, x.label));
        } else if constexpr (std::is_same_v<T, ActSetMplsTc>) {
          out.push_back(make_set_field(MfId::kMplsTc, x.tc));
        } else if constexpr (std::is_same_v<T, ActSetField>) {
          // OF1.5 carries masked set_field natively, so loads come back as
          // set_field; earlier versions carry masked ones as NXAST_REG_LOAD.
          ActSetField sf = x;
          if (version >= kOfp15) {
            sf.load = false;
          } else if (!sf.mask.is_ones(*sf.field)) {
            sf.load = true;
          }
          out.push_back(sf);
        } else {
          out.push_back(x);
        }
      },
      a.v);
}


ActionList translate(const ActionList& actions, const Flow& f, uint8_t version, bool* has_vlan) {
  ActionList out;
  for (const Action& a : actions) {
    if (translate_nested(a, f, version, has_vlan, out)) continue;
    if (version >= kOfp12) {
      to_of12(a, f, version, has_vlan, out);
    } else {
      to_of10_or_11(a, version, has_vlan, out);
    }
  }
  return out;
}

}  // namespace

ActionList actions_for_version(const ActionList& actions, const Match& match, uint8_t version) {
  bool has_vlan = match.flow.vlans[0].tci & kVlanCfi;
  return translate(actions, match.flow, version, &has_vlan);
}

}  // namespace grebe::openflow
