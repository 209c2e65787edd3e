// OpenFlow actions and instructions as a std::variant ("ofpacts"), with
// their text syntax (ovs-actions(7)).
//
// An ActionList holds instructions too (meter, clear_actions,
// write_actions, write_metadata, goto_table), in the order OVS keeps them.
// Some actions remember which spelling they came from (`raw`-like flags such
// as strip_vlan vs pop_vlan, load vs set_field) because OVS prints them back
// the way they were written.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

struct Action;
using ActionList = std::vector<Action>;

// A bit range of a field: field[ofs .. ofs+n_bits-1].
struct Subfield {
  const MfField* field = nullptr;
  uint16_t ofs = 0;
  uint16_t n_bits = 0;
  friend bool operator==(const Subfield&, const Subfield&) = default;
};
// "NXM_OF_ETH_SRC[]", "reg0[0..15]", "eth_src[5]".  Errors as OVS.
Result<Subfield> parse_subfield(std::string_view s);
// Prefers the NXM name, then the OXM name, then the field name.
std::string format_subfield(const Subfield& sf);

struct ActOutput {
  uint32_t port = 0;
  uint16_t max_len = 0;  // only meaningful for CONTROLLER
  friend bool operator==(const ActOutput&, const ActOutput&) = default;
};
struct ActOutputTrunc {  // output(port=P,max_len=N)
  uint32_t port = 0;
  uint32_t max_len = 0;
  friend bool operator==(const ActOutputTrunc&, const ActOutputTrunc&) = default;
};
struct ActOutputReg {  // output:reg0[0..15]
  Subfield src;
  uint16_t max_len = 0;
  friend bool operator==(const ActOutputReg&, const ActOutputReg&) = default;
};
struct ActController {
  uint16_t max_len = 0xffff;
  uint16_t controller_id = 0;
  uint8_t reason = 1;  // OFPR_ACTION
  bool pause = false;
  uint32_t meter_id = 0xffffffff;  // none
  std::vector<uint8_t> userdata;
  bool simple = true;  // written as CONTROLLER:N
  friend bool operator==(const ActController&, const ActController&) = default;
};
struct ActEnqueue {
  uint32_t port = 0;
  uint32_t queue = 0;
  friend bool operator==(const ActEnqueue&, const ActEnqueue&) = default;
};
struct ActGroup {
  uint32_t group_id = 0;
  friend bool operator==(const ActGroup&, const ActGroup&) = default;
};
struct ActSetVlanVid {
  uint16_t vid = 0;
  bool push_vlan_if_needed = true;  // mod_vlan_vid (true) / set_vlan_vid
  friend bool operator==(const ActSetVlanVid&, const ActSetVlanVid&) = default;
};
struct ActSetVlanPcp {
  uint8_t pcp = 0;
  bool push_vlan_if_needed = true;
  friend bool operator==(const ActSetVlanPcp&, const ActSetVlanPcp&) = default;
};
struct ActStripVlan {
  bool pop_vlan = false;  // written as pop_vlan (OF1.1+) rather than strip_vlan
  friend bool operator==(const ActStripVlan&, const ActStripVlan&) = default;
};
struct ActPushVlan {
  uint16_t ethertype = 0x8100;
  friend bool operator==(const ActPushVlan&, const ActPushVlan&) = default;
};
struct ActSetEthSrc {
  EthAddr mac;
  friend bool operator==(const ActSetEthSrc&, const ActSetEthSrc&) = default;
};
struct ActSetEthDst {
  EthAddr mac;
  friend bool operator==(const ActSetEthDst&, const ActSetEthDst&) = default;
};
struct ActSetIpv4Src {
  uint32_t ip = 0;
  friend bool operator==(const ActSetIpv4Src&, const ActSetIpv4Src&) = default;
};
struct ActSetIpv4Dst {
  uint32_t ip = 0;
  friend bool operator==(const ActSetIpv4Dst&, const ActSetIpv4Dst&) = default;
};
struct ActSetIpDscp {  // mod_nw_tos: the TOS byte with ECN bits zero
  uint8_t dscp = 0;
  friend bool operator==(const ActSetIpDscp&, const ActSetIpDscp&) = default;
};
struct ActSetIpEcn {
  uint8_t ecn = 0;
  friend bool operator==(const ActSetIpEcn&, const ActSetIpEcn&) = default;
};
struct ActSetIpTtl {
  uint8_t ttl = 0;
  friend bool operator==(const ActSetIpTtl&, const ActSetIpTtl&) = default;
};
struct ActSetL4SrcPort {
  uint16_t port = 0;
  friend bool operator==(const ActSetL4SrcPort&, const ActSetL4SrcPort&) = default;
};
struct ActSetL4DstPort {
  uint16_t port = 0;
  friend bool operator==(const ActSetL4DstPort&, const ActSetL4DstPort&) = default;
};
// set_field:V[/M]->F, or load:V->F[a..b] when `load` (a masked set_field).
struct ActSetField {
  const MfField* field = nullptr;
  MfValue value{};
  MfValue mask{};
  bool load = false;
  friend bool operator==(const ActSetField& a, const ActSetField& b) {
    return a.field == b.field && a.load == b.load &&
           !std::memcmp(a.value.b, b.value.b, 16) && !std::memcmp(a.mask.b, b.mask.b, 16);
  }
};
struct ActRegMove {  // move:src->dst
  Subfield src, dst;
  friend bool operator==(const ActRegMove&, const ActRegMove&) = default;
};
struct ActDecTtl {
  std::vector<uint16_t> controller_ids;  // empty: plain dec_ttl
  bool explicit_ids = false;
  friend bool operator==(const ActDecTtl&, const ActDecTtl&) = default;
};
struct ActSetMplsLabel {
  uint32_t label = 0;
  friend bool operator==(const ActSetMplsLabel&, const ActSetMplsLabel&) = default;
};
struct ActSetMplsTc {
  uint8_t tc = 0;
  friend bool operator==(const ActSetMplsTc&, const ActSetMplsTc&) = default;
};
struct ActSetMplsTtl {
  uint8_t ttl = 0;
  friend bool operator==(const ActSetMplsTtl&, const ActSetMplsTtl&) = default;
};
struct ActDecMplsTtl {
  friend bool operator==(const ActDecMplsTtl&, const ActDecMplsTtl&) = default;
};
struct ActPushMpls {
  uint16_t ethertype = 0x8847;
  friend bool operator==(const ActPushMpls&, const ActPushMpls&) = default;
};
struct ActPopMpls {
  uint16_t ethertype = 0x0800;
  friend bool operator==(const ActPopMpls&, const ActPopMpls&) = default;
};
struct ActSetTunnel {
  uint64_t tun_id = 0;
  bool tunnel64 = false;  // set_tunnel64
  friend bool operator==(const ActSetTunnel&, const ActSetTunnel&) = default;
};
struct ActSetQueue {
  uint32_t queue_id = 0;
  friend bool operator==(const ActSetQueue&, const ActSetQueue&) = default;
};
struct ActPopQueue {
  friend bool operator==(const ActPopQueue&, const ActPopQueue&) = default;
};
struct ActFinTimeout {
  uint16_t idle = 0, hard = 0;
  friend bool operator==(const ActFinTimeout&, const ActFinTimeout&) = default;
};
struct ActResubmit {
  uint32_t in_port = 0xfff8;  // OFPP_IN_PORT
  uint8_t table_id = 255;
  bool with_ct_orig = false;
  friend bool operator==(const ActResubmit&, const ActResubmit&) = default;
};
struct ActConjunction {
  uint32_t id = 0;
  uint8_t clause = 0;  // 0-based
  uint8_t n_clauses = 0;
  friend bool operator==(const ActConjunction&, const ActConjunction&) = default;
};
struct ActNote {
  std::vector<uint8_t> data;
  friend bool operator==(const ActNote&, const ActNote&) = default;
};
struct ActExit {
  friend bool operator==(const ActExit&, const ActExit&) = default;
};
struct ActCtClear {
  friend bool operator==(const ActCtClear&, const ActCtClear&) = default;
};
struct ActMultipath {
  std::string fields;     // "eth_src", "symmetric_l4", ...
  uint16_t basis = 0;
  std::string algorithm;  // "modulo_n", "hash_threshold", "hrw", "iter_hash"
  uint16_t max_link = 0;
  uint32_t arg = 0;
  Subfield dst;
  friend bool operator==(const ActMultipath&, const ActMultipath&) = default;
};
struct ActBundle {
  std::string fields;
  uint16_t basis = 0;
  std::string algorithm;  // "active_backup" or "hrw"
  std::vector<uint32_t> members;
  Subfield dst;  // bundle_load only
  bool load = false;
  friend bool operator==(const ActBundle&, const ActBundle&) = default;
};
struct ActSample {
  uint16_t probability = 0;
  uint32_t collector_set_id = 0;
  uint32_t obs_domain_id = 0;
  uint32_t obs_point_id = 0;
  uint32_t sampling_port = 0xffff;  // OFPP_NONE
  uint8_t direction = 0;            // 0 default, 1 ingress, 2 egress
  friend bool operator==(const ActSample&, const ActSample&) = default;
};
struct ActNat {
  bool src = false, dst = false;
  bool persistent = false, hash = false, random = false;
  bool ipv6 = false;
  bool range_set = false;  // an address range was given
  uint32_t ip4_min = 0, ip4_max = 0;
  In6Addr ip6_min{}, ip6_max{};
  uint16_t port_min = 0, port_max = 0;
  bool has_addr() const { return ip4_min || !ip6_min.is_zero(); }
  friend bool operator==(const ActNat&, const ActNat&) = default;
};
struct ActCt {
  bool commit = false, force = false;
  uint8_t recirc_table = 255;  // table=N
  uint16_t zone_imm = 0;
  Subfield zone_src;  // zone=NXM_..[]
  uint16_t alg = 0;
  std::vector<Action> exec;     // exec(...)
  std::vector<ActNat> nat;      // nat(...) — at most one
  friend bool operator==(const ActCt&, const ActCt&);
};
struct ActClone {
  std::vector<Action> actions;
  friend bool operator==(const ActClone&, const ActClone&);
};
struct ActCheckPktLarger {  // check_pkt_larger(N)->dst
  uint16_t pkt_len = 0;
  Subfield dst;
  friend bool operator==(const ActCheckPktLarger&, const ActCheckPktLarger&) = default;
};
struct LearnSpec {
  // dst_type: 0 match, 1 load, 2 output.  src is a subfield or an
  // immediate (right-aligned in the 16 bytes of `imm`).
  int dst_type = 0;
  bool src_is_imm = false;
  Subfield src;
  MfValue imm{};
  Subfield dst;
  friend bool operator==(const LearnSpec& a, const LearnSpec& b) {
    return a.dst_type == b.dst_type && a.src_is_imm == b.src_is_imm && a.src == b.src &&
           a.dst == b.dst && !std::memcmp(a.imm.b, b.imm.b, 16);
  }
};
struct ActLearn {
  uint16_t idle_timeout = 0, hard_timeout = 0;
  uint16_t priority = 0x8000;
  uint64_t cookie = 0;
  uint8_t table_id = 1;
  uint16_t fin_idle_timeout = 0, fin_hard_timeout = 0;
  bool send_flow_rem = false, delete_learned = false, write_result = false;
  bool limit_set = false;
  uint32_t limit = 0;
  Subfield result_dst;
  std::vector<LearnSpec> specs;
  friend bool operator==(const ActLearn&, const ActLearn&) = default;
};

