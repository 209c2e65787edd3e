// Group and meter mods: text and wire; see group_meter.h.
#include "grebe/openflow/group_meter.h"

#include <strings.h>

#include <cstring>

#include "grebe/openflow/action_parse_internal.h"
#include "grebe/openflow/meta_flow.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"

namespace grebe::openflow {
namespace {

std::string sv(std::string_view s) { return std::string(s); }

constexpr Protocols kOf10OrOf15 = kPOf10Any | kPOf15Up;

Status parse_bucket(std::string_view s, GroupType type, const PortMap* ports, Protocols* usable,
                    Bucket* b) {
  b->weight = type == GroupType::kSelect ? 1 : 0;
  std::string actions;
  std::string_view rest = s, key, value;
  while (parse_key_value(rest, key, value)) {
    auto is = [&](const char* k) { return key.size() == strlen(k) && !strncasecmp(key.data(), k, key.size()); };
    if (is("weight")) {
      auto w = str_to_u16(value, "weight");
      if (!w.ok()) return w.error();
      b->weight = *w;
    } else if (is("watch_port")) {
      auto p = port_from_string(value, ports);
      if (!p || (*p >= kOfppMax && *p != kOfppNone && *p != kOfppController))
        return Error(EINVAL, sv(value) + ": invalid watch_port");
      b->watch_port = *p;
    } else if (is("watch_group")) {
      auto g = str_to_u32(value);
      if (!g.ok()) return g.error();
      if (*g > kOfpgMax) return Error(EINVAL, strfmt("invalid watch_group id %u", *g));
      b->watch_group = *g;
    } else if (is("bucket_id")) {
      auto id = str_to_u32(value);
      if (!id.ok()) return id.error();
      if (*id > 0xffffff00) return Error(EINVAL, strfmt("invalid bucket_id id %u", *id));
      b->bucket_id = *id;
    } else if (is("action") || is("actions")) {
      actions += sv(value) + ",";
    } else {
      actions += sv(key) + "(" + sv(value) + "),";
    }
  }
  if (actions.empty()) return Error(EINVAL, "bucket must specify actions");
  if (type == GroupType::kFf && b->watch_port == kOfppNone && b->watch_group == 0xffffffff)
    return Error(EINVAL, "fast failover bucket requires watch_port or watch_group");
  actions.pop_back();
  ActionParseCtx ctx{ports, &b->actions, usable, false};
  return parse_action_list(actions, ctx);
}

// OVS reports every protocol usable for these properties (they are simply
// not sent where the encoding has no room), so `usable` is not narrowed.
Status parse_group_keyword(std::string_view name, std::string_view value, GroupMod& gm,
                           bool typed, bool* had_type, Protocols* /*usable*/) {
  if (name == "group_id") {
    if (value == "all") {
      gm.group_id = kOfpgAll;
      return ok_status();
    }
    auto id = str_to_u32(value);
    if (!id.ok()) return id.error();
    if (*id != kOfpgAll && *id > kOfpgMax) return Error(EINVAL, strfmt("invalid group id %u", *id));
    gm.group_id = *id;
  } else if (name == "type") {
    if (!typed) return Error(EINVAL, "type is not needed");
    if (value == "all") {
      gm.type = GroupType::kAll;
    } else if (value == "select") {
      gm.type = GroupType::kSelect;
    } else if (value == "indirect") {
      gm.type = GroupType::kIndirect;
    } else if (value == "ff" || value == "fast_failover") {
      gm.type = GroupType::kFf;
    } else {
      return Error(EINVAL, "invalid group type " + sv(value));
    }
    *had_type = true;
  } else if (name == "selection_method") {
    if (!typed) return Error(EINVAL, "selection method is not needed");
    if (value.size() >= 16) return Error(EINVAL, "selection method is longer than 15 bytes long");
    gm.selection_method = sv(value);
  } else if (name == "selection_method_param") {
    if (!typed) return Error(EINVAL, "selection method param is not needed");
    auto v = str_to_u64(value);
    if (!v.ok()) return v.error();
    gm.selection_method_param = *v;
  } else if (name == "fields") {
    if (!typed) return Error(EINVAL, "fields are not needed");
    std::string_view rest = value, k, v;
    while (parse_key_value(rest, k, v)) {
      if (!mf_from_name(k)) return Error(EINVAL, sv(k) + ": unknown field");
      gm.fields.push_back(v.empty() ? sv(k) : sv(k) + "=" + sv(v));
    }
  } else {
    return Error(EINVAL, "unknown keyword " + sv(name));
  }
  return ok_status();
}

}  // namespace

Result<ParsedGroupMod> parse_group_mod(std::string_view s, GroupCommand command,
                                       const PortMap* ports, bool command_from_text) {
  ParsedGroupMod r;
  GroupMod& gm = r.gm;
  if (command_from_text) {
    s = trim(s);
    size_t len = s.find_first_of(", \t\r\n");
    std::string_view tok = s.substr(0, len == std::string_view::npos ? s.size() : len);
    struct Cmd { const char* name; GroupCommand cmd; };
    static const Cmd kCmds[] = {{"add", GroupCommand::kAdd}, {"delete", GroupCommand::kDelete},
                                {"modify", GroupCommand::kModify},
                                {"add_or_mod", GroupCommand::kAddOrMod},
                                {"insert_bucket", GroupCommand::kInsertBucket},
                                {"remove_bucket", GroupCommand::kRemoveBucket}};
    for (const Cmd& c : kCmds) {
      if (!tok.empty() && tok.size() <= strlen(c.name) && !strncmp(tok.data(), c.name, tok.size())) {
        command = c.cmd;
        s.remove_prefix(tok.size());
        break;
      }
    }
  }
  gm.command = command;
  bool typed = command == GroupCommand::kAdd || command == GroupCommand::kModify ||
               command == GroupCommand::kAddOrMod;
  bool with_buckets = typed || command == GroupCommand::kInsertBucket;
  if (command == GroupCommand::kInsertBucket || command == GroupCommand::kRemoveBucket)
    r.usable &= kOf10OrOf15;
  if (command == GroupCommand::kDelete && trim(s).empty()) {
    gm.group_id = kOfpgAll;
    return r;
  }
  size_t bkt = s.find("bucket=");
  std::string_view head = s.substr(0, bkt);
  if (bkt != std::string_view::npos && !with_buckets) return Error(EINVAL, "bucket is not needed");
  bool had_type = false;
  std::string_view rest = head, name, value;
  while (parse_key_value(rest, name, value))
    GREBE_TRY(parse_group_keyword(name, value, gm, typed, &had_type, &r.usable));
  if (gm.group_id == 0xffffffff) return Error(EINVAL, "must specify a group_id");
  if (typed && !had_type) return Error(EINVAL, "must specify a type");
  if (gm.selection_method != "hash" && !gm.fields.empty())
    return Error(EINVAL, "fields may only be specified with \"selection_method=hash\"");
  if (gm.selection_method.empty() && gm.selection_method_param)
    return Error(EINVAL, "selection_method_param is only allowed with \"selection_method\"");
  while (bkt != std::string_view::npos) {
    size_t start = bkt + strlen("bucket=");
    size_t next = s.find("bucket=", start);
    Bucket b;
    GREBE_TRY(parse_bucket(s.substr(start, next == std::string_view::npos ? next : next - start),
                           gm.type, ports, &r.usable, &b));
    if (command != GroupCommand::kInsertBucket && gm.type != GroupType::kSelect && b.weight)
      return Error(EINVAL, "Only select groups can have bucket weights.");
    gm.buckets.push_back(std::move(b));
    bkt = next;
  }
  if (gm.type == GroupType::kIndirect && gm.buckets.size() > 1)
    return Error(EINVAL, "Indirect groups can have at most one bucket.");
  return r;
}

std::string format_group_mod_message(const GroupMod& gm, uint8_t version, uint32_t xid,
                                     const PortMap* ports) {
  std::string s = version == kOfp10 ? "NXT_GROUP_MOD" : "OFPT_GROUP_MOD";
  if (version != kOfp10) s += strfmt(" (%s)", version_to_short_string(version));
  s += strfmt(" (xid=0x%x):\n ", xid);
  bool bucket_ids = version == kOfp10 || version >= kOfp15;
  bool bucket_cmd = gm.command == GroupCommand::kInsertBucket ||
                    gm.command == GroupCommand::kRemoveBucket;
  switch (gm.command) {
    case GroupCommand::kAdd: s += "ADD"; break;
    case GroupCommand::kModify: s += "MOD"; break;
    case GroupCommand::kAddOrMod: s += "ADD_OR_MOD"; break;
    case GroupCommand::kDelete: s += "DEL"; break;
    case GroupCommand::kInsertBucket: s += "INSERT_BUCKET"; break;
    case GroupCommand::kRemoveBucket: s += "REMOVE_BUCKET"; break;
  }
  s += ' ';
  auto id_text = [](uint32_t id) {
    return id == kBucketFirst ? std::string("first")
           : id == kBucketLast ? std::string("last")
           : id == kBucketAll  ? std::string("all")
                               : std::to_string(id);
  };
  if (bucket_cmd && bucket_ids) s += "command_bucket_id:" + id_text(gm.command_bucket_id) + ",";
  s += strfmt("group_id=%u", gm.group_id);
  static const char* kTypes[] = {"all", "select", "indirect", "ff"};
  if (!bucket_cmd) s += std::string(",type=") + kTypes[static_cast<int>(gm.type) & 3];
  // Selection properties exist only in the NX and OF1.5 encodings.
  if (!gm.selection_method.empty() && bucket_ids) {
    s += ",selection_method=" + gm.selection_method;
    if (gm.selection_method_param)
      s += strfmt(",selection_method_param=%llu",
                  static_cast<unsigned long long>(gm.selection_method_param));
    if (gm.fields.size() == 1) s += ",fields=" + gm.fields[0];
    if (gm.fields.size() > 1) {
      s += ",fields(";
      for (size_t i = 0; i < gm.fields.size(); ++i) s += (i ? "," : "") + gm.fields[i];
      s += ")";
    }
  }
  if (gm.command == GroupCommand::kDelete) return s;
  s += ',';
  Match none;
  uint32_t next_id = 0;
  for (const Bucket& b : gm.buckets) {
    s += "bucket=";
    uint32_t id = b.bucket_id == kBucketAll ? next_id : b.bucket_id;
    next_id = id + 1;
    if (bucket_ids) s += "bucket_id:" + id_text(id) + ",";
    if (b.weight != (gm.type == GroupType::kSelect ? 1 : 0)) s += strfmt("weight:%u,", b.weight);
    if (b.watch_port != kOfppNone) s += "watch_port:" + format_port(b.watch_port, ports) + ",";
    if (b.watch_group != 0xffffffff) s += strfmt("watch_group:%u,", b.watch_group);
    s += "actions=" + format_actions(actions_for_version(b.actions, none, version), ports) + ",";
  }
  s.pop_back();
  return s;
}

ParseGroupReport report_parse_group(const ParsedGroupMod& pg, Protocols allowed,
                                    const PortMap* ports) {
  ParseGroupReport r;
  r.out = "usable protocols: " + protocols_to_string(pg.usable) + "\n";
  if (!(pg.usable & allowed)) {
    r.error = "no usable protocol";
    return r;
  }
  Protocols chosen = pg.usable & allowed;
  chosen &= -chosen;
  uint8_t version = protocol_to_version(chosen);
  r.out += std::string("chosen version: ") + version_to_string(version) + "\n";
  r.out += format_group_mod_message(pg.gm, version, 1, ports) + "\n";
  return r;
}

Result<std::vector<uint8_t>> encode_group_mod(const GroupMod& gm, uint8_t version, uint32_t xid) {
  if (version < kOfp11 || version > kOfp14)
    return Error(EINVAL, "group_mod encoding supports OpenFlow 1.1 to 1.4");
  if (gm.command == GroupCommand::kInsertBucket || gm.command == GroupCommand::kRemoveBucket ||
      !gm.selection_method.empty())
    return Error(EINVAL, "OFPGMFC_BAD_COMMAND");
  OfpBuf b(version, 15, xid);
  b.put16(static_cast<uint16_t>(gm.command));
  b.put8(static_cast<uint8_t>(gm.type));
  b.put8(0);
  b.put32(gm.group_id);
  Match none;
  for (const Bucket& bk : gm.buckets) {
    auto acts = encode_actions(actions_for_version(bk.actions, none, version), version);
    if (!acts.ok()) return acts.error();
    b.put16(static_cast<uint16_t>(16 + acts->size()));
    b.put16(bk.weight);
    b.put32(port_to_ofp11(bk.watch_port));
    b.put32(bk.watch_group);
    b.put_zeros(4);
    b.put_bytes(acts->data(), acts->size());
  }
  return b.finish();
}

Result<GroupMod> decode_group_mod(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->version < kOfp11 || h->version > kOfp14 || h->type != 15 || h->length < 16)
    return Error(EINVAL, "OFPBRC_BAD_TYPE");
  GroupMod gm;
  gm.command = static_cast<GroupCommand>(load_be16(data + 8));
  gm.type = static_cast<GroupType>(data[10]);
  gm.group_id = load_be32(data + 12);
  size_t pos = 16;
  while (pos < h->length) {
    if (h->length - pos < 16) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    size_t blen = load_be16(data + pos);
    if (blen < 16 || pos + blen > h->length) return Error(EINVAL, "OFPGMFC_BAD_BUCKET");
    Bucket bk;
    bk.weight = load_be16(data + pos + 2);
    bk.watch_port = port_from_ofp11(load_be32(data + pos + 4)).value_or(kOfppNone);
    bk.watch_group = load_be32(data + pos + 8);
    auto acts = decode_actions(data + pos + 16, blen - 16, h->version);
    if (!acts.ok()) return acts.error();
    bk.actions = std::move(*acts);
    gm.buckets.push_back(std::move(bk));
    pos += blen;
  }
  return gm;
}

