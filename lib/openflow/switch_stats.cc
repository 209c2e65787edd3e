// Switch-side statistics messages; see switch_stats.h.
#include "grebe/openflow/switch_stats.h"

#include <algorithm>
#include <cstring>

#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_port.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {


// Appends big-endian values to a plain byte vector.
struct Rec {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) {
    b.push_back(v >> 8);
    b.push_back(v & 0xff);
  }
  void u32(uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  void u64(uint64_t v) {
    u32(v >> 32);
    u32(v & 0xffffffff);
  }
  void zeros(size_t n) { b.insert(b.end(), n, 0); }
  void str(const std::string& s, size_t n) {
    size_t len = std::min(s.size(), n - 1);
    b.insert(b.end(), s.begin(), s.begin() + len);
    zeros(n - len);
  }
  void bytes(const std::vector<uint8_t>& v) { b.insert(b.end(), v.begin(), v.end()); }
  void set16(size_t at, uint16_t v) { store_be16(&b[at], v); }
};

}  // namespace

OfpBuf start_multipart_reply(const MultipartMsg& req) {
  return req.type == kMpExperimenter
             ? start_experimenter_multipart(req.version, true, req.experimenter, req.exp_type,
                                            req.xid)
             : start_multipart(req.version, true, req.type, req.xid);
}

std::vector<uint8_t> encode_desc_reply(const MultipartMsg& req, const SwitchDesc& d) {
  OfpBuf b = start_multipart_reply(req);
  Rec r;
  r.str(d.mfr_desc, 256);
  r.str(d.hw_desc, 256);
  r.str(d.sw_desc, 256);
  r.str(d.serial_num, 32);
  r.str(d.dp_desc, 256);
  b.put_bytes(r.b.data(), r.b.size());
  return b.finish();
}

std::vector<uint8_t> encode_aggregate_reply(const MultipartMsg& req, uint64_t packets,
                                            uint64_t bytes, uint32_t flows) {
  OfpBuf b = start_multipart_reply(req);
  if (req.version >= kOfp15) {
    // ofp_oxs_stat with flow, packet and byte counts.
    b.put16(0);
    b.put16(4 + 8 + 12 + 12);
    b.put32(0x80020604);  // OXS flow_count
    b.put32(flows);
    b.put32(0x80020808);  // OXS packet_count
    b.put64(packets);
    b.put32(0x80020a08);  // OXS byte_count
    b.put64(bytes);
    b.pad_to(8);
    return b.finish();
  }
  b.put64(packets);
  b.put64(bytes);
  b.put32(flows);
  b.put_zeros(4);
  return b.finish();
}

Result<FlowStatsRequest> decode_nx_flow_stats_request(const MultipartMsg& req) {
  // out_port(16) match_len(16) table_id(8) pad[3], then the NXM match.
  if (req.body_len < 8) return Error(EINVAL, "OFPBRC_BAD_LEN");
  FlowStatsRequest r;
  r.out_port = load_be16(req.body);
  size_t match_len = load_be16(req.body + 2);
  r.table_id = req.body[4];
  if (8 + match_len > req.body_len) return Error(EINVAL, "OFPBMC_BAD_LEN");
  // NXM_NX_COOKIE(_W) in the match is the cookie filter; strip it first.
  std::vector<uint8_t> rest;
  const uint8_t* p = req.body + 8;
  size_t pos = 0;
  while (pos + 4 <= match_len) {
    uint32_t header = load_be32(p + pos);
    size_t len = header & 0xff;
    if (pos + 4 + len > match_len) return Error(EINVAL, "OFPBMC_BAD_LEN");
    if ((header & ~0x100u & ~0xffu) == 0x00013c00) {
      bool masked = header & 0x100;
      if (len != (masked ? 16u : 8u)) return Error(EINVAL, "OFPBMC_BAD_LEN");
      r.cookie = load_be64(p + pos + 4);
      r.cookie_mask = masked ? load_be64(p + pos + 12) : ~0ull;
    } else {
      rest.insert(rest.end(), p + pos, p + pos + 4 + len);
    }
    pos += 4 + len;
  }
  auto m = nx_pull_match(rest.data(), rest.size());
  if (!m.ok()) return m.error();
  r.match = *m;
  return r;
}