// Instructions.
struct InstMeter {
  uint32_t meter_id = 0;
  friend bool operator==(const InstMeter&, const InstMeter&) = default;
};
struct InstClearActions {
  friend bool operator==(const InstClearActions&, const InstClearActions&) = default;
};
struct InstWriteActions {
  std::vector<Action> actions;
  friend bool operator==(const InstWriteActions&, const InstWriteActions&);
};
struct InstWriteMetadata {
  uint64_t metadata = 0, mask = ~0ull;
  friend bool operator==(const InstWriteMetadata&, const InstWriteMetadata&) = default;
};
struct InstGotoTable {
  uint8_t table_id = 0;
  friend bool operator==(const InstGotoTable&, const InstGotoTable&) = default;
};

using ActionVariant =
    std::variant<ActOutput, ActOutputTrunc, ActOutputReg, ActController, ActEnqueue, ActGroup,
                 ActSetVlanVid, ActSetVlanPcp, ActStripVlan, ActPushVlan, ActSetEthSrc,
                 ActSetEthDst, ActSetIpv4Src, ActSetIpv4Dst, ActSetIpDscp, ActSetIpEcn,
                 ActSetIpTtl, ActSetL4SrcPort, ActSetL4DstPort, ActSetField, ActRegMove,
                 ActDecTtl, ActSetMplsLabel, ActSetMplsTc, ActSetMplsTtl, ActDecMplsTtl,
                 ActPushMpls, ActPopMpls, ActSetTunnel, ActSetQueue, ActPopQueue,
                 ActFinTimeout, ActResubmit, ActConjunction, ActNote, ActExit, ActCtClear,
                 ActMultipath, ActBundle, ActSample, ActCt, ActClone, ActCheckPktLarger,
                 ActLearn, InstMeter, InstClearActions, InstWriteActions, InstWriteMetadata,
                 InstGotoTable>;

