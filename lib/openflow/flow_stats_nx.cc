// Nicira extension flow statistics (NXST_FLOW) and NXT_SET_FLOW_FORMAT: how
// an OpenFlow 1.0 connection dumps flows with full NXM matches.  Layouts:
// OVS include/openflow/nicira-ext.h (nx_flow_stats_request, nx_flow_stats).
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

constexpr uint32_t kNxVendor = 0x2320;
constexpr uint8_t kOfpt10Vendor = 4;
constexpr uint8_t kOfpt10StatsRequest = 16;
constexpr uint8_t kOfpt10StatsReply = 17;
constexpr uint32_t kNxtSetFlowFormat = 12;
constexpr uint32_t kNxtFlowModTableId = 15;
constexpr uint32_t kNxstFlow = 0;
constexpr uint32_t kNxmNxCookie = 0x00013c08;  // NXM_NX_COOKIE; masked: 0x00013d10
constexpr size_t kNxStatsHeader = 24;  // ofp10 stats header + vendor + subtype + pad

void put_nx_stats_header(OfpBuf& b, uint32_t subtype) {
  b.put16(0xffff);  // OFPST_VENDOR
  b.put16(0);
  b.put32(kNxVendor);
  b.put32(subtype);
  b.put_zeros(4);
}

}  // namespace

std::vector<uint8_t> encode_nx_set_flow_format(uint32_t format, uint32_t xid) {
  OfpBuf b(kOfp10, kOfpt10Vendor, xid);
  b.put32(kNxVendor);
  b.put32(kNxtSetFlowFormat);
  b.put32(format);
  return b.finish();
}

std::vector<uint8_t> encode_nx_flow_mod_table_id(bool enable, uint32_t xid) {
  OfpBuf b(kOfp10, kOfpt10Vendor, xid);
  b.put32(kNxVendor);
  b.put32(kNxtFlowModTableId);
  b.put8(enable ? 1 : 0);
  b.put_zeros(7);
  return b.finish();
}

std::vector<uint8_t> encode_nx_flow_stats_request(const FlowStatsRequest& r, uint32_t xid) {
  OfpBuf b(kOfp10, kOfpt10StatsRequest, xid);
  put_nx_stats_header(b, kNxstFlow);
  size_t start = b.size();
  b.put16(static_cast<uint16_t>(r.out_port));
  b.put16(0);  // match_len, filled in below
  b.put8(r.table_id);
  b.put_zeros(3);
  size_t n = nx_put_match(b.bytes(), r.match, false, kOfp10);
  // NXM carries the cookie filter as a match field, after the others.
  if (r.cookie_mask) {
    bool exact = r.cookie_mask == ~0ull;
    b.put32(exact ? kNxmNxCookie : kNxmNxCookie + 0x108);
    b.put64(r.cookie & r.cookie_mask);
    if (!exact) b.put64(r.cookie_mask);
    n += exact ? 12 : 20;
  }
  store_be16(&b.bytes()[start + 2], static_cast<uint16_t>(n));
  b.pad_to(8);
  return b.finish();
}

bool is_nx_flow_stats_reply(const uint8_t* data, size_t size) {
  return size >= kNxStatsHeader && data[0] == kOfp10 && data[1] == kOfpt10StatsReply &&
         load_be16(data + 8) == 0xffff && load_be32(data + 12) == kNxVendor &&
         load_be32(data + 16) == kNxstFlow;
}

Result<std::vector<FlowStats>> decode_nx_flow_stats_reply(const uint8_t* data, size_t size) {
  if (!is_nx_flow_stats_reply(data, size)) return Error(EINVAL, "OFPBRC_BAD_STAT");
  size_t total = std::min<size_t>(load_be16(data + 2), size);
  std::vector<FlowStats> out;
  for (size_t pos = kNxStatsHeader; pos < total;) {
    const uint8_t* p = data + pos;
    if (total - pos < 48) return Error(EINVAL, "OFPBRC_BAD_LEN");
    size_t len = load_be16(p);
    size_t match_len = load_be16(p + 18);
    size_t body = 48 + (match_len + 7) / 8 * 8;
    if (len < body || pos + len > total) return Error(EINVAL, "OFPBRC_BAD_LEN");
    FlowStats fs;
    fs.table_id = p[2];
    fs.duration_sec = load_be32(p + 4);
    fs.duration_nsec = load_be32(p + 8);
    fs.priority = load_be16(p + 12);
    fs.idle_timeout = load_be16(p + 14);
    fs.hard_timeout = load_be16(p + 16);
    // Ages travel as age+1 so that 0 can mean "unknown".
    fs.idle_age = static_cast<int>(load_be16(p + 20)) - 1;
    fs.hard_age = static_cast<int>(load_be16(p + 22)) - 1;
    fs.cookie = load_be64(p + 24);
    fs.packet_count = load_be64(p + 32);
    fs.byte_count = load_be64(p + 40);
    auto m = nx_pull_match(p + 48, match_len);
    if (!m.ok()) return m.error();
    fs.match = *m;
    auto acts = decode_actions(p + body, len - body, kOfp10);
    if (!acts.ok()) return acts.error();
    fs.actions = std::move(*acts);
    out.push_back(std::move(fs));
    pos += len;
  }
  return out;
}

}  // namespace grebe::openflow