Result<std::vector<uint8_t>> encode_nx_flow_stats(const FlowStats& fs) {
  ActionList acts = actions_for_version(fs.actions, fs.match, kOfp10);
  auto enc = encode_actions(acts, kOfp10);
  if (!enc.ok()) return enc.error();
  Rec r;
  r.u16(0);
  r.u8(fs.table_id);
  r.zeros(1);
  r.u32(fs.duration_sec);
  r.u32(fs.duration_nsec);
  r.u16(fs.priority);
  r.u16(fs.idle_timeout);
  r.u16(fs.hard_timeout);
  r.u16(0);  // match_len
  r.u16(fs.idle_age >= 0 ? static_cast<uint16_t>(std::min(fs.idle_age, 0xfffe) + 1) : 0);
  r.u16(fs.hard_age >= 0 ? static_cast<uint16_t>(std::min(fs.hard_age, 0xfffe) + 1) : 0);
  r.u64(fs.cookie);
  r.u64(fs.packet_count);
  r.u64(fs.byte_count);
  size_t n = nx_put_match(r.b, fs.match, false, kOfp10);
  r.set16(18, static_cast<uint16_t>(n));
  while (r.b.size() % 8) r.u8(0);
  r.bytes(*enc);
  r.set16(0, static_cast<uint16_t>(r.b.size()));
  return r.b;
}

// OF1.5 ofp15_flow_desc: header, OXM match, OXS statistics (duration,
// idle time, packet and byte counts), instructions.
static Result<std::vector<uint8_t>> encode_flow_desc15(const FlowStats& fs, uint8_t version) {
  ActionList acts = actions_for_version(fs.actions, fs.match, version);
  auto enc = encode_instructions(acts, version);
  if (!enc.ok()) return enc.error();
  Rec r;
  r.u16(0);
  r.zeros(2);
  r.u8(fs.table_id);
  r.zeros(1);
  r.u16(fs.priority);
  r.u16(fs.idle_timeout);
  r.u16(fs.hard_timeout);
  r.u16(fs.flags);
  r.u16(fs.importance);
  r.u64(fs.cookie);
  size_t m = r.b.size();
  r.u16(1);  // OFPMT_OXM
  r.u16(0);
  size_t n = nx_put_match(r.b, fs.match, true, version);
  r.set16(m + 2, static_cast<uint16_t>(4 + n));
  while (r.b.size() % 8) r.u8(0);
  size_t st = r.b.size();
  r.u16(0);  // reserved
  r.u16(0);  // length
  r.u32(0x80020008);  // OXS duration
  r.u32(fs.duration_sec);
  r.u32(fs.duration_nsec);
  if (fs.idle_age >= 0) {
    r.u32(0x80020208);  // OXS idle_time
    r.u32(static_cast<uint32_t>(fs.idle_age));
    r.u32(0);
  }
  r.u32(0x80020808);  // OXS packet_count
  r.u64(fs.packet_count);
  r.u32(0x80020a08);  // OXS byte_count
  r.u64(fs.byte_count);
  r.set16(st + 2, static_cast<uint16_t>(r.b.size() - st));
  while (r.b.size() % 8) r.u8(0);
  r.bytes(*enc);
  r.set16(0, static_cast<uint16_t>(r.b.size()));
  return r.b;
}

Result<std::vector<uint8_t>> encode_flow_stats_record(const FlowStats& fs, uint8_t version) {
  if (version >= kOfp15) return encode_flow_desc15(fs, version);
  auto msg = encode_flow_stats_reply({fs}, version, 0);
  if (!msg.ok()) return msg.error();
  size_t hdr = version == kOfp10 ? 12 : 16;
  return std::vector<uint8_t>(msg->begin() + hdr, msg->end());
}