struct Action {
  ActionVariant v;
  template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, Action>)
  Action(T&& x) : v(std::forward<T>(x)) {}
  Action() = default;
  friend bool operator==(const Action& a, const Action& b) { return a.v == b.v; }
};

// Context for parsing: port names and the flow's match (for the checks
// OVS's ofpacts_check() does).
struct ActionParseResult {
  ActionList actions;
  Protocols usable = kPAny;  // protocols able to encode these actions
};

// Parses the actions= value ("output:1,mod_vlan_vid:5", "drop", ...).
// Errors are OVS's text: "unknown action foo", "X: output to unknown port".
Result<ActionParseResult> parse_actions(std::string_view s, const PortMap* ports = nullptr);
// Prints a list in ovs-ofctl's syntax ("drop" when empty).
std::string format_actions(const ActionList& actions, const PortMap* ports = nullptr);

// The checks OVS runs between a match and its actions (ofpacts_check):
// narrows `usable` for inconsistent actions (e.g. pop_vlan without a VLAN
// match) and fails with "OFPBAC_MATCH_INCONSISTENT"-style errors for
// impossible ones.
Status check_actions(const ActionList& actions, const Match& match, Protocols* usable);

// Rewrites actions the way encoding for `version` and decoding back would
// (mod_dl_dst <-> set_field, strip_vlan <-> pop_vlan, goto_table ->
// resubmit in OF1.0, ...), so printing matches ovs-ofctl.
ActionList actions_for_version(const ActionList& actions, const Match& match, uint8_t version);

}  // namespace grebe::openflow
