// OFConn: one OpenFlow connection and its message handlers (OVS
// ofproto.c handle_openflow()).
#include <algorithm>

#include "connmgr/connmgr_impl.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/group_mod15.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace grebe::connmgr {

using namespace openflow;
using Role = vconn::Rconn::Role;

namespace {

constexpr uint32_t kOnfVendor = 0x4f4e4600;

// Nicira vendor subtypes the switch handles.
enum : uint32_t {
  kNxtRoleRequest = 10, kNxtRoleReply = 11, kNxtSetFlowFormat = 12, kNxtFlowMod = 13,
  kNxtFlowModTableId = 15, kNxtSetPacketInFormat = 16, kNxtFlowAge = 18,
  kNxtSetAsyncConfig = 19, kNxtSetControllerId = 20, kNxtFlowMonitorCancel = 21,
};

vlog::RateLimit rl(5, 20);

}  // namespace

AsyncConfig default_async_config() {
  AsyncConfig a{};
  // OVS defaults (OF1.3 §6.1.1): master/equal get packet-ins for no_match
  // and action (and OF1.4+ reasons), every port status, every flow removed;
  // slaves get only port status.
  a.mask[0][kAsyncPacketIn] = 0x3f & ~(1u << kPinInvalidTtl);
  a.mask[0][kAsyncPortStatus] = 0x7;
  a.mask[0][kAsyncFlowRemoved] = 0x3f;
  a.mask[1][kAsyncPacketIn] = 0;
  a.mask[1][kAsyncPortStatus] = 0x7;
  a.mask[1][kAsyncFlowRemoved] = 0;
  return a;
}

OFConn::OFConn(Impl& m, ConnType t, std::unique_ptr<vconn::Rconn> r)
    : cm(m), type(t), rconn(std::move(r)) {
  reset_session();
  vconn::Rconn::Handler h;
  h.on_message = [this](OfpMsg&& msg) { handle(std::move(msg)); };
  h.on_connected = [this](int version) {
    reset_session();
    VLOG_INFO("%s<->%s: connected (OpenFlow version 0x%02x)", cm.bridge.c_str(),
              rconn->name().c_str(), version);
  };
  h.on_disconnected = [this](int) {
    bundles.clear();
    monitors.clear();
    if (!rconn->is_reliable()) dead = true;
  };
  rconn->set_handler(std::move(h));
}

OFConn::~OFConn() = default;

void OFConn::reset_session() {
  flow_format = kPOf10Std;
  flow_mod_table_id = false;
  // OVS: controllers get 128-byte packet-ins; service connections none
  // until they set a miss_send_len.
  miss_send_len = type == ConnType::kPrimary ? 128 : 0;
  packet_in_format = 0;
  controller_id = 0;
  role = Role::kEqual;
  rconn->set_role(role);
  async = default_async_config();
  bundles.clear();
  monitors.clear();
}

bool OFConn::wants(AsyncKind kind, uint32_t reason) const {
  if (type == ConnType::kService && kind == kAsyncPacketIn && !miss_send_len) return false;
  int slot = role == Role::kSlave ? 1 : 0;
  return reason < 32 && (async.mask[slot][kind] & (1u << reason));
}

void OFConn::send(OfpMsg msg) { (void)rconn->send(std::move(msg)); }

void OFConn::send_replies(std::vector<OfpMsg> msgs) {
  for (auto& m : msgs) send(std::move(m));
}

void OFConn::send_error(const OfpMsg& request, const std::string& name) {
  uint8_t v = request.size() >= 1 ? request[0] : 1;
  if (version() > 0) v = static_cast<uint8_t>(version());
  uint32_t xid = request.size() >= 8 ? load_be32(&request[4]) : 0;
  // The offending message, up to 64 bytes, as OVS's ofperr_encode_reply.
  std::vector<uint8_t> data(request.begin(), request.begin() + std::min<size_t>(request.size(), 64));
  auto e = encode_error(v, name, xid, data);
  if (!e.ok()) e = encode_error(v, "OFPBRC_EPERM", xid, data);
  if (!e.ok()) return;
  VLOG_DBG_RL(&rl, "%s: sending %s to %s", cm.bridge.c_str(), name.c_str(),
              rconn->name().c_str());
  send(std::move(*e));
}

void OFConn::handle(OfpMsg&& msg) {
  auto h = decode_header(msg.data(), msg.size());
  if (!h.ok()) {
    send_error(msg, ofperr_name(h.error(), "OFPBRC_BAD_LEN"));
    return;
  }
  dispatch(msg, *h);
}

