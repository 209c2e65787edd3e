// OpenFlow framing and simple messages; see ofp_msgs.h.
#include "grebe/openflow/ofp_msgs.h"

#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {

uint8_t ofpt_barrier_request(uint8_t version) { return version == kOfp10 ? 18 : 20; }
uint8_t ofpt_barrier_reply(uint8_t version) { return version == kOfp10 ? 19 : 21; }

const char* ofp_type_name(uint8_t version, uint8_t type) {
  static const char* kCommon[] = {
      "OFPT_HELLO",         "OFPT_ERROR",          "OFPT_ECHO_REQUEST",
      "OFPT_ECHO_REPLY",    nullptr,               "OFPT_FEATURES_REQUEST",
      "OFPT_FEATURES_REPLY", "OFPT_GET_CONFIG_REQUEST", "OFPT_GET_CONFIG_REPLY",
      "OFPT_SET_CONFIG",    "OFPT_PACKET_IN",      "OFPT_FLOW_REMOVED",
      "OFPT_PORT_STATUS",   "OFPT_PACKET_OUT",     "OFPT_FLOW_MOD"};
  if (type < 15) {
    if (type == kOfptVendor) return version == kOfp10 ? "OFPT_VENDOR" : "OFPT_EXPERIMENTER";
    return kCommon[type];
  }
  if (version == kOfp10) {
    static const char* k10[] = {"OFPT_PORT_MOD", "OFPT_STATS_REQUEST", "OFPT_STATS_REPLY",
                                "OFPT_BARRIER_REQUEST", "OFPT_BARRIER_REPLY",
                                "OFPT_QUEUE_GET_CONFIG_REQUEST", "OFPT_QUEUE_GET_CONFIG_REPLY"};
    return type <= 21 ? k10[type - 15] : nullptr;
  }
  static const char* k11[] = {
      "OFPT_GROUP_MOD",        "OFPT_PORT_MOD",          "OFPT_TABLE_MOD",
      "OFPST_REQUEST",         "OFPST_REPLY",            "OFPT_BARRIER_REQUEST",
      "OFPT_BARRIER_REPLY",    "OFPT_QUEUE_GET_CONFIG_REQUEST", "OFPT_QUEUE_GET_CONFIG_REPLY",
      "OFPT_ROLE_REQUEST",     "OFPT_ROLE_REPLY",        "OFPT_GET_ASYNC_REQUEST",
      "OFPT_GET_ASYNC_REPLY",  "OFPT_SET_ASYNC",         "OFPT_METER_MOD",
      "OFPT_ROLE_STATUS",      "OFPT_TABLE_STATUS",      "OFPT_REQUESTFORWARD",
      "OFPT_BUNDLE_CONTROL",   "OFPT_BUNDLE_ADD_MESSAGE", "OFPT_CONTROLLER_STATUS"};
  return type <= 35 ? k11[type - 15] : nullptr;
}

Result<OfpHeader> decode_header(const uint8_t* data, size_t size) {
  if (size < kOfpHeaderLen) return Error(EINVAL, "OFPBRC_BAD_LEN");
  OfpHeader h;
  h.version = data[0];
  h.type = data[1];
  h.length = load_be16(data + 2);
  h.xid = load_be32(data + 4);
  if (h.length < kOfpHeaderLen || h.length > size) return Error(EINVAL, "OFPBRC_BAD_LEN");
  if (h.version < kOfp10 || h.version > kOfp15) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  return h;
}

OfpBuf::OfpBuf(uint8_t version, uint8_t type, uint32_t xid) {
  put8(version);
  put8(type);
  put16(0);
  put32(xid);
}
void OfpBuf::put16(uint16_t v) {
  uint8_t b[2];
  store_be16(b, v);
  put_bytes(b, 2);
}
void OfpBuf::put32(uint32_t v) {
  uint8_t b[4];
  store_be32(b, v);
  put_bytes(b, 4);
}
void OfpBuf::put64(uint64_t v) {
  uint8_t b[8];
  store_be64(b, v);
  put_bytes(b, 8);
}
void OfpBuf::put_bytes(const void* p, size_t n) {
  auto* b = static_cast<const uint8_t*>(p);
  data_.insert(data_.end(), b, b + n);
}
void OfpBuf::pad_to(size_t alignment) {
  while (data_.size() % alignment) data_.push_back(0);
}
std::vector<uint8_t> OfpBuf::finish() {
  store_be16(&data_[2], static_cast<uint16_t>(data_.size()));
  return std::move(data_);
}

std::vector<uint8_t> encode_hello(uint32_t bitmap, uint32_t xid) {
  int max = 31 - __builtin_clz(bitmap ? bitmap : 2);
  OfpBuf b(static_cast<uint8_t>(max), kOfptHello, xid);
  uint32_t implied = (1u << (max + 1)) - (1u << kOfp10);
  if (bitmap != implied) {
    b.put16(1);  // OFPHET_VERSIONBITMAP
    b.put16(8);
    b.put32(bitmap);
  }
  return b.finish();
}

Result<uint32_t> decode_hello(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  uint32_t bitmap = (1u << (h->version + 1)) - (1u << kOfp10);
  const uint8_t* p = data + kOfpHeaderLen;
  size_t left = h->length - kOfpHeaderLen;
  while (left >= 4) {
    uint16_t type = load_be16(p), len = load_be16(p + 2);
    if (len < 4 || len > left) return Error(EINVAL, "OFPBRC_BAD_LEN");
    if (type == 1 && len >= 8) bitmap = load_be32(p + 4);
    size_t padded = (len + 7u) / 8 * 8;
    if (padded > left) padded = left;
    p += padded;
    left -= padded;
  }
  return bitmap;
}

