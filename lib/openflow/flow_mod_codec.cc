// flow_mod <-> wire for OF1.0 (OFPT_FLOW_MOD), Nicira NXT_FLOW_MOD and
// OF1.2+ (OXM match + instructions).
#include "grebe/openflow/ofp_codec.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

uint16_t command_field(const FlowMod& fm, bool tid) {
  uint16_t cmd = static_cast<uint16_t>(fm.command);
  uint8_t table = fm.table_id == 0xff ? 0 : fm.table_id;
  return tid ? static_cast<uint16_t>((table << 8) | cmd) : cmd;
}

void put_common10(OfpBuf& b, const FlowMod& fm, bool tid) {
  b.put64(fm.new_cookie == ~0ull ? 0 : fm.new_cookie);
  b.put16(command_field(fm, tid));
  b.put16(fm.idle_timeout);
  b.put16(fm.hard_timeout);
  b.put16(fm.priority);
  b.put32(fm.buffer_id);
  b.put16(static_cast<uint16_t>(fm.out_port));
  b.put16(fm.flags & (kFfSendFlowRem | kFfCheckOverlap));
}

Result<std::vector<uint8_t>> encode_of12(const FlowMod& fm, uint8_t version, uint32_t xid,
                                         const ActionList& actions) {
  OfpBuf b(version, kOfptFlowMod, xid);
  bool add = fm.command == FlowModCommand::kAdd;
  b.put64(add || fm.modify_cookie ? fm.new_cookie : fm.cookie);
  b.put64(fm.cookie_mask);
  // OF1.2+ allows OFPTT_ALL only in deletes; OVS sends table 0 otherwise.
  bool del = fm.command == FlowModCommand::kDelete || fm.command == FlowModCommand::kDeleteStrict;
  b.put8(fm.table_id == 0xff && !del ? 0 : fm.table_id);
  b.put8(static_cast<uint8_t>(fm.command));
  b.put16(fm.idle_timeout);
  b.put16(fm.hard_timeout);
  b.put16(fm.priority);
  b.put32(fm.buffer_id);
  b.put32(port_to_ofp11(fm.out_port));
  b.put32(fm.out_group);
  uint16_t flags = fm.flags;
  if (version < kOfp13) flags &= kFfSendFlowRem | kFfCheckOverlap | kFfResetCounts;
  b.put16(flags);
  b.put16(version >= kOfp14 ? fm.importance : 0);
  // ofp_match: type OXM, length, fields, padding to 8.
  size_t match_start = b.size();
  b.put16(1);
  b.put16(0);
  size_t n = nx_put_match(b.bytes(), fm.match, true, version);
  store_be16(&b.bytes()[match_start + 2], static_cast<uint16_t>(4 + n));
  b.pad_to(8);
  auto inst = encode_instructions(actions, version);
  if (!inst.ok()) return inst.error();
  b.put_bytes(inst->data(), inst->size());
  return b.finish();
}

}  // namespace

Result<std::vector<uint8_t>> encode_flow_mod(const FlowMod& fm, Protocols protocol, uint32_t xid) {
  uint8_t version = protocol_to_version(protocol);
  ActionList actions = actions_for_version(fm.actions, fm.match, version);
  if (version >= kOfp12) return encode_of12(fm, version, xid, actions);
  if (version == kOfp11) return Error(EINVAL, "OpenFlow 1.1 flow_mod encoding not supported");
  bool tid = protocol & (kPOf10StdTid | kPOf10NxmTid);
  auto acts = encode_actions(actions, kOfp10);
  if (!acts.ok()) return acts.error();
  if (protocol & kPOf10NxmAny) {
    OfpBuf b(kOfp10, kOfptVendor, xid);
    b.put32(kNxVendorId);
    b.put32(kNxtFlowMod);
    put_common10(b, fm, tid);
    size_t len_at = b.size();
    b.put16(0);  // match_len
    b.put_zeros(6);
    size_t n = nx_put_match(b.bytes(), fm.match, false, kOfp10);
    store_be16(&b.bytes()[len_at], static_cast<uint16_t>(n));
    b.pad_to(8);
    b.put_bytes(acts->data(), acts->size());
    return b.finish();
  }
  OfpBuf b(kOfp10, kOfptFlowMod, xid);
  ofp10_put_match(b.bytes(), fm.match);
  put_common10(b, fm, tid);
  b.put_bytes(acts->data(), acts->size());
  return b.finish();
}

