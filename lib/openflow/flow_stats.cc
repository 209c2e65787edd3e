// Flow statistics messages; see flow_stats.h.
#include "grebe/openflow/flow_stats.h"

#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

constexpr uint16_t kStatsFlow = 1;

uint8_t request_type(uint8_t v) { return v == kOfp10 ? 16 : 18; }
uint8_t reply_type(uint8_t v) { return v == kOfp10 ? 17 : 19; }

void start_stats(OfpBuf& b, uint8_t version) {
  b.put16(kStatsFlow);
  b.put16(0);
  if (version != kOfp10) b.put_zeros(4);
}

size_t put_oxm_match(OfpBuf& b, const Match& m, uint8_t version) {
  size_t start = b.size();
  b.put16(1);
  b.put16(0);
  size_t n = nx_put_match(b.bytes(), m, true, version);
  store_be16(&b.bytes()[start + 2], static_cast<uint16_t>(4 + n));
  b.pad_to(8);
  return b.size() - start;
}

Result<Match> pull_oxm_match(const uint8_t* p, size_t len, size_t* used) {
  if (len < 8 || load_be16(p) != 1) return Error(EINVAL, "OFPBMC_BAD_TYPE");
  size_t mlen = load_be16(p + 2);
  size_t padded = (mlen + 7) / 8 * 8;
  if (mlen < 4 || padded > len) return Error(EINVAL, "OFPBMC_BAD_LEN");
  *used = padded;
  return nx_pull_match(p + 4, mlen - 4);
}

void put_duration(std::string& s, uint32_t sec, uint32_t nsec) {
  s += strfmt("%u", sec);
  if (nsec) {
    uint32_t msec = nsec / 1000000;
    if (msec * 1000000 == nsec) {
      s += strfmt(".%03u", msec);
    } else {
      std::string frac = strfmt(".%09u", nsec);
      while (frac.back() == '0') frac.pop_back();
      s += frac;
    }
  }
  s += 's';
}

}  // namespace

Result<std::vector<uint8_t>> encode_flow_stats_request(const FlowStatsRequest& r, uint8_t version,
                                                       uint32_t xid) {
  if (version == kOfp11) return Error(EINVAL, "OpenFlow 1.1 flow stats not supported");
  OfpBuf b(version, request_type(version), xid);
  start_stats(b, version);
  if (version == kOfp10) {
    ofp10_put_match(b.bytes(), r.match);
    b.put8(r.table_id);
    b.put8(0);
    b.put16(static_cast<uint16_t>(r.out_port));
  } else {
    b.put8(r.table_id);
    b.put_zeros(3);
    b.put32(port_to_ofp11(r.out_port));
    b.put32(r.out_group);
    b.put_zeros(4);
    b.put64(r.cookie);
    b.put64(r.cookie_mask);
    put_oxm_match(b, r.match, version);
  }
  return b.finish();
}

Result<FlowStatsRequest> decode_flow_stats_request(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  FlowStatsRequest r;
  if (h->version == kOfp10) {
    if (h->length < 12 + 44) return Error(EINVAL, "OFPBRC_BAD_LEN");
    r.match = ofp10_pull_match(data + 12);
    r.table_id = data[52];
    r.out_port = load_be16(data + 54);
    return r;
  }
  if (h->version == kOfp11 || h->length < 16 + 32) return Error(EINVAL, "OFPBRC_BAD_LEN");
  const uint8_t* p = data + 16;
  r.table_id = p[0];
  r.out_port = port_from_ofp11(load_be32(p + 4)).value_or(kOfppNone);
  r.out_group = load_be32(p + 8);
  r.cookie = load_be64(p + 16);
  r.cookie_mask = load_be64(p + 24);
  size_t used = 0;
  auto m = pull_oxm_match(p + 32, h->length - 48, &used);
  if (!m.ok()) return m.error();
  r.match = *m;
  return r;
}

Result<std::vector<uint8_t>> encode_flow_stats_reply(const std::vector<FlowStats>& stats,
                                                     uint8_t version, uint32_t xid) {
  // OF1.1's ofp11_match and OF1.5's OXS statistics are not carried yet.
  if (version == kOfp11 || version >= kOfp15)
    return Error(EINVAL, "flow stats reply encoding supports OpenFlow 1.0 and 1.2-1.4");
  OfpBuf b(version, reply_type(version), xid);
  start_stats(b, version);
  for (const FlowStats& fs : stats) {
    ActionList acts = actions_for_version(fs.actions, fs.match, version);
    auto enc = version == kOfp10 ? encode_actions(acts, version) : encode_instructions(acts, version);
    if (!enc.ok()) return enc.error();
    size_t start = b.size();
    b.put16(0);
    b.put8(fs.table_id);
    b.put8(0);
    if (version == kOfp10) ofp10_put_match(b.bytes(), fs.match);
    b.put32(fs.duration_sec);
    b.put32(fs.duration_nsec);
    b.put16(fs.priority);
    b.put16(fs.idle_timeout);
    b.put16(fs.hard_timeout);
    if (version == kOfp10) {
      b.put_zeros(6);
    } else {
      b.put16(version >= kOfp13 ? fs.flags : 0);
      b.put16(version >= kOfp14 ? fs.importance : 0);
      b.put_zeros(2);
    }
    b.put64(fs.cookie);
    b.put64(fs.packet_count);
    b.put64(fs.byte_count);
    if (version != kOfp10) put_oxm_match(b, fs.match, version);
    b.put_bytes(enc->data(), enc->size());
    store_be16(&b.bytes()[start], static_cast<uint16_t>(b.size() - start));
  }
  return b.finish();
}

