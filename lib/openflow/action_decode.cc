// Wire -> actions/instructions, bounds-checked; errors are OFPBAC_*/OFPBIC_*.
#include <cstring>

#include "grebe/openflow/action_codec_nx.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

const Error kBadLen(EINVAL, "OFPBAC_BAD_LEN");

const MfField* field_from_header32(uint32_t h) {
  return mf_from_code(static_cast<uint16_t>(h >> 16), static_cast<uint8_t>((h >> 9) & 0x7f), 0);
}

Result<Action> decode_reg_load(const uint8_t* p, size_t len) {
  if (len != 24) return kBadLen;
  uint16_t ofs_nbits = load_be16(p + 10);
  const MfField* mf = field_from_header32(load_be32(p + 12));
  if (!mf) return Error(EINVAL, "OFPBAC_BAD_SET_FIELD");
  int ofs = ofs_nbits >> 6, n_bits = (ofs_nbits & 0x3f) + 1;
  if (ofs + n_bits > mf->n_bits) return Error(EINVAL, "OFPBAC_BAD_SET_ARGUMENT");
  uint64_t value = load_be64(p + 16);
  if (n_bits < 64 && (value >> n_bits)) return Error(EINVAL, "OFPBAC_BAD_SET_ARGUMENT");
  ActSetField sf;
  sf.field = mf;
  sf.load = true;
  for (int i = 0; i < n_bits; ++i) {
    int bit = ofs + i, byte = mf->n_bytes - 1 - bit / 8;
    sf.mask.b[byte] |= static_cast<uint8_t>(1 << (bit % 8));
    if ((value >> i) & 1) sf.value.b[byte] |= static_cast<uint8_t>(1 << (bit % 8));
  }
  return Action(sf);
}

Result<Action> decode_nx(const uint8_t* p, size_t len, uint8_t version) {
  if (len < 16) return kBadLen;
  if (load_be32(p + 4) != kNxVendorId) return Error(EINVAL, "OFPBAC_BAD_VENDOR");
  auto structured = decode_nx_structured(p, len, version, decode_actions);
  if (!structured.ok()) return structured.error();
  if (*structured) return std::move(**structured);
  uint16_t subtype = load_be16(p + 8);
  const uint8_t* body = p + 10;
  switch (subtype) {
    case 1: case 14: case 44: {  // resubmit, resubmit_table, resubmit_table_ct
      ActResubmit r;
      r.in_port = load_be16(body);
      r.table_id = subtype == 1 ? 255 : body[2];
      r.with_ct_orig = subtype == 44;
      return Action(r);
    }
    case 2: return Action(ActSetTunnel{load_be32(body + 2), false});
    case 9:
      if (len != 24) return kBadLen;
      return Action(ActSetTunnel{load_be64(body + 6), true});
    case 4: return Action(ActSetQueue{load_be32(body + 2)});
    case 5: return Action(ActPopQueue{});
    case 6: {
      if (len != 24) return kBadLen;
      ActRegMove mv;
      uint16_t n_bits = load_be16(body);
      mv.src = {field_from_header32(load_be32(body + 6)), load_be16(body + 2), n_bits};
      mv.dst = {field_from_header32(load_be32(body + 10)), load_be16(body + 4), n_bits};
      if (!mv.src.field || !mv.dst.field) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
      if (mv.src.ofs + n_bits > mv.src.field->n_bits || mv.dst.ofs + n_bits > mv.dst.field->n_bits)
        return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
      return Action(mv);
    }
    case 7: return decode_reg_load(p, len);
    case 8: return Action(ActNote{std::vector<uint8_t>(body, p + len)});
    case 17: return Action(ActExit{});
    case 18: return Action(ActDecTtl{});
    case 19: return Action(ActFinTimeout{load_be16(body), load_be16(body + 2)});
    case 22: {
      if (len != 32) return kBadLen;
      return Action(InstWriteMetadata{load_be64(body + 6), load_be64(body + 14)});
    }
    case 40: return Action(ActGroup{load_be32(body + 2)});
    case 43: return Action(ActCtClear{});
    case 23: return Action(ActPushMpls{load_be16(body)});
    case 24: return Action(ActPopMpls{load_be16(body)});
    case 25: return Action(ActSetMplsTtl{body[0]});
    case 26: return Action(ActDecMplsTtl{});
    case 30: return Action(ActSetMplsLabel{load_be32(body + 2)});
    case 31: return Action(ActSetMplsTc{body[0]});
    default: return Error(EINVAL, "OFPBAC_BAD_VENDOR_TYPE");
  }
}

