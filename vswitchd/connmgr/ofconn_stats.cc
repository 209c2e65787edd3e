// OFConn: statistics (multipart) requests (OVS ofproto.c
// handle_*_stats_request).
#include <algorithm>

#include "connmgr/connmgr_impl.h"
#include "grebe/openflow/group_stats.h"
#include "grebe/openflow/meter_stats.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/openflow/port_stats.h"
#include "grebe/openflow/table_stats.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/version.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace grebe::connmgr {

using namespace openflow;

namespace {

vlog::RateLimit rl(5, 20);

void split_duration(long long created, long long now, uint32_t* sec, uint32_t* nsec) {
  long long age = now > created ? now - created : 0;
  *sec = static_cast<uint32_t>(age / 1000);
  *nsec = static_cast<uint32_t>(age % 1000 * 1000000);
}

}  // namespace

std::string OFConn::handle_multipart(const OfpMsg& msg) {
  auto req = decode_multipart(msg.data(), msg.size());
  if (!req.ok()) return ofperr_name(req.error(), "OFPBRC_BAD_LEN");
  if (req->reply) return "OFPBRC_BAD_TYPE";
  const uint8_t v = req->version;
  switch (req->type) {
    case kMpDesc: {
      SwitchDesc d;
      d.sw_desc = kOvsCompatVersion;
      d.serial_num = cm.ops.serial_num();
      d.dp_desc = cm.ops.dp_desc();
      send(encode_desc_reply(*req, d));
      return {};
    }
    case kMpFlow:
      return stats_flow(*req, false);
    case kMpAggregate:
      return stats_aggregate(*req, false);
    case kMpTable:
      return stats_table(*req);
    case kMpPortStats:
      return stats_port(*req, msg);
    case kMpQueue:
      // No queues are configured: an empty reply, as OVS for OFPQ_ALL.
      send(start_multipart_reply(*req).finish());
      return {};
    case kMpPortDesc: {
      auto reply = encode_port_desc_reply(cm.ops.ports(), v, req->xid);
      if (reply.size() > 65535) return "OFPBRC_MULTIPART_BUFFER_OVERFLOW";
      send(std::move(reply));
      return {};
    }
    case kMpGroup:
      if (v < kOfp11) break;
      return stats_group(*req, msg);
    case kMpGroupDesc:
      if (v < kOfp11) break;
      return stats_group_desc(*req);
    case kMpGroupFeatures:
      if (v < kOfp12) break;
      send(encode_group_features_reply(default_group_features(), v, req->xid));
      return {};
    case kMpMeter:
    case kMpMeterConfig:
      if (v < kOfp13) break;
      return stats_meter(*req, msg, req->type == kMpMeterConfig);
    case kMpMeterFeatures: {
      if (v < kOfp13) break;
      auto f = ofproto::MeterTable::features();
      MeterFeatures r{f.max_meters, f.band_types, f.capabilities, f.max_bands, f.max_color};
      send(encode_meter_features_reply(r, v, req->xid));
      return {};
    }
    case kMpTableFeatures:
      if (v < kOfp13) break;
      if (req->body_len) return "OFPTFFC_EPERM";  // setting features is not supported
      {
        std::vector<OfpMsg> records;
        for (int t = 0; t < cm.ops.n_tables(); ++t) {
          const auto& cfg = cm.ops.tables().table_config(static_cast<uint8_t>(t));
          records.push_back(encode_table_features_record(
              static_cast<uint8_t>(t), cfg.name, std::min<uint32_t>(cfg.max_flows, 1000000), v));
        }
        send_records(*req, records);
      }
      return {};
    case kMpTableDesc:
      if (v < kOfp14) break;
      send(start_multipart_reply(*req).finish());
      return {};
    case kMpExperimenter:
      if (req->experimenter != kNxVendorId) return "OFPBRC_BAD_VENDOR";
      if (req->exp_type == kNxstFlow && v == kOfp10) return stats_flow(*req, true);
      if (req->exp_type == kNxstAggregate && v == kOfp10) return stats_aggregate(*req, true);
      if (req->exp_type == kNxstFlowMonitor && v <= kOfp12) return handle_flow_monitor_request(*req);
      return "OFPBRC_BAD_SUBTYPE";
    default:
      break;
  }
  return "OFPBRC_BAD_STAT";
}