std::vector<uint8_t> encode_table_features_record(uint8_t table_id, const std::string& name,
                                                  uint32_t max_entries, uint8_t version) {
  Rec r;
  r.u16(64);
  r.u8(table_id);
  r.zeros(5);  // OF1.5: command 0 (OFPTFC15_REPLACE) + features
  r.str(name, 32);
  r.u64(~0ull);  // metadata_match
  r.u64(~0ull);  // metadata_write
  r.u32(version >= kOfp14 ? 1u << 2 : 0);  // OFPTC14_EVICTION
  r.u32(max_entries);
  // The properties OpenFlow 1.3/1.4 require (OFPTFPT13_REQUIRED): each a
  // list of 4-byte instruction / action / OXM headers, padded to 8.
  auto prop = [&r](uint16_t type, const std::vector<uint32_t>& items, bool headers16) {
    size_t start = r.b.size();
    r.u16(type);
    r.u16(0);
    for (uint32_t it : items) {
      if (headers16) {
        r.u16(static_cast<uint16_t>(it));
        r.u16(4);
      } else {
        r.u32(it);
      }
    }
    r.set16(start + 2, static_cast<uint16_t>(r.b.size() - start));
    while (r.b.size() % 8) r.u8(0);
  };
  // goto_table, write_metadata, write/apply/clear actions, meter.
  const std::vector<uint32_t> insts = {1, 2, 3, 4, 5, 6};
  // output, copy TTLs, MPLS TTL, push/pop VLAN/MPLS, set_queue, group,
  // nw TTL, set_field.
  const std::vector<uint32_t> acts = {0, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};
  // in_port, eth dst/src/type, vlan_vid, vlan_pcp, ip_dscp, ip_proto, ipv4
  // src/dst, tcp/udp ports, arp op/spa/tpa, ipv6 src/dst, metadata.
  const std::vector<uint32_t> oxms = {
      0x80000004, 0x80000606, 0x80000806, 0x80000a02, 0x80000c02, 0x80000e01,
      0x80001001, 0x80001401, 0x80001604, 0x80001804, 0x80001a02, 0x80001c02,
      0x80001e02, 0x80002002, 0x80002a02, 0x80002c04, 0x80002e04, 0x80003410,
      0x80003610, 0x80000408};
  prop(0, insts, true);  // OFPTFPT13_INSTRUCTIONS
  prop(2, {}, false);    // OFPTFPT13_NEXT_TABLES (goto_table checks at flow_mod time)
  prop(4, acts, true);   // OFPTFPT13_WRITE_ACTIONS
  prop(6, acts, true);   // OFPTFPT13_APPLY_ACTIONS
  prop(8, oxms, false);  // OFPTFPT13_MATCH
  prop(10, oxms, false); // OFPTFPT13_WILDCARDS
  prop(12, oxms, false); // OFPTFPT13_WRITE_SETFIELD
  prop(14, oxms, false); // OFPTFPT13_APPLY_SETFIELD
  r.set16(0, static_cast<uint16_t>(r.b.size()));
  return r.b;
}

Result<std::vector<uint8_t>> encode_group_desc15_record(const GroupMod& g, uint8_t version) {
  Rec r;
  Match none;
  r.u16(0);
  r.u8(static_cast<uint8_t>(g.type));
  r.zeros(1);
  r.u32(g.group_id);
  r.u16(0);  // bucket_list_len, set below
  r.zeros(6);
  size_t start = r.b.size();
  for (const Bucket& bk : g.buckets) {
    auto acts = encode_actions(actions_for_version(bk.actions, none, version), version);
    if (!acts.ok()) return acts.error();
    size_t bstart = r.b.size();
    r.u16(0);
    r.u16(static_cast<uint16_t>(acts->size()));
    r.u32(bk.bucket_id);
    r.bytes(*acts);
    if (g.type == GroupType::kSelect) {  // OFPGBPT15_WEIGHT
      r.u16(0);
      r.u16(8);
      r.u16(bk.weight);
      r.zeros(2);
    }
    if (bk.watch_port != kOfppNone) {  // OFPGBPT15_WATCH_PORT
      r.u16(1);
      r.u16(8);
      r.u32(port_to_ofp11(bk.watch_port));
    }
    if (bk.watch_group != 0xffffffff) {  // OFPGBPT15_WATCH_GROUP
      r.u16(2);
      r.u16(8);
      r.u32(bk.watch_group);
    }
    r.set16(bstart, static_cast<uint16_t>(r.b.size() - bstart));
  }
  r.set16(8, static_cast<uint16_t>(r.b.size() - start));
  r.set16(0, static_cast<uint16_t>(r.b.size()));
  return r.b;
}

}  // namespace grebe::openflow
