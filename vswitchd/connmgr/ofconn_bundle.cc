// OFConn: bundles (OF1.4 OFPT_BUNDLE_CONTROL/ADD_MESSAGE and the OF1.3 ONF
// extension 2300/2301) and Nicira flow monitors (NXST_FLOW_MONITOR).
#include <algorithm>

#include "connmgr/connmgr_impl.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace grebe::connmgr {

using namespace openflow;

namespace {

constexpr uint32_t kOnfVendor = 0x4f4e4600;
enum : uint16_t {
  kOpenRequest = 0, kOpenReply = 1, kCloseRequest = 2, kCloseReply = 3,
  kCommitRequest = 4, kCommitReply = 5, kDiscardRequest = 6, kDiscardReply = 7,
};
constexpr uint16_t kBundleFlags = 1 | 2;  // OFPBF_ATOMIC | OFPBF_ORDERED
constexpr size_t kMaxBundleMsgs = 100000;

// NX flow monitor flags and events.
enum : uint16_t {
  kNxfmfInitial = 1, kNxfmfAdd = 2, kNxfmfDelete = 4, kNxfmfModify = 8, kNxfmfActions = 16,
  kNxfmfOwn = 32,
};
enum : uint16_t { kNxfmeAdded = 0, kNxfmeDeleted = 1, kNxfmeModified = 2 };

// The inner error of a failed bundle commit: apply_bundle prefixes the
// failing index ("3: OFPFMFC_OVERLAP").
size_t failed_index(const std::string& message, std::string* name) {
  size_t colon = message.find(": ");
  if (colon == std::string::npos) {
    *name = message;
    return 0;
  }
  *name = message.substr(colon + 2);
  return static_cast<size_t>(std::strtoul(message.c_str(), nullptr, 10));
}

}  // namespace

void OFConn::reply_bundle_control(const OfpHeader& h, bool onf, uint32_t id, uint16_t type,
                                  uint16_t flags) {
  OfpBuf b(h.version, onf ? kOfptVendor : 33, h.xid);
  if (onf) {
    b.put32(kOnfVendor);
    b.put32(2300);
  }
  b.put32(id);
  b.put16(type);
  b.put16(flags);
  send(b.finish());
}

std::string OFConn::handle_bundle_control(const OfpMsg& msg, const OfpHeader& h, bool onf) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  size_t base = onf ? 16 : 8;
  if (h.length < base + 8) return "OFPBRC_BAD_LEN";
  uint32_t id = load_be32(&msg[base]);
  uint16_t type = load_be16(&msg[base + 4]);
  uint16_t flags = load_be16(&msg[base + 6]);
  if (flags & ~kBundleFlags) return "OFPBFC_BAD_FLAGS";
  auto it = bundles.find(id);
  switch (type) {
    case kOpenRequest:
      if (it != bundles.end()) return "OFPBFC_BAD_ID";
      bundles[id] = Bundle{id, flags, false, time_msec(), {}, {}};
      reply_bundle_control(h, onf, id, kOpenReply, flags);
      return {};
    case kCloseRequest:
      if (it == bundles.end()) return "OFPBFC_BAD_ID";
      if (it->second.closed) return "OFPBFC_BUNDLE_CLOSED";
      if (it->second.flags != flags) return "OFPBFC_BAD_FLAGS";
      it->second.closed = true;
      reply_bundle_control(h, onf, id, kCloseReply, flags);
      return {};
    case kDiscardRequest:
      if (it == bundles.end()) return "OFPBFC_BAD_ID";
      bundles.erase(it);
      reply_bundle_control(h, onf, id, kDiscardReply, flags);
      return {};
    case kCommitRequest: {
      if (it == bundles.end()) return "OFPBFC_BAD_ID";
      if (it->second.flags != flags) return "OFPBFC_BAD_FLAGS";
      Bundle b = std::move(it->second);
      bundles.erase(it);
      if (!b.flow_mods.empty()) {
        auto r = cm.apply_flow_mods(b.flow_mods, this);
        if (!r.ok()) {
          // As OVS: the failing message's error (with its xid), then the
          // commit's OFPBFC_MSG_FAILED.
          std::string name;
          size_t i = failed_index(r.error().message(), &name);
          if (i < b.raw.size()) send_error(b.raw[i], ofperr_name(Error(EINVAL, name), "OFPFMFC_UNKNOWN"));
          return "OFPBFC_MSG_FAILED";
        }
      }
      reply_bundle_control(h, onf, id, kCommitReply, flags);
      return {};
    }
    default:
      return "OFPBFC_BAD_TYPE";
  }
}

