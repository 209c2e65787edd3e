// NXM/OXM match TLVs and the OF1.0 ofp_match; see ofp_codec.h.
#include <cstring>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

// OF1.5 standardized two ONF experimenter fields under the OpenFlow basic
// class (same field numbers).
constexpr MfCode kOf15TcpFlags{"OXM_OF_TCP_FLAGS", 0x8000, 42, 0, kOfp15};
constexpr MfCode kOf15ActsetOutput{"OXM_OF_ACTSET_OUTPUT", 0x8000, 43, 0, kOfp15};

// The NXM or OXM code used to send `mf` in this dialect, or nullptr when
// the field is not sent (it has no code, or another field carries it).
const MfCode* code_for(const MfField& mf, bool oxm, uint8_t version) {
  // xregs and xxregs are views of the regs, which are sent instead.
  if (mf.access == MfAccess::kXreg || mf.access == MfAccess::kXxreg) return nullptr;
  if (!oxm) {
    // NXM carries the TCI whole and DSCP in-place; the other views of
    // those bits (vlan_vid, vlan_pcp, shifted DSCP, 32-bit in_port) are
    // not sent.  Fields without an NXM code go out with their OXM header.
    if (mf.id == MfId::kInPortOxm || mf.id == MfId::kVlanVid || mf.id == MfId::kVlanPcp ||
        mf.id == MfId::kIpDscpShifted)
      return nullptr;
    if (mf.nxm.valid()) return &mf.nxm;
    return mf.oxm.valid() ? &mf.oxm : nullptr;
  }
  if (version >= kOfp15 && mf.id == MfId::kTcpFlags) return &kOf15TcpFlags;
  if (version >= kOfp15 && mf.id == MfId::kActsetOutput) return &kOf15ActsetOutput;
  if (mf.oxm.valid() && mf.oxm.version <= version) return &mf.oxm;
  // These NXM fields are carried by OXM fields (vlan_vid/vlan_pcp,
  // in_port_oxm, ip_dscp) in OXM dialects.
  if (mf.id == MfId::kVlanTci || mf.id == MfId::kInPort || mf.id == MfId::kIpDscp) return nullptr;
  if (mf.nxm.valid()) return &mf.nxm;
  return mf.oxm.valid() ? &mf.oxm : nullptr;
}

void put_header(std::vector<uint8_t>& out, const MfCode& c, bool masked, size_t len) {
  bool exp = c.cls == 0xffff;
  uint8_t h[8];
  store_be16(h, c.cls);
  h[2] = static_cast<uint8_t>((c.field << 1) | (masked ? 1 : 0));
  h[3] = static_cast<uint8_t>(len + (exp ? 4 : 0));
  store_be32(h + 4, c.experimenter);
  out.insert(out.end(), h, h + (exp ? 8 : 4));
}

}  // namespace

size_t nx_put_match(std::vector<uint8_t>& out, const Match& in, bool oxm, uint8_t version) {
  size_t start = out.size();
  Match match = in;
  match_normalize_prereqs(match);
  for (const MfField* mf = mf_begin(); mf != mf_end(); ++mf) {
    const MfCode* code = code_for(*mf, oxm, version);
    if (!code || mf_is_all_wild(*mf, match.wc) || !mf_are_prereqs_ok(*mf, match.flow)) continue;
    // packet_type is implied (Ethernet) unless something else is matched.
    if (mf->id == MfId::kPacketType && match.flow.packet_type == kPacketTypeEthernet) continue;
    MfValue v = mf_get_value(*mf, match.flow), m = mf_get_mask(*mf, match.wc);
    if (oxm && mf->id == MfId::kVlanVid) {
      // OFPVID_PRESENT is our CFI bit; "no VLAN" is vid 0 exactly.
      uint16_t mask = static_cast<uint16_t>(m.to_u64(*mf)) & 0x1fff;
      v = MfValue::from_u64(*mf, v.to_u64(*mf) & mask);
      m = MfValue::from_u64(*mf, mask == 0x1fff ? 0xffff : mask);
    }
    if (mf->id == MfId::kInPortOxm) v = MfValue::from_u64(*mf, port_to_ofp11(match.flow.in_port));
    if (mf->id == MfId::kVlanPcp && !((match.wc.masks.vlans[0].tci & kVlanPcpMask) == kVlanPcpMask))
      continue;
    bool masked = mf->maskable && !m.is_ones(*mf);
    if (!mf->maskable && !m.is_ones(*mf) && mf->access != MfAccess::kBits) {
      // Exact fields narrower than their container read back as all-ones.
    }
    put_header(out, *code, masked, mf->n_bytes * (masked ? 2 : 1));
    out.insert(out.end(), v.b, v.b + mf->n_bytes);
    if (masked) out.insert(out.end(), m.b, m.b + mf->n_bytes);
  }
  return out.size() - start;
}