std::string OFConn::stats_flow(const MultipartMsg& req, bool nx) {
  Result<FlowStatsRequest> fsr = Error(EINVAL, "OFPBRC_BAD_LEN");
  if (nx) {
    fsr = decode_nx_flow_stats_request(req);
  } else {
    OfpMsg whole(req.body - (req.version == kOfp10 ? 12 : 16), req.body + req.body_len);
    fsr = decode_flow_stats_request(whole.data(), whole.size());
  }
  if (!fsr.ok()) return ofperr_name(fsr.error(), "OFPBRC_BAD_LEN");
  if (fsr->table_id != ofproto::kTableAll && fsr->table_id >= cm.ops.n_tables())
    return "OFPBRC_BAD_TABLE_ID";
  std::vector<OfpMsg> records;
  for (const auto& fs : cm.ops.tables().flow_stats(*fsr)) {
    auto rec = nx ? encode_nx_flow_stats(fs) : encode_flow_stats_record(fs, req.version);
    if (!rec.ok()) {
      VLOG_WARN_RL(&rl, "%s: cannot encode flow stats: %s", cm.bridge.c_str(),
                   rec.error().message().c_str());
      return "OFPBRC_BAD_VERSION";
    }
    records.push_back(*rec);
  }
  send_records(req, records);
  return {};
}

std::string OFConn::stats_aggregate(const MultipartMsg& req, bool nx) {
  Result<FlowStatsRequest> fsr = Error(EINVAL, "OFPBRC_BAD_LEN");
  if (nx) {
    fsr = decode_nx_flow_stats_request(req);
  } else {
    OfpMsg whole(req.body - (req.version == kOfp10 ? 12 : 16), req.body + req.body_len);
    fsr = decode_flow_stats_request(whole.data(), whole.size());
  }
  if (!fsr.ok()) return ofperr_name(fsr.error(), "OFPBRC_BAD_LEN");
  if (fsr->table_id != ofproto::kTableAll && fsr->table_id >= cm.ops.n_tables())
    return "OFPBRC_BAD_TABLE_ID";
  auto a = cm.ops.tables().aggregate_stats(*fsr);
  send(encode_aggregate_reply(req, a.packet_count, a.byte_count, a.flow_count));
  return {};
}

std::string OFConn::stats_table(const MultipartMsg& req) {
  std::vector<OfpMsg> records;
  ofproto::OfprotoTables& tables = cm.ops.tables();
  for (int t = 0; t < cm.ops.n_tables(); ++t) {
    uint8_t id = static_cast<uint8_t>(t);
    TableStats ts;
    ts.table_id = id;
    const auto& cfg = tables.table_config(id);
    ts.name = cfg.name;
    ts.max_entries = std::min<uint32_t>(cfg.max_flows, 1000000);
    ts.active_count = static_cast<uint32_t>(tables.n_rules(id));
    auto counters = cm.ops.table_counters(id);
    ts.lookup_count = counters.lookup_count;
    ts.matched_count = counters.matched_count;
    records.push_back(encode_table_stats_record(ts, req.version));
  }
  send_records(req, records);
  return {};
}

std::string OFConn::stats_port(const MultipartMsg& req, const OfpMsg& msg) {
  auto port = decode_port_stats_request(msg.data(), msg.size());
  if (!port.ok()) return ofperr_name(port.error(), "OFPBRC_BAD_LEN");
  std::vector<OfpMsg> records;
  for (const auto& s : cm.ops.port_stats()) {
    if (*port != kOfppNone && *port != s.port_no) continue;
    openflow::PortStats r;
    r.port_no = s.port_no;
    r.rx_packets = s.rx_packets;
    r.tx_packets = s.tx_packets;
    r.rx_bytes = s.rx_bytes;
    r.tx_bytes = s.tx_bytes;
    r.rx_dropped = s.rx_dropped;
    r.tx_dropped = s.tx_dropped;
    r.rx_errors = s.rx_errors;
    r.tx_errors = s.tx_errors;
    r.rx_frame_errors = s.rx_frame_err;
    r.rx_over_errors = s.rx_over_err;
    r.rx_crc_errors = s.rx_crc_err;
    r.collisions = s.collisions;
    r.duration_sec = s.duration_sec;
    r.duration_nsec = s.duration_nsec;
    records.push_back(encode_port_stats_record(r, req.version));
  }
  send_records(req, records);
  return {};
}

