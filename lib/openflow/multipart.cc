// Multipart framing; see multipart.h.
#include "grebe/openflow/multipart.h"

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {

uint8_t ofpt_multipart(uint8_t version, bool reply) {
  return static_cast<uint8_t>((version == kOfp10 ? 16 : 18) + (reply ? 1 : 0));
}

OfpBuf start_multipart(uint8_t version, bool reply, uint16_t type, uint32_t xid,
                       uint16_t flags) {
  OfpBuf b(version, ofpt_multipart(version, reply), xid);
  b.put16(type);
  b.put16(flags);
  if (version != kOfp10) b.put_zeros(4);
  return b;
}

OfpBuf start_experimenter_multipart(uint8_t version, bool reply, uint32_t experimenter,
                                    uint32_t exp_type, uint32_t xid, uint16_t flags) {
  OfpBuf b = start_multipart(version, reply, kMpExperimenter, xid, flags);
  b.put32(experimenter);
  b.put32(exp_type);
  // OF1.0's nicira10_stats_msg pads the vendor header to 8-byte alignment.
  if (version == kOfp10) b.put_zeros(4);
  return b;
}

bool is_multipart(const uint8_t* data, size_t size) {
  if (size < kOfpHeaderLen) return false;
  uint8_t v = data[0], t = data[1];
  return v == kOfp10 ? (t == 16 || t == 17) : (v <= kOfp15 && (t == 18 || t == 19));
}

Result<MultipartMsg> decode_multipart(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (!is_multipart(data, size)) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  MultipartMsg m;
  m.version = h->version;
  m.xid = h->xid;
  m.reply = data[1] == ofpt_multipart(h->version, true);
  size_t hdr = h->version == kOfp10 ? 12 : 16;
  if (h->length < hdr) return Error(EINVAL, "OFPBRC_BAD_LEN");
  m.type = load_be16(data + 8);
  m.flags = load_be16(data + 10);
  if (m.type == kMpExperimenter) {
    size_t ehdr = hdr + (h->version == kOfp10 ? 12 : 8);
    if (h->length < ehdr) return Error(EINVAL, "OFPBRC_BAD_LEN");
    m.experimenter = load_be32(data + hdr);
    m.exp_type = load_be32(data + hdr + 4);
    hdr = ehdr;
  }
  m.body = data + hdr;
  m.body_len = h->length - hdr;
  return m;
}

Result<std::vector<std::vector<uint8_t>>> split_multipart_reply(
    const MultipartMsg& proto, const std::vector<std::vector<uint8_t>>& records) {
  auto start = [&](uint16_t flags) {
    return proto.type == kMpExperimenter
               ? start_experimenter_multipart(proto.version, true, proto.experimenter,
                                              proto.exp_type, proto.xid, flags)
               : start_multipart(proto.version, true, proto.type, proto.xid, flags);
  };
  std::vector<std::vector<uint8_t>> out;
  OfpBuf cur = start(0);
  const size_t hdr = cur.size();
  for (const auto& r : records) {
    if (hdr + r.size() > 65535) return Error(EMSGSIZE, "multipart record too long");
    if (cur.size() + r.size() > 65535) {
      store_be16(&cur.bytes()[10], kMpFlagMore);
      out.push_back(cur.finish());
      cur = start(0);
    }
    cur.put_bytes(r.data(), r.size());
  }
  out.push_back(cur.finish());
  return out;
}

}  // namespace grebe::openflow