Result<MeterMod> parse_meter_mod(std::string_view s, MeterCommand command) {
  MeterMod mm;
  mm.command = command;
  bool with_bands = command != MeterCommand::kDelete;
  std::string_view head = s, band_str;
  if (with_bands) {
    size_t band = s.find("band");
    if (band == std::string_view::npos) return Error(EINVAL, "must specify bands");
    size_t eq = s.find('=', band + 1);
    if (eq == std::string_view::npos) return Error(EINVAL, "must specify bands");
    head = s.substr(0, band);
    band_str = s.substr(eq + 1);
  }
  auto tokens = [](std::string_view str) {
    std::vector<std::string_view> t;
    size_t i = 0;
    while (i < str.size()) {
      while (i < str.size() && strchr("=, \t\r\n", str[i])) ++i;
      size_t j = i;
      while (j < str.size() && !strchr("=, \t\r\n", str[j])) ++j;
      if (j > i) t.push_back(str.substr(i, j - i));
      i = j;
    }
    return t;
  };
  auto ht = tokens(head);
  for (size_t i = 0; i < ht.size(); ++i) {
    std::string_view name = ht[i];
    if (with_bands && name == "kbps") {
      mm.flags |= kMeterKbps;
    } else if (with_bands && name == "pktps") {
      mm.flags |= kMeterPktps;
    } else if (with_bands && name == "burst") {
      mm.flags |= kMeterBurst;
    } else if (with_bands && name == "stats") {
      mm.flags |= kMeterStats;
    } else {
      if (i + 1 >= ht.size()) return Error(EINVAL, "field " + sv(name) + " missing value");
      std::string_view value = ht[++i];
      if (name != "meter") return Error(EINVAL, "unknown keyword " + sv(name));
      if (value == "all") {
        mm.meter_id = kMeterAll;
      } else if (value == "controller") {
        mm.meter_id = kMeterController;
      } else if (value == "slowpath") {
        mm.meter_id = kMeterSlowpath;
      } else {
        auto id = str_to_u32(value);
        if (!id.ok()) return id.error();
        if (!*id || *id > 0xffff0000) return Error(EINVAL, "invalid value for meter");
        mm.meter_id = *id;
      }
    }
  }
  if (!mm.meter_id) return Error(EINVAL, "must specify 'meter'");
  if (!with_bands) return mm;
  if (!mm.flags) return Error(EINVAL, "meter must specify either 'kbps' or 'pktps'");
  auto bt = tokens(band_str);
  for (size_t i = 0; i < bt.size(); i += 2) {
    std::string_view name = bt[i];
    if (i + 1 >= bt.size()) return Error(EINVAL, "field " + sv(name) + " missing value");
    std::string_view value = bt[i + 1];
    if (name == "type") {
      MeterBand b;
      if (value == "drop") {
        b.type = 1;
      } else if (value == "dscp_remark") {
        b.type = 2;
      } else {
        return Error(EINVAL, "field type unknown value " + sv(value));
      }
      mm.bands.push_back(b);
    } else if (mm.bands.empty()) {
      return Error(EINVAL, "band must start with the 'type' keyword");
    } else if (name == "rate" || name == "burst_size") {
      auto v = str_to_u32(value);
      if (!v.ok()) return v.error();
      (name == "rate" ? mm.bands.back().rate : mm.bands.back().burst_size) = *v;
    } else if (name == "prec_level") {
      auto v = str_to_u8(value, "prec_level");
      if (!v.ok()) return v.error();
      mm.bands.back().prec_level = *v;
    } else {
      return Error(EINVAL, "unknown keyword " + sv(name));
    }
  }
  if (mm.bands.empty()) return Error(EINVAL, "meter must have bands");
  for (const MeterBand& b : mm.bands) {
    if (b.type == 2 && !b.prec_level) return Error(EINVAL, "'dscp_remark' band must have 'prec_level'");
    if (b.type != 2 && b.prec_level) return Error(EINVAL, "Only 'dscp_remark' band may have 'prec_level'");
    if (!b.rate) return Error(EINVAL, "band must have 'rate'");
    if ((mm.flags & kMeterBurst) && !b.burst_size)
      return Error(EINVAL, "band must have 'burst_size' when 'burst' flag is set");
    if (!(mm.flags & kMeterBurst) && b.burst_size)
      return Error(EINVAL, "band may have 'burst_size' only when 'burst' flag is set");
  }
  return mm;
}