void OFConn::dispatch(const OfpMsg& msg, const OfpHeader& h) {
  std::string err;
  const uint8_t v = h.version;
  switch (h.type) {
    case kOfptHello:
    case kOfptEchoReply:
      return;
    case kOfptError:
      VLOG_DBG_RL(&rl, "%s: error message from %s", cm.bridge.c_str(), rconn->name().c_str());
      return;
    case kOfptEchoRequest:
      send(encode_echo(true, v, h.xid,
                       std::vector<uint8_t>(msg.begin() + kOfpHeaderLen, msg.end())));
      return;
    case kOfptVendor:
      dispatch_vendor(msg, h);
      return;
    case kOfptFeaturesRequest:
      err = handle_features(msg, h);
      break;
    case kOfptGetConfigRequest:
      err = handle_get_config(h);
      break;
    case kOfptSetConfig:
      err = handle_set_config(msg);
      break;
    case kOfptPacketOut:
      err = handle_packet_out(msg);
      break;
    case kOfptFlowMod:
      err = handle_flow_mod(msg);
      break;
    default: {
      uint8_t t = h.type;
      if (v == kOfp10) {
        if (t == 15) err = handle_port_mod(msg, h);
        else if (t == 16) err = handle_multipart(msg);
        else if (t == 18) send(encode_barrier(true, v, h.xid));
        else if (t == 20) err = "OFPBRC_BAD_TYPE";  // queue_get_config: no queues
        else err = "OFPBRC_BAD_TYPE";
      } else if (t == 15) {
        err = handle_group_mod(msg);
      } else if (t == 16) {
        err = handle_port_mod(msg, h);
      } else if (t == 17) {
        err = handle_table_mod(msg);
      } else if (t == 18) {
        err = handle_multipart(msg);
      } else if (t == 20) {
        send(encode_barrier(true, v, h.xid));
      } else if (t == 24 && v >= kOfp12) {
        err = handle_role(msg, h, false);
      } else if (t == 26 && v >= kOfp13) {
        err = handle_get_async(h);
      } else if (t == 28 && v >= kOfp13) {
        err = handle_set_async(msg, h, false);
      } else if (t == 29 && v >= kOfp13) {
        err = handle_meter_mod(msg);
      } else if (t == 33 && v >= kOfp14) {
        err = handle_bundle_control(msg, h, false);
      } else if (t == 34 && v >= kOfp14) {
        err = handle_bundle_add(msg, h, false);
      } else {
        err = "OFPBRC_BAD_TYPE";
      }
    }
  }
  if (!err.empty()) send_error(msg, err);
}

void OFConn::dispatch_vendor(const OfpMsg& msg, const OfpHeader& h) {
  if (h.length < 16) {
    send_error(msg, "OFPBRC_BAD_LEN");
    return;
  }
  uint32_t vendor = load_be32(&msg[8]);
  uint32_t subtype = load_be32(&msg[12]);
  std::string err;
  if (vendor == kOnfVendor && h.version == kOfp13 && (subtype == 2300 || subtype == 2301)) {
    err = subtype == 2300 ? handle_bundle_control(msg, h, true) : handle_bundle_add(msg, h, true);
  } else if (vendor != kNxVendorId) {
    err = "OFPBRC_BAD_VENDOR";
  } else {
    switch (subtype) {
      case kNxtRoleRequest:
        err = handle_role(msg, h, true);
        break;
      case kNxtSetFlowFormat: {
        if (h.length < 20) {
          err = "OFPBRC_BAD_LEN";
          break;
        }
        uint32_t format = load_be32(&msg[16]);
        if (format == 0) flow_format = kPOf10Std;
        else if (format == 2) flow_format = kPOf10Nxm;
        else err = "OFPBRC_EPERM";
        break;
      }
      case kNxtFlowMod:
        err = handle_flow_mod(msg);
        break;
      case kNxtFlowModTableId:
        if (h.length < 24) err = "OFPBRC_BAD_LEN";
        else flow_mod_table_id = msg[16] != 0;
        break;
      case kNxtSetPacketInFormat: {
        if (h.length < 20) {
          err = "OFPBRC_BAD_LEN";
          break;
        }
        uint32_t f = load_be32(&msg[16]);
        // Only the standard format is produced; asking for NXT_PACKET_IN
        // or NXT_PACKET_IN2 is refused the way OVS refuses unknown ones.
        if (f == 0) packet_in_format = 0;
        else err = "OFPBRC_EPERM";
        break;
      }
      case kNxtFlowAge:
        break;
      case kNxtSetAsyncConfig:
        err = handle_set_async(msg, h, true);
        break;
      case kNxtSetControllerId:
        if (h.length < 24) err = "OFPBRC_BAD_LEN";
        else controller_id = load_be16(&msg[22]);
        break;
      case kNxtFlowMonitorCancel:
        err = handle_flow_monitor_cancel(msg);
        break;
      default:
        err = "OFPBRC_BAD_SUBTYPE";
    }
  }
  if (!err.empty()) send_error(msg, err);
}