Result<Action> decode_set_field(const uint8_t* p, size_t len, uint8_t version) {
  if (len < 8) return kBadLen;
  const uint8_t* h = p + 4;
  uint16_t cls = load_be16(h);
  bool masked = h[2] & 1;
  size_t payload = h[3];
  size_t hdr = 4;
  uint32_t exp = 0;
  if (cls == 0xffff) {
    if (len < 12 || payload < 4) return kBadLen;
    exp = load_be32(h + 4);
    hdr = 8;
    payload -= 4;
  }
  if (4 + hdr + payload > len) return kBadLen;
  const MfField* mf = mf_from_code(cls, h[2] >> 1, exp);
  if (!mf) return Error(EINVAL, "OFPBAC_BAD_SET_TYPE");
  if (payload != static_cast<size_t>(mf->n_bytes) * (masked ? 2 : 1)) return kBadLen;
  if (masked && version < kOfp15) return Error(EINVAL, "OFPBAC_BAD_SET_MASK");
  ActSetField sf;
  sf.field = mf;
  std::memcpy(sf.value.b, h + hdr, mf->n_bytes);
  sf.mask = MfValue::ones(*mf);
  if (masked) std::memcpy(sf.mask.b, h + hdr + mf->n_bytes, mf->n_bytes);
  if (mf->id == MfId::kVlanVid)
    sf.value = MfValue::from_u64(*mf, (sf.value.to_u64(*mf) & kVlanVidMask) | kVlanCfi);
  for (int i = 0; i < mf->n_bytes; ++i) sf.value.b[i] &= sf.mask.b[i];
  return Action(sf);
}

EthAddr mac_at(const uint8_t* p) {
  EthAddr m;
  std::memcpy(m.b, p, 6);
  return m;
}

// Minimum length of standard action `type` (all fixed-size ones fit in 8
// bytes except these).
size_t min_std_len(uint16_t type, uint8_t version) {
  if (version == kOfp10) return type == 4 || type == 5 || type == 11 ? 16 : 8;
  if (type == 0) return 16;
  if (version == kOfp11 && (type == 3 || type == 4)) return 16;
  return 8;
}