std::string format_meter_config(const MeterMod& mm) {
  std::string s = "meter=";
  if (mm.meter_id == kMeterAll) {
    s += "all";
  } else if (mm.meter_id == kMeterController) {
    s += "controller";
  } else if (mm.meter_id == kMeterSlowpath) {
    s += "slowpath";
  } else {
    s += std::to_string(mm.meter_id);
  }
  s += ' ';
  if (mm.flags & kMeterKbps) s += "kbps ";
  if (mm.flags & kMeterPktps) s += "pktps ";
  if (mm.flags & kMeterBurst) s += "burst ";
  if (mm.flags & kMeterStats) s += "stats ";
  uint16_t other = mm.flags & ~(kMeterKbps | kMeterPktps | kMeterBurst | kMeterStats);
  if (other) s += strfmt("flags:0x%x ", other);
  s += "bands=";
  for (const MeterBand& b : mm.bands) {
    s += "\ntype=";
    s += b.type == 1 ? "drop" : b.type == 2 ? "dscp_remark" : std::to_string(b.type);
    s += strfmt(" rate=%u", b.rate);
    if (mm.flags & kMeterBurst) s += strfmt(" burst_size=%u", b.burst_size);
    if (b.type == 2) s += strfmt(" prec_level=%u", b.prec_level);
  }
  return s + "\n";
}