std::string OFConn::handle_bundle_add(const OfpMsg& msg, const OfpHeader& h, bool onf) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  size_t base = onf ? 16 : 8;
  if (h.length < base + 8 + kOfpHeaderLen) return "OFPBFC_MSG_BAD_LEN";
  uint32_t id = load_be32(&msg[base]);
  uint16_t flags = load_be16(&msg[base + 6]);
  const uint8_t* inner = &msg[base + 8];
  size_t room = h.length - base - 8;
  auto ih = decode_header(inner, room);
  if (!ih.ok() || ih->length > room) return "OFPBFC_MSG_BAD_LEN";
  if (ih->version != h.version) return "OFPBRC_BAD_VERSION";
  if (ih->xid != h.xid) return "OFPBFC_MSG_BAD_XID";
  if (flags & ~kBundleFlags) return "OFPBFC_BAD_FLAGS";
  auto it = bundles.find(id);
  if (it == bundles.end()) {
    // Adding to a bundle that does not exist opens it, as OVS.
    it = bundles.emplace(id, Bundle{id, flags, false, time_msec(), {}, {}}).first;
  } else {
    if (it->second.closed) return "OFPBFC_BUNDLE_CLOSED";
    if (it->second.flags != flags) return "OFPBFC_BAD_FLAGS";
  }
  if (it->second.flow_mods.size() >= kMaxBundleMsgs) return "OFPBFC_MSG_TOO_MANY";
  OfpMsg m(inner, inner + ih->length);
  bool is_flow_mod = ih->type == kOfptFlowMod ||
                     (ih->type == kOfptVendor && ih->length >= 16 &&
                      load_be32(inner + 8) == kNxVendorId && load_be32(inner + 12) == kNxtFlowMod);
  if (!is_flow_mod) return "OFPBFC_MSG_UNSUP";
  FlowMod fm;
  if (std::string e = decode_flow_mod_msg(m, &fm); !e.empty()) return e;
  if (fm.command != FlowModCommand::kDelete && fm.command != FlowModCommand::kDeleteStrict) {
    if (std::string e = cm.check_actions(fm.actions); !e.empty()) return e;
  }
  it->second.flow_mods.push_back(std::move(fm));
  it->second.raw.push_back(std::move(m));
  return {};
}

// ---------------------------------------------------------------------------
// Flow monitors