namespace {

void get_common10(const uint8_t* p, FlowMod& fm) {
  fm.new_cookie = load_be64(p);
  uint16_t cmd = load_be16(p + 8);
  fm.command = static_cast<FlowModCommand>(cmd & 0xff);
  fm.table_id = static_cast<uint8_t>(cmd >> 8);
  fm.idle_timeout = load_be16(p + 10);
  fm.hard_timeout = load_be16(p + 12);
  fm.priority = load_be16(p + 14);
  fm.buffer_id = load_be32(p + 16);
  fm.out_port = load_be16(p + 20);
  fm.flags = load_be16(p + 22) & (kFfSendFlowRem | kFfCheckOverlap);
}

Result<FlowMod> decode_of10(const uint8_t* data, size_t len) {
  if (len < 72) return Error(EINVAL, "OFPBRC_BAD_LEN");
  FlowMod fm;
  fm.match = ofp10_pull_match(data + 8);
  get_common10(data + 48, fm);
  auto acts = decode_actions(data + 72, len - 72, kOfp10);
  if (!acts.ok()) return acts.error();
  fm.actions = std::move(*acts);
  return fm;
}

Result<FlowMod> decode_nxt(const uint8_t* data, size_t len) {
  if (len < 48) return Error(EINVAL, "OFPBRC_BAD_LEN");
  FlowMod fm;
  get_common10(data + 16, fm);
  size_t match_len = load_be16(data + 40);
  size_t padded = (match_len + 7) / 8 * 8;
  if (48 + padded > len) return Error(EINVAL, "OFPBMC_BAD_LEN");
  auto m = nx_pull_match(data + 48, match_len);
  if (!m.ok()) return m.error();
  fm.match = *m;
  auto acts = decode_actions(data + 48 + padded, len - 48 - padded, kOfp10);
  if (!acts.ok()) return acts.error();
  fm.actions = std::move(*acts);
  return fm;
}

Result<FlowMod> decode_of12(const uint8_t* data, size_t len, uint8_t version) {
  if (len < 56) return Error(EINVAL, "OFPBRC_BAD_LEN");
  FlowMod fm;
  const uint8_t* p = data + 8;
  uint64_t cookie = load_be64(p), cookie_mask = load_be64(p + 8);
  fm.table_id = p[16];
  fm.command = static_cast<FlowModCommand>(p[17]);
  if (fm.command == FlowModCommand::kAdd || fm.command == FlowModCommand::kModify ||
      fm.command == FlowModCommand::kModifyStrict) {
    fm.new_cookie = cookie;
  } else {
    fm.cookie = cookie;
  }
  fm.cookie_mask = cookie_mask;
  if (cookie_mask) fm.cookie = cookie;
  fm.idle_timeout = load_be16(p + 18);
  fm.hard_timeout = load_be16(p + 20);
  fm.priority = load_be16(p + 22);
  fm.buffer_id = load_be32(p + 24);
  fm.out_port = port_from_ofp11(load_be32(p + 28)).value_or(kOfppNone);
  fm.out_group = load_be32(p + 32);
  fm.flags = load_be16(p + 36);
  fm.importance = version >= kOfp14 ? load_be16(p + 38) : 0;
  const uint8_t* mp = data + 48;
  if (load_be16(mp) != 1) return Error(EINVAL, "OFPBMC_BAD_TYPE");
  size_t mlen = load_be16(mp + 2);
  size_t padded = (mlen + 7) / 8 * 8;
  if (mlen < 4 || 48 + padded > len) return Error(EINVAL, "OFPBMC_BAD_LEN");
  auto m = nx_pull_match(mp + 4, mlen - 4);
  if (!m.ok()) return m.error();
  fm.match = *m;
  auto inst = decode_instructions(data + 48 + padded, len - 48 - padded, version);
  if (!inst.ok()) return inst.error();
  fm.actions = std::move(*inst);
  return fm;
}

}  // namespace

Result<FlowMod> decode_flow_mod(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->type == kOfptVendor && h->version == kOfp10 && h->length >= 16 &&
      load_be32(data + 8) == kNxVendorId && load_be32(data + 12) == kNxtFlowMod)
    return decode_nxt(data, h->length);
  if (h->type != kOfptFlowMod) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  if (h->version == kOfp10) return decode_of10(data, h->length);
  if (h->version == kOfp11) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  return decode_of12(data, h->length, h->version);
}

}  // namespace grebe::openflow
