// Group statistics, descriptions and features; see group_stats.h.
#include "grebe/openflow/group_stats.h"

#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/multipart.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

Status check_version(uint8_t version) {
  if (version < kOfp11 || version > kOfp14) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  return Status();
}

Result<MultipartMsg> pull(const uint8_t* data, size_t size, uint16_t type, bool reply) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  if (m->type != type || m->reply != reply) return Error(EINVAL, "OFPBRC_BAD_STAT");
  if (m->version < kOfp11) return Error(EINVAL, "OFPBRC_BAD_VERSION");
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

}  // namespace

std::vector<uint8_t> encode_group_stats_request(uint8_t version, uint32_t group_id, uint32_t xid) {
  OfpBuf b = start_multipart(version, false, kMpGroup, xid);
  b.put32(group_id);
  b.put_zeros(4);
  return b.finish();
}

Result<uint32_t> decode_group_stats_request(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpGroup, false);
  if (!m.ok()) return m.error();
  if (m->body_len != 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  return load_be32(m->body);
}

std::vector<uint8_t> encode_group_stats_record(const GroupStats& gs, uint8_t version) {
  std::vector<uint8_t> v;
  size_t fixed = version >= kOfp13 ? 40 : 32;
  be16(v, static_cast<uint16_t>(fixed + 16 * gs.buckets.size()));
  be16(v, 0);
  be32(v, gs.group_id);
  be32(v, gs.ref_count);
  be32(v, 0);
  be64(v, gs.packet_count);
  be64(v, gs.byte_count);
  if (version >= kOfp13) {
    be32(v, gs.duration_sec);
    be32(v, gs.duration_nsec);
  }
  for (const BucketCounter& c : gs.buckets) {
    be64(v, c.packet_count);
    be64(v, c.byte_count);
  }
  return v;
}

std::vector<uint8_t> encode_group_stats_reply(const std::vector<GroupStats>& stats,
                                              uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpGroup, xid);
  for (const GroupStats& gs : stats) {
    auto r = encode_group_stats_record(gs, version);
    b.put_bytes(r.data(), r.size());
  }
  return b.finish();
}

Result<std::vector<GroupStats>> decode_group_stats_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpGroup, true);
  if (!m.ok()) return m.error();
  size_t fixed = m->version >= kOfp13 ? 40 : 32;
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  std::vector<GroupStats> out;
  while (left > 0) {
    if (left < fixed) return Error(EINVAL, "OFPBRC_BAD_LEN");
    size_t len = load_be16(p);
    if (len < fixed || len > left || (len - fixed) % 16) return Error(EINVAL, "OFPBRC_BAD_LEN");
    GroupStats gs;
    gs.group_id = load_be32(p + 4);
    gs.ref_count = load_be32(p + 8);
    gs.packet_count = load_be64(p + 16);
    gs.byte_count = load_be64(p + 24);
    if (m->version >= kOfp13) {
      gs.duration_sec = load_be32(p + 32);
      gs.duration_nsec = load_be32(p + 36);
    }
    for (size_t pos = fixed; pos < len; pos += 16)
      gs.buckets.push_back({load_be64(p + pos), load_be64(p + pos + 8)});
    out.push_back(std::move(gs));
    p += len;
    left -= len;
  }
  return out;
}

std::string format_group_stats(const GroupStats& gs) {
  auto u64 = [](uint64_t x) { return strfmt("%llu", static_cast<unsigned long long>(x)); };
  std::string s = strfmt("\n group_id=%u,", gs.group_id);
  if (gs.duration_sec != ~0u) {
    std::string d = strfmt("%u", gs.duration_sec);
    if (gs.duration_nsec) {
      uint32_t ms = gs.duration_nsec / 1000000;
      if (ms * 1000000 == gs.duration_nsec) {
        d += strfmt(".%03u", ms);
      } else {
        std::string f = strfmt(".%09u", gs.duration_nsec);
        while (f.back() == '0') f.pop_back();
        d += f;
      }
    }
    s += "duration=" + d + "s,";
  }
  s += strfmt("ref_count=%u,", gs.ref_count) + "packet_count=" + u64(gs.packet_count) +
       ",byte_count=" + u64(gs.byte_count);
  for (size_t i = 0; i < gs.buckets.size(); ++i) {
    if (gs.buckets[i].packet_count == ~0ull) continue;
    s += strfmt(",bucket%zu:packet_count=", i) + u64(gs.buckets[i].packet_count) +
         ",byte_count=" + u64(gs.buckets[i].byte_count);
  }
  return s;
}