Result<std::vector<FlowStats>> decode_flow_stats_reply(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  uint8_t v = h->version;
  if (v == kOfp11 || v >= kOfp15) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  size_t pos = v == kOfp10 ? 12 : 16;
  if (h->length < pos || load_be16(data + 8) != kStatsFlow) return Error(EINVAL, "OFPBRC_BAD_STAT");
  std::vector<FlowStats> out;
  while (pos < h->length) {
    size_t fixed = v == kOfp10 ? 88 : 48;
    if (h->length - pos < fixed) return Error(EINVAL, "OFPBRC_BAD_LEN");
    const uint8_t* p = data + pos;
    size_t len = load_be16(p);
    if (len < fixed || pos + len > h->length) return Error(EINVAL, "OFPBRC_BAD_LEN");
    FlowStats fs;
    fs.table_id = p[2];
    const uint8_t* q = p + 4;
    if (v == kOfp10) {
      fs.match = ofp10_pull_match(q);
      q += 40;
    }
    fs.duration_sec = load_be32(q);
    fs.duration_nsec = load_be32(q + 4);
    fs.priority = load_be16(q + 8);
    fs.idle_timeout = load_be16(q + 10);
    fs.hard_timeout = load_be16(q + 12);
    if (v != kOfp10) {
      fs.flags = v >= kOfp13 ? load_be16(q + 14) : 0;
      fs.importance = v >= kOfp14 ? load_be16(q + 16) : 0;
    }
    q = p + fixed - 24;
    fs.cookie = load_be64(q);
    fs.packet_count = load_be64(q + 8);
    fs.byte_count = load_be64(q + 16);
    size_t body = fixed;
    if (v != kOfp10) {
      size_t used = 0;
      auto m = pull_oxm_match(p + fixed, len - fixed, &used);
      if (!m.ok()) return m.error();
      fs.match = *m;
      body += used;
    }
    auto acts = v == kOfp10 ? decode_actions(p + body, len - body, v)
                            : decode_instructions(p + body, len - body, v);
    if (!acts.ok()) return acts.error();
    fs.actions = std::move(*acts);
    out.push_back(std::move(fs));
    pos += len;
  }
  return out;
}

std::string format_flow_stats(const FlowStats& fs, bool show_stats, uint8_t version,
                              const PortMap* ports) {
  std::string s;
  if (show_stats || fs.cookie)
    s += strfmt("cookie=0x%llx, ", static_cast<unsigned long long>(fs.cookie));
  if (show_stats) {
    s += "duration=";
    put_duration(s, fs.duration_sec, fs.duration_nsec);
    s += ", ";
  }
  if (show_stats || fs.table_id) s += strfmt("table=%u, ", fs.table_id);
  if (show_stats) {
    auto stat = [&](const char* name, uint64_t v) {
      s += std::string(name) + "=" +
           (v == ~0ull ? std::string("?") : strfmt("%llu", static_cast<unsigned long long>(v))) +
           ", ";
    };
    stat("n_packets", fs.packet_count);
    stat("n_bytes", fs.byte_count);
  }
  if (fs.idle_timeout) s += strfmt("idle_timeout=%u, ", fs.idle_timeout);
  if (fs.hard_timeout) s += strfmt("hard_timeout=%u, ", fs.hard_timeout);
  if (fs.flags & kFfSendFlowRem) s += "send_flow_rem ";
  if (fs.flags & kFfCheckOverlap) s += "check_overlap ";
  if (fs.flags & kFfResetCounts) s += "reset_counts ";
  if (fs.flags & kFfNoPktCounts) s += "no_packet_counts ";
  if (fs.flags & kFfNoBytCounts) s += "no_byte_counts ";
  if (fs.importance) s += strfmt("importance=%u, ", fs.importance);
  if (show_stats && fs.idle_age >= 0) s += strfmt("idle_age=%d, ", fs.idle_age);
  if (show_stats && fs.hard_age >= 0 && static_cast<uint32_t>(fs.hard_age) != fs.duration_sec)
    s += strfmt("hard_age=%d, ", fs.hard_age);
  std::string m = format_match(fs.match, fs.priority, ports);
  if (!m.empty()) s += m + " ";
  return s + "actions=" + format_actions(actions_for_version(fs.actions, fs.match, version), ports);
}

std::string format_flow_stats_request(const FlowStatsRequest& r, const PortMap* ports) {
  std::string s;
  if (r.table_id != 0xff) s += strfmt(" table=%u", r.table_id);
  if (r.out_port != kOfppNone) s += " out_port=" + format_port(r.out_port, ports);
  return s + " " + format_match(r.match, kDefaultPriority, ports);
}

}  // namespace grebe::openflow
