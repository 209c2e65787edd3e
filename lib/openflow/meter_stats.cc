// Meter statistics, configuration and features; see meter_stats.h.
#include "grebe/openflow/meter_stats.h"

#include "grebe/openflow/multipart.h"
#include "grebe/openflow/port_stats.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

Result<MultipartMsg> pull(const uint8_t* data, size_t size, uint16_t type, bool reply) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != type || m->reply != reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  if (m->version < kOfp13) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  return m;
}

void be16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
void be32(std::vector<uint8_t>& v, uint32_t x) {
  be16(v, static_cast<uint16_t>(x >> 16));
  be16(v, static_cast<uint16_t>(x));
}
void be64(std::vector<uint8_t>& v, uint64_t x) {
  be32(v, static_cast<uint32_t>(x >> 32));
  be32(v, static_cast<uint32_t>(x));
}

std::string meter_id_text(uint32_t id, char sep) {
  std::string s = std::string("meter") + sep;
  if (id <= 0xffff0000u) return s + std::to_string(id);
  if (id == kMeterSlowpath) return s + "slowpath";
  if (id == kMeterController) return s + "controller";
  if (id == kMeterAll) return s + "all";
  return s + "unknown";
}

std::string bit_names(uint32_t bits, const char* (*namer)(uint32_t)) {
  std::string s;
  for (int i = 0; i < 32; ++i) {
    uint32_t bit = 1u << i;
    if (!(bits & bit)) continue;
    if (!s.empty()) s += ' ';
    const char* n = namer(bit);
    s += n ? std::string(n) : strfmt("0x%x", bit);
  }
  return s;
}

}  // namespace

std::vector<uint8_t> encode_meter_request(uint8_t version, uint16_t type, uint32_t meter_id,
                                          uint32_t xid) {
  OfpBuf b = start_multipart(version, false, type, xid);
  b.put32(meter_id);
  b.put_zeros(4);
  return b.finish();
}

Result<uint32_t> decode_meter_request(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->reply || (m->type != kMpMeter && m->type != kMpMeterConfig))
    return Error(EINVAL, "OFPBRC_BAD_STAT");
  if (m->body_len != 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  return load_be32(m->body);
}

std::string format_meter_request(uint32_t meter_id) { return " " + meter_id_text(meter_id, '='); }

std::vector<uint8_t> encode_meter_stats_record(const MeterStats& ms) {
  std::vector<uint8_t> v;
  be32(v, ms.meter_id);
  be16(v, static_cast<uint16_t>(40 + 16 * ms.bands.size()));
  v.insert(v.end(), 6, 0);
  be32(v, ms.flow_count);
  be64(v, ms.packet_in_count);
  be64(v, ms.byte_in_count);
  be32(v, ms.duration_sec);
  be32(v, ms.duration_nsec);
  for (const MeterBandStats& b : ms.bands) {
    be64(v, b.packet_count);
    be64(v, b.byte_count);
  }
  return v;
}

std::vector<uint8_t> encode_meter_stats_reply(const std::vector<MeterStats>& stats,
                                              uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpMeter, xid);
  for (const MeterStats& ms : stats) {
    auto r = encode_meter_stats_record(ms);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<MeterStats>> decode_meter_stats_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpMeter, true);
  if (!m.ok()) return m.error();
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  std::vector<MeterStats> out;
  while (left > 0) {
    if (left < 40) return Error(EINVAL, "OFPBRC_BAD_LEN");
    size_t len = load_be16(p + 4);
    if (len < 40 || len > left || (len - 40) % 16) return Error(EINVAL, "OFPBRC_BAD_LEN");
    MeterStats ms;
    ms.meter_id = load_be32(p);
    ms.flow_count = load_be32(p + 12);
    ms.packet_in_count = load_be64(p + 16);
    ms.byte_in_count = load_be64(p + 24);
    ms.duration_sec = load_be32(p + 32);
    ms.duration_nsec = load_be32(p + 36);
    for (size_t pos = 40; pos < len; pos += 16)
      ms.bands.push_back({load_be64(p + pos), load_be64(p + pos + 8)});
    out.push_back(std::move(ms));
    p += len;
    left -= len;
  }
  return out;
}

