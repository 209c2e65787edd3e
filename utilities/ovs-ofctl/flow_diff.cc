// ovs-ofctl replace-flows and diff-flows: flow tables read from a file or
// a switch, keyed by (table, match, priority), compared version by version
// (OVS: the fte_* code in utilities/ovs-ofctl.c).
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "conn.h"
#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/text_util.h"
#include "ofctl.h"

namespace grebe::ofctl {

using namespace grebe::openflow;
using vconn::OfpMsg;

namespace {

// One flow table entry's version from one source.  Flags are ignored in
// comparisons: a switch cannot report them.
struct FteVersion {
  uint64_t cookie = 0;
  uint16_t idle_timeout = 0, hard_timeout = 0, importance = 0, flags = 0;
  uint8_t table_id = 0;
  ActionList actions;
  std::string actions_text;
  bool operator==(const FteVersion& o) const {
    return cookie == o.cookie && idle_timeout == o.idle_timeout &&
           hard_timeout == o.hard_timeout && importance == o.importance &&
           table_id == o.table_id && actions_text == o.actions_text;
  }
};

struct Fte {
  Match match;
  uint16_t priority = 0;
  std::string match_text;  // format_match(match, priority)
  std::optional<FteVersion> v[2];
};

// Keyed so that iteration goes table by table, higher priorities first.
struct FteKey {
  uint8_t table;
  int neg_priority;
  std::string match_text;
  auto operator<=>(const FteKey&) const = default;
};
using FteTable = std::map<FteKey, Fte>;

void insert(FteTable& t, const Match& m, uint16_t priority, FteVersion ver, int index) {
  ver.actions_text = format_actions(ver.actions);
  std::string text = format_match(m, priority);
  Fte& f = t[FteKey{ver.table_id, -static_cast<int>(priority), text}];
  f.match = m;
  f.priority = priority;
  f.match_text = text;
  f.v[index] = std::move(ver);
}

Result<Protocols> read_flows_from_file(const std::string& file, FteTable& t, int index) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (file != "-") {
    in.open(file);
    if (!in) return Error(errno, file + ": open (" + errno_string(errno) + ")");
    stream = &in;
  }
  Protocols usable = kPAny;
  std::string line;
  for (int n = 1; std::getline(*stream, line); ++n) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    auto r = parse_flow_mod(line, FlowModCommand::kAdd);
    if (!r.ok()) return Error(EINVAL, file + ":" + std::to_string(n) + ": " + r.error().message());
    usable &= r->usable;
    const FlowMod& fm = r->fm;
    FteVersion v;
    v.cookie = fm.new_cookie == ~0ull ? 0 : fm.new_cookie;
    v.idle_timeout = fm.idle_timeout;
    v.hard_timeout = fm.hard_timeout;
    v.importance = fm.importance;
    v.flags = fm.flags & kFfSendFlowRem;
    v.table_id = fm.table_id != 0xff ? fm.table_id : 0;
    v.actions = fm.actions;
    insert(t, fm.match, fm.priority, std::move(v), index);
  }
  return usable;
}

// OVS set_protocol_for_flow_dump(): the first dump protocol, newest
// first, that is usable, allowed and accepted by the switch.
Status set_protocol_for_flow_dump(const Options& opts, Conn& c, Protocols usable) {
  static const Protocols kOrder[] = {kPOf15Oxm, kPOf14Oxm, kPOf13Oxm, kPOf12Oxm,
                                     kPOf11Std, kPOf10Nxm, kPOf10Std};
  Protocols allowed = opts.allowed & protocols_from_version_bitmap(opts.versions);
  for (Protocols f : kOrder) {
    if (!(f & usable & allowed)) continue;
    auto r = try_set_protocol(c, f);
    if (!r.ok()) return r.error();
    if (*r) return Status();
  }
  std::string s = protocols_to_string(usable);
  if (usable & allowed)
    return Error(EINVAL, "switch does not support any of the usable flow formats (" + s + ")");
  return Error(EINVAL, "none of the usable flow formats (" + s +
                           ") is among the allowed flow formats (" +
                           protocols_to_string(allowed) + ")");
}

Status read_flows_from_switch(Conn& c, FteTable& t, int index) {
  FlowStatsRequest fsr;
  Result<OfpMsg> req = c.protocol & kPOf10NxmAny
                           ? Result<OfpMsg>(encode_nx_flow_stats_request(fsr, c.vc->next_xid()))
                           : encode_flow_stats_request(fsr, c.version(), c.vc->next_xid());
  if (!req.ok()) return req.error();
  auto replies = c.vc->transact_multipart(std::move(*req));
  if (!replies.ok()) return replies.error();
  for (const OfpMsg& m : *replies) {
    if (m.size() >= 2 && m[1] == kOfptError) return Error(EPROTO, "");
    auto fs = is_nx_flow_stats_reply(m.data(), m.size())
                  ? decode_nx_flow_stats_reply(m.data(), m.size())
                  : decode_flow_stats_reply(m.data(), m.size());
    if (!fs.ok()) return fs.error();
    for (FlowStats& f : *fs) {
      FteVersion v;
      v.cookie = f.cookie;
      v.idle_timeout = f.idle_timeout;
      v.hard_timeout = f.hard_timeout;
      v.importance = f.importance;
      v.table_id = f.table_id;
      v.actions = std::move(f.actions);
      insert(t, f.match, f.priority, std::move(v), index);
    }
  }
  return Status();
}