std::vector<uint8_t> encode_group_desc_request(uint8_t version, uint32_t xid) {
  return start_multipart(version, false, kMpGroupDesc, xid).finish();
}

Result<std::vector<uint8_t>> encode_group_desc_record(const GroupDesc& gd, uint8_t version) {
  if (auto st = check_version(version); !st.ok()) return st.error();
  std::vector<uint8_t> v;
  be16(v, 0);
  v.push_back(static_cast<uint8_t>(gd.type));
  v.push_back(0);
  be32(v, gd.group_id);
  Match none;
  for (const Bucket& bk : gd.buckets) {
    auto acts = encode_actions(actions_for_version(bk.actions, none, version), version);
    if (!acts.ok()) return acts.error();
    be16(v, static_cast<uint16_t>(16 + acts->size()));
    be16(v, bk.weight);
    be32(v, port_to_ofp11(bk.watch_port));
    be32(v, bk.watch_group);
    be32(v, 0);
    v.insert(v.end(), acts->begin(), acts->end());
  }
  store_be16(v.data(), static_cast<uint16_t>(v.size()));
  return v;
}

Result<std::vector<uint8_t>> encode_group_desc_reply(const std::vector<GroupDesc>& groups,
                                                     uint8_t version, uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpGroupDesc, xid);
  for (const GroupDesc& gd : groups) {
    auto r = encode_group_desc_record(gd, version);
    if (!r.ok()) return r.error();
    b.put_bytes(r->data(), r->size());
  }
  return b.finish();
}

Result<std::vector<GroupDesc>> decode_group_desc_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpGroupDesc, true);
  if (!m.ok()) return m.error();
  if (m->version > kOfp14) return Error(EINVAL, "OFPBRC_BAD_VERSION");
  const uint8_t* p = m->body;
  size_t left = m->body_len;
  std::vector<GroupDesc> out;
  while (left > 0) {
    if (left < 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
    size_t len = load_be16(p);
    if (len < 8 || len > left) return Error(EINVAL, "OFPBRC_BAD_LEN");
    GroupDesc gd;
    gd.type = static_cast<GroupType>(p[2]);
    gd.group_id = load_be32(p + 4);
    for (size_t pos = 8; pos < len;) {
      if (len - pos < 16) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
      size_t blen = load_be16(p + pos);
      if (blen < 16 || pos + blen > len) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
      Bucket bk;
      bk.weight = load_be16(p + pos + 2);
      bk.watch_port = port_from_ofp11(load_be32(p + pos + 4)).value_or(kOfppNone);
      bk.watch_group = load_be32(p + pos + 8);
      auto acts = decode_actions(p + pos + 16, blen - 16, m->version);
      if (!acts.ok()) return acts.error();
      bk.actions = std::move(*acts);
      gd.buckets.push_back(std::move(bk));
      pos += blen;
    }
    out.push_back(std::move(gd));
    p += len;
    left -= len;
  }
  return out;
}

