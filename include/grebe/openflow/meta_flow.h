// The field table ("meta-flow"): every matchable/settable field of
// ovs-fields(7) with its names, width, maskability, prerequisites, OpenFlow
// 1.0/1.1 support, NXM and OXM codes, and how to read or write it in a Flow.
//
// Field values travel as MfValue: n_bytes bytes in NETWORK order (what goes
// on the wire in NXM/OXM), whatever host-order representation Flow uses.
//
// Thread-safety: the table is constant; all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/packet/match.h"
#include "grebe/util/result.h"

namespace grebe::openflow {

enum class MfId : uint16_t {
  kDpHash,
  kRecircId,
  kPacketType,
  kConjId,
  kTunId,
  kTunSrc,
  kTunDst,
  kTunIpv6Src,
  kTunIpv6Dst,
  kTunFlags,
  kTunTtl,
  kTunTos,
  kTunGbpId,
  kTunGbpFlags,
  kTunErspanIdx,
  kTunErspanVer,
  kTunErspanDir,
  kTunErspanHwid,
  kTunGtpuFlags,
  kTunGtpuMsgtype,
  kMetadata,
  kInPort,
  kInPortOxm,
  kActsetOutput,
  kSkbPriority,
  kPktMark,
  kCtState,
  kCtZone,
  kCtMark,
  kCtLabel,
  kCtNwProto,
  kCtNwSrc,
  kCtNwDst,
  kCtIpv6Src,
  kCtIpv6Dst,
  kCtTpSrc,
  kCtTpDst,
  kReg0,
  kReg1,
  kReg2,
  kReg3,
  kReg4,
  kReg5,
  kReg6,
  kReg7,
  kReg8,
  kReg9,
  kReg10,
  kReg11,
  kReg12,
  kReg13,
  kReg14,
  kReg15,
  kXreg0,
  kXreg1,
  kXreg2,
  kXreg3,
  kXreg4,
  kXreg5,
  kXreg6,
  kXreg7,
  kXxreg0,
  kXxreg1,
  kXxreg2,
  kXxreg3,
  kEthSrc,
  kEthDst,
  kEthType,
  kVlanTci,
  kDlVlan,
  kVlanVid,
  kDlVlanPcp,
  kVlanPcp,
  kMplsLabel,
  kMplsTc,
  kMplsBos,
  kMplsTtl,
  kIpv4Src,
  kIpv4Dst,
  kIpv6Src,
  kIpv6Dst,
  kIpv6Label,
  kIpProto,
  kIpDscp,
  kIpDscpShifted,
  kIpEcn,
  kIpTtl,
  kIpFrag,
  kArpOp,
  kArpSpa,
  kArpTpa,
  kArpSha,
  kArpTha,
  kTcpSrc,
  kTcpDst,
  kTcpFlags,
  kUdpSrc,
  kUdpDst,
  kSctpSrc,
  kSctpDst,
  kIcmpv4Type,
  kIcmpv4Code,
  kIcmpv6Type,
  kIcmpv6Code,
  kNdTarget,
  kNdSll,
  kNdTll,
  kNdReserved,
  kNdOptionsType,
};

// How the value is parsed and printed.
enum class MfString : uint8_t {
  kDecimal, kHex, kEthernet, kIpv4, kIpv6, kOfpPort, kOfpPortOxm, kFrag,
  kTnlFlags, kTcpFlags, kCtState, kPacketType,
};

// What a match must already say before this field may be matched or set.
enum class MfPrereq : uint8_t {
  kNone, kEthernet, kArp, kIpv4, kIpv6, kIpAny, kMpls, kTcp, kUdp, kSctp,
  kIcmpv4, kIcmpv6, kNd, kNdSolicit, kNdAdvert, kVlanVid, kCt,
};

// Where the field lives in Flow.
enum class MfAccess : uint8_t {
  kInt,    // host-order integer of `width` bytes
  kBytes,  // byte array (MAC, IPv6) of `width` bytes
  kBits,   // bits `bitmask` of a host-order integer, value = (x & bitmask) >> shift
  kXreg,   // two consecutive regs, high word first
  kXxreg,  // four consecutive regs, high word first
  kU128,   // U128 {hi, lo}
};

enum Of10Support : uint8_t { kOf10None, kOf10Exact, kOf10Cidr };
enum Of11Support : uint8_t { kOf11None, kOf11Exact, kOf11Bitwise };

// An NXM or OXM header: class, field, experimenter (class 0xffff only) and
// the first OpenFlow version whose OXM carries it (1 for NXM).
struct MfCode {
  const char* name;  // nullptr: no such code
  uint16_t cls;
  uint8_t field;
  uint32_t experimenter;
  uint8_t version;
  bool valid() const { return name != nullptr; }
};
inline constexpr MfCode kNoCode{nullptr, 0, 0, 0, 0};

struct MfField {
  MfId id;
  const char* name;        // "eth_src"
  const char* extra_name;  // "dl_src", or nullptr
  uint8_t n_bytes;
  uint16_t n_bits;
  bool maskable;  // arbitrary bitwise masks allowed
  MfString string;
  MfPrereq prereq;
  bool writable;  // set_field/load/move may write it
  MfAccess access;
  uint16_t offset;  // in Flow
  uint8_t width;    // container bytes in Flow
  uint8_t shift;
  uint32_t bitmask;  // kBits only
  Of10Support of10;
  Of11Support of11;
  MfCode nxm;
  MfCode oxm;
};

// A field value or mask, network byte order, n_bytes significant.
struct MfValue {
  uint8_t b[16];
  static MfValue zero() { return MfValue{}; }
  static MfValue ones(const MfField& mf);
  // The value as an integer (n_bytes <= 8).
  uint64_t to_u64(const MfField& mf) const;
  static MfValue from_u64(const MfField& mf, uint64_t v);
  bool is_zero(const MfField& mf) const;
  bool is_ones(const MfField& mf) const;
};

inline constexpr int kMfNumFields = static_cast<int>(MfId::kNdOptionsType) + 1;

// The field with this id.
const MfField& mf_field(MfId id);
// Looks up a field by name or alias ("eth_src", "dl_src").  nullptr if none.
const MfField* mf_from_name(std::string_view name);
// Looks up a field by NXM/OXM name ("NXM_OF_ETH_SRC", "OXM_OF_ETH_SRC").
const MfField* mf_from_code_name(std::string_view name);
// Looks up a field by NXM/OXM class+field (+experimenter).  nullptr if none.
const MfField* mf_from_code(uint16_t cls, uint8_t field, uint32_t experimenter);
// Iteration over the table.
const MfField* mf_begin();
const MfField* mf_end();

// Reads the field's value / mask out of a flow / wildcards.
MfValue mf_get_value(const MfField& mf, const Flow& flow);
MfValue mf_get_mask(const MfField& mf, const FlowWildcards& wc);
// True if the match matches none of the field's bits.
bool mf_is_all_wild(const MfField& mf, const FlowWildcards& wc);
// Sets every bit the field occupies in `f` (whole container for integer
// fields), e.g. to build "which bits belong to which fields" masks.
void mf_set_all_bits(const MfField& mf, Flow& f);
// Writes the value into a flow (set_field semantics).
void mf_set_flow_value(const MfField& mf, const MfValue& value, Flow& flow);
// Makes `match` match value/mask on this field; returns the protocols that
// can express that match (as OVS's mf_set()).
Protocols mf_set(const MfField& mf, const MfValue& value, const MfValue& mask,
                 Match& match);
// Stops matching on the field.
void mf_set_wild(const MfField& mf, Match& match);
// True if `mask` is a mask this field accepts (CIDR-only fields etc.).
bool mf_is_mask_valid(const MfField& mf, const MfValue& mask);
// True if the flow satisfies the field's prerequisites.
bool mf_are_prereqs_ok(const MfField& mf, const Flow& flow);
// Adds the Ethernet packet_type prerequisite as OVS does after parsing.
void mf_add_ethernet_prereq(const MfField& mf, Match& match);

// A port name <-> number map for --names.  Null means numbers only.
struct PortMap;

// Parses "value[/mask]" in the field's syntax.  "*" means fully wild.
// Errors are OVS's text, e.g. "zz: invalid Ethernet address".
struct MfValueMask {
  MfValue value;
  MfValue mask;
};
Result<MfValueMask> mf_parse(const MfField& mf, std::string_view s,
                             const PortMap* ports = nullptr);
// Parses an exact value; "X: wildcards not allowed here" on a mask.
Result<MfValue> mf_parse_value(const MfField& mf, std::string_view s,
                               const PortMap* ports = nullptr);
// Formats a value (and mask unless null/exact) in the field's syntax.
std::string mf_format(const MfField& mf, const MfValue& value, const MfValue* mask,
                      const PortMap* ports = nullptr);

// Supported protocols for matching the field exactly / with a CIDR mask /
// with an arbitrary bitwise mask.
Protocols mf_usable_protocols_exact(const MfField& mf);
Protocols mf_usable_protocols_cidr(const MfField& mf);
Protocols mf_usable_protocols_bitwise(const MfField& mf);

}  // namespace grebe::openflow