std::string OFConn::handle_features(const OfpMsg&, const OfpHeader& h) {
  SwitchFeatures f;
  f.datapath_id = cm.ops.datapath_id();
  f.n_buffers = 0;
  f.n_tables = cm.ops.n_tables();
  // FLOW/TABLE/PORT/QUEUE stats, ARP_MATCH_IP (OF1.0-1.2), GROUP_STATS
  // (OF1.1+), as OVS.
  if (h.version == kOfp10) f.capabilities = 0xc7;
  else if (h.version <= kOfp12) f.capabilities = 0xcf;
  else f.capabilities = 0x4f;
  f.actions = h.version == kOfp10 ? 0xfff : 0;
  OfpMsg reply = encode_features_reply(h.version, h.xid, f);
  if (h.version <= kOfp12) {
    for (const auto& p : cm.ops.ports()) encode_phy_port(reply, p, h.version);
    if (reply.size() > 65535) {
      reply.resize(32);  // too many ports: clients use port-desc (as OVS)
    }
    store_be16(&reply[2], static_cast<uint16_t>(reply.size()));
  }
  send(std::move(reply));
  return {};
}

std::string OFConn::handle_get_config(const OfpHeader& h) {
  SwitchConfig c;
  c.flags = cm.frag_flags;
  c.miss_send_len = miss_send_len;
  send(encode_set_config(h.version, h.xid, c, true));
  return {};
}

std::string OFConn::handle_set_config(const OfpMsg& msg) {
  auto c = decode_switch_config(msg.data(), msg.size());
  if (!c.ok()) return ofperr_name(c.error(), "OFPBRC_BAD_LEN");
  // Fragment handling is switch-wide; "normal" and "drop" are supported,
  // reassembly is not (kept as "normal", as OVS does).
  uint16_t frag = c->flags & 3;
  if (frag <= 1 && !is_slave()) cm.frag_flags = frag;
  miss_send_len = c->miss_send_len;
  return {};
}

std::string OFConn::decode_flow_mod_msg(const OfpMsg& msg, FlowMod* out) const {
  auto fm = decode_flow_mod(msg.data(), msg.size());
  if (!fm.ok()) return ofperr_name(fm.error(), "OFPBRC_BAD_LEN");
  if (msg[0] == kOfp10 && !flow_mod_table_id) {
    // Without NXT_FLOW_MOD_TABLE_ID the high byte of the command is part of
    // the command, so anything there is a bad command.
    if (fm->table_id != 0) return "OFPFMFC_BAD_COMMAND";
    fm->table_id = ofproto::kTableAll;
  }
  if (static_cast<uint8_t>(fm->command) > 4) return "OFPFMFC_BAD_COMMAND";
  if (fm->table_id != ofproto::kTableAll && fm->table_id >= cm.ops.n_tables() &&
      fm->command == FlowModCommand::kAdd)
    return "OFPBRC_BAD_TABLE_ID";
  *out = std::move(*fm);
  return {};
}

std::string OFConn::handle_flow_mod(const OfpMsg& msg) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  FlowMod fm;
  if (std::string e = decode_flow_mod_msg(msg, &fm); !e.empty()) return e;
  auto r = cm.apply_flow_mods({fm}, this);
  if (!r.ok()) return ofperr_name(r.error(), "OFPFMFC_UNKNOWN");
  return {};
}

std::string OFConn::handle_packet_out(const OfpMsg& msg) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  auto po = decode_packet_out(msg.data(), msg.size());
  if (!po.ok()) return ofperr_name(po.error(), "OFPBRC_BAD_LEN");
  if (po->buffer_id != 0xffffffff) return "OFPBRC_BUFFER_UNKNOWN";
  if (std::string e = cm.check_actions(po->actions); !e.empty()) return e;
  auto st = cm.ops.packet_out(*po);
  if (!st.ok()) return ofperr_name(st.error());
  return {};
}