std::string format_group_desc(const GroupDesc& gd, uint8_t version, const PortMap* ports) {
  static const char* kTypes[] = {"all", "select", "indirect", "ff", "unknown"};
  uint8_t t = static_cast<uint8_t>(gd.type);
  std::string s = strfmt("\n group_id=%u,type=%s", gd.group_id, kTypes[t > 4 ? 4 : t]);
  s += ',';
  Match none;
  for (const Bucket& b : gd.buckets) {
    s += "bucket=";
    if (b.weight != (gd.type == GroupType::kSelect ? 1 : 0)) s += strfmt("weight:%u,", b.weight);
    if (b.watch_port != kOfppNone) s += "watch_port:" + format_port(b.watch_port, ports) + ",";
    if (b.watch_group != 0xffffffff) s += strfmt("watch_group:%u,", b.watch_group);
    s += "actions=" + format_actions(actions_for_version(b.actions, none, version), ports) + ",";
  }
  s.pop_back();
  return s;
}

GroupFeatures default_group_features() {
  GroupFeatures f;
  f.types = 0xf;
  f.capabilities = 0x7;  // select weight, select liveness, chaining
  // output, set_mpls_ttl, dec_mpls_ttl, push/pop vlan, push/pop mpls,
  // set_queue, group, set_nw_ttl, dec_nw_ttl, set_field.
  uint32_t acts = (1u << 0) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19) |
                  (1u << 20) | (1u << 21) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25);
  for (int i = 0; i < 4; ++i) {
    f.max_groups[i] = kOfpgMax;
    f.actions[i] = acts;
  }
  return f;
}

std::vector<uint8_t> encode_group_features_request(uint8_t version, uint32_t xid) {
  return start_multipart(version, false, kMpGroupFeatures, xid).finish();
}

std::vector<uint8_t> encode_group_features_reply(const GroupFeatures& f, uint8_t version,
                                                 uint32_t xid) {
  OfpBuf b = start_multipart(version, true, kMpGroupFeatures, xid);
  b.put32(f.types);
  b.put32(f.capabilities);
  for (uint32_t m : f.max_groups) b.put32(m);
  for (uint32_t a : f.actions) b.put32(a);
  return b.finish();
}

Result<GroupFeatures> decode_group_features_reply(const uint8_t* data, size_t size) {
  auto m = pull(data, size, kMpGroupFeatures, true);
  if (!m.ok()) return m.error();
  if (m->body_len != 40) return Error(EINVAL, "OFPBRC_BAD_LEN");
  GroupFeatures f;
  f.types = load_be32(m->body);
  f.capabilities = load_be32(m->body + 4);
  for (int i = 0; i < 4; ++i) {
    f.max_groups[i] = load_be32(m->body + 8 + 4 * i);
    f.actions[i] = load_be32(m->body + 24 + 4 * i);
  }
  return f;
}

std::string format_action_bitmap(uint32_t bits) {
  // OVS prints in its internal action order, not bit order.
  static const struct {
    int bit;
    const char* name;
  } kOrder[] = {{0, "output"},        {22, "group"},        {25, "set_field"},
                {18, "strip_vlan"},   {17, "push_vlan"},    {23, "mod_nw_ttl"},
                {24, "dec_ttl"},      {15, "set_mpls_ttl"}, {16, "dec_mpls_ttl"},
                {19, "push_mpls"},    {20, "pop_mpls"},     {21, "set_queue"}};
  std::string s;
  for (const auto& a : kOrder) {
    if (!(bits & (1u << a.bit))) continue;
    if (!s.empty()) s += ' ';
    s += a.name;
  }
  return s;
}

std::string format_group_features(const GroupFeatures& f) {
  static const char* kNames[] = {"all", "select", "indirect", "fast failover"};
  std::string s = "\n Group table:\n";
  s += strfmt("    Types:  0x%x\n    Capabilities:  0x%x\n", f.types, f.capabilities);
  for (int i = 0; i < 4; ++i) {
    if (!(f.types & (1u << i))) continue;
    s += strfmt("    %s group:\n       max_groups=%#x\n       actions: ", kNames[i],
                f.max_groups[i]);
    s += format_action_bitmap(f.actions[i]) + "\n";
  }
  return s;
}

}  // namespace grebe::openflow
