// Actions and instructions <-> wire (OF1.0, OF1.1+, Nicira extensions).
// The encoder takes the version-canonical list (actions_for_version()), so
// decode(encode(x)) == x for every action it carries.
#include <cstring>
#include <optional>

#include "grebe/openflow/action_codec_nx.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

using Bytes = std::vector<uint8_t>;

// NX action subtypes.
enum : uint16_t {
  kNxastResubmit = 1, kNxastSetTunnel = 2, kNxastSetQueue = 4, kNxastPopQueue = 5,
  kNxastRegMove = 6, kNxastRegLoad = 7, kNxastNote = 8, kNxastSetTunnel64 = 9,
  kNxastResubmitTable = 14, kNxastExit = 17, kNxastDecTtl = 18, kNxastFinTimeout = 19,
  kNxastWriteMetadata = 22, kNxastGroup = 40, kNxastCtClear = 43, kNxastResubmitTableCt = 44,
};

void put16(Bytes& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put32(Bytes& b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }
void put64(Bytes& b, uint64_t v) { put32(b, v >> 32); put32(b, static_cast<uint32_t>(v)); }
void zeros(Bytes& b, size_t n) { b.insert(b.end(), n, 0); }
void pad8(Bytes& b, size_t start) {
  while ((b.size() - start) % 8) b.push_back(0);
}
void set_len(Bytes& b, size_t start) {
  store_be16(&b[start + 2], static_cast<uint16_t>(b.size() - start));
}

// Starts an NX vendor action; the caller appends the body and calls
// finish_nx().
size_t start_nx(Bytes& b, uint16_t subtype) {
  size_t start = b.size();
  put16(b, 0xffff);
  put16(b, 0);
  put32(b, kNxVendorId);
  put16(b, subtype);
  return start;
}
void finish_nx(Bytes& b, size_t start) {
  pad8(b, start);
  set_len(b, start);
}

uint32_t nxm_header32(const MfField& mf) {
  const MfCode& c = mf.nxm.valid() ? mf.nxm : mf.oxm;
  return (uint32_t{c.cls} << 16) | (uint32_t{c.field} << 9) | mf.n_bytes;
}

Status encode_reg_load(Bytes& b, const ActSetField& sf) {
  const MfField& mf = *sf.field;
  if (!mf.nxm.valid() && !(mf.oxm.valid() && mf.oxm.cls != 0xffff))
    return Error(EINVAL, std::string("load: field ") + mf.name + " has no NXM header");
  // One NXAST_REG_LOAD per contiguous run of mask bits (<= 64 bits each).
  int n_bits = mf.n_bytes * 8;
  auto bit = [&](const MfValue& v, int i) { return (v.b[mf.n_bytes - 1 - i / 8] >> (i % 8)) & 1; };
  for (int i = 0; i < n_bits;) {
    if (!bit(sf.mask, i)) {
      ++i;
      continue;
    }
    int start = i;
    uint64_t value = 0;
    while (i < n_bits && bit(sf.mask, i) && i - start < 64) {
      value |= uint64_t(bit(sf.value, i)) << (i - start);
      ++i;
    }
    size_t s = start_nx(b, kNxastRegLoad);
    put16(b, static_cast<uint16_t>((start << 6) | (i - start - 1)));
    put32(b, nxm_header32(mf));
    put64(b, value);
    finish_nx(b, s);
  }
  return ok_status();
}

Status encode_set_field_oxm(Bytes& b, const ActSetField& sf, uint8_t version) {
  const MfField& mf = *sf.field;
  bool masked = !sf.mask.is_ones(mf);
  if (masked && version < kOfp15) return encode_reg_load(b, sf);
  const MfCode* c = mf.oxm.valid() && mf.oxm.version <= version ? &mf.oxm
                    : mf.nxm.valid()                             ? &mf.nxm
                                                                 : nullptr;
  if (!c) return Error(EINVAL, std::string("set_field: field ") + mf.name + " has no OXM header");
  size_t start = b.size();
  put16(b, 25);
  put16(b, 0);
  bool exp = c->cls == 0xffff;
  size_t len = mf.n_bytes * (masked ? 2 : 1) + (exp ? 4 : 0);
  put16(b, c->cls);
  b.push_back(static_cast<uint8_t>((c->field << 1) | masked));
  b.push_back(static_cast<uint8_t>(len));
  if (exp) put32(b, c->experimenter);
  MfValue v = sf.value;
  if (mf.id == MfId::kVlanVid) v = MfValue::from_u64(mf, v.to_u64(mf) | kVlanCfi);
  b.insert(b.end(), v.b, v.b + mf.n_bytes);
  if (masked) b.insert(b.end(), sf.mask.b, sf.mask.b + mf.n_bytes);
  pad8(b, start);
  set_len(b, start);
  return ok_status();
}

// Simple fixed-size standard action: type, len, then body bytes.
void std_action(Bytes& b, uint16_t type, const Bytes& body) {
  size_t start = b.size();
  put16(b, type);
  put16(b, 0);
  b.insert(b.end(), body.begin(), body.end());
  pad8(b, start);
  set_len(b, start);
}

Bytes u16b(uint16_t v) { Bytes x; put16(x, v); return x; }
Bytes u32b(uint32_t v) { Bytes x; put32(x, v); return x; }
Bytes u8b(uint8_t v) { return Bytes{v, 0, 0, 0}; }
Bytes macb(const EthAddr& m) { return Bytes(m.b, m.b + 6); }

// Output and the classic header-rewriting actions; nullopt if `a` is not
// one of them.
std::optional<Status> encode_basic(Bytes& b, const Action& a, uint8_t version) {
  bool v10 = version == kOfp10;
  if (auto* o = std::get_if<ActOutput>(&a.v)) {
    if (v10) {
      Bytes body = u16b(static_cast<uint16_t>(o->port));
      put16(body, o->max_len);
      std_action(b, 0, body);
    } else {
      Bytes body = u32b(port_to_ofp11(o->port));
      put16(body, o->max_len);
      zeros(body, 6);
      std_action(b, 0, body);
    }
  } else if (auto* q = std::get_if<ActEnqueue>(&a.v); q && v10) {
    Bytes body = u16b(static_cast<uint16_t>(q->port));
    zeros(body, 6);
    put32(body, q->queue);
    std_action(b, 11, body);
  } else if (auto* vv = std::get_if<ActSetVlanVid>(&a.v); vv && version <= kOfp11) {
    std_action(b, 1, u16b(vv->vid));
  } else if (auto* vp = std::get_if<ActSetVlanPcp>(&a.v); vp && version <= kOfp11) {
    std_action(b, 2, u8b(vp->pcp));
  } else if (auto* sv = std::get_if<ActStripVlan>(&a.v)) {
    std_action(b, v10 ? 3 : 18, Bytes{});
    (void)sv;
  } else if (auto* pv = std::get_if<ActPushVlan>(&a.v); pv && !v10) {
    std_action(b, 17, u16b(pv->ethertype));
  } else if (auto* es = std::get_if<ActSetEthSrc>(&a.v); es && version <= kOfp11) {
    std_action(b, v10 ? 4 : 3, macb(es->mac));
  } else if (auto* ed = std::get_if<ActSetEthDst>(&a.v); ed && version <= kOfp11) {
    std_action(b, v10 ? 5 : 4, macb(ed->mac));
  } else if (auto* is = std::get_if<ActSetIpv4Src>(&a.v); is && version <= kOfp11) {
    std_action(b, v10 ? 6 : 5, u32b(is->ip));
  } else if (auto* id = std::get_if<ActSetIpv4Dst>(&a.v); id && version <= kOfp11) {
    std_action(b, v10 ? 7 : 6, u32b(id->ip));
  } else if (auto* tos = std::get_if<ActSetIpDscp>(&a.v); tos && version <= kOfp11) {
    std_action(b, v10 ? 8 : 7, u8b(tos->dscp));
  } else if (auto* ecn = std::get_if<ActSetIpEcn>(&a.v); ecn && version == kOfp11) {
    std_action(b, 8, u8b(ecn->ecn));
  } else if (auto* ts = std::get_if<ActSetL4SrcPort>(&a.v); ts && version <= kOfp11) {
    std_action(b, 9, u16b(ts->port));
  } else if (auto* td = std::get_if<ActSetL4DstPort>(&a.v); td && version <= kOfp11) {
    std_action(b, 10, u16b(td->port));
  } else if (auto* ttl = std::get_if<ActSetIpTtl>(&a.v); ttl && !v10) {
    std_action(b, 23, u8b(ttl->ttl));
  } else if (auto* sf = std::get_if<ActSetField>(&a.v)) {
    if (version >= kOfp12 && !sf->load) return encode_set_field_oxm(b, *sf, version);
    if (version >= kOfp15) return encode_set_field_oxm(b, *sf, version);
    return encode_reg_load(b, *sf);
  } else {
    return std::nullopt;
  }
  return ok_status();
}

Status encode_nx(Bytes& b, const Action& a, uint8_t version);

// Groups, queues, MPLS and TTL actions.
Status encode_extended(Bytes& b, const Action& a, uint8_t version) {
  bool v10 = version == kOfp10;
  if (auto* g = std::get_if<ActGroup>(&a.v)) {
    if (v10) {
      size_t s = start_nx(b, kNxastGroup);
      zeros(b, 2);
      put32(b, g->group_id);
      finish_nx(b, s);
    } else {
      std_action(b, 22, u32b(g->group_id));
    }
  } else if (auto* mt = std::get_if<ActSetMplsTtl>(&a.v)) {
    if (v10) {
      size_t s = start_nx(b, 25);
      b.push_back(mt->ttl);
      finish_nx(b, s);
    } else {
      std_action(b, 15, u8b(mt->ttl));
    }
  } else if (std::holds_alternative<ActDecMplsTtl>(a.v)) {
    if (v10) {
      finish_nx(b, start_nx(b, 26));
    } else {
      std_action(b, 16, Bytes{});
    }
  } else if (auto* pm = std::get_if<ActPushMpls>(&a.v)) {
    if (v10) {
      size_t s = start_nx(b, 23);
      put16(b, pm->ethertype);
      finish_nx(b, s);
    } else {
      std_action(b, 19, u16b(pm->ethertype));
    }
  } else if (auto* pp = std::get_if<ActPopMpls>(&a.v)) {
    if (v10) {
      size_t s = start_nx(b, 24);
      put16(b, pp->ethertype);
      finish_nx(b, s);
    } else {
      std_action(b, 20, u16b(pp->ethertype));
    }
  } else if (auto* ml = std::get_if<ActSetMplsLabel>(&a.v); ml && version <= kOfp11) {
    if (v10) {
      size_t s = start_nx(b, 30);
      zeros(b, 2);
      put32(b, ml->label);
      finish_nx(b, s);
    } else {
      std_action(b, 13, u32b(ml->label));
    }
  } else if (auto* mc = std::get_if<ActSetMplsTc>(&a.v); mc && version <= kOfp11) {
    if (v10) {
      size_t s = start_nx(b, 31);
      b.push_back(mc->tc);
      finish_nx(b, s);
    } else {
      std_action(b, 14, u8b(mc->tc));
    }
  } else if (auto* sq = std::get_if<ActSetQueue>(&a.v)) {
    if (v10) {
      size_t s = start_nx(b, kNxastSetQueue);
      zeros(b, 2);
      put32(b, sq->queue_id);
      finish_nx(b, s);
    } else {
      std_action(b, 21, u32b(sq->queue_id));
    }
  } else if (std::holds_alternative<ActPopQueue>(a.v)) {
    finish_nx(b, start_nx(b, kNxastPopQueue));
  } else if (auto* dt = std::get_if<ActDecTtl>(&a.v); dt && !dt->explicit_ids) {
    if (v10) {
      finish_nx(b, start_nx(b, kNxastDecTtl));
    } else {
      std_action(b, 24, Bytes{});
    }
  } else {
    return encode_nx(b, a, version);
  }
  return ok_status();
}

// Nicira extension actions (and the OF1.5 forms of move and meter).
Status encode_nx(Bytes& b, const Action& a, uint8_t version) {
  bool v10 = version == kOfp10;
  if (auto* r = std::get_if<ActResubmit>(&a.v)) {
    uint16_t sub = r->with_ct_orig ? kNxastResubmitTableCt
                   : (r->table_id == 255 && !r->with_ct_orig) ? kNxastResubmit
                                                              : kNxastResubmitTable;
    size_t s = start_nx(b, sub);
    put16(b, static_cast<uint16_t>(r->in_port));
    b.push_back(r->table_id);
    finish_nx(b, s);
  } else if (auto* st = std::get_if<ActSetTunnel>(&a.v)) {
    size_t s = start_nx(b, st->tunnel64 ? kNxastSetTunnel64 : kNxastSetTunnel);
    if (st->tunnel64) {
      zeros(b, 6);
      put64(b, st->tun_id);
    } else {
      zeros(b, 2);
      put32(b, static_cast<uint32_t>(st->tun_id));
    }
    finish_nx(b, s);
  } else if (auto* mv15 = std::get_if<ActRegMove>(&a.v); mv15 && version >= kOfp15) {
    // OF1.5 OFPAT_COPY_FIELD: n_bits, offsets, pad, then the two headers.
    size_t s = b.size();
    put16(b, 28);
    put16(b, 0);
    put16(b, mv15->src.n_bits);
    put16(b, mv15->src.ofs);
    put16(b, mv15->dst.ofs);
    zeros(b, 2);
    put32(b, nxm_header32(*mv15->src.field));
    put32(b, nxm_header32(*mv15->dst.field));
    pad8(b, s);
    set_len(b, s);
  } else if (auto* mt = std::get_if<InstMeter>(&a.v); mt && version >= kOfp15) {
    std_action(b, 29, u32b(mt->meter_id));  // OF1.5: meter is an action
  } else if (auto* mv = std::get_if<ActRegMove>(&a.v)) {
    size_t s = start_nx(b, kNxastRegMove);
    put16(b, mv->src.n_bits);
    put16(b, mv->src.ofs);
    put16(b, mv->dst.ofs);
    put32(b, nxm_header32(*mv->src.field));
    put32(b, nxm_header32(*mv->dst.field));
    finish_nx(b, s);
  } else if (auto* n = std::get_if<ActNote>(&a.v)) {
    size_t s = start_nx(b, kNxastNote);
    b.insert(b.end(), n->data.begin(), n->data.end());
    finish_nx(b, s);
  } else if (std::holds_alternative<ActExit>(a.v)) {
    finish_nx(b, start_nx(b, kNxastExit));
  } else if (std::holds_alternative<ActCtClear>(a.v)) {
    finish_nx(b, start_nx(b, kNxastCtClear));
  } else if (auto* ft = std::get_if<ActFinTimeout>(&a.v)) {
    size_t s = start_nx(b, kNxastFinTimeout);
    put16(b, ft->idle);
    put16(b, ft->hard);
    finish_nx(b, s);
  } else if (auto* wm = std::get_if<InstWriteMetadata>(&a.v); wm && v10) {
    size_t s = start_nx(b, kNxastWriteMetadata);
    zeros(b, 6);
    put64(b, wm->metadata);
    put64(b, wm->mask);
    finish_nx(b, s);
  } else {
    static const char* kNames[] = {"output", "output_trunc", "output_reg", "controller",
                                   "enqueue", "group"};
    size_t idx = a.v.index();
    return Error(EINVAL, std::string("OFPBAC_BAD_TYPE: cannot encode action #") +
                             std::to_string(idx) + (idx < 6 ? std::string(" ") + kNames[idx] : ""));
  }
  return ok_status();
}

Status encode_one_list(std::vector<uint8_t>& b, const ActionList& actions, uint8_t version);

Status encode_one(Bytes& b, const Action& a, uint8_t version) {
  if (auto st = encode_basic(b, a, version)) return std::move(*st);
  auto nested = [](const ActionList& list, uint8_t v) -> Result<std::vector<uint8_t>> {
    std::vector<uint8_t> out;
    GREBE_TRY(encode_one_list(out, list, v));
    return out;
  };
  auto done = encode_nx_structured(b, a, version, nested);
  if (!done.ok()) return done.error();
  if (*done) return ok_status();
  return encode_extended(b, a, version);
}

Status encode_one_list(std::vector<uint8_t>& b, const ActionList& actions, uint8_t version) {
  for (const Action& a : actions) GREBE_TRY(encode_one(b, a, version));
  return ok_status();
}

}  // namespace