std::string OFConn::handle_port_mod(const OfpMsg& msg, const OfpHeader& h) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  PortMod pm;
  const uint8_t* p = msg.data() + 8;
  if (h.version == kOfp10) {
    if (h.length < 32) return "OFPBRC_BAD_LEN";
    pm.port_no = load_be16(p);
    std::copy(p + 2, p + 8, pm.hw_addr.b);
    pm.config = load_be32(p + 8);
    pm.mask = load_be32(p + 12);
    pm.advertise = load_be32(p + 16);
  } else {
    if (h.length < (h.version >= kOfp14 ? 32 : 40)) return "OFPBRC_BAD_LEN";
    auto port = port_from_ofp11(load_be32(p));
    if (!port) return "OFPPMFC_BAD_PORT";
    pm.port_no = *port;
    std::copy(p + 8, p + 14, pm.hw_addr.b);
    pm.config = load_be32(p + 16);
    pm.mask = load_be32(p + 20);
    if (h.version < kOfp14) {
      pm.advertise = load_be32(p + 24);
    } else if (h.length >= 40 && load_be16(p + 24) == 0) {  // OFPPMPT14_ETHERNET
      pm.advertise = load_be32(p + 28);
    }
  }
  auto st = cm.ops.port_mod(pm);
  if (!st.ok()) return ofperr_name(st.error(), "OFPPMFC_BAD_PORT");
  return {};
}

std::string OFConn::handle_table_mod(const OfpMsg& msg) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  if (msg.size() < 16) return "OFPBRC_BAD_LEN";
  uint8_t table_id = msg[8];
  uint32_t config = load_be32(&msg[12]);
  if (table_id != ofproto::kTableAll && table_id >= cm.ops.n_tables()) return "OFPTMFC_BAD_TABLE";
  // OF1.4 eviction flag (OFPTC14_EVICTION); older table-miss bits are
  // accepted and ignored, as OVS.
  bool evict = msg[0] >= kOfp14 && (config & 4);
  if (msg[0] >= kOfp14) {
    for (int t = 0; t < cm.ops.n_tables(); ++t) {
      if (table_id == ofproto::kTableAll || t == table_id)
        cm.ops.tables().table_config(static_cast<uint8_t>(t)).eviction = evict;
    }
  }
  return {};
}

std::string OFConn::handle_group_mod(const OfpMsg& msg) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  auto gm = msg[0] >= kOfp15 ? decode_group_mod15(msg.data(), msg.size())
                             : decode_group_mod(msg.data(), msg.size());
  if (!gm.ok()) return ofperr_name(gm.error(), "OFPGMFC_BAD_BUCKET");
  auto r = cm.ops.groups().apply(*gm, time_msec());
  if (!r.ok()) return ofperr_name(r.error(), "OFPGMFC_EPERM");
  for (uint32_t id : r->deleted) {
    auto outcome = cm.delete_flows_using_group(id);
    if (outcome.n_deleted) cm.after_flow_change(outcome, this);
  }
  cm.ops.groups_changed();
  return {};
}

std::string OFConn::handle_meter_mod(const OfpMsg& msg) {
  if (is_slave()) return "OFPBRC_IS_SECONDARY";
  auto mm = decode_meter_mod(msg.data(), msg.size());
  if (!mm.ok()) return ofperr_name(mm.error(), "OFPMMFC_BAD_BAND");
  ofproto::MeterTable& meters = cm.ops.meters();
  std::optional<ofproto::Meter> before;
  if (const auto* m = meters.find(mm->meter_id)) before = *m;
  auto r = meters.apply(*mm, time_msec());
  if (!r.ok()) return ofperr_name(r.error(), "OFPMMFC_UNKNOWN");
  for (uint32_t id : r->changed) {
    auto st = cm.ops.meter_set(*meters.find(id));
    if (st.ok()) continue;
    // The datapath refused it: put the table back as it was.
    MeterMod undo;
    if (before) {
      undo = before->config;
      undo.command = MeterCommand::kModify;
    } else {
      undo.command = MeterCommand::kDelete;
      undo.meter_id = id;
    }
    (void)meters.apply(undo, time_msec());
    return ofperr_name(st.error(), "OFPMMFC_OUT_OF_METERS");
  }
  for (uint32_t id : r->deleted) {
    auto outcome = cm.delete_flows_using_meter(id);
    if (outcome.n_deleted) cm.after_flow_change(outcome, this);
    cm.ops.meter_del(id);
  }
  return {};
}