Result<Match> nx_pull_match(const uint8_t* p, size_t len) {
  Match match;
  std::vector<const MfField*> seen;
  while (len > 0) {
    if (len < 4) return Error(EINVAL, "OFPBMC_BAD_LEN");
    uint16_t cls = load_be16(p);
    uint8_t field = p[2] >> 1;
    bool masked = p[2] & 1;
    size_t payload = p[3];
    size_t hdr = 4;
    uint32_t exp = 0;
    if (cls == 0xffff) {
      if (len < 8 || payload < 4) return Error(EINVAL, "OFPBMC_BAD_LEN");
      exp = load_be32(p + 4);
      hdr = 8;
      payload -= 4;
    }
    if (hdr + payload > len) return Error(EINVAL, "OFPBMC_BAD_LEN");
    const MfField* mf = mf_from_code(cls, field, exp);
    if (!mf && cls == 0x8000 && field == kOf15TcpFlags.field) mf = &mf_field(MfId::kTcpFlags);
    if (!mf && cls == 0x8000 && field == kOf15ActsetOutput.field) mf = &mf_field(MfId::kActsetOutput);
    if (!mf) return Error(EINVAL, "OFPBMC_BAD_FIELD");
    if (payload != static_cast<size_t>(mf->n_bytes) * (masked ? 2 : 1))
      return Error(EINVAL, "OFPBMC_BAD_LEN");
    if (masked && !mf->maskable) return Error(EINVAL, "OFPBMC_BAD_MASK");
    for (const MfField* s : seen)
      if (s == mf) return Error(EINVAL, "OFPBMC_DUP_FIELD");
    seen.push_back(mf);
    if (!mf_are_prereqs_ok(*mf, match.flow)) return Error(EINVAL, "OFPBMC_BAD_PREREQ");
    MfValue v{}, m = MfValue::ones(*mf);
    std::memcpy(v.b, p + hdr, mf->n_bytes);
    if (masked) std::memcpy(m.b, p + hdr + mf->n_bytes, mf->n_bytes);
    mf_set(*mf, v, m, match);
    mf_add_ethernet_prereq(*mf, match);
    p += hdr + payload;
    len -= hdr + payload;
  }
  return match;
}

namespace {
// OF1.0 wildcard bits.
constexpr uint32_t kW10InPort = 1 << 0, kW10DlVlan = 1 << 1, kW10DlSrc = 1 << 2,
                   kW10DlDst = 1 << 3, kW10DlType = 1 << 4, kW10NwProto = 1 << 5,
                   kW10TpSrc = 1 << 6, kW10TpDst = 1 << 7, kW10DlVlanPcp = 1 << 20,
                   kW10NwTos = 1 << 21;
constexpr int kW10NwSrcShift = 8, kW10NwDstShift = 14;
}  // namespace

