// Bundle control and add messages; see bundle.h.
#include "grebe/openflow/bundle.h"

#include "grebe/openflow/multipart.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

// Offset of the bundle body, or 0 if the message is not of `kind`.
size_t body_offset(const uint8_t* data, size_t size, uint8_t ofpt, uint32_t onft) {
  if (size < kOfpHeaderLen) return 0;
  uint8_t v = data[0], t = data[1];
  if (v >= kOfp14 && v <= kOfp15 && t == ofpt) return kOfpHeaderLen;
  if (v == kOfp13 && t == kOfptVendor && size >= 16 && load_be32(data + 8) == kOnfVendorId &&
      load_be32(data + 12) == onft)
    return 16;
  return 0;
}

Result<OfpBuf> start(uint8_t version, uint8_t ofpt, uint32_t onft, uint32_t xid) {
  if (version < kOfp13 || version > kOfp15)
    return Error(EINVAL, "bundles need OpenFlow 1.3 or later ('-O OpenFlow14')");
  if (version >= kOfp14) return OfpBuf(version, ofpt, xid);
  OfpBuf b(version, kOfptVendor, xid);
  b.put32(kOnfVendorId);
  b.put32(onft);
  return b;
}

std::string flag_names(uint16_t flags) {
  std::string s;
  for (int i = 0; i < 16; ++i) {
    uint16_t bit = static_cast<uint16_t>(1u << i);
    if (!(flags & bit)) continue;
    if (!s.empty()) s += ' ';
    s += bit == kBundleAtomic ? std::string("atomic")
         : bit == kBundleOrdered ? std::string("ordered")
                                 : strfmt("0x%x", bit);
  }
  return s;
}

// Messages OVS accepts inside a bundle: flow_mod (incl. NXT_FLOW_MOD),
// group_mod, port_mod, packet_out.
bool bundlable(const uint8_t* m, size_t len) {
  uint8_t v = m[0], t = m[1];
  if (t == kOfptFlowMod || t == kOfptPacketOut) return true;
  if (v >= kOfp11 && (t == 15 || t == 16)) return true;
  if (v == kOfp10 && t == 15) return true;
  return t == kOfptVendor && len >= 16 && load_be32(m + 8) == kNxVendorId &&
         load_be32(m + 12) == kNxtFlowMod;
}

}  // namespace

bool is_bundle_ctrl(const uint8_t* data, size_t size) {
  return body_offset(data, size, kOfptBundleControl, kOnftBundleControl) != 0;
}
bool is_bundle_add(const uint8_t* data, size_t size) {
  return body_offset(data, size, kOfptBundleAddMessage, kOnftBundleAddMessage) != 0;
}

Result<std::vector<uint8_t>> encode_bundle_ctrl(uint8_t version, const BundleCtrl& bc,
                                                uint32_t xid) {
  auto b = start(version, kOfptBundleControl, kOnftBundleControl, xid);
  if (!b.ok()) return b.error();
  b->put32(bc.bundle_id);
  b->put16(bc.type);
  b->put16(bc.flags);
  return b->finish();
}

Result<std::vector<uint8_t>> encode_bundle_ctrl_reply(const uint8_t* request, size_t size,
                                                      const BundleCtrl& bc) {
  auto h = decode_header(request, size);
  if (!h.ok()) return h.error();
  return encode_bundle_ctrl(h->version, bc, h->xid);
}

Result<BundleCtrl> decode_bundle_ctrl(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  size_t off = body_offset(data, h->length, kOfptBundleControl, kOnftBundleControl);
  if (!off) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  // Properties may follow; OVS ignores them.
  if (h->length < off + 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  BundleCtrl bc;
  bc.bundle_id = load_be32(data + off);
  bc.type = load_be16(data + off + 4);
  bc.flags = load_be16(data + off + 6);
  return bc;
}

Result<std::vector<uint8_t>> encode_bundle_add(uint8_t version, uint32_t bundle_id, uint16_t flags,
                                               const std::vector<uint8_t>& inner) {
  auto ih = decode_header(inner.data(), inner.size());
  if (!ih.ok()) return ih.error();
  if (ih->version != version) return Error(EINVAL, "OFPBFC_BAD_VERSION");
  auto b = start(version, kOfptBundleAddMessage, kOnftBundleAddMessage, ih->xid);
  if (!b.ok()) return b.error();
  b->put32(bundle_id);
  b->put16(0);
  b->put16(flags);
  b->put_bytes(inner.data(), ih->length);
  auto out = b->finish();
  if (out.size() > 65535) return Error(EMSGSIZE, "OFPBFC_MSG_TOO_MANY");
  return out;
}

Result<BundleAdd> decode_bundle_add(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  size_t off = body_offset(data, h->length, kOfptBundleAddMessage, kOnftBundleAddMessage);
  if (!off) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  if (h->length < off + 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  BundleAdd ba;
  ba.bundle_id = load_be32(data + off);
  ba.flags = load_be16(data + off + 6);
  const uint8_t* m = data + off + 8;
  size_t left = h->length - off - 8;
  if (left < kOfpHeaderLen) return Error(EINVAL, "OFPBFC_MSG_BAD_LEN");
  if (m[0] != h->version) return Error(EINVAL, "OFPBFC_BAD_VERSION");
  size_t inner = load_be16(m + 2);
  if (inner < kOfpHeaderLen || inner > left) return Error(EINVAL, "OFPBFC_MSG_BAD_LEN");
  if (load_be32(m + 4) != h->xid) return Error(EINVAL, "OFPBFC_MSG_BAD_XID");
  if (!bundlable(m, inner)) return Error(EINVAL, "OFPBFC_MSG_UNSUP");
  ba.msg.assign(m, m + inner);
  return ba;
}

std::string format_bundle_ctrl(const BundleCtrl& bc) {
  static const char* kTypes[] = {"OPEN_REQUEST",   "OPEN_REPLY",   "CLOSE_REQUEST",
                                 "CLOSE_REPLY",    "COMMIT_REQUEST", "COMMIT_REPLY",
                                 "DISCARD_REQUEST", "DISCARD_REPLY"};
  std::string s = strfmt("\n bundle_id=%#x type=", bc.bundle_id);
  if (bc.type < 8) s += kTypes[bc.type];
  return s + " flags=" + flag_names(bc.flags);
}

std::string format_bundle_add(const BundleAdd& ba, int verbosity) {
  std::string s = strfmt("\n bundle_id=%#x flags=", ba.bundle_id) + flag_names(ba.flags) + "\n";
  return s + ofp_to_string(ba.msg.data(), ba.msg.size(), verbosity);
}

}  // namespace grebe::openflow