namespace {

std::vector<uint8_t> encode_update(uint16_t event, uint16_t reason, uint16_t priority,
                                   uint16_t idle, uint16_t hard, uint8_t table_id,
                                   uint64_t cookie, const Match& match,
                                   const ActionList* actions) {
  OfpBuf b(kOfp10, 0, 0);  // scratch: only the body is used
  std::vector<uint8_t>& r = b.bytes();
  r.clear();
  auto put16 = [&](uint16_t v) {
    r.push_back(v >> 8);
    r.push_back(v & 0xff);
  };
  put16(0);
  put16(event);
  put16(reason);
  put16(priority);
  put16(idle);
  put16(hard);
  put16(0);  // match_len
  r.push_back(table_id);
  r.push_back(0);
  for (int i = 7; i >= 0; --i) r.push_back(static_cast<uint8_t>(cookie >> (i * 8)));
  size_t n = nx_put_match(r, match, false, kOfp10);
  store_be16(&r[12], static_cast<uint16_t>(n));
  while (r.size() % 8) r.push_back(0);
  if (actions) {
    auto enc = encode_actions(actions_for_version(*actions, match, kOfp10), kOfp10);
    if (enc.ok()) r.insert(r.end(), enc->begin(), enc->end());
  }
  store_be16(&r[0], static_cast<uint16_t>(r.size()));
  return r;
}

bool monitor_matches(const FlowMonitor& m, uint8_t table_id, const Match& match,
                     const ActionList& actions, const ofproto::OfRule* = nullptr) {
  if (m.table_id != 0xff && m.table_id != table_id) return false;
  // The flow is reported if every packet it matches would match the
  // monitor's match (the monitor's match is looser or equal).
  if (!m.match.is_catchall()) {
    Flow masked = match.flow;
    if (!m.match.matches(masked)) return false;
  }
  if (m.out_port != kOfppNone) {
    bool found = false;
    for (const auto& a : actions) {
      if (const auto* o = std::get_if<ActOutput>(&a.v); o && o->port == m.out_port) found = true;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

std::string OFConn::handle_flow_monitor_request(const MultipartMsg& req) {
  std::vector<FlowMonitor> added;
  for (size_t pos = 0; pos < req.body_len;) {
    if (req.body_len - pos < 16) return "OFPBRC_BAD_LEN";
    const uint8_t* p = req.body + pos;
    FlowMonitor m;
    m.id = load_be32(p);
    m.flags = load_be16(p + 4);
    m.out_port = load_be16(p + 6);
    size_t match_len = load_be16(p + 8);
    m.table_id = p[10];
    size_t padded = (match_len + 7) / 8 * 8;
    if (pos + 16 + padded > req.body_len) return "OFPBMC_BAD_LEN";
    auto match = nx_pull_match(p + 16, match_len);
    if (!match.ok()) return ofperr_name(match.error(), "OFPBMC_BAD_FIELD");
    m.match = *match;
    if (m.flags & ~0x3f) return "OFPMOFC_BAD_FLAGS";
    if (monitors.count(m.id)) return "OFPMOFC_MONITOR_EXISTS";
    added.push_back(m);
    pos += 16 + padded;
  }
  std::vector<OfpMsg> records;
  for (const auto& m : added) {
    monitors[m.id] = m;
    if (!(m.flags & kNxfmfInitial)) continue;
    FlowStatsRequest all;
    all.table_id = m.table_id;
    for (const auto& fs : cm.ops.tables().flow_stats(all)) {
      if (!monitor_matches(m, fs.table_id, fs.match, fs.actions)) continue;
      records.push_back(encode_update(kNxfmeAdded, 0, fs.priority, fs.idle_timeout, fs.hard_timeout,
                                fs.table_id, fs.cookie, fs.match,
                                (m.flags & kNxfmfActions) ? &fs.actions : nullptr));
    }
  }
  send_records(req, records);
  return {};
}

void Impl::notify_monitors(const std::vector<FlowMod>& fms, OFConn* source) {
  for_each_conn([&](OFConn& c) {
    if (c.monitors.empty() || !c.is_connected() || c.version() != kOfp10) return;
    MultipartMsg req;
    req.reply = true;
    req.version = kOfp10;
    req.type = kMpExperimenter;
    req.experimenter = kNxVendorId;
    req.exp_type = 2;  // NXST_FLOW_MONITOR
    std::vector<OfpMsg> records;
    for (const auto& fm : fms) {
      bool del = fm.command == FlowModCommand::kDelete || fm.command == FlowModCommand::kDeleteStrict;
      bool add = fm.command == FlowModCommand::kAdd;
      uint16_t event = del ? kNxfmeDeleted : add ? kNxfmeAdded : kNxfmeModified;
      uint16_t want = del ? kNxfmfDelete : add ? kNxfmfAdd : kNxfmfModify;
      uint8_t table = fm.table_id == ofproto::kTableAll ? 0 : fm.table_id;
      for (const auto& [id, m] : c.monitors) {
        if (!(m.flags & want)) continue;
        if (&c == source && !(m.flags & kNxfmfOwn)) continue;
        if (!monitor_matches(m, table, fm.match, fm.actions)) continue;
        records.push_back(encode_update(event, del ? 2 : 0, fm.priority, fm.idle_timeout,
                                  fm.hard_timeout, table, add ? fm.new_cookie : fm.cookie,
                                  fm.match, (m.flags & kNxfmfActions) && !del ? &fm.actions
                                                                             : nullptr));
        break;
      }
    }
    if (!records.empty()) c.send_records(req, records);
  });
}

}  // namespace grebe::connmgr