Result<OfpMsg> make_flow_mod(Conn& c, const Fte& f, int index, FlowModCommand cmd) {
  const FteVersion& v = *f.v[index];
  FlowMod fm;
  fm.match = f.match;
  fm.priority = f.priority;
  fm.new_cookie = v.cookie;
  fm.modify_cookie = true;
  fm.table_id = v.table_id;
  fm.command = cmd;
  fm.idle_timeout = v.idle_timeout;
  fm.hard_timeout = v.hard_timeout;
  fm.importance = v.importance;
  fm.flags = v.flags;
  if (cmd == FlowModCommand::kAdd) fm.actions = v.actions;
  return encode_flow_mod(fm, c.protocol, c.vc->next_xid());
}

int talk_fail(const Conn& c, const Error& e, const char* what) {
  if (e.code() == EINVAL && !e.message().empty()) return fail(e.message());
  return fail(std::string(what) + " (" + (e.message().empty() ? errno_string(e.code()) : e.message()) +
              ")");
  (void)c;
}

int cmd_replace_flows(const Options& opts, const std::vector<std::string>& args) {
  enum { kFile = 0, kSwitch = 1 };
  FteTable t;
  auto usable = read_flows_from_file(args[1], t, kFile);
  if (!usable.ok()) return fail(usable.error().message());
  if (opts.bundle) *usable &= kPOf13Up;
  auto c = open_conn(opts, args[0]);
  if (!c.ok()) return open_error(c.error());
  if (Status s = set_protocol_for_flow_dump(opts, *c, *usable); !s.ok())
    return fail(s.error().message());
  if (Status s = read_flows_from_switch(*c, t, kSwitch); !s.ok())
    return talk_fail(*c, s.error(), "dump flows");
  std::vector<OfpMsg> requests;
  // Table by table: first delete what only the switch has, then add what
  // is new or different in the file.
  for (auto it = t.begin(); it != t.end();) {
    uint8_t table = it->first.table;
    auto end = it;
    while (end != t.end() && end->first.table == table) ++end;
    for (auto i = it; i != end; ++i) {
      const Fte& f = i->second;
      if (f.v[kSwitch] && !f.v[kFile]) {
        auto m = make_flow_mod(*c, f, kSwitch, FlowModCommand::kDeleteStrict);
        if (!m.ok()) return fail(m.error().message());
        requests.push_back(std::move(*m));
      }
    }
    for (auto i = it; i != end; ++i) {
      const Fte& f = i->second;
      if (f.v[kFile] && (!f.v[kSwitch] || !(*f.v[kSwitch] == *f.v[kFile]))) {
        auto m = make_flow_mod(*c, f, kFile, FlowModCommand::kAdd);
        if (!m.ok()) return fail(m.error().message());
        requests.push_back(std::move(*m));
      }
    }
    it = end;
  }
  if (opts.bundle) return bundle_transact(opts, *c, requests);
  auto r = c->vc->transact_multiple_noreply(std::move(requests));
  if (!r.ok()) return talk_error(*c, r.error());
  if (r->has_value()) {
    print_msg(stderr, **r, opts.verbosity + 2);
    return 1;
  }
  return 0;
}

// A file if it looks like a path or names an existing file, else a switch.
Status read_flows_from_source(const Options& opts, const std::string& src, FteTable& t,
                              int index) {
  struct stat st;
  if (src[0] == '/' || src[0] == '.' ||
      (src.find(':') == std::string::npos && ::stat(src.c_str(), &st) == 0)) {
    auto u = read_flows_from_file(src, t, index);
    if (!u.ok()) return u.error();
    return Status();
  }
  auto c = open_conn(opts, src);
  if (!c.ok()) return Error(c.error().code(), "\x01" + c.error().message());
  if (Status s = set_protocol_for_flow_dump(opts, *c, kPAny); !s.ok()) return s;
  if (Status s = read_flows_from_switch(*c, t, index); !s.ok())
    return Error(s.error().code(), "dump flows (" + (s.error().message().empty()
                                                          ? errno_string(s.error().code())
                                                          : s.error().message()) + ")");
  return Status();
}

std::string format_version(const Fte& f, int index) {
  const auto& v = f.v[index];
  if (!v) return std::string();
  std::string s;
  if (v->table_id) s += strfmt("table=%u ", v->table_id);
  s += f.match_text;
  if (v->cookie) s += strfmt(" cookie=0x%llx", static_cast<unsigned long long>(v->cookie));
  if (v->idle_timeout) s += strfmt(" idle_timeout=%u", v->idle_timeout);
  if (v->hard_timeout) s += strfmt(" hard_timeout=%u", v->hard_timeout);
  if (v->importance) s += strfmt(" importance=%u", v->importance);
  return s + " actions=" + v->actions_text + "\n";
}

int cmd_diff_flows(const Options& opts, const std::vector<std::string>& args) {
  FteTable t;
  for (int i = 0; i < 2; ++i) {
    Status s = read_flows_from_source(opts, args[i], t, i);
    if (!s.ok()) {
      const std::string& m = s.error().message();
      if (!m.empty() && m[0] == '\x01') return open_error(Error(s.error().code(), m.substr(1)));
      return fail(m);
    }
  }
  bool differences = false;
  for (const auto& [key, f] : t) {
    if (f.v[0] && f.v[1] && *f.v[0] == *f.v[1]) continue;
    std::string a = format_version(f, 0), b = format_version(f, 1);
    if (!a.empty()) std::printf("-%s", a.c_str());
    if (!b.empty()) std::printf("+%s", b.c_str());
    differences = true;
  }
  std::fflush(stdout);
  return differences ? 2 : 0;
}

}  // namespace

void add_flow_diff_commands(std::vector<Command>& commands) {
  commands.push_back({"replace-flows", 2, 2, cmd_replace_flows});
  commands.push_back({"diff-flows", 2, 2, cmd_diff_flows});
}

}  // namespace grebe::ofctl
