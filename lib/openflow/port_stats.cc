// Port and queue statistics codecs; see port_stats.h.
#include "grebe/openflow/port_stats.h"

#include "grebe/openflow/multipart.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

constexpr uint32_t kIntelVendorId = 0x0000aa01;
constexpr uint32_t kIntelRfc2819 = 1, kIntelCustom = 2;
constexpr uint16_t kPropExperimenter = 0xffff;

// The rfc2819 property's counters in wire order, and which list they go to.
struct Rfc2819Field {
  const char* name;
  bool tx;
};
constexpr Rfc2819Field kRfc2819Wire[] = {
    {"1_to_64_packets", false},      {"65_to_127_packets", false},
    {"128_to_255_packets", false},   {"256_to_511_packets", false},
    {"512_to_1023_packets", false},  {"1024_to_1522_packets", false},
    {"1523_to_max_packets", false},  {"1_to_64_packets", true},
    {"65_to_127_packets", true},     {"128_to_255_packets", true},
    {"256_to_511_packets", true},    {"512_to_1023_packets", true},
    {"1024_to_1522_packets", true},  {"1523_to_max_packets", true},
    {"multicast_packets", true},     {"broadcast_packets", false},
    {"broadcast_packets", true},     {"undersized_errors", false},
    {"oversize_errors", false},      {"rx_fragmented_errors", false},
    {"rx_jabber_errors", false},
};
// OVS prints rx broadcast after the size buckets; the wire order differs,
// so the decoded lists are put into print order.
constexpr const char* kRxPrintOrder[] = {
    "1_to_64_packets",     "65_to_127_packets",    "128_to_255_packets", "256_to_511_packets",
    "512_to_1023_packets", "1024_to_1522_packets", "1523_to_max_packets", "broadcast_packets",
    "undersized_errors",   "oversize_errors",      "rx_fragmented_errors", "rx_jabber_errors"};

uint32_t port_any(uint8_t version) { return version == kOfp10 ? 0xffff : 0xffffffff; }

void put_counters(std::vector<uint8_t>& out, std::initializer_list<uint64_t> vals) {
  for (uint64_t v : vals) {
    uint8_t b[8];
    store_be64(b, v);
    out.insert(out.end(), b, b + 8);
  }
}

void put_be16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  put_be16(out, static_cast<uint16_t>(v >> 16));
  put_be16(out, static_cast<uint16_t>(v));
}

Result<uint32_t> pull_port(const uint8_t* p, uint8_t version) {
  if (version == kOfp10) return static_cast<uint32_t>(load_be16(p));
  auto port = port_from_ofp11(load_be32(p));
  if (!port) return Error(EINVAL, "OFPBRC_BAD_PORT");
  return *port;
}

uint64_t find_counter(const std::vector<std::pair<std::string, uint64_t>>& v, const char* name) {
  for (const auto& [n, val] : v)
    if (n == name) return val;
  return kStatUnknown;
}

// OF1.4+ port stats properties.
Status pull_port_stats_props(const uint8_t* p, size_t len, PortStats& ps) {
  while (len > 0) {
    if (len < 4) return Error(EINVAL, "OFPBPC_BAD_LEN");
    uint16_t type = load_be16(p), plen = load_be16(p + 2);
    size_t padded = (plen + 7u) / 8 * 8;
    if (plen < 4 || padded > len) return Error(EINVAL, "OFPBPC_BAD_LEN");
    if (type == 0) {
      if (plen != 40) return Error(EINVAL, "OFPBPC_BAD_LEN");
      ps.rx_frame_errors = load_be64(p + 8);
      ps.rx_over_errors = load_be64(p + 16);
      ps.rx_crc_errors = load_be64(p + 24);
      ps.collisions = load_be64(p + 32);
    } else if (type == kPropExperimenter && plen >= 12 && load_be32(p + 4) == kIntelVendorId &&
               load_be32(p + 8) == kIntelRfc2819) {
      constexpr size_t n = sizeof kRfc2819Wire / sizeof kRfc2819Wire[0];
      if (plen != 16 + 8 * n) return Error(EINVAL, "OFPBPC_BAD_LEN");
      std::vector<std::pair<std::string, uint64_t>> rx, tx;
      for (size_t i = 0; i < n; ++i)
        (kRfc2819Wire[i].tx ? tx : rx).emplace_back(kRfc2819Wire[i].name, load_be64(p + 16 + 8 * i));
      ps.rx_rfc2819.clear();
      for (const char* name : kRxPrintOrder) ps.rx_rfc2819.emplace_back(name, find_counter(rx, name));
      ps.tx_rfc2819 = std::move(tx);
    } else if (type == kPropExperimenter && plen >= 12 && load_be32(p + 4) == kIntelVendorId &&
               load_be32(p + 8) == kIntelCustom) {
      if (plen < 16) return Error(EINVAL, "OFPBPC_BAD_LEN");
      size_t count = load_be16(p + 14), pos = 16;
      ps.custom.clear();
      for (size_t i = 0; i < count; ++i) {
        if (pos + 1 > plen) return Error(EINVAL, "OFPBPC_BAD_LEN");
        size_t nlen = p[pos++];
        if (pos + nlen + 8 > plen) return Error(EINVAL, "OFPBPC_BAD_LEN");
        std::string name(reinterpret_cast<const char*>(p + pos), nlen);
        name = name.substr(0, name.find('\0'));
        pos += nlen;
        ps.custom.emplace_back(name, load_be64(p + pos));
        pos += 8;
      }
    } else {
      // OVS: an unknown property is an error in a reply it has to trust.
      return Error(EINVAL, type == kPropExperimenter ? "OFPBPC_BAD_EXPERIMENTER" : "OFPBPC_BAD_TYPE");
    }
    p += padded;
    len -= padded;
  }
  return Status();
}

