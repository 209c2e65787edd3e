// The field table and generic field access; see meta_flow.h.
#include "grebe/openflow/meta_flow.h"

#include <cstring>

#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

// Facts from ovs-fields(7): names, sizes, masks, prerequisites, OpenFlow 1.0
// and 1.1 support and NXM/OXM assignments.  Order = MfId order.
constexpr MfField kFields[] = {
    {MfId::kDpHash, "dp_hash", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, dp_hash), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_DP_HASH", 0x0001, 35, 0x00000000, 1},
     MfCode{"NXOXM_ET_DP_HASH", 0xffff, 0, 0x00002320, 1}},
    {MfId::kRecircId, "recirc_id", nullptr, 4, 32, false, MfString::kDecimal, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, recirc_id), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_RECIRC_ID", 0x0001, 36, 0x00000000, 1},
     kNoCode},
    {MfId::kPacketType, "packet_type", nullptr, 4, 32, false, MfString::kPacketType, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, packet_type), 4, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PACKET_TYPE", 0x8000, 44, 0x00000000, 6}},
    {MfId::kConjId, "conj_id", nullptr, 4, 32, false, MfString::kDecimal, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, conj_id), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CONJ_ID", 0x0001, 37, 0x00000000, 1},
     kNoCode},
    {MfId::kTunId, "tun_id", "tunnel_id", 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.tun_id), 8, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_ID", 0x0001, 16, 0x00000000, 1},
     MfCode{"OXM_OF_TUNNEL_ID", 0x8000, 38, 0x00000000, 4}},
    {MfId::kTunSrc, "tun_src", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.ip_src), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_IPV4_SRC", 0x0001, 31, 0x00000000, 1},
     kNoCode},
    {MfId::kTunDst, "tun_dst", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.ip_dst), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_IPV4_DST", 0x0001, 32, 0x00000000, 1},
     kNoCode},
    {MfId::kTunIpv6Src, "tun_ipv6_src", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kNone, true,
     MfAccess::kBytes, offsetof(Flow, tunnel.ipv6_src), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_IPV6_SRC", 0x0001, 109, 0x00000000, 1},
     kNoCode},
    {MfId::kTunIpv6Dst, "tun_ipv6_dst", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kNone, true,
     MfAccess::kBytes, offsetof(Flow, tunnel.ipv6_dst), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_IPV6_DST", 0x0001, 110, 0x00000000, 1},
     kNoCode},
    {MfId::kTunFlags, "tun_flags", nullptr, 2, 1, true, MfString::kTnlFlags, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.flags), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_FLAGS", 0x0001, 104, 0x00000000, 1},
     kNoCode},
    {MfId::kTunTtl, "tun_ttl", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, tunnel.ip_ttl), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     kNoCode},
    {MfId::kTunTos, "tun_tos", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, tunnel.ip_tos), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     kNoCode},
    {MfId::kTunGbpId, "tun_gbp_id", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.gbp_id), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_GBP_ID", 0x0001, 38, 0x00000000, 1},
     kNoCode},
    {MfId::kTunGbpFlags, "tun_gbp_flags", nullptr, 1, 8, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.gbp_flags), 1, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TUN_GBP_FLAGS", 0x0001, 39, 0x00000000, 1},
     kNoCode},
    {MfId::kTunErspanIdx, "tun_erspan_idx", nullptr, 4, 20, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.erspan_idx), 4, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_ERSPAN_IDX", 0xffff, 11, 0x00002320, 1}},
    {MfId::kTunErspanVer, "tun_erspan_ver", nullptr, 1, 4, true, MfString::kDecimal, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.erspan_ver), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_ERSPAN_VER", 0xffff, 12, 0x00002320, 1}},
    {MfId::kTunErspanDir, "tun_erspan_dir", nullptr, 1, 1, true, MfString::kDecimal, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.erspan_dir), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_ERSPAN_DIR", 0xffff, 13, 0x00002320, 1}},
    {MfId::kTunErspanHwid, "tun_erspan_hwid", nullptr, 1, 6, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, tunnel.erspan_hwid), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_ERSPAN_HWID", 0xffff, 14, 0x00002320, 1}},
    {MfId::kTunGtpuFlags, "tun_gtpu_flags", nullptr, 1, 8, true, MfString::kHex, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, tunnel.gtpu_flags), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_GTPU_FLAGS", 0xffff, 15, 0x00002320, 1}},
    {MfId::kTunGtpuMsgtype, "tun_gtpu_msgtype", nullptr, 1, 8, true, MfString::kDecimal, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, tunnel.gtpu_msgtype), 1, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"NXOXM_ET_GTPU_MSGTYPE", 0xffff, 16, 0x00002320, 1}},
    {MfId::kMetadata, "metadata", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, metadata), 8, 0, 0x0, kOf10None, kOf11Bitwise,
     kNoCode,
     MfCode{"OXM_OF_METADATA", 0x8000, 2, 0x00000000, 3}},
    {MfId::kInPort, "in_port", nullptr, 2, 16, false, MfString::kOfpPort, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, in_port), 4, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_IN_PORT", 0x0000, 0, 0x00000000, 1},
     kNoCode},
    {MfId::kInPortOxm, "in_port_oxm", nullptr, 4, 32, false, MfString::kOfpPortOxm, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, in_port), 4, 0, 0x0, kOf10None, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_IN_PORT", 0x8000, 0, 0x00000000, 3}},
    {MfId::kActsetOutput, "actset_output", nullptr, 4, 32, false, MfString::kOfpPortOxm, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, actset_output), 4, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"ONFOXM_ET_ACTSET_OUTPUT", 0xffff, 43, 0x4f4e4600, 4}},
    {MfId::kSkbPriority, "skb_priority", nullptr, 4, 32, false, MfString::kHex, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, skb_priority), 4, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     kNoCode},
    {MfId::kPktMark, "pkt_mark", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, pkt_mark), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_PKT_MARK", 0x0001, 33, 0x00000000, 1},
     kNoCode},
    {MfId::kCtState, "ct_state", nullptr, 4, 32, true, MfString::kCtState, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, ct_state), 1, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_STATE", 0x0001, 105, 0x00000000, 1},
     kNoCode},
    {MfId::kCtZone, "ct_zone", nullptr, 2, 16, false, MfString::kHex, MfPrereq::kNone, false,
     MfAccess::kInt, offsetof(Flow, ct_zone), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_ZONE", 0x0001, 106, 0x00000000, 1},
     kNoCode},
    {MfId::kCtMark, "ct_mark", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, ct_mark), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_MARK", 0x0001, 107, 0x00000000, 1},
     kNoCode},
    {MfId::kCtLabel, "ct_label", nullptr, 16, 128, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kU128, offsetof(Flow, ct_label), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_LABEL", 0x0001, 108, 0x00000000, 1},
     kNoCode},
    {MfId::kCtNwProto, "ct_nw_proto", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kCt, false,
     MfAccess::kInt, offsetof(Flow, ct_nw_proto), 1, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_NW_PROTO", 0x0001, 119, 0x00000000, 1},
     kNoCode},
    {MfId::kCtNwSrc, "ct_nw_src", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kCt, false,
     MfAccess::kInt, offsetof(Flow, ct_nw_src), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_NW_SRC", 0x0001, 120, 0x00000000, 1},
     kNoCode},
    {MfId::kCtNwDst, "ct_nw_dst", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kCt, false,
     MfAccess::kInt, offsetof(Flow, ct_nw_dst), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_NW_DST", 0x0001, 121, 0x00000000, 1},
     kNoCode},
    {MfId::kCtIpv6Src, "ct_ipv6_src", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kCt, false,
     MfAccess::kBytes, offsetof(Flow, ct_ipv6_src), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_IPV6_SRC", 0x0001, 122, 0x00000000, 1},
     kNoCode},
    {MfId::kCtIpv6Dst, "ct_ipv6_dst", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kCt, false,
     MfAccess::kBytes, offsetof(Flow, ct_ipv6_dst), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_IPV6_DST", 0x0001, 123, 0x00000000, 1},
     kNoCode},
    {MfId::kCtTpSrc, "ct_tp_src", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kCt, false,
     MfAccess::kInt, offsetof(Flow, ct_tp_src), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_TP_SRC", 0x0001, 124, 0x00000000, 1},
     kNoCode},
    {MfId::kCtTpDst, "ct_tp_dst", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kCt, false,
     MfAccess::kInt, offsetof(Flow, ct_tp_dst), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_CT_TP_DST", 0x0001, 125, 0x00000000, 1},
     kNoCode},
    {MfId::kReg0, "reg0", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[0]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG0", 0x0001, 0, 0x00000000, 1},
     kNoCode},
    {MfId::kReg1, "reg1", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[1]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG1", 0x0001, 1, 0x00000000, 1},
     kNoCode},
    {MfId::kReg2, "reg2", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[2]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG2", 0x0001, 2, 0x00000000, 1},
     kNoCode},
    {MfId::kReg3, "reg3", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[3]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG3", 0x0001, 3, 0x00000000, 1},
     kNoCode},
    {MfId::kReg4, "reg4", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[4]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG4", 0x0001, 4, 0x00000000, 1},
     kNoCode},
    {MfId::kReg5, "reg5", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[5]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG5", 0x0001, 5, 0x00000000, 1},
     kNoCode},
    {MfId::kReg6, "reg6", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[6]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG6", 0x0001, 6, 0x00000000, 1},
     kNoCode},
    {MfId::kReg7, "reg7", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[7]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG7", 0x0001, 7, 0x00000000, 1},
     kNoCode},
    {MfId::kReg8, "reg8", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[8]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG8", 0x0001, 8, 0x00000000, 1},
     kNoCode},
    {MfId::kReg9, "reg9", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[9]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG9", 0x0001, 9, 0x00000000, 1},
     kNoCode},
    {MfId::kReg10, "reg10", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[10]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG10", 0x0001, 10, 0x00000000, 1},
     kNoCode},
    {MfId::kReg11, "reg11", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[11]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG11", 0x0001, 11, 0x00000000, 1},
     kNoCode},
    {MfId::kReg12, "reg12", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[12]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG12", 0x0001, 12, 0x00000000, 1},
     kNoCode},
    {MfId::kReg13, "reg13", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[13]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG13", 0x0001, 13, 0x00000000, 1},
     kNoCode},
    {MfId::kReg14, "reg14", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[14]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG14", 0x0001, 14, 0x00000000, 1},
     kNoCode},
    {MfId::kReg15, "reg15", nullptr, 4, 32, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kInt, offsetof(Flow, regs[15]), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_REG15", 0x0001, 15, 0x00000000, 1},
     kNoCode},
    {MfId::kXreg0, "xreg0", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[0]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG0", 0x8001, 0, 0x00000000, 4}},
    {MfId::kXreg1, "xreg1", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[2]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG1", 0x8001, 1, 0x00000000, 4}},
    {MfId::kXreg2, "xreg2", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[4]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG2", 0x8001, 2, 0x00000000, 4}},
    {MfId::kXreg3, "xreg3", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[6]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG3", 0x8001, 3, 0x00000000, 4}},
    {MfId::kXreg4, "xreg4", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[8]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG4", 0x8001, 4, 0x00000000, 4}},
    {MfId::kXreg5, "xreg5", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[10]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG5", 0x8001, 5, 0x00000000, 4}},
    {MfId::kXreg6, "xreg6", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[12]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG6", 0x8001, 6, 0x00000000, 4}},
    {MfId::kXreg7, "xreg7", nullptr, 8, 64, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXreg, offsetof(Flow, regs[14]), 8, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_PKT_REG7", 0x8001, 7, 0x00000000, 4}},
    {MfId::kXxreg0, "xxreg0", nullptr, 16, 128, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXxreg, offsetof(Flow, regs[0]), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_XXREG0", 0x0001, 111, 0x00000000, 1},
     kNoCode},
    {MfId::kXxreg1, "xxreg1", nullptr, 16, 128, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXxreg, offsetof(Flow, regs[4]), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_XXREG1", 0x0001, 112, 0x00000000, 1},
     kNoCode},
    {MfId::kXxreg2, "xxreg2", nullptr, 16, 128, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXxreg, offsetof(Flow, regs[8]), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_XXREG2", 0x0001, 113, 0x00000000, 1},
     kNoCode},
    {MfId::kXxreg3, "xxreg3", nullptr, 16, 128, true, MfString::kHex, MfPrereq::kNone, true,
     MfAccess::kXxreg, offsetof(Flow, regs[12]), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_XXREG3", 0x0001, 114, 0x00000000, 1},
     kNoCode},
    {MfId::kEthSrc, "eth_src", "dl_src", 6, 48, true, MfString::kEthernet, MfPrereq::kEthernet, true,
     MfAccess::kBytes, offsetof(Flow, dl_src), 6, 0, 0x0, kOf10Exact, kOf11Bitwise,
     MfCode{"NXM_OF_ETH_SRC", 0x0000, 2, 0x00000000, 1},
     MfCode{"OXM_OF_ETH_SRC", 0x8000, 4, 0x00000000, 3}},
    {MfId::kEthDst, "eth_dst", "dl_dst", 6, 48, true, MfString::kEthernet, MfPrereq::kEthernet, true,
     MfAccess::kBytes, offsetof(Flow, dl_dst), 6, 0, 0x0, kOf10Exact, kOf11Bitwise,
     MfCode{"NXM_OF_ETH_DST", 0x0000, 1, 0x00000000, 1},
     MfCode{"OXM_OF_ETH_DST", 0x8000, 3, 0x00000000, 3}},
    {MfId::kEthType, "eth_type", "dl_type", 2, 16, false, MfString::kHex, MfPrereq::kEthernet, false,
     MfAccess::kInt, offsetof(Flow, dl_type), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_ETH_TYPE", 0x0000, 3, 0x00000000, 1},
     MfCode{"OXM_OF_ETH_TYPE", 0x8000, 5, 0x00000000, 3}},
    {MfId::kVlanTci, "vlan_tci", nullptr, 2, 16, true, MfString::kHex, MfPrereq::kEthernet, true,
     MfAccess::kInt, offsetof(Flow, vlans[0].tci), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_VLAN_TCI", 0x0000, 4, 0x00000000, 1},
     kNoCode},
    {MfId::kDlVlan, "dl_vlan", nullptr, 2, 12, false, MfString::kDecimal, MfPrereq::kEthernet, true,
     MfAccess::kBits, offsetof(Flow, vlans[0].tci), 2, 0, 0xfff, kOf10Exact, kOf11Exact,
     kNoCode,
     kNoCode},
    {MfId::kVlanVid, "vlan_vid", nullptr, 2, 12, true, MfString::kDecimal, MfPrereq::kEthernet, true,
     MfAccess::kBits, offsetof(Flow, vlans[0].tci), 2, 0, 0x1fff, kOf10Exact, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_VLAN_VID", 0x8000, 6, 0x00000000, 3}},
    {MfId::kDlVlanPcp, "dl_vlan_pcp", nullptr, 1, 3, false, MfString::kDecimal, MfPrereq::kEthernet, true,
     MfAccess::kBits, offsetof(Flow, vlans[0].tci), 2, 13, 0xe000, kOf10Exact, kOf11Exact,
     kNoCode,
     kNoCode},
    {MfId::kVlanPcp, "vlan_pcp", nullptr, 1, 3, false, MfString::kDecimal, MfPrereq::kVlanVid, true,
     MfAccess::kBits, offsetof(Flow, vlans[0].tci), 2, 13, 0xe000, kOf10Exact, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_VLAN_PCP", 0x8000, 7, 0x00000000, 3}},
    {MfId::kMplsLabel, "mpls_label", nullptr, 4, 20, false, MfString::kDecimal, MfPrereq::kMpls, true,
     MfAccess::kBits, offsetof(Flow, mpls_lse[0]), 4, 12, 0xfffff000, kOf10None, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_MPLS_LABEL", 0x8000, 34, 0x00000000, 3}},
    {MfId::kMplsTc, "mpls_tc", nullptr, 1, 3, false, MfString::kDecimal, MfPrereq::kMpls, true,
     MfAccess::kBits, offsetof(Flow, mpls_lse[0]), 4, 9, 0xe00, kOf10None, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_MPLS_TC", 0x8000, 35, 0x00000000, 3}},
    {MfId::kMplsBos, "mpls_bos", nullptr, 1, 1, false, MfString::kDecimal, MfPrereq::kMpls, false,
     MfAccess::kBits, offsetof(Flow, mpls_lse[0]), 4, 8, 0x100, kOf10None, kOf11None,
     kNoCode,
     MfCode{"OXM_OF_MPLS_BOS", 0x8000, 36, 0x00000000, 4}},
    {MfId::kMplsTtl, "mpls_ttl", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kMpls, true,
     MfAccess::kBits, offsetof(Flow, mpls_lse[0]), 4, 0, 0xff, kOf10None, kOf11None,
     MfCode{"NXM_NX_MPLS_TTL", 0x0001, 30, 0x00000000, 1},
     kNoCode},
    {MfId::kIpv4Src, "ip_src", "nw_src", 4, 32, true, MfString::kIpv4, MfPrereq::kIpv4, true,
     MfAccess::kInt, offsetof(Flow, nw_src), 4, 0, 0x0, kOf10Cidr, kOf11Bitwise,
     MfCode{"NXM_OF_IP_SRC", 0x0000, 7, 0x00000000, 1},
     MfCode{"OXM_OF_IPV4_SRC", 0x8000, 11, 0x00000000, 3}},
    {MfId::kIpv4Dst, "ip_dst", "nw_dst", 4, 32, true, MfString::kIpv4, MfPrereq::kIpv4, true,
     MfAccess::kInt, offsetof(Flow, nw_dst), 4, 0, 0x0, kOf10Cidr, kOf11Bitwise,
     MfCode{"NXM_OF_IP_DST", 0x0000, 8, 0x00000000, 1},
     MfCode{"OXM_OF_IPV4_DST", 0x8000, 12, 0x00000000, 3}},
    {MfId::kIpv6Src, "ipv6_src", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kIpv6, true,
     MfAccess::kBytes, offsetof(Flow, ipv6_src), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_IPV6_SRC", 0x0001, 19, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_SRC", 0x8000, 26, 0x00000000, 3}},
    {MfId::kIpv6Dst, "ipv6_dst", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kIpv6, true,
     MfAccess::kBytes, offsetof(Flow, ipv6_dst), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_IPV6_DST", 0x0001, 20, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_DST", 0x8000, 27, 0x00000000, 3}},
    {MfId::kIpv6Label, "ipv6_label", nullptr, 4, 20, true, MfString::kHex, MfPrereq::kIpv6, true,
     MfAccess::kInt, offsetof(Flow, ipv6_label), 4, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_IPV6_LABEL", 0x0001, 27, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_FLABEL", 0x8000, 28, 0x00000000, 3}},
    {MfId::kIpProto, "nw_proto", "ip_proto", 1, 8, false, MfString::kDecimal, MfPrereq::kIpAny, false,
     MfAccess::kInt, offsetof(Flow, nw_proto), 1, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_IP_PROTO", 0x0000, 6, 0x00000000, 1},
     MfCode{"OXM_OF_IP_PROTO", 0x8000, 10, 0x00000000, 3}},
    {MfId::kIpDscp, "nw_tos", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIpAny, true,
     MfAccess::kBits, offsetof(Flow, nw_tos), 1, 0, 0xfc, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_IP_TOS", 0x0000, 5, 0x00000000, 1},
     kNoCode},
    {MfId::kIpDscpShifted, "ip_dscp", nullptr, 1, 6, false, MfString::kDecimal, MfPrereq::kIpAny, true,
     MfAccess::kBits, offsetof(Flow, nw_tos), 1, 2, 0xfc, kOf10Exact, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_IP_DSCP", 0x8000, 8, 0x00000000, 3}},
    {MfId::kIpEcn, "nw_ecn", "ip_ecn", 1, 2, false, MfString::kDecimal, MfPrereq::kIpAny, true,
     MfAccess::kBits, offsetof(Flow, nw_tos), 1, 0, 0x3, kOf10None, kOf11Exact,
     MfCode{"NXM_NX_IP_ECN", 0x0001, 28, 0x00000000, 1},
     MfCode{"OXM_OF_IP_ECN", 0x8000, 9, 0x00000000, 3}},
    {MfId::kIpTtl, "nw_ttl", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIpAny, true,
     MfAccess::kInt, offsetof(Flow, nw_ttl), 1, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_IP_TTL", 0x0001, 29, 0x00000000, 1},
     kNoCode},
    {MfId::kIpFrag, "ip_frag", "nw_frag", 1, 2, true, MfString::kFrag, MfPrereq::kIpAny, false,
     MfAccess::kInt, offsetof(Flow, nw_frag), 1, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_IP_FRAG", 0x0001, 26, 0x00000000, 1},
     kNoCode},
    {MfId::kArpOp, "arp_op", nullptr, 2, 16, false, MfString::kDecimal, MfPrereq::kArp, true,
     MfAccess::kInt, offsetof(Flow, nw_proto), 1, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_ARP_OP", 0x0000, 15, 0x00000000, 1},
     MfCode{"OXM_OF_ARP_OP", 0x8000, 21, 0x00000000, 3}},
    {MfId::kArpSpa, "arp_spa", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kArp, true,
     MfAccess::kInt, offsetof(Flow, nw_src), 4, 0, 0x0, kOf10Cidr, kOf11Bitwise,
     MfCode{"NXM_OF_ARP_SPA", 0x0000, 16, 0x00000000, 1},
     MfCode{"OXM_OF_ARP_SPA", 0x8000, 22, 0x00000000, 3}},
    {MfId::kArpTpa, "arp_tpa", nullptr, 4, 32, true, MfString::kIpv4, MfPrereq::kArp, true,
     MfAccess::kInt, offsetof(Flow, nw_dst), 4, 0, 0x0, kOf10Cidr, kOf11Bitwise,
     MfCode{"NXM_OF_ARP_TPA", 0x0000, 17, 0x00000000, 1},
     MfCode{"OXM_OF_ARP_TPA", 0x8000, 23, 0x00000000, 3}},
    {MfId::kArpSha, "arp_sha", nullptr, 6, 48, true, MfString::kEthernet, MfPrereq::kArp, true,
     MfAccess::kBytes, offsetof(Flow, arp_sha), 6, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ARP_SHA", 0x0001, 17, 0x00000000, 1},
     MfCode{"OXM_OF_ARP_SHA", 0x8000, 24, 0x00000000, 3}},
    {MfId::kArpTha, "arp_tha", nullptr, 6, 48, true, MfString::kEthernet, MfPrereq::kArp, true,
     MfAccess::kBytes, offsetof(Flow, arp_tha), 6, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ARP_THA", 0x0001, 18, 0x00000000, 1},
     MfCode{"OXM_OF_ARP_THA", 0x8000, 25, 0x00000000, 3}},
    {MfId::kTcpSrc, "tcp_src", "tp_src", 2, 16, true, MfString::kDecimal, MfPrereq::kTcp, true,
     MfAccess::kInt, offsetof(Flow, tp_src), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_TCP_SRC", 0x0000, 9, 0x00000000, 1},
     MfCode{"OXM_OF_TCP_SRC", 0x8000, 13, 0x00000000, 3}},
    {MfId::kTcpDst, "tcp_dst", "tp_dst", 2, 16, true, MfString::kDecimal, MfPrereq::kTcp, true,
     MfAccess::kInt, offsetof(Flow, tp_dst), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_TCP_DST", 0x0000, 10, 0x00000000, 1},
     MfCode{"OXM_OF_TCP_DST", 0x8000, 14, 0x00000000, 3}},
    {MfId::kTcpFlags, "tcp_flags", nullptr, 2, 12, true, MfString::kTcpFlags, MfPrereq::kTcp, false,
     MfAccess::kInt, offsetof(Flow, tcp_flags), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_TCP_FLAGS", 0x0001, 34, 0x00000000, 1},
     MfCode{"ONFOXM_ET_TCP_FLAGS", 0xffff, 42, 0x4f4e4600, 4}},
    {MfId::kUdpSrc, "udp_src", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kUdp, true,
     MfAccess::kInt, offsetof(Flow, tp_src), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_UDP_SRC", 0x0000, 11, 0x00000000, 1},
     MfCode{"OXM_OF_UDP_SRC", 0x8000, 15, 0x00000000, 3}},
    {MfId::kUdpDst, "udp_dst", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kUdp, true,
     MfAccess::kInt, offsetof(Flow, tp_dst), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_UDP_DST", 0x0000, 12, 0x00000000, 1},
     MfCode{"OXM_OF_UDP_DST", 0x8000, 16, 0x00000000, 3}},
    {MfId::kSctpSrc, "sctp_src", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kSctp, true,
     MfAccess::kInt, offsetof(Flow, tp_src), 2, 0, 0x0, kOf10None, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_SCTP_SRC", 0x8000, 17, 0x00000000, 3}},
    {MfId::kSctpDst, "sctp_dst", nullptr, 2, 16, true, MfString::kDecimal, MfPrereq::kSctp, true,
     MfAccess::kInt, offsetof(Flow, tp_dst), 2, 0, 0x0, kOf10None, kOf11Exact,
     kNoCode,
     MfCode{"OXM_OF_SCTP_DST", 0x8000, 18, 0x00000000, 3}},
    {MfId::kIcmpv4Type, "icmp_type", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIcmpv4, true,
     MfAccess::kInt, offsetof(Flow, tp_src), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_ICMP_TYPE", 0x0000, 13, 0x00000000, 1},
     MfCode{"OXM_OF_ICMPV4_TYPE", 0x8000, 19, 0x00000000, 3}},
    {MfId::kIcmpv4Code, "icmp_code", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIcmpv4, true,
     MfAccess::kInt, offsetof(Flow, tp_dst), 2, 0, 0x0, kOf10Exact, kOf11Exact,
     MfCode{"NXM_OF_ICMP_CODE", 0x0000, 14, 0x00000000, 1},
     MfCode{"OXM_OF_ICMPV4_CODE", 0x8000, 20, 0x00000000, 3}},
    {MfId::kIcmpv6Type, "icmpv6_type", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIcmpv6, true,
     MfAccess::kInt, offsetof(Flow, tp_src), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ICMPV6_TYPE", 0x0001, 21, 0x00000000, 1},
     MfCode{"OXM_OF_ICMPV6_TYPE", 0x8000, 29, 0x00000000, 3}},
    {MfId::kIcmpv6Code, "icmpv6_code", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kIcmpv6, true,
     MfAccess::kInt, offsetof(Flow, tp_dst), 2, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ICMPV6_CODE", 0x0001, 22, 0x00000000, 1},
     MfCode{"OXM_OF_ICMPV6_CODE", 0x8000, 30, 0x00000000, 3}},
    {MfId::kNdTarget, "nd_target", nullptr, 16, 128, true, MfString::kIpv6, MfPrereq::kNd, true,
     MfAccess::kBytes, offsetof(Flow, nd_target), 16, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ND_TARGET", 0x0001, 23, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_ND_TARGET", 0x8000, 31, 0x00000000, 3}},
    {MfId::kNdSll, "nd_sll", nullptr, 6, 48, true, MfString::kEthernet, MfPrereq::kNdSolicit, true,
     MfAccess::kBytes, offsetof(Flow, arp_sha), 6, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ND_SLL", 0x0001, 24, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_ND_SLL", 0x8000, 32, 0x00000000, 3}},
    {MfId::kNdTll, "nd_tll", nullptr, 6, 48, true, MfString::kEthernet, MfPrereq::kNdAdvert, true,
     MfAccess::kBytes, offsetof(Flow, arp_tha), 6, 0, 0x0, kOf10None, kOf11None,
     MfCode{"NXM_NX_ND_TLL", 0x0001, 25, 0x00000000, 1},
     MfCode{"OXM_OF_IPV6_ND_TLL", 0x8000, 33, 0x00000000, 3}},
    {MfId::kNdReserved, "nd_reserved", nullptr, 4, 32, false, MfString::kDecimal, MfPrereq::kNd, true,
     MfAccess::kInt, offsetof(Flow, igmp_group_ip4), 4, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"ERICOXM_OF_ICMPV6_ND_RESERVED", 0x1000, 1, 0x00000000, 1}},
    {MfId::kNdOptionsType, "nd_options_type", nullptr, 1, 8, false, MfString::kDecimal, MfPrereq::kNd, true,
     MfAccess::kInt, offsetof(Flow, tcp_flags), 2, 0, 0x0, kOf10None, kOf11None,
     kNoCode,
     MfCode{"ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE", 0x1000, 2, 0x00000000, 1}},
};
static_assert(sizeof(kFields) / sizeof(kFields[0]) == kMfNumFields);

constexpr bool table_in_id_order() {
  for (int i = 0; i < kMfNumFields; ++i)
    if (static_cast<int>(kFields[i].id) != i) return false;
  return true;
}
static_assert(table_in_id_order(), "kFields must be listed in MfId order");

// Raw container access at a byte offset in a Flow.
uint64_t load_container(const Flow& f, const MfField& mf) {
  const auto* p = reinterpret_cast<const uint8_t*>(&f) + mf.offset;
  switch (mf.width) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

void store_container(Flow& f, const MfField& mf, uint64_t v) {
  auto* p = reinterpret_cast<uint8_t*>(&f) + mf.offset;
  switch (mf.width) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: { uint16_t x = static_cast<uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = static_cast<uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

uint32_t* regs_at(Flow& f, const MfField& mf) {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<uint8_t*>(&f) + mf.offset);
}
const uint32_t* regs_at(const Flow& f, const MfField& mf) {
  return reinterpret_cast<const uint32_t*>(reinterpret_cast<const uint8_t*>(&f) + mf.offset);
}

// Reads the field (value or mask, whichever Flow is passed) as MfValue.
MfValue read_field(const MfField& mf, const Flow& f) {
  MfValue v{};
  switch (mf.access) {
    case MfAccess::kInt:
      return MfValue::from_u64(mf, load_container(f, mf));
    case MfAccess::kBits:
      return MfValue::from_u64(mf, (load_container(f, mf) & mf.bitmask) >> mf.shift);
    case MfAccess::kBytes:
      std::memcpy(v.b, reinterpret_cast<const uint8_t*>(&f) + mf.offset, mf.n_bytes);
      return v;
    case MfAccess::kXreg:
    case MfAccess::kXxreg: {
      const uint32_t* r = regs_at(f, mf);
      for (int i = 0; i < mf.n_bytes / 4; ++i) store_be32(&v.b[4 * i], r[i]);
      return v;
    }
    case MfAccess::kU128: {
      U128 u;
      std::memcpy(&u, reinterpret_cast<const uint8_t*>(&f) + mf.offset, sizeof u);
      store_be64(&v.b[0], u.hi);
      store_be64(&v.b[8], u.lo);
      return v;
    }
  }
  return v;
}

// Writes the field's bits in `f` (value or mask), leaving other bits alone.
void write_field(const MfField& mf, const MfValue& v, Flow& f) {
  switch (mf.access) {
    case MfAccess::kInt:
      store_container(f, mf, v.to_u64(mf));
      break;
    case MfAccess::kBits: {
      uint64_t c = load_container(f, mf);
      c = (c & ~uint64_t{mf.bitmask}) | ((v.to_u64(mf) << mf.shift) & mf.bitmask);
      store_container(f, mf, c);
      break;
    }
    case MfAccess::kBytes:
      std::memcpy(reinterpret_cast<uint8_t*>(&f) + mf.offset, v.b, mf.n_bytes);
      break;
    case MfAccess::kXreg:
    case MfAccess::kXxreg: {
      uint32_t* r = regs_at(f, mf);
      for (int i = 0; i < mf.n_bytes / 4; ++i) r[i] = load_be32(&v.b[4 * i]);
      break;
    }
    case MfAccess::kU128: {
      U128 u{load_be64(&v.b[0]), load_be64(&v.b[8])};
      std::memcpy(reinterpret_cast<uint8_t*>(&f) + mf.offset, &u, sizeof u);
      break;
    }
  }
}

bool vlan_field(MfId id) {
  return id == MfId::kDlVlan || id == MfId::kVlanVid || id == MfId::kDlVlanPcp ||
         id == MfId::kVlanPcp;
}

}  // namespace

MfValue MfValue::ones(const MfField& mf) {
  MfValue v{};
  std::memset(v.b, 0xff, mf.n_bytes);
  return v;
}

uint64_t MfValue::to_u64(const MfField& mf) const {
  uint64_t x = 0;
  for (int i = 0; i < mf.n_bytes && i < 16; ++i) x = (x << 8) | b[i];
  return x;
}

MfValue MfValue::from_u64(const MfField& mf, uint64_t v) {
  MfValue r{};
  for (int i = mf.n_bytes - 1; i >= 0; --i, v >>= 8) r.b[i] = static_cast<uint8_t>(v);
  return r;
}

bool MfValue::is_zero(const MfField& mf) const {
  for (int i = 0; i < mf.n_bytes; ++i)
    if (b[i]) return false;
  return true;
}

bool MfValue::is_ones(const MfField& mf) const {
  for (int i = 0; i < mf.n_bytes; ++i)
    if (b[i] != 0xff) return false;
  return true;
}

const MfField& mf_field(MfId id) { return kFields[static_cast<int>(id)]; }
const MfField* mf_begin() { return kFields; }
const MfField* mf_end() { return kFields + kMfNumFields; }

const MfField* mf_from_name(std::string_view name) {
  for (const auto& f : kFields) {
    if (name == f.name || (f.extra_name && name == f.extra_name)) return &f;
  }
  return nullptr;
}

const MfField* mf_from_code_name(std::string_view name) {
  for (const auto& f : kFields) {
    if ((f.nxm.valid() && name == f.nxm.name) || (f.oxm.valid() && name == f.oxm.name))
      return &f;
  }
  return nullptr;
}

const MfField* mf_from_code(uint16_t cls, uint8_t field, uint32_t experimenter) {
  for (const auto& f : kFields) {
    for (const MfCode* c : {&f.nxm, &f.oxm}) {
      if (c->valid() && c->cls == cls && c->field == field &&
          (cls != 0xffff || c->experimenter == experimenter))
        return &f;
    }
  }
  return nullptr;
}

MfValue mf_get_value(const MfField& mf, const Flow& flow) { return read_field(mf, flow); }

MfValue mf_get_mask(const MfField& mf, const FlowWildcards& wc) {
  return read_field(mf, wc.masks);
}

bool mf_is_all_wild(const MfField& mf, const FlowWildcards& wc) {
  return mf_get_mask(mf, wc).is_zero(mf);
}

void mf_set_all_bits(const MfField& mf, Flow& f) {
  if (mf.access == MfAccess::kInt) {
    store_container(f, mf, ~uint64_t{0});
    return;
  }
  MfValue cur = read_field(mf, f);
  MfValue ones = MfValue::ones(mf);
  for (int i = 0; i < mf.n_bytes; ++i) cur.b[i] |= ones.b[i];
  write_field(mf, cur, f);
}

void mf_set_flow_value(const MfField& mf, const MfValue& value, Flow& flow) {
  uint16_t& tci = flow.vlans[0].tci;
  switch (mf.id) {
    case MfId::kDlVlan:
    case MfId::kVlanVid:
      tci = static_cast<uint16_t>((tci & ~kVlanVidMask) | (value.to_u64(mf) & kVlanVidMask) |
                                  kVlanCfi);
      return;
    case MfId::kDlVlanPcp:
    case MfId::kVlanPcp:
      tci = static_cast<uint16_t>((tci & ~kVlanPcpMask) |
                                  ((value.to_u64(mf) & 7) << kVlanPcpShift) | kVlanCfi);
      return;
    case MfId::kInPortOxm: {
      auto port = port_from_ofp11(static_cast<uint32_t>(value.to_u64(mf)));
      flow.in_port = port.value_or(kOfppNone);
      return;
    }
    default:
      write_field(mf, value, flow);
  }
}

Protocols mf_usable_protocols_exact(const MfField& mf) {
  if (mf.id == MfId::kDlVlan || mf.id == MfId::kDlVlanPcp) return kPAny;
  Protocols p = 0;
  if (mf.of10 != kOf10None) p |= kPOf10Any & ~kPOf10NxmAny;
  if (mf.of11 != kOf11None) p |= kPOf11Std;
  if (mf.nxm.valid() || mf.oxm.valid()) p |= kPNxmOxmAny;
  return p;
}

Protocols mf_usable_protocols_cidr(const MfField& mf) {
  if (!mf.maskable) return kPNone;
  Protocols p = mf_usable_protocols_exact(mf);
  if (mf.of10 == kOf10Exact) p &= ~kPOf10StdAny;
  if (mf.of11 == kOf11Exact) p &= ~kPOf11Std;
  return p;
}

Protocols mf_usable_protocols_bitwise(const MfField& mf) {
  if (!mf.maskable) return kPNone;
  Protocols p = mf_usable_protocols_cidr(mf);
  if (mf.of10 == kOf10Cidr) p &= ~kPOf10StdAny;
  return p;
}

void mf_set_wild(const MfField& mf, Match& match) {
  MfValue zero{};
  if (vlan_field(mf.id)) {
    // Clearing the VID or PCP also stops matching the "present" bit when
    // nothing else of the TCI is matched.
    write_field(mf, zero, match.wc.masks);
    write_field(mf, zero, match.flow);
    if (!(match.wc.masks.vlans[0].tci & ~kVlanCfi)) {
      match.wc.masks.vlans[0].tci = 0;
      match.flow.vlans[0].tci = 0;
    }
    return;
  }
  write_field(mf, zero, match.wc.masks);
  write_field(mf, zero, match.flow);
}

namespace {

// Exact-match semantics per field, mirroring the OVS match_set_*() calls.
void set_exact(const MfField& mf, const MfValue& value, Match& match) {
  uint64_t v = mf.n_bytes <= 8 ? value.to_u64(mf) : 0;
  switch (mf.id) {
    case MfId::kInPortOxm:
      match.set_in_port(port_from_ofp11(static_cast<uint32_t>(v)).value_or(kOfppNone));
      return;
    case MfId::kDlVlan:
      // 0xffff (OFP10_VLAN_NONE) means "no VLAN header".
      match.set_dl_vlan(v == 0xffff ? 0xffff : static_cast<uint16_t>(v & kVlanVidMask));
      return;
    case MfId::kVlanVid:
      match.set_vlan_vid_masked(static_cast<uint16_t>(v), 0xffff);
      return;
    case MfId::kDlVlanPcp:
    case MfId::kVlanPcp:
      match.set_dl_vlan_pcp(static_cast<uint8_t>(v));
      return;
    case MfId::kIpFrag:
      match.set_nw_frag_masked(static_cast<uint8_t>(v), 0xff);
      return;
    default:
      break;
  }
  if (mf.access == MfAccess::kInt && mf.width * 8 > mf.n_bits) {
    // Exact match on a field narrower than its container (in_port,
    // icmp_type, ct_state...): OVS matches the whole container.
    store_container(match.wc.masks, mf, ~uint64_t{0});
    store_container(match.flow, mf, v);
    return;
  }
  write_field(mf, MfValue::ones(mf), match.wc.masks);
  MfValue masked = value;
  write_field(mf, masked, match.flow);
  match.normalize();
}

}  // namespace

Protocols mf_set(const MfField& mf, const MfValue& value, const MfValue& mask, Match& match) {
  if (mask.is_ones(mf)) {
    set_exact(mf, value, match);
    return mf_usable_protocols_exact(mf);
  }
  if (mask.is_zero(mf)) {
    mf_set_wild(mf, match);
    return kPAny;
  }
  if (mf.id == MfId::kVlanVid) {
    match.set_vlan_vid_masked(static_cast<uint16_t>(value.to_u64(mf)),
                              static_cast<uint16_t>(mask.to_u64(mf)));
  } else if (mf.id == MfId::kIpFrag) {
    match.set_nw_frag_masked(value.b[0], mask.b[0]);
  } else {
    MfValue v = value;
    for (int i = 0; i < mf.n_bytes; ++i) v.b[i] &= mask.b[i];
    write_field(mf, mask, match.wc.masks);
    write_field(mf, v, match.flow);
  }
  Protocols cidr = mf_usable_protocols_cidr(mf);
  Protocols bitwise = mf_usable_protocols_bitwise(mf);
  if (cidr == bitwise) return cidr;
  return ip4_cidr_bits(load_be32(mask.b)) >= 0 ? cidr : bitwise;
}

bool mf_is_mask_valid(const MfField& mf, const MfValue& mask) {
  if (mf.maskable) return true;
  return mask.is_zero(mf) || mask.is_ones(mf);
}

bool mf_are_prereqs_ok(const MfField& mf, const Flow& f) {
  bool ip4 = f.dl_type == kEthTypeIp, ip6 = f.dl_type == kEthTypeIpv6;
  bool ip_any = ip4 || ip6;
  switch (mf.prereq) {
    case MfPrereq::kNone: return true;
    case MfPrereq::kEthernet: return f.packet_type == kPacketTypeEthernet;
    case MfPrereq::kArp: return f.dl_type == kEthTypeArp || f.dl_type == kEthTypeRarp;
    case MfPrereq::kIpv4: return ip4;
    case MfPrereq::kIpv6: return ip6;
    case MfPrereq::kIpAny: return ip_any;
    case MfPrereq::kMpls: return f.dl_type == kEthTypeMpls || f.dl_type == kEthTypeMplsMcast;
    case MfPrereq::kTcp: return ip_any && f.nw_proto == kIpProtoTcp;
    case MfPrereq::kUdp: return ip_any && f.nw_proto == kIpProtoUdp;
    case MfPrereq::kSctp: return ip_any && f.nw_proto == kIpProtoSctp;
    case MfPrereq::kIcmpv4: return ip4 && f.nw_proto == kIpProtoIcmp;
    case MfPrereq::kIcmpv6: return ip6 && f.nw_proto == kIpProtoIcmpv6;
    case MfPrereq::kNd:
    case MfPrereq::kNdSolicit:
    case MfPrereq::kNdAdvert: {
      if (!ip6 || f.nw_proto != kIpProtoIcmpv6 || f.tp_dst != 0) return false;
      if (mf.prereq == MfPrereq::kNdSolicit) return f.tp_src == kNdNeighborSolicit;
      if (mf.prereq == MfPrereq::kNdAdvert) return f.tp_src == kNdNeighborAdvert;
      return f.tp_src == kNdNeighborSolicit || f.tp_src == kNdNeighborAdvert;
    }
    case MfPrereq::kVlanVid: return f.vlans[0].tci & kVlanCfi;
    case MfPrereq::kCt: return f.ct_state & kCsTracked;
  }
  return false;
}

void mf_add_ethernet_prereq(const MfField& mf, Match& match) {
  if (mf.prereq != MfPrereq::kNone) match.set_packet_type(kPacketTypeEthernet);
}

}  // namespace grebe::openflow