std::vector<uint8_t> encode_echo(bool reply, uint8_t version, uint32_t xid,
                                 const std::vector<uint8_t>& payload) {
  OfpBuf b(version, reply ? kOfptEchoReply : kOfptEchoRequest, xid);
  b.put_bytes(payload.data(), payload.size());
  return b.finish();
}

std::vector<uint8_t> encode_barrier(bool reply, uint8_t version, uint32_t xid) {
  OfpBuf b(version, reply ? ofpt_barrier_reply(version) : ofpt_barrier_request(version), xid);
  return b.finish();
}

std::vector<uint8_t> encode_features_request(uint8_t version, uint32_t xid) {
  return OfpBuf(version, kOfptFeaturesRequest, xid).finish();
}

Result<std::vector<uint8_t>> encode_error(uint8_t version, std::string_view name, uint32_t xid,
                                          const std::vector<uint8_t>& data) {
  auto tc = ofperr_encode(name, version);
  if (!tc) {
    auto exp = ofperr_encode_experimenter(name, version);
    if (!exp) return Error(EINVAL, std::string(name) + ": no code in this OpenFlow version");
    OfpBuf b(version, kOfptError, xid);
    b.put16(0xffff);
    b.put16(exp->second);
    b.put32(exp->first);
    b.put_bytes(data.data(), data.size());
    return b.finish();
  }
  OfpBuf b(version, kOfptError, xid);
  b.put16(tc->first);
  b.put16(tc->second);
  b.put_bytes(data.data(), data.size());
  return b.finish();
}

std::vector<uint8_t> encode_features_reply(uint8_t version, uint32_t xid, const SwitchFeatures& f) {
  OfpBuf b(version, kOfptFeaturesReply, xid);
  b.put64(f.datapath_id);
  b.put32(f.n_buffers);
  b.put8(f.n_tables);
  b.put8(version >= kOfp13 ? f.auxiliary_id : 0);
  b.put16(0);
  b.put32(f.capabilities);
  b.put32(version == kOfp10 ? f.actions : 0);
  return b.finish();
}

Result<SwitchFeatures> decode_features_reply(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->length < 32) return Error(EINVAL, "OFPBRC_BAD_LEN");
  SwitchFeatures f;
  f.datapath_id = load_be64(data + 8);
  f.n_buffers = load_be32(data + 16);
  f.n_tables = data[20];
  f.auxiliary_id = data[21];
  f.capabilities = load_be32(data + 24);
  f.actions = h->version == kOfp10 ? load_be32(data + 28) : 0;
  return f;
}

std::vector<uint8_t> encode_set_config(uint8_t version, uint32_t xid, const SwitchConfig& c,
                                       bool reply) {
  OfpBuf b(version, reply ? kOfptGetConfigReply : kOfptSetConfig, xid);
  b.put16(c.flags);
  b.put16(c.miss_send_len);
  return b.finish();
}

Result<SwitchConfig> decode_switch_config(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->length != 12) return Error(EINVAL, "OFPBRC_BAD_LEN");
  return SwitchConfig{load_be16(data + 8), load_be16(data + 10)};
}

std::vector<uint8_t> encode_role(bool reply, uint8_t version, uint32_t xid, const RoleMessage& r) {
  OfpBuf b(version, reply ? 25 : 24, xid);
  b.put32(static_cast<uint32_t>(r.role));
  b.put_zeros(4);
  b.put64(r.generation_id);
  return b.finish();
}

Result<RoleMessage> decode_role(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->version < kOfp12 || (h->type != 24 && h->type != 25)) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  if (h->length != 24) return Error(EINVAL, "OFPBRC_BAD_LEN");
  uint32_t role = load_be32(data + 8);
  if (role > 3) return Error(EINVAL, "OFPRRFC_BAD_ROLE");
  return RoleMessage{static_cast<ControllerRole>(role), load_be64(data + 16)};
}

std::string format_role(const RoleMessage& r) {
  static const char* kNames[] = {"nochange", "equal", "primary", "secondary"};
  std::string s = std::string(" role=") + kNames[static_cast<uint32_t>(r.role) & 3];
  if (r.role != ControllerRole::kNoChange && r.role != ControllerRole::kEqual &&
      r.generation_id != ~0ull)
    s += strfmt(" generation_id=%llu", static_cast<unsigned long long>(r.generation_id));
  return s;
}

std::string hex_dump(const uint8_t* buf, size_t size, size_t ofs, bool ascii) {
  std::string s;
  constexpr size_t kPerLine = 16;
  while (size > 0) {
    size_t start = ofs % kPerLine, end = kPerLine;
    if (end - start > size) end = start + size;
    size_t n = end - start;
    s += strfmt("%08zx  ", ofs / kPerLine * kPerLine);
    size_t i = 0;
    for (; i < start; ++i) s += "   ";
    for (; i < end; ++i) s += strfmt("%02x%c", buf[i - start], i == kPerLine / 2 - 1 ? '-' : ' ');
    if (ascii) {
      for (; i < kPerLine; ++i) s += "   ";
      s += '|';
      for (i = 0; i < start; ++i) s += ' ';
      for (; i < end; ++i) {
        int c = buf[i - start];
        s += static_cast<char>(c >= 32 && c < 127 ? c : '.');
      }
      for (; i < kPerLine; ++i) s += ' ';
      s += '|';
    } else {
      while (!s.empty() && s.back() == ' ') s.pop_back();
    }
    s += '\n';
    ofs += n;
    buf += n;
    size -= n;
  }
  return s;
}

}  // namespace grebe::openflow