Result<std::vector<uint8_t>> encode_meter_mod(const MeterMod& mm, uint8_t version, uint32_t xid) {
  if (version < kOfp13) return Error(EINVAL, "meters need OpenFlow 1.3 or later");
  OfpBuf b(version, 29, xid);
  b.put16(static_cast<uint16_t>(mm.command));
  b.put16(mm.flags);
  b.put32(mm.meter_id);
  for (const MeterBand& band : mm.bands) {
    b.put16(band.type);
    b.put16(16);
    b.put32(band.rate);
    b.put32(band.burst_size);
    b.put8(band.type == 2 ? band.prec_level : 0);
    b.put_zeros(3);
  }
  return b.finish();
}

Result<MeterMod> decode_meter_mod(const uint8_t* data, size_t size) {
  auto h = decode_header(data, size);
  if (!h.ok()) return h.error();
  if (h->version < kOfp13 || h->type != 29 || h->length < 16) return Error(EINVAL, "OFPBRC_BAD_TYPE");
  MeterMod mm;
  mm.command = static_cast<MeterCommand>(load_be16(data + 8));
  mm.flags = load_be16(data + 10);
  mm.meter_id = load_be32(data + 12);
  for (size_t pos = 16; pos < h->length;) {
    if (h->length - pos < 16) return Error(EINVAL, "OFPMMFC_BAD_BAND");
    size_t blen = load_be16(data + pos + 2);
    if (blen < 16 || pos + blen > h->length) return Error(EINVAL, "OFPMMFC_BAD_BAND");
    MeterBand band;
    band.type = load_be16(data + pos);
    band.rate = load_be32(data + pos + 4);
    band.burst_size = load_be32(data + pos + 8);
    if (band.type == 2) band.prec_level = data[pos + 12];
    mm.bands.push_back(band);
    pos += blen;
  }
  return mm;
}

}  // namespace grebe::openflow
