// FlowMod -> the text ovs-ofctl prints for the encoded message, including
// the per-protocol normalization an encode/decode round trip applies.
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {

void match_normalize_prereqs(Match& match) {
  // keep: bits of fields whose prerequisites hold; covered: bits of any
  // field.  Shared containers (tp_src is tcp_src, udp_src and icmp_type)
  // survive if any user of them is valid.
  Flow keep = make_flow(), covered = make_flow();
  for (const MfField* mf = mf_begin(); mf != mf_end(); ++mf) {
    mf_set_all_bits(*mf, covered);
    if (mf_are_prereqs_ok(*mf, match.flow)) mf_set_all_bits(*mf, keep);
  }
  uint64_t* mw = match.wc.masks.words();
  for (size_t i = 0; i < kFlowU64s; ++i) mw[i] &= keep.words()[i] | ~covered.words()[i];
  match.normalize();
}

Match match_for_protocol(const Match& in, Protocols protocol) {
  Match m = in;
  match_normalize_prereqs(m);
  bool oxm_or_of11 = protocol_to_version(protocol) >= kOfp12;
  uint16_t& tci_mask = m.wc.masks.vlans[0].tci;
  if (oxm_or_of11 && tci_mask && !(m.flow.vlans[0].tci & kVlanCfi)) {
    // "No VLAN" travels as OFPVID_NONE, which only covers VID+present bits.
    tci_mask &= kVlanVidMask | kVlanCfi;
  }
  if (protocol & (kPOf10Any | kPOf11Std)) {
    // OF1.0 wire matches know "VLAN VID/PCP" or "no VLAN" (VID NONE); a
    // TCI match without the present bit can only mean "no VLAN".
    uint16_t& tci = m.flow.vlans[0].tci;
    if ((tci_mask & kVlanCfi) && !(tci & kVlanCfi)) {
      tci = 0;
      tci_mask = 0xffff;
    }
  }
  m.normalize();
  return m;
}

namespace {

const char* command_name(FlowModCommand c) {
  switch (c) {
    case FlowModCommand::kAdd: return "ADD";
    case FlowModCommand::kModify: return "MOD";
    case FlowModCommand::kModifyStrict: return "MOD_STRICT";
    case FlowModCommand::kDelete: return "DEL";
    case FlowModCommand::kDeleteStrict: return "DEL_STRICT";
  }
  return "cmd:?";
}

std::string message_header(Protocols protocol, uint32_t xid) {
  uint8_t version = protocol_to_version(protocol);
  std::string h;
  if (protocol & kPOf10NxmAny) {
    h = "NXT_FLOW_MOD";
  } else if (version == kOfp10) {
    h = "OFPT_FLOW_MOD";
  } else {
    h = strfmt("OFPT_FLOW_MOD (%s)", version_to_short_string(version));
  }
  return h + strfmt(" (xid=0x%x):", xid);
}

}  // namespace

std::string format_flow_mod_message(const FlowMod& fm, Protocols protocol, uint32_t xid,
                                    const PortMap* ports) {
  uint8_t version = protocol_to_version(protocol);
  bool has_tid = protocol & (kPOf10StdTid | kPOf10NxmTid | kPOf11Up);
  std::string s = message_header(protocol, xid);
  s += " ";
  s += command_name(fm.command);
  uint8_t table = fm.table_id;
  if (!has_tid) table = 0;
  // OF1.1+ adds to table 0 when none was given.
  if (table == 0xff && fm.command == FlowModCommand::kAdd) table = 0;
  if (table != 0 && has_tid) s += strfmt(" table:%u", table);
  s += " ";
  s += format_match(match_for_protocol(fm.match, protocol), fm.priority, ports);
  if (s.back() != ' ') s += ' ';
  if (fm.new_cookie != 0 && fm.new_cookie != ~0ull)
    s += strfmt("cookie:0x%llx ", static_cast<unsigned long long>(fm.new_cookie));
  if (fm.cookie_mask)
    s += strfmt("cookie:0x%llx/0x%llx ", static_cast<unsigned long long>(fm.cookie),
                static_cast<unsigned long long>(fm.cookie_mask));
  if (fm.idle_timeout) s += strfmt("idle:%u ", fm.idle_timeout);
  if (fm.hard_timeout) s += strfmt("hard:%u ", fm.hard_timeout);
  // OF1.0 has no importance field; OF1.4+ does.
  if (fm.importance && version >= kOfp14) s += strfmt("importance:%u ", fm.importance);
  if (fm.buffer_id != 0xffffffff) s += strfmt("buf:0x%x ", fm.buffer_id);
  if (fm.out_port != kOfppNone) s += "out_port:" + format_port(fm.out_port, ports) + " ";
  uint16_t flags = fm.flags;
  if (version <= kOfp11) flags &= ~kFfResetCounts;
  if (flags & kFfSendFlowRem) s += "send_flow_rem ";
  if (flags & kFfCheckOverlap) s += "check_overlap ";
  if (flags & kFfResetCounts) s += "reset_counts ";
  if (version >= kOfp13) {
    if (flags & kFfNoPktCounts) s += "no_packet_counts ";
    if (flags & kFfNoBytCounts) s += "no_byte_counts ";
  }
  s += "actions=" + format_actions(actions_for_version(fm.actions, fm.match, version), ports);
  return s;
}

ParseFlowsReport report_parse_flows(const std::vector<FlowMod>& fms, Protocols usable,
                                    Protocols allowed, const PortMap* ports) {
  ParseFlowsReport r;
  r.out = "usable protocols: " + protocols_to_string(usable) + "\n";
  if (!(usable & allowed)) {
    r.error = "no usable protocol";
    return r;
  }
  Protocols chosen = usable & allowed;
  chosen &= -chosen;  // lowest bit: OVS's preference order
  r.out += std::string("chosen protocol: ") + protocol_to_string(chosen) + "\n";
  for (const FlowMod& fm : fms) r.out += format_flow_mod_message(fm, chosen, 1, ports) + "\n";
  return r;
}

}  // namespace grebe::openflow