std::string OFConn::stats_group(const MultipartMsg& req, const OfpMsg& msg) {
  auto id = decode_group_stats_request(msg.data(), msg.size());
  if (!id.ok()) return ofperr_name(id.error(), "OFPBRC_BAD_LEN");
  // Reference counts: flows whose actions use each group.
  std::map<uint32_t, uint32_t> refs;
  for (const auto& fs : cm.ops.tables().flow_stats(FlowStatsRequest{})) {
    for (uint32_t g : ofproto::groups_referenced(fs.actions)) ++refs[g];
  }
  long long now = time_msec();
  std::vector<OfpMsg> records;
  for (const ofproto::Group* g : cm.ops.groups().groups()) {
    if (*id != kOfpgAll && *id != g->desc.group_id) continue;
    GroupStats r;
    r.group_id = g->desc.group_id;
    r.ref_count = refs[r.group_id];
    r.packet_count = g->packet_count;
    r.byte_count = g->byte_count;
    split_duration(g->created, now, &r.duration_sec, &r.duration_nsec);
    for (const auto& b : g->bucket_stats) r.buckets.push_back({b.packet_count, b.byte_count});
    records.push_back(encode_group_stats_record(r, req.version));
  }
  send_records(req, records);
  return {};
}

std::string OFConn::stats_group_desc(const MultipartMsg& req) {
  uint32_t id = kOfpgAll;
  if (req.version >= kOfp15) {
    if (req.body_len < 8) return "OFPBRC_BAD_LEN";
    id = load_be32(req.body);
  }
  std::vector<OfpMsg> records;
  for (const ofproto::Group* g : cm.ops.groups().groups()) {
    if (id != kOfpgAll && id != g->desc.group_id) continue;
    auto rec = req.version >= kOfp15 ? encode_group_desc15_record(g->desc, req.version)
                                     : encode_group_desc_record(g->desc, req.version);
    if (!rec.ok()) return ofperr_name(rec.error(), "OFPBAC_BAD_TYPE");
    records.push_back(*rec);
  }
  send_records(req, records);
  return {};
}

std::string OFConn::stats_meter(const MultipartMsg& req, const OfpMsg& msg, bool config) {
  auto id = decode_meter_request(msg.data(), msg.size());
  if (!id.ok()) return ofperr_name(id.error(), "OFPBRC_BAD_LEN");
  if (!config) cm.ops.update_meter_stats();
  std::map<uint32_t, uint32_t> flows;
  if (!config) {
    for (const auto& fs : cm.ops.tables().flow_stats(FlowStatsRequest{})) {
      for (uint32_t m : ofproto::meters_referenced(fs.actions)) ++flows[m];
    }
  }
  long long now = time_msec();
  std::vector<OfpMsg> records;
  for (const ofproto::Meter* m : cm.ops.meters().meters()) {
    if (*id != kMeterAll && *id != m->config.meter_id) continue;
    if (config) {
      records.push_back(encode_meter_config_record(m->config));
      continue;
    }
    MeterStats r;
    r.meter_id = m->config.meter_id;
    r.flow_count = flows[r.meter_id];
    r.packet_in_count = m->packet_in_count;
    r.byte_in_count = m->byte_in_count;
    split_duration(m->created, now, &r.duration_sec, &r.duration_nsec);
    for (const auto& b : m->band_stats) r.bands.push_back({b.packet_count, b.byte_count});
    records.push_back(encode_meter_stats_record(r));
  }
  send_records(req, records);
  return {};
}

void OFConn::send_records(const MultipartMsg& req, const std::vector<OfpMsg>& records) {
  auto msgs = split_multipart_reply(req, records);
  if (!msgs.ok()) {
    VLOG_WARN_RL(&rl, "%s: %s", cm.bridge.c_str(), msgs.error().to_string().c_str());
    return;
  }
  send_replies(std::move(*msgs));
}

}  // namespace grebe::connmgr