std::string format_meter_stats(const MeterStats& ms) {
  auto u64 = [](uint64_t x) { return strfmt("%llu", static_cast<unsigned long long>(x)); };
  std::string s = meter_id_text(ms.meter_id, ':') + strfmt(" flow_count:%u ", ms.flow_count);
  s += "packet_in_count:" + u64(ms.packet_in_count) + " byte_in_count:" + u64(ms.byte_in_count) +
       " duration:" + format_duration(ms.duration_sec, ms.duration_nsec) + " bands:\n";
  for (size_t i = 0; i < ms.bands.size(); ++i)
    s += strfmt("%zu: packet_count:", i) + u64(ms.bands[i].packet_count) +
         " byte_count:" + u64(ms.bands[i].byte_count) + "\n";
  return s;
}

std::vector<uint8_t> encode_meter_config_record(const MeterMod& mc) {
  std::vector<uint8_t> v;
  be16(v, static_cast<uint16_t>(8 + 16 * mc.bands.size()));
  be16(v, mc.flags);
  be32(v, mc.meter_id);
  for (const MeterBand& b : mc.bands) {
    be16(v, b.type);
    be16(v, 16);
    be32(v, b.rate);
    be32(v, b.burst_size);
    v.push_back(b.type == 2 ? b.prec_level : 0);
    v.insert(v.end(), 3, 0);
  }
  return v;
}

std::vector<uint8_t> encode_meter_config_reply(const std::vector<MeterMod>& meters,
                                               uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpMeterConfig, xid);
  for (const MeterMod& mc : meters) {
    auto r = encode_meter_config_record(mc);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<MeterMod>> decode_meter_config_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpMeterConfig, true);
  if (!m.ok()) return m.error();
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  std::vector<MeterMod> out;
  while (left > 0) {
    if (left < 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
    size_t len = load_be16(p);
    if (len < 8 || len > left) return Error(EINVAL, "OFPBRC_BAD_LEN");
    MeterMod mc;
    mc.flags = load_be16(p + 2);
    mc.meter_id = load_be32(p + 4);
    for (size_t pos = 8; pos < len;) {
      if (len - pos < 16) return Error(EINVAL, "OFPMMFC_BAD_BAND");
      size_t blen = load_be16(p + pos + 2);
      if (blen < 16 || pos + blen > len) return Error(EINVAL, "OFPMMFC_BAD_BAND");
      MeterBand band;
      band.type = load_be16(p + pos);
      band.rate = load_be32(p + pos + 4);
      band.burst_size = load_be32(p + pos + 8);
      if (band.type == 2) band.prec_level = p[pos + 12];
      mc.bands.push_back(band);
      pos += blen;
    }
    out.push_back(std::move(mc));
    p += len;
    left -= len;
  }
  return out;
}

std::vector<uint8_t> encode_meter_features_request(uint8_t version, uint32_t xid) {
  return start_multipart(version, false, kMpMeterFeatures, xid).finish();
}

std::vector<uint8_t> encode_meter_features_reply(const MeterFeatures& f, uint8_t version,
                                                 uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpMeterFeatures, xid);
  b.put32(f.max_meters);
  b.put32(f.band_types);
  b.put32(f.capabilities);
  b.put8(f.max_bands);
  b.put8(f.max_color);
  b.put_zeros(2);
  return b.finish();
}

Result<MeterFeatures> decode_meter_features_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpMeterFeatures, true);
  if (!m.ok()) return m.error();
  if (m->body_len != 16) return Error(EINVAL, "OFPBRC_BAD_LEN");
  MeterFeatures f;
  f.max_meters = load_be32(m->body);
  f.band_types = load_be32(m->body + 4);
  f.capabilities = load_be32(m->body + 8);
  f.max_bands = m->body[12];
  f.max_color = m->body[13];
  return f;
}

std::string format_meter_features(const MeterFeatures& f) {
  std::string s = strfmt("\nmax_meter:%u max_bands:%u max_color:%u\n", f.max_meters, f.max_bands,
                         f.max_color);
  s += "band_types: " +
       bit_names(f.band_types,
                 [](uint32_t bit) -> const char* {
                   return bit == 2 ? "drop" : bit == 4 ? "dscp_remark" : nullptr;
                 }) +
       "\n";
  s += "capabilities: " +
       bit_names(f.capabilities,
                 [](uint32_t bit) -> const char* {
                   switch (bit) {
                     case kMeterKbps: return "kbps";
                     case kMeterPktps: return "pktps";
                     case kMeterBurst: return "burst";
                     case kMeterStats: return "stats";
                   }
                   return nullptr;
                 }) +
       "\n";
  return s;
}

}  // namespace grebe::openflow