void put_prop_padding(std::vector<uint8_t>& out, size_t start) {
  store_be16(&out[start + 2], static_cast<uint16_t>(out.size() - start));
  while ((out.size() - start) % 8) out.push_back(0);
}

}  // namespace

std::string format_duration(uint32_t sec, uint32_t nsec) {
  std::string s = strfmt("%u", sec);
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
  return s + 's';
}

std::vector<uint8_t> encode_port_stats_request(uint8_t version, uint32_t port_no, uint32_t xid) {
  OfpBuf b = start_multipart(version, false, kMpPortStats, xid);
  if (version == kOfp10) {
    b.put16(static_cast<uint16_t>(port_no));
    b.put_zeros(6);
  } else {
    b.put32(port_no == kOfppNone ? port_any(version) : port_to_ofp11(port_no));
    b.put_zeros(4);
  }
  return b.finish();
}

Result<uint32_t> decode_port_stats_request(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != kMpPortStats || m->reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  if (m->body_len != 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  if (m->version == kOfp10) return static_cast<uint32_t>(load_be16(m->body));
  uint32_t p32 = load_be32(m->body);
  if (p32 == 0xffffffff) return kOfppNone;
  return pull_port(m->body, m->version);
}

std::vector<uint8_t> encode_port_stats_record(const PortStats& ps, uint8_t version) {
  std::vector<uint8_t> out;
  auto dur = [&]() {
    put_be32(out, ps.duration_sec);
    put_be32(out, ps.duration_nsec);
  };
  if (version >= kOfp14) {
    put_be16(out, 0);  // length, fixed below
    put_be16(out, 0);
    put_be32(out, port_to_ofp11(ps.port_no));
    dur();
    put_counters(out, {ps.rx_packets, ps.tx_packets, ps.rx_bytes, ps.tx_bytes, ps.rx_dropped,
                       ps.tx_dropped, ps.rx_errors, ps.tx_errors});
    size_t prop = out.size();
    put_be16(out, 0);
    put_be16(out, 40);
    put_be32(out, 0);
    put_counters(out, {ps.rx_frame_errors, ps.rx_over_errors, ps.rx_crc_errors, ps.collisions});
    if (!ps.custom.empty()) {
      prop = out.size();
      put_be16(out, kPropExperimenter);
      put_be16(out, 0);
      put_be32(out, kIntelVendorId);
      put_be32(out, kIntelCustom);
      put_be16(out, 0);
      put_be16(out, static_cast<uint16_t>(ps.custom.size()));
      for (const auto& [name, val] : ps.custom) {
        size_t n = std::min<size_t>(name.size(), 255);
        out.push_back(static_cast<uint8_t>(n));
        out.insert(out.end(), name.begin(), name.begin() + n);
        put_counters(out, {val});
      }
      put_prop_padding(out, prop);
    }
    store_be16(&out[0], static_cast<uint16_t>(out.size()));
    return out;
  }
  if (version == kOfp10) {
    put_be16(out, static_cast<uint16_t>(ps.port_no));
    out.insert(out.end(), 6, 0);
  } else {
    put_be32(out, port_to_ofp11(ps.port_no));
    out.insert(out.end(), 4, 0);
  }
  put_counters(out, {ps.rx_packets, ps.tx_packets, ps.rx_bytes, ps.tx_bytes, ps.rx_dropped,
                     ps.tx_dropped, ps.rx_errors, ps.tx_errors, ps.rx_frame_errors,
                     ps.rx_over_errors, ps.rx_crc_errors, ps.collisions});
  if (version == kOfp13) dur();
  return out;
}

std::vector<uint8_t> encode_port_stats_reply(const std::vector<PortStats>& stats, uint8_t version,
                                             uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpPortStats, xid);
  for (const PortStats& ps : stats) {
    auto r = encode_port_stats_record(ps, version);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<PortStats>> decode_port_stats_reply(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != kMpPortStats || !m->reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  std::vector<PortStats> out;
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  const uint8_t v = m->version;
  while (left > 0) {
    PortStats ps;
    if (v >= kOfp14) {
      if (left < 80) return Error(EINVAL, "OFPBRC_BAD_LEN");
      size_t len = load_be16(p);
      if (len < 80 || len > left) return Error(EINVAL, "OFPBRC_BAD_LEN");
      auto port = pull_port(p + 4, v);
      if (!port.ok()) return port.error();
      ps.port_no = *port;
      ps.duration_sec = load_be32(p + 8);
      ps.duration_nsec = load_be32(p + 12);
      uint64_t* c[] = {&ps.rx_packets, &ps.tx_packets, &ps.rx_bytes,  &ps.tx_bytes,
                       &ps.rx_dropped, &ps.tx_dropped, &ps.rx_errors, &ps.tx_errors};
      for (size_t i = 0; i < 8; ++i) *c[i] = load_be64(p + 16 + 8 * i);
      auto st = pull_port_stats_props(p + 80, len - 80, ps);
      if (!st.ok()) return st.error();
      p += len;
      left -= len;
    } else {
      size_t rec = v == kOfp13 ? 112 : 104;
      if (left < rec) return Error(EINVAL, "OFPBRC_BAD_LEN");
      auto port = pull_port(p, v);
      if (!port.ok()) return port.error();
      ps.port_no = *port;
      uint64_t* c[] = {&ps.rx_packets,      &ps.tx_packets,     &ps.rx_bytes,    &ps.tx_bytes,
                       &ps.rx_dropped,      &ps.tx_dropped,     &ps.rx_errors,   &ps.tx_errors,
                       &ps.rx_frame_errors, &ps.rx_over_errors, &ps.rx_crc_errors, &ps.collisions};
      for (size_t i = 0; i < 12; ++i) *c[i] = load_be64(p + 8 + 8 * i);
      if (v == kOfp13) {
        ps.duration_sec = load_be32(p + 104);
        ps.duration_nsec = load_be32(p + 108);
      }
      p += rec;
      left -= rec;
    }
    out.push_back(std::move(ps));
  }
  return out;
}

std::string format_port_stats(const PortStats& ps, const PortMap* ports) {
  auto stat = [](const char* leader, uint64_t v, bool more) {
    std::string s = leader;
    s += v == kStatUnknown ? std::string("?") : strfmt("%llu", static_cast<unsigned long long>(v));
    return s + (more ? ", " : "\n");
  };
  std::string s = "  port ";
  if ((ps.port_no & 0xffff) < 10) s += ' ';
  s += format_port(ps.port_no, ports);
  s += ": rx " + stat("pkts=", ps.rx_packets, true) + stat("bytes=", ps.rx_bytes, true) +
       stat("drop=", ps.rx_dropped, true) + stat("errs=", ps.rx_errors, true) +
       stat("frame=", ps.rx_frame_errors, true) + stat("over=", ps.rx_over_errors, true) +
       stat("crc=", ps.rx_crc_errors, false);
  s += "           tx " + stat("pkts=", ps.tx_packets, true) + stat("bytes=", ps.tx_bytes, true) +
       stat("drop=", ps.tx_dropped, true) + stat("errs=", ps.tx_errors, true) +
       stat("coll=", ps.collisions, false);
  if (ps.duration_sec != kDurationUnknown)
    s += "           duration=" + format_duration(ps.duration_sec, ps.duration_nsec) + "\n";
  auto ext = [&](const char* title, const std::vector<std::pair<std::string, uint64_t>>& v) {
    std::string e;
    for (const auto& [name, val] : v)
      if (val != kStatUnknown) e += name + strfmt("=%llu, ", static_cast<unsigned long long>(val));
    if (!e.empty()) s += std::string("           ") + title + e + "\n";
  };
  ext("rx rfc2819 ", ps.rx_rfc2819);
  ext("tx rfc2819 ", ps.tx_rfc2819);
  if (!ps.custom.empty()) {
    s += "           CUSTOM Statistics";
    for (size_t i = 0; i < ps.custom.size(); ++i) {
      if (ps.custom[i].first.empty()) continue;
      s += i % 3 == 0 ? "\n                      " : " ";
      s += ps.custom[i].first +
           strfmt("=%llu,", static_cast<unsigned long long>(ps.custom[i].second));
    }
    s += "\n";
  }
  return s;
}

std::vector<uint8_t> encode_queue_stats_request(uint8_t version, const QueueStatsRequest& r,
                                                uint32_t xid) {
  OfpBuf b = start_multipart(version, false, kMpQueue, xid);
  if (version == kOfp10) {
    // OF1.0 spells "all ports" OFPP_ALL here.
    b.put16(static_cast<uint16_t>(r.port_no == kOfppNone ? 0xfffc : r.port_no));
    b.put16(0);
  } else {
    b.put32(r.port_no == kOfppNone ? 0xffffffff : port_to_ofp11(r.port_no));
  }
  b.put32(r.queue_id);
  return b.finish();
}

Result<QueueStatsRequest> decode_queue_stats_request(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != kMpQueue || m->reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  if (m->body_len != 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  QueueStatsRequest r;
  if (m->version == kOfp10) {
    uint16_t p = load_be16(m->body);
    r.port_no = p == 0xfffc ? kOfppNone : p;
  } else {
    uint32_t p32 = load_be32(m->body);
    if (p32 == 0xffffffff) {
      r.port_no = kOfppNone;
    } else {
      auto p = port_from_ofp11(p32);
      if (!p) return Error(EINVAL, "OFPBRC_BAD_PORT");
      r.port_no = *p;
    }
  }
  r.queue_id = load_be32(m->body + 4);
  return r;
}

std::vector<uint8_t> encode_queue_stats_record(const QueueStats& qs, uint8_t version) {
  std::vector<uint8_t> out;
  if (version >= kOfp14) {
    put_be16(out, 48);
    out.insert(out.end(), 6, 0);
  }
  if (version == kOfp10) {
    put_be16(out, static_cast<uint16_t>(qs.port_no));
    put_be16(out, 0);
  } else {
    put_be32(out, port_to_ofp11(qs.port_no));
  }
  put_be32(out, qs.queue_id);
  put_counters(out, {qs.tx_bytes, qs.tx_packets, qs.tx_errors});
  if (version >= kOfp13) {
    put_be32(out, qs.duration_sec);
    put_be32(out, qs.duration_nsec);
  }
  return out;
}

std::vector<uint8_t> encode_queue_stats_reply(const std::vector<QueueStats>& stats,
                                              uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpQueue, xid);
  for (const QueueStats& qs : stats) {
    auto r = encode_queue_stats_record(qs, version);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<QueueStats>> decode_queue_stats_reply(const uint8_t* data, size_t size) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != kMpQueue || !m->reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  const uint8_t v = m->version;
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  std::vector<QueueStats> out;
  while (left > 0) {
    size_t rec = v >= kOfp14 ? 0 : v == kOfp13 ? 40 : 32;
    const uint8_t* q = p;
    if (v >= kOfp14) {
      if (left < 48) return Error(EINVAL, "OFPBRC_BAD_LEN");
      rec = load_be16(p);
      if (rec < 48 || rec > left) return Error(EINVAL, "OFPBRC_BAD_LEN");
      q = p + 8;
    } else if (left < rec) {
      return Error(EINVAL, "OFPBRC_BAD_LEN");
    }
    QueueStats qs;
    auto port = pull_port(q, v);
    if (!port.ok()) return port.error();
    qs.port_no = *port;
    qs.queue_id = load_be32(q + 4);
    qs.tx_bytes = load_be64(q + 8);
    qs.tx_packets = load_be64(q + 16);
    qs.tx_errors = load_be64(q + 24);
    if (v >= kOfp13) {
      qs.duration_sec = load_be32(q + 32);
      qs.duration_nsec = load_be32(q + 36);
    }
    out.push_back(qs);
    p += rec;
    left -= rec;
  }
  return out;
}

std::string format_queue_stats(const QueueStats& qs, const PortMap* ports) {
  auto stat = [](const char* leader, uint64_t v) {
    return std::string(leader) +
           (v == kStatUnknown ? std::string("?") : strfmt("%llu", static_cast<unsigned long long>(v))) +
           ", ";
  };
  std::string s = "  port " + format_port(qs.port_no, ports) + " queue ";
  s += qs.queue_id == kOfpqAll ? std::string("ALL") : strfmt("%u", qs.queue_id);
  s += ": " + stat("bytes=", qs.tx_bytes) + stat("pkts=", qs.tx_packets) +
       stat("errors=", qs.tx_errors) + "duration=";
  s += qs.duration_sec != kDurationUnknown ? format_duration(qs.duration_sec, qs.duration_nsec)
                                           : std::string("?");
  return s + "\n";
}

std::string format_queue_stats_request(const QueueStatsRequest& r, const PortMap* ports) {
  std::string s = " port=" + format_port(r.port_no, ports) + " queue=";
  return s + (r.queue_id == kOfpqAll ? std::string("ALL") : strfmt("%u", r.queue_id));
}

}  // namespace grebe::openflow