std::string OFConn::handle_role(const OfpMsg& msg, const OfpHeader& h, bool nx) {
  ControllerRole want;
  uint64_t generation = ~0ull;
  bool have_generation = false;
  if (nx) {
    if (h.length < 20) return "OFPBRC_BAD_LEN";
    uint32_t r = load_be32(&msg[16]);
    if (r > 2) return "OFPRRFC_BAD_ROLE";
    want = r == 0 ? ControllerRole::kEqual : r == 1 ? ControllerRole::kPrimary
                                                    : ControllerRole::kSecondary;
  } else {
    auto rm = decode_role(msg.data(), msg.size());
    if (!rm.ok()) return ofperr_name(rm.error(), "OFPBRC_BAD_LEN");
    if (static_cast<uint32_t>(rm->role) > 3) return "OFPRRFC_BAD_ROLE";
    want = rm->role;
    generation = rm->generation_id;
    have_generation = want != ControllerRole::kNoChange && want != ControllerRole::kEqual;
  }
  if (want != ControllerRole::kNoChange) {
    if (have_generation) {
      if (cm.generation_defined && static_cast<int64_t>(generation - cm.generation_id) < 0)
        return "OFPRRFC_STALE";
      cm.generation_defined = true;
      cm.generation_id = generation;
    }
    Role next = want == ControllerRole::kPrimary     ? Role::kMaster
                : want == ControllerRole::kSecondary ? Role::kSlave
                                                     : Role::kEqual;
    if (next == Role::kMaster) {
      // Only one master: the previous one becomes a slave.
      cm.for_each_conn([this](OFConn& c) {
        if (&c != this && c.role == Role::kMaster) {
          c.role = Role::kSlave;
          c.rconn->set_role(Role::kSlave);
        }
      });
    }
    role = next;
    rconn->set_role(next);
  }
  if (nx) {
    OfpBuf b(h.version, kOfptVendor, h.xid);
    b.put32(kNxVendorId);
    b.put32(kNxtRoleReply);
    b.put32(role == Role::kEqual ? 0 : role == Role::kMaster ? 1 : 2);
    send(b.finish());
  } else {
    RoleMessage reply;
    reply.role = role == Role::kEqual    ? ControllerRole::kEqual
                 : role == Role::kMaster ? ControllerRole::kPrimary
                                         : ControllerRole::kSecondary;
    reply.generation_id = cm.generation_defined ? cm.generation_id : ~0ull;
    send(encode_role(true, h.version, h.xid, reply));
  }
  return {};
}

std::string OFConn::handle_get_async(const OfpHeader& h) {
  OfpBuf b(h.version, 27, h.xid);
  if (h.version == kOfp13) {
    for (int kind = 0; kind < kAsyncN; ++kind) {
      b.put32(async.mask[0][kind]);
      b.put32(async.mask[1][kind]);
    }
  } else {
    // OF1.4+: properties (type, length 8, mask): packet-in slave/master,
    // port-status slave/master, flow-removed slave/master.
    for (int kind = 0; kind < kAsyncN; ++kind) {
      for (int slot : {1, 0}) {
        b.put16(static_cast<uint16_t>(kind * 2 + (slot == 0 ? 1 : 0)));
        b.put16(8);
        b.put32(async.mask[slot][kind]);
      }
    }
  }
  send(b.finish());
  return {};
}

std::string OFConn::handle_set_async(const OfpMsg& msg, const OfpHeader& h, bool nx) {
  if (nx || h.version == kOfp13) {
    // nx_async_config / ofp13_async_config: packet_in[2], port_status[2],
    // flow_removed[2], each (master, slave).
    size_t base = nx ? 16 : 8;
    if (h.length < base + 24) return "OFPBRC_BAD_LEN";
    for (int kind = 0; kind < kAsyncN; ++kind) {
      async.mask[0][kind] = load_be32(&msg[base + kind * 8]);
      async.mask[1][kind] = load_be32(&msg[base + kind * 8 + 4]);
    }
    return {};
  }
  for (size_t pos = 8; pos < h.length;) {
    if (h.length - pos < 4) return "OFPBPC_BAD_LEN";
    uint16_t type = load_be16(&msg[pos]), len = load_be16(&msg[pos + 2]);
    if (len < 4 || pos + len > h.length) return "OFPBPC_BAD_LEN";
    if (type < 6) {
      if (len != 8) return "OFPBPC_BAD_LEN";
      int kind = type / 2, slot = (type % 2) ? 0 : 1;
      async.mask[slot][kind] = load_be32(&msg[pos + 4]);
    } else if (type > 11 && type < 0xfffe) {  // 6-11: role/table status, requestforward
      return "OFPBPC_BAD_TYPE";
    }
    pos += (len + 7) / 8 * 8;
  }
  return {};
}

std::string OFConn::handle_flow_monitor_cancel(const OfpMsg& msg) {
  if (msg.size() < 20) return "OFPBRC_BAD_LEN";
  uint32_t id = load_be32(&msg[16]);
  if (!monitors.erase(id)) return "OFPMOFC_UNKNOWN_MONITOR";
  return {};
}

}  // namespace grebe::connmgr
