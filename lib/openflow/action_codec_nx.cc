// Nicira extension actions with structured bodies: learn, ct (with nat and
// nested actions), conjunction, controller, output_reg, dec_ttl(ids).
#include <cstring>

#include "grebe/openflow/action_codec_nx.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

using Bytes = std::vector<uint8_t>;

enum : uint16_t {
  kNxastOutputReg = 15, kNxastLearn = 16, kNxastController = 20, kNxastDecTtlCntIds = 21,
  kNxastConjunction = 34, kNxastCt = 35, kNxastNat = 36,
};

void put16(Bytes& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put32(Bytes& b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
void put64(Bytes& b, uint64_t v) { put32(b, v >> 32); put32(b, static_cast<uint32_t>(v)); }

size_t start_nx(Bytes& b, uint16_t subtype) {
  size_t s = b.size();
  put16(b, 0xffff);
  put16(b, 0);
  put32(b, kNxVendorId);
  put16(b, subtype);
  return s;
}
void finish_nx(Bytes& b, size_t s) {
  while ((b.size() - s) % 8) b.push_back(0);
  store_be16(&b[s + 2], static_cast<uint16_t>(b.size() - s));
}

uint32_t header32(const MfField& mf) {
  const MfCode& c = mf.nxm.valid() ? mf.nxm : mf.oxm;
  return (uint32_t{c.cls} << 16) | (uint32_t{c.field} << 9) | mf.n_bytes;
}
const MfField* from_header32(uint32_t h) {
  return mf_from_code(static_cast<uint16_t>(h >> 16), static_cast<uint8_t>((h >> 9) & 0x7f), 0);
}
uint16_t ofs_nbits(const Subfield& sf) { return static_cast<uint16_t>((sf.ofs << 6) | (sf.n_bits - 1)); }
Result<Subfield> subfield_from(uint32_t header, uint16_t ofs_nbits) {
  const MfField* mf = from_header32(header);
  if (!mf) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
  Subfield sf{mf, static_cast<uint16_t>(ofs_nbits >> 6), static_cast<uint16_t>((ofs_nbits & 0x3f) + 1)};
  if (sf.ofs + sf.n_bits > mf->n_bits) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
  return sf;
}

void encode_learn(Bytes& b, const ActLearn& l) {
  size_t s = start_nx(b, kNxastLearn);
  put16(b, l.idle_timeout);
  put16(b, l.hard_timeout);
  put16(b, l.priority);
  put64(b, l.cookie);
  put16(b, static_cast<uint16_t>((l.send_flow_rem ? 1 : 0) | (l.delete_learned ? 2 : 0)));
  b.push_back(l.table_id);
  b.push_back(0);
  put16(b, l.fin_idle_timeout);
  put16(b, l.fin_hard_timeout);
  for (const LearnSpec& sp : l.specs) {
    uint16_t n_bits = sp.dst_type == 2 ? sp.src.n_bits : sp.dst.n_bits;
    put16(b, static_cast<uint16_t>((sp.src_is_imm ? 1 << 13 : 0) | (sp.dst_type << 11) | n_bits));
    if (sp.src_is_imm) {
      size_t n = (n_bits + 15) / 16 * 2;
      b.insert(b.end(), sp.imm.b + 16 - n, sp.imm.b + 16);
    } else {
      put32(b, header32(*sp.src.field));
      put16(b, sp.src.ofs);
    }
    if (sp.dst_type != 2) {
      put32(b, header32(*sp.dst.field));
      put16(b, sp.dst.ofs);
    }
  }
  finish_nx(b, s);
}

Result<Action> decode_learn(const uint8_t* p, size_t len) {
  if (len < 32) return Error(EINVAL, "OFPBAC_BAD_LEN");
  ActLearn l;
  l.idle_timeout = load_be16(p + 10);
  l.hard_timeout = load_be16(p + 12);
  l.priority = load_be16(p + 14);
  l.cookie = load_be64(p + 16);
  uint16_t flags = load_be16(p + 24);
  l.send_flow_rem = flags & 1;
  l.delete_learned = flags & 2;
  l.table_id = p[26];
  l.fin_idle_timeout = load_be16(p + 28);
  l.fin_hard_timeout = load_be16(p + 30);
  size_t pos = 32;
  while (pos + 2 <= len) {
    uint16_t h = load_be16(p + pos);
    if (!h) break;  // zero header: padding
    pos += 2;
    LearnSpec sp;
    uint16_t n_bits = h & 0x7ff;
    sp.src_is_imm = h & (1 << 13);
    sp.dst_type = (h >> 11) & 3;
    if (sp.dst_type == 3 || !n_bits) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
    if (sp.src_is_imm) {
      size_t n = (n_bits + 15) / 16 * 2;
      if (pos + n > len || n > 16) return Error(EINVAL, "OFPBAC_BAD_LEN");
      std::memcpy(sp.imm.b + 16 - n, p + pos, n);
      pos += n;
    } else {
      if (pos + 6 > len) return Error(EINVAL, "OFPBAC_BAD_LEN");
      const MfField* mf = from_header32(load_be32(p + pos));
      if (!mf) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
      sp.src = {mf, load_be16(p + pos + 4), n_bits};
      pos += 6;
    }
    if (sp.dst_type != 2) {
      if (pos + 6 > len) return Error(EINVAL, "OFPBAC_BAD_LEN");
      const MfField* mf = from_header32(load_be32(p + pos));
      if (!mf) return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
      sp.dst = {mf, load_be16(p + pos + 4), n_bits};
      pos += 6;
    }
    if ((sp.src.field && sp.src.ofs + n_bits > sp.src.field->n_bits) ||
        (sp.dst.field && sp.dst.ofs + n_bits > sp.dst.field->n_bits))
      return Error(EINVAL, "OFPBAC_BAD_ARGUMENT");
    // Immediate match values are kept right-aligned in the field's width.
    l.specs.push_back(sp);
  }
  return Action(std::move(l));
}

void encode_nat(Bytes& b, const ActNat& n) {
  size_t s = start_nx(b, kNxastNat);
  put16(b, 0);
  put16(b, static_cast<uint16_t>((n.src ? 1 : 0) | (n.dst ? 2 : 0) | (n.persistent ? 4 : 0) |
                                 (n.hash ? 8 : 0) | (n.random ? 16 : 0)));
  uint16_t present = 0;
  if (n.range_set) {
    if (!n.ipv6) {
      present |= 1;
      if (n.ip4_max) present |= 2;
    } else {
      present |= 4;
      if (!n.ip6_max.is_zero()) present |= 8;
    }
    if (n.port_min) present |= 16;
    if (n.port_max) present |= 32;
  }
  put16(b, present);
  if (present & 1) put32(b, n.ip4_min);
  if (present & 2) put32(b, n.ip4_max);
  if (present & 4) b.insert(b.end(), n.ip6_min.b, n.ip6_min.b + 16);
  if (present & 8) b.insert(b.end(), n.ip6_max.b, n.ip6_max.b + 16);
  if (present & 16) put16(b, n.port_min);
  if (present & 32) put16(b, n.port_max);
  finish_nx(b, s);
}

Result<ActNat> decode_nat(const uint8_t* p, size_t len) {
  if (len < 16) return Error(EINVAL, "OFPBAC_BAD_LEN");
  ActNat n;
  uint16_t flags = load_be16(p + 12), present = load_be16(p + 14);
  n.src = flags & 1;
  n.dst = flags & 2;
  n.persistent = flags & 4;
  n.hash = flags & 8;
  n.random = flags & 16;
  size_t pos = 16;
  auto need = [&](size_t k) { return pos + k <= len; };
  if (present & 1) { if (!need(4)) return Error(EINVAL, "OFPBAC_BAD_LEN"); n.ip4_min = load_be32(p + pos); pos += 4; }
  if (present & 2) { if (!need(4)) return Error(EINVAL, "OFPBAC_BAD_LEN"); n.ip4_max = load_be32(p + pos); pos += 4; }
  if (present & 4) { if (!need(16)) return Error(EINVAL, "OFPBAC_BAD_LEN"); std::memcpy(n.ip6_min.b, p + pos, 16); pos += 16; n.ipv6 = true; }
  if (present & 8) { if (!need(16)) return Error(EINVAL, "OFPBAC_BAD_LEN"); std::memcpy(n.ip6_max.b, p + pos, 16); pos += 16; }
  if (present & 16) { if (!need(2)) return Error(EINVAL, "OFPBAC_BAD_LEN"); n.port_min = load_be16(p + pos); pos += 2; }
  if (present & 32) { if (!need(2)) return Error(EINVAL, "OFPBAC_BAD_LEN"); n.port_max = load_be16(p + pos); pos += 2; }
  n.range_set = present & 0xf;
  return n;
}

}  // namespace

Result<bool> encode_nx_structured(std::vector<uint8_t>& b, const Action& a, uint8_t version,
                                  const NestedEncoder& nested) {
  if (auto* l = std::get_if<ActLearn>(&a.v)) {
    // limit= and result_dst= need NXAST_LEARN2, not carried yet.
    if (l->limit || l->write_result) return false;
    encode_learn(b, *l);
  } else if (auto* ct = std::get_if<ActCt>(&a.v)) {
    size_t s = start_nx(b, kNxastCt);
    put16(b, static_cast<uint16_t>((ct->commit ? 1 : 0) | (ct->force ? 2 : 0)));
    if (ct->zone_src.field) {
      put32(b, header32(*ct->zone_src.field));
      put16(b, ofs_nbits(ct->zone_src));
    } else {
      put32(b, 0);
      put16(b, ct->zone_imm);
    }
    b.push_back(ct->recirc_table);
    b.insert(b.end(), 3, 0);
    put16(b, ct->alg);
    for (const ActNat& n : ct->nat) encode_nat(b, n);
    auto inner = nested(ct->exec, version);
    if (!inner.ok()) return inner.error();
    b.insert(b.end(), inner->begin(), inner->end());
    finish_nx(b, s);
  } else if (auto* c = std::get_if<ActConjunction>(&a.v)) {
    size_t s = start_nx(b, kNxastConjunction);
    b.push_back(c->clause);
    b.push_back(c->n_clauses);
    put32(b, c->id);
    finish_nx(b, s);
  } else if (auto* ctl = std::get_if<ActController>(&a.v); ctl && ctl->userdata.empty() &&
                                                               !ctl->pause && ctl->meter_id == 0xffffffff) {
    size_t s = start_nx(b, kNxastController);
    put16(b, ctl->max_len);
    put16(b, ctl->controller_id);
    b.push_back(ctl->reason);
    b.push_back(0);
    finish_nx(b, s);
  } else if (auto* o = std::get_if<ActOutputReg>(&a.v)) {
    size_t s = start_nx(b, kNxastOutputReg);
    put16(b, ofs_nbits(o->src));
    put32(b, header32(*o->src.field));
    put16(b, o->max_len);
    finish_nx(b, s);
  } else if (auto* d = std::get_if<ActDecTtl>(&a.v); d && d->explicit_ids) {
    size_t s = start_nx(b, kNxastDecTtlCntIds);
    put16(b, static_cast<uint16_t>(d->controller_ids.size()));
    b.insert(b.end(), 4, 0);
    for (uint16_t id : d->controller_ids) put16(b, id);
    finish_nx(b, s);
  } else {
    return false;
  }
  return true;
}

Result<std::optional<Action>> decode_nx_structured(const uint8_t* p, size_t len, uint8_t version,
                                                   const NestedDecoder& nested) {
  uint16_t subtype = load_be16(p + 8);
  switch (subtype) {
    case kNxastLearn: {
      auto l = decode_learn(p, len);
      if (!l.ok()) return l.error();
      return std::optional<Action>(std::move(*l));
    }
    case kNxastCt: {
      if (len < 24) return Error(EINVAL, "OFPBAC_BAD_LEN");
      ActCt ct;
      uint16_t flags = load_be16(p + 10);
      ct.commit = flags & 1;
      ct.force = flags & 2;
      uint32_t zone_src = load_be32(p + 12);
      if (zone_src) {
        auto sf = subfield_from(zone_src, load_be16(p + 16));
        if (!sf.ok()) return sf.error();
        ct.zone_src = *sf;
      } else {
        ct.zone_imm = load_be16(p + 16);
      }
      ct.recirc_table = p[18];
      ct.alg = load_be16(p + 22);
      size_t pos = 24;
      // A leading NXAST_NAT belongs to ct itself; the rest is exec().
      if (pos + 16 <= len && load_be16(p + pos) == 0xffff && load_be16(p + pos + 8) == kNxastNat) {
        size_t nlen = load_be16(p + pos + 2);
        if (nlen < 16 || pos + nlen > len) return Error(EINVAL, "OFPBAC_BAD_LEN");
        auto nat = decode_nat(p + pos, nlen);
        if (!nat.ok()) return nat.error();
        ct.nat.push_back(*nat);
        pos += nlen;
      }
      auto exec = nested(p + pos, len - pos, version);
      if (!exec.ok()) return exec.error();
      ct.exec = std::move(*exec);
      return std::optional<Action>(std::move(ct));
    }
    case kNxastConjunction: {
      uint8_t clause = p[10], n = p[11];
      if (n < 2 || n > 64 || clause >= n) return Error(EINVAL, "NXBAC_BAD_CONJUNCTION");
      return std::optional<Action>(ActConjunction{load_be32(p + 12), clause, n});
    }
    case kNxastController: {
      ActController c;
      c.max_len = load_be16(p + 10);
      c.controller_id = load_be16(p + 12);
      c.reason = p[14];
      c.simple = false;
      if (c.reason == 1 && !c.controller_id)
        return std::optional<Action>(ActOutput{kOfppController, c.max_len});
      return std::optional<Action>(std::move(c));
    }
    case kNxastOutputReg: {
      auto sf = subfield_from(load_be32(p + 12), load_be16(p + 10));
      if (!sf.ok()) return sf.error();
      return std::optional<Action>(ActOutputReg{*sf, load_be16(p + 16)});
    }
    case kNxastDecTtlCntIds: {
      ActDecTtl d;
      d.explicit_ids = true;
      size_t n = load_be16(p + 10);
      if (16 + 2 * n > len) return Error(EINVAL, "OFPBAC_BAD_LEN");
      for (size_t i = 0; i < n; ++i) d.controller_ids.push_back(load_be16(p + 16 + 2 * i));
      return std::optional<Action>(std::move(d));
    }
  }
  return std::optional<Action>();
}

}  // namespace grebe::openflow
