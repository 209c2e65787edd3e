// OpenFlow 1.5 group_mod decoding; see group_mod15.h.
#include "grebe/openflow/group_mod15.h"

#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {

namespace {

// Bucket properties after the actions: weight (0), watch_port (1),
// watch_group (2), each 8 bytes; experimenter ones are skipped.
Status parse_bucket_props(const uint8_t* p, size_t len, Bucket& b) {
  for (size_t pos = 0; pos < len;) {
    if (len - pos < 4) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    uint16_t type = load_be16(p + pos), plen = load_be16(p + pos + 2);
    if (plen < 4 || pos + plen > len) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    if (type <= 2 && plen != 8) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    if (type == 0) {
      b.weight = load_be16(p + pos + 4);
    } else if (type == 1) {
      b.watch_port = port_from_ofp11(load_be32(p + pos + 4)).value_or(kOfppNone);
    } else if (type == 2) {
      b.watch_group = load_be32(p + pos + 4);
    } else if (type != 0xffff) {
      return Error(EINVAL, "OFPBPC_BAD_TYPE");
    }
    pos += (plen + 7) / 8 * 8;
  }
  return {};
}

}  // namespace

Result<GroupMod> decode_group_mod15(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->version < kOfp15 || h->type != 15) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  if (h->length < 24) return Error(EINVAL, "OFPBRC_BAD_LEN");
  GroupMod gm;
  gm.command = static_cast<GroupCommand>(load_be16(data + 8));
  gm.type = static_cast<GroupType>(data[10]);
  gm.group_id = load_be32(data + 12);
  size_t buckets_len = load_be16(data + 16);
  // Wire OFPG15_BUCKET_FIRST/LAST to this library's constants.
  uint32_t cmd_bucket = load_be32(data + 20);
  gm.command_bucket_id = cmd_bucket == 0xfffffffd   ? kBucketFirst
                         : cmd_bucket == 0xfffffffe ? kBucketLast
                                                    : cmd_bucket;
  if (24 + buckets_len > h->length) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
  const uint8_t* p = data + 24;
  for (size_t pos = 0; pos < buckets_len;) {
    if (buckets_len - pos < 8) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    size_t blen = load_be16(p + pos), alen = load_be16(p + pos + 2);
    if (blen < 8 || pos + blen > buckets_len || 8 + alen > blen)
      return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    Bucket b;
    b.bucket_id = load_be32(p + pos + 4);
    if (b.bucket_id > kOfpgMax) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    auto acts = decode_actions(p + pos + 8, alen, h->version);
    if (!acts.ok()) return acts.error();
    b.actions = std::move(*acts);
    if (auto st = parse_bucket_props(p + pos + 8 + alen, blen - 8 - alen, b); !st.ok())
      return st.error();
    gm.buckets.push_back(std::move(b));
    pos += blen;
  }
  return gm;
}

}  // namespace grebe::openflow