Result<std::vector<uint8_t>> encode_actions(const ActionList& actions, uint8_t version) {
  Bytes b;
  for (const Action& a : actions) GREBE_TRY(encode_one(b, a, version));
  return b;
}

Result<std::vector<uint8_t>> encode_instructions(const ActionList& actions, uint8_t version) {
  Bytes b;
  ActionList apply;
  auto flush_apply = [&]() -> Status {
    if (apply.empty()) return ok_status();
    size_t start = b.size();
    put16(b, 4);
    put16(b, 0);
    zeros(b, 4);
    GREBE_TRY(encode_one_list(b, apply, version));
    set_len(b, start);
    apply.clear();
    return ok_status();
  };
  for (const Action& a : actions) {
    if (auto* m = std::get_if<InstMeter>(&a.v); m && version < kOfp15) {
      put16(b, 6);
      put16(b, 8);
      put32(b, m->meter_id);
    } else if (std::holds_alternative<InstClearActions>(a.v)) {
      GREBE_TRY(flush_apply());
      put16(b, 5);
      put16(b, 8);
      zeros(b, 4);
    } else if (auto* w = std::get_if<InstWriteActions>(&a.v)) {
      GREBE_TRY(flush_apply());
      size_t start = b.size();
      put16(b, 3);
      put16(b, 0);
      zeros(b, 4);
      GREBE_TRY(encode_one_list(b, w->actions, version));
      set_len(b, start);
    } else if (auto* md = std::get_if<InstWriteMetadata>(&a.v)) {
      GREBE_TRY(flush_apply());
      put16(b, 2);
      put16(b, 24);
      zeros(b, 4);
      put64(b, md->metadata);
      put64(b, md->mask);
    } else if (auto* g = std::get_if<InstGotoTable>(&a.v)) {
      GREBE_TRY(flush_apply());
      put16(b, 1);
      put16(b, 8);
      b.push_back(g->table_id);
      zeros(b, 3);
    } else {
      apply.push_back(a);
    }
  }
  GREBE_TRY(flush_apply());
  return b;
}

}  // namespace grebe::openflow