void ofp10_put_match(std::vector<uint8_t>& out, const Match& in) {
  Match m = match_for_protocol(in, kPOf10Std);
  const Flow &f = m.flow, &k = m.wc.masks;
  uint32_t w = 0;
  if (!k.in_port) w |= kW10InPort;
  if (k.dl_src.is_zero()) w |= kW10DlSrc;
  if (k.dl_dst.is_zero()) w |= kW10DlDst;
  if (!k.dl_type) w |= kW10DlType;
  if (!k.nw_proto) w |= kW10NwProto;
  if (!k.tp_src) w |= kW10TpSrc;
  if (!k.tp_dst) w |= kW10TpDst;
  if (!(k.nw_tos & 0xfc)) w |= kW10NwTos;
  int src_bits = 32 - __builtin_popcount(k.nw_src), dst_bits = 32 - __builtin_popcount(k.nw_dst);
  w |= static_cast<uint32_t>(src_bits) << kW10NwSrcShift;
  w |= static_cast<uint32_t>(dst_bits) << kW10NwDstShift;
  uint16_t tci = f.vlans[0].tci, tmask = k.vlans[0].tci;
  uint16_t dl_vlan = 0;
  uint8_t pcp = 0;
  if (!(tmask & kVlanCfi)) {
    w |= kW10DlVlan | kW10DlVlanPcp;
  } else if (!(tci & kVlanCfi)) {
    dl_vlan = 0xffff;  // OFP10_VLAN_NONE
    w |= kW10DlVlanPcp;
  } else {
    if (tmask & kVlanVidMask) {
      dl_vlan = tci & kVlanVidMask;
    } else {
      w |= kW10DlVlan;
    }
    if (tmask & kVlanPcpMask) {
      pcp = static_cast<uint8_t>(tci >> kVlanPcpShift);
    } else {
      w |= kW10DlVlanPcp;
    }
  }
  uint8_t b[40] = {};
  store_be32(b, w);
  store_be16(b + 4, static_cast<uint16_t>(f.in_port));
  std::memcpy(b + 6, f.dl_src.b, 6);
  std::memcpy(b + 12, f.dl_dst.b, 6);
  store_be16(b + 18, dl_vlan);
  b[20] = pcp;
  store_be16(b + 22, f.dl_type);
  b[24] = f.nw_tos & 0xfc;
  b[25] = f.nw_proto;
  store_be32(b + 28, f.nw_src);
  store_be32(b + 32, f.nw_dst);
  store_be16(b + 36, f.tp_src);
  store_be16(b + 38, f.tp_dst);
  out.insert(out.end(), b, b + 40);
}

Match ofp10_pull_match(const uint8_t* b) {
  Match m;
  uint32_t w = load_be32(b);
  if (!(w & kW10InPort)) m.set_in_port(load_be16(b + 4));
  EthAddr mac;
  if (!(w & kW10DlSrc)) {
    std::memcpy(mac.b, b + 6, 6);
    m.set_dl_src(mac);
  }
  if (!(w & kW10DlDst)) {
    std::memcpy(mac.b, b + 12, 6);
    m.set_dl_dst(mac);
  }
  if (!(w & kW10DlVlan)) {
    uint16_t vid = load_be16(b + 18);
    m.set_dl_vlan(vid == 0xffff ? 0xffff : vid & kVlanVidMask);
  }
  if (!(w & kW10DlVlanPcp) && !((w & kW10DlVlan) == 0 && load_be16(b + 18) == 0xffff))
    m.set_dl_vlan_pcp(b[20]);
  if (!(w & kW10DlType)) m.set_dl_type(load_be16(b + 22));
  if (!(w & kW10NwTos)) m.set_nw_tos_masked(b[24] & 0xfc, 0xfc);
  if (!(w & kW10NwProto)) m.set_nw_proto(b[25]);
  auto prefix_mask = [](uint32_t wild_bits) {
    return wild_bits >= 32 ? 0u : ~0u << wild_bits;
  };
  m.set_nw_src_masked(load_be32(b + 28), prefix_mask((w >> kW10NwSrcShift) & 0x3f));
  m.set_nw_dst_masked(load_be32(b + 32), prefix_mask((w >> kW10NwDstShift) & 0x3f));
  if (!(w & kW10TpSrc)) m.set_tp_src_masked(load_be16(b + 36), 0xffff);
  if (!(w & kW10TpDst)) m.set_tp_dst_masked(load_be16(b + 38), 0xffff);
  match_normalize_prereqs(m);
  return m;
}

}  // namespace grebe::openflow
