// ofp-print for the statistics families; see stats_print.h.
#include "grebe/openflow/stats_print.h"

#include "grebe/openflow/group_stats.h"
#include "grebe/openflow/meter_stats.h"
#include "grebe/openflow/multipart.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/port_stats.h"
#include "grebe/openflow/table_stats.h"
#include "grebe/openflow/text_util.h"

namespace grebe::openflow {
namespace {

using Text = Result<std::optional<std::string>>;

Text request_text(const MultipartMsg& m, const uint8_t* data, size_t size, const PortMap* ports) {
  switch (m.type) {
    case kMpTable:
    case kMpGroupFeatures:
    case kMpMeterFeatures:
      if (m.body_len) return Error(EINVAL, "OFPBRC_BAD_LEN");
      return std::optional<std::string>(std::string());
    case kMpGroupDesc:
      if (m.version >= kOfp15) return std::optional<std::string>();
      if (m.body_len) return Error(EINVAL, "OFPBRC_BAD_LEN");
      return std::optional<std::string>(std::string());
    case kMpPortStats: {
      auto p = decode_port_stats_request(data, size);
      if (!p.ok()) return p.error();
      return std::optional<std::string>(" port_no=" + format_port(*p, ports));
    }
    case kMpQueue: {
      auto r = decode_queue_stats_request(data, size);
      if (!r.ok()) return r.error();
      return std::optional<std::string>(format_queue_stats_request(*r, ports));
    }
    case kMpGroup: {
      auto g = decode_group_stats_request(data, size);
      if (!g.ok()) return g.error();
      std::string id = *g == kOfpgAll ? "ALL" : *g == 0xffffffff ? "ANY" : std::to_string(*g);
      return std::optional<std::string>(" group_id=" + id);
    }
    case kMpMeter:
    case kMpMeterConfig: {
      auto id = decode_meter_request(data, size);
      if (!id.ok()) return id.error();
      return std::optional<std::string>(format_meter_request(*id));
    }
  }
  return std::optional<std::string>();
}

Text reply_text(const MultipartMsg& m, const uint8_t* data, size_t size, const PortMap* ports) {
  std::string s;
  switch (m.type) {
    case kMpTable: {
      auto t = decode_table_stats_reply(data, size);
      if (!t.ok()) return t.error();
      return std::optional<std::string>(format_table_stats_reply(*t, m.version));
    }
    case kMpPortStats: {
      auto ps = decode_port_stats_reply(data, size);
      // OVS counts the records that decode, prints them, then the error.
      if (!ps.ok()) return ps.error();
      s = strfmt(" %zu ports\n", ps->size());
      for (const PortStats& p : *ps) s += format_port_stats(p, ports);
      return std::optional<std::string>(s);
    }
    case kMpQueue: {
      auto qs = decode_queue_stats_reply(data, size);
      if (!qs.ok()) return qs.error();
      s = strfmt(" %zu queues\n", qs->size());
      for (const QueueStats& q : *qs) s += format_queue_stats(q, ports);
      return std::optional<std::string>(s);
    }
    case kMpGroup: {
      auto gs = decode_group_stats_reply(data, size);
      if (!gs.ok()) return gs.error();
      for (const GroupStats& g : *gs) s += format_group_stats(g);
      return std::optional<std::string>(s);
    }
    case kMpGroupDesc: {
      if (m.version >= kOfp15) return std::optional<std::string>();
      auto gd = decode_group_desc_reply(data, size);
      if (!gd.ok()) return gd.error();
      for (const GroupDesc& g : *gd) s += format_group_desc(g, m.version, ports);
      return std::optional<std::string>(s);
    }
    case kMpGroupFeatures: {
      auto f = decode_group_features_reply(data, size);
      if (!f.ok()) return f.error();
      return std::optional<std::string>(format_group_features(*f));
    }
    case kMpMeter: {
      auto ms = decode_meter_stats_reply(data, size);
      if (!ms.ok()) return ms.error();
      for (const MeterStats& x : *ms) s += "\n" + format_meter_stats(x);
      return std::optional<std::string>(s);
    }
    case kMpMeterConfig: {
      auto mc = decode_meter_config_reply(data, size);
      if (!mc.ok()) return mc.error();
      for (const MeterMod& x : *mc) s += "\n" + format_meter_config(x);
      return std::optional<std::string>(s);
    }
    case kMpMeterFeatures: {
      auto f = decode_meter_features_reply(data, size);
      if (!f.ok()) return f.error();
      return std::optional<std::string>(format_meter_features(*f));
    }
  }
  return std::optional<std::string>();
}

}  // namespace

Text stats_family_text(const uint8_t* data, size_t size, const PortMap* ports) {
  auto m = decode_multipart(data, size);
  if (!m.ok()) return m.error();
  // Groups before OF1.1 and meters before OF1.3 exist only as Nicira
  // extensions (or not at all); leave those to the caller.
  bool groups = m->type >= kMpGroup && m->type <= kMpGroupFeatures;
  bool meters = m->type >= kMpMeter && m->type <= kMpMeterFeatures;
  if ((groups && m->version < kOfp11) || (meters && m->version < kOfp13) ||
      (m->type == kMpGroupFeatures && m->version < kOfp12))
    return std::optional<std::string>();
  return m->reply ? reply_text(*m, data, size, ports) : request_text(*m, data, size, ports);
}

}  // namespace grebe::openflow