Result<Action> decode_std(const uint8_t* p, size_t len, uint8_t version) {
  uint16_t type = load_be16(p);
  bool v10 = version == kOfp10;
  if (len < min_std_len(type, version)) return kBadLen;
  const uint8_t* b = p + 4;
  if (type == 0) {
    if (v10) return Action(ActOutput{load_be16(b), load_be16(b + 2)});
    if (len != 16) return kBadLen;
    auto port = port_from_ofp11(load_be32(b));
    if (!port) return Error(EINVAL, "OFPBAC_BAD_OUT_PORT");
    return Action(ActOutput{*port, load_be16(b + 4)});
  }
  if (v10) {
    switch (type) {
      case 1: return Action(ActSetVlanVid{load_be16(b), true});
      case 2: return Action(ActSetVlanPcp{b[0], true});
      case 3: return Action(ActStripVlan{false});
      case 4: return Action(ActSetEthSrc{mac_at(b)});
      case 5: return Action(ActSetEthDst{mac_at(b)});
      case 6: return Action(ActSetIpv4Src{load_be32(b)});
      case 7: return Action(ActSetIpv4Dst{load_be32(b)});
      case 8: return Action(ActSetIpDscp{b[0]});
      case 9: return Action(ActSetL4SrcPort{load_be16(b)});
      case 10: return Action(ActSetL4DstPort{load_be16(b)});
      case 11:
        if (len != 16) return kBadLen;
        return Action(ActEnqueue{load_be16(b), load_be32(b + 8)});
    }
    return Error(EINVAL, "OFPBAC_BAD_TYPE");
  }
  if (version == kOfp11) {
    switch (type) {
      case 1: return Action(ActSetVlanVid{load_be16(b), false});
      case 2: return Action(ActSetVlanPcp{b[0], false});
      case 3: return Action(ActSetEthSrc{mac_at(b)});
      case 4: return Action(ActSetEthDst{mac_at(b)});
      case 5: return Action(ActSetIpv4Src{load_be32(b)});
      case 6: return Action(ActSetIpv4Dst{load_be32(b)});
      case 7: return Action(ActSetIpDscp{b[0]});
      case 8: return Action(ActSetIpEcn{b[0]});
      case 9: return Action(ActSetL4SrcPort{load_be16(b)});
      case 10: return Action(ActSetL4DstPort{load_be16(b)});
    }
  }
  if (version == kOfp11 && type == 13) return Action(ActSetMplsLabel{load_be32(b)});
  if (version == kOfp11 && type == 14) return Action(ActSetMplsTc{b[0]});
  switch (type) {
    case 15: return Action(ActSetMplsTtl{b[0]});
    case 16: return Action(ActDecMplsTtl{});
    case 19: return Action(ActPushMpls{load_be16(b)});
    case 20: return Action(ActPopMpls{load_be16(b)});
    case 17: return Action(ActPushVlan{load_be16(b)});
    case 18: return Action(ActStripVlan{true});
    case 21: return Action(ActSetQueue{load_be32(b)});
    case 22: return Action(ActGroup{load_be32(b)});
    case 23: return Action(ActSetIpTtl{b[0]});
    case 24: return Action(ActDecTtl{});
    case 28:
      if (version >= kOfp15) {
        if (len < 24) return kBadLen;
        ActRegMove mv;
        uint16_t n_bits = load_be16(b);
        mv.src = {field_from_header32(load_be32(b + 8)), load_be16(b + 2), n_bits};
        mv.dst = {field_from_header32(load_be32(b + 12)), load_be16(b + 4), n_bits};
        if (!mv.src.field || !mv.dst.field) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
        return Action(mv);
      }
      break;
    case 29:
      if (version >= kOfp15) return Action(InstMeter{load_be32(b)});
      break;
    case 25:
      if (version >= kOfp12) return decode_set_field(p, len, version);
      break;
  }
  return Error(EINVAL, "OFPBAC_BAD_TYPE");
}

}  // namespace

Result<ActionList> decode_actions(const uint8_t* p, size_t len, uint8_t version) {
  ActionList out;
  while (len > 0) {
    if (len < 8) return kBadLen;
    uint16_t type = load_be16(p), alen = load_be16(p + 2);
    if (alen < 8 || alen % 8 || alen > len) return kBadLen;
    auto a = type == 0xffff ? decode_nx(p, alen, version) : decode_std(p, alen, version);
    if (!a.ok()) return a.error();
    // NXAST_NOTE payload keeps its padding, exactly as OVS shows it.
    out.push_back(std::move(*a));
    p += alen;
    len -= alen;
  }
  // Consecutive reg_loads to one field came from one masked set_field.
  return out;
}

Result<ActionList> decode_instructions(const uint8_t* p, size_t len, uint8_t version) {
  ActionList out;
  while (len > 0) {
    if (len < 8) return Error(EINVAL, "OFPBIC_BAD_LEN");
    uint16_t type = load_be16(p), ilen = load_be16(p + 2);
    if (ilen < 8 || ilen % 8 || ilen > len) return Error(EINVAL, "OFPBIC_BAD_LEN");
    switch (type) {
      case 1: out.push_back(InstGotoTable{p[4]}); break;
      case 2:
        if (ilen != 24) return Error(EINVAL, "OFPBIC_BAD_LEN");
        out.push_back(InstWriteMetadata{load_be64(p + 8), load_be64(p + 16)});
        break;
      case 3: case 4: {
        auto acts = decode_actions(p + 8, ilen - 8, version);
        if (!acts.ok()) return acts.error();
        if (type == 4) {
          for (auto& a : *acts) out.push_back(std::move(a));
        } else {
          out.push_back(InstWriteActions{std::move(*acts)});
        }
        break;
      }
      case 5: out.push_back(InstClearActions{}); break;
      case 6: out.push_back(InstMeter{load_be32(p + 4)}); break;
      default: return Error(EINVAL, "OFPBIC_UNKNOWN_INST");
    }
    p += ilen;
    len -= ilen;
  }
  return out;
}

}  // namespace grebe::openflow
