// ovs-ofctl dump-flows: picks a flow-dump protocol as OVS does (OXM for
// OF1.2+, NXM on OpenFlow 1.0), then prints the flow statistics.
#include <algorithm>
#include <cstdio>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/text_util.h"
#include "grebe/util/byteorder.h"
#include "grebe/vconn/ofctl_target.h"
#include "ofctl.h"

namespace grebe::ofctl {

using namespace grebe::openflow;
using vconn::OfpMsg;

namespace {

// --sort/--rsort: OVS compares each criterion in turn; priority is the
// only key handled so far (other keys keep the switch's order).
void sort_flow_stats(std::vector<FlowStats>& flows, const std::vector<SortKey>& keys) {
  std::stable_sort(flows.begin(), flows.end(), [&](const FlowStats& a, const FlowStats& b) {
    for (const SortKey& k : keys) {
      if (k.field != "priority" || a.priority == b.priority) continue;
      return k.descending ? a.priority > b.priority : a.priority < b.priority;
    }
    return false;
  });
}

// The dump request in the connection's version: NXST_FLOW on OpenFlow 1.0
// (after NXT_SET_FLOW_FORMAT), OFPST_FLOW otherwise.
Result<OfpMsg> flow_dump_request(vconn::Vconn& vc, const FlowStatsRequest& fsr) {
  uint8_t v = static_cast<uint8_t>(vc.version());
  if (v != kOfp10) return encode_flow_stats_request(fsr, v, vc.next_xid());
  auto r = vc.transact_noreply(encode_nx_set_flow_format(2, vc.next_xid()));
  if (!r.ok()) return r.error();
  if (r->has_value()) return Error(EPROTO, "switch does not support any of the usable flow formats");
  return encode_nx_flow_stats_request(fsr, vc.next_xid());
}

Result<std::vector<FlowStats>> decode_reply(const OfpMsg& m) {
  if (is_nx_flow_stats_reply(m.data(), m.size())) return decode_nx_flow_stats_reply(m.data(), m.size());
  return decode_flow_stats_reply(m.data(), m.size());
}

std::string reply_header(const OfpMsg& m) {
  uint8_t v = m[0];
  std::string name = v == kOfp10 ? "NXST_FLOW reply" : "OFPST_FLOW reply";
  std::string ver = v == kOfp10 ? "" : std::string(" (") + version_to_short_string(v) + ")";
  std::string flags = (load_be16(m.data() + 10) & 1) ? ", flags=[more]" : "";
  return name + ver + strfmt(" (xid=0x%x)", load_be32(m.data() + 4)) + flags + ":";
}

}  // namespace

namespace {

// Parses dump-flows' optional match argument into a request.
Result<FlowStatsRequest> parse_request(const std::vector<std::string>& args) {
  FlowStatsRequest fsr;
  if (args.size() > 1) {
    auto p = parse_flow_mod(args[1], FlowModCommand::kDelete);
    if (!p.ok()) return p.error();
    fsr.match = p->fm.match;
    fsr.table_id = p->fm.table_id;
    fsr.out_port = p->fm.out_port;
    fsr.out_group = p->fm.out_group;
    fsr.cookie = p->fm.cookie;
    fsr.cookie_mask = p->fm.cookie_mask;
  }
  return fsr;
}

}  // namespace

// OFPST_AGGREGATE / NXST_AGGREGATE: the flow request with another stats
// type; the reply is printed by hand since it is short.
int dump_aggregate_command(const Options& opts, const std::vector<std::string>& args) {
  auto fsr = parse_request(args);
  if (!fsr.ok()) return fail(fsr.error().message());
  auto vc = vconn::open_ofctl_target(args[0], vconn::OfctlTarget::kMgmt, opts.versions);
  if (!vc.ok()) return open_error(vc.error());
  auto req = flow_dump_request(**vc, *fsr);
  if (!req.ok()) return fail(req.error().message());
  bool nx = (*req)[0] == kOfp10;
  if (nx) store_be32(&(*req)[16], 1);  // NXST_AGGREGATE
  else store_be16(&(*req)[8], 2);      // OFPST_AGGREGATE
  auto replies = (*vc)->transact_multipart(std::move(*req));
  if (!replies.ok()) return fail("talking to " + args[0] + " (" + replies.error().message() + ")");
  for (const OfpMsg& m : *replies) {
    size_t body = nx ? 24 : 16;
    if (m[1] == kOfptError || m.size() < body + 20) {
      std::string s = ofp_to_string(m.data(), m.size(), opts.verbosity + 1);
      if (s.empty() || s.back() != '\n') s += '\n';
      std::fputs(s.c_str(), stdout);
      return m[1] == kOfptError ? 0 : 1;
    }
    std::string ver = m[0] == kOfp10 ? "" : std::string(" (") + version_to_short_string(m[0]) + ")";
    std::printf("%s%s (xid=0x%x): packet_count=%llu byte_count=%llu flow_count=%u\n",
                nx ? "NXST_AGGREGATE reply" : "OFPST_AGGREGATE reply", ver.c_str(),
                load_be32(m.data() + 4), static_cast<unsigned long long>(load_be64(m.data() + body)),
                static_cast<unsigned long long>(load_be64(m.data() + body + 8)),
                load_be32(m.data() + body + 16));
  }
  return 0;
}

int dump_flows_command(const Options& opts, const std::vector<std::string>& args) {
  auto parsed = parse_request(args);
  if (!parsed.ok()) return fail(parsed.error().message());
  const FlowStatsRequest& fsr = *parsed;
  auto vc = vconn::open_ofctl_target(args[0], vconn::OfctlTarget::kMgmt, opts.versions);
  if (!vc.ok()) return open_error(vc.error());
  auto req = flow_dump_request(**vc, fsr);
  if (!req.ok()) return fail(req.error().message());
  auto replies = (*vc)->transact_multipart(std::move(*req));
  if (!replies.ok()) return fail("dump flows (" + replies.error().message() + ")");
  bool raw = opts.show_stats && !opts.names && opts.sort_keys.empty();
  std::vector<FlowStats> all;
  for (const OfpMsg& m : *replies) {
    auto fs = m[1] == kOfptError ? Result<std::vector<FlowStats>>(Error(EPROTO, "error"))
                                 : decode_reply(m);
    if (!fs.ok()) {
      std::string s = ofp_to_string(m.data(), m.size(), opts.verbosity + 1);
      if (s.empty() || s.back() != '\n') s += '\n';
      std::fputs(s.c_str(), stdout);
      return 1;
    }
    if (raw) {
      std::printf("%s\n", reply_header(m).c_str());
      for (const FlowStats& f : *fs)
        std::printf(" %s\n", format_flow_stats(f, true, m[0]).c_str());
    } else {
      all.insert(all.end(), fs->begin(), fs->end());
    }
  }
  if (!opts.sort_keys.empty()) sort_flow_stats(all, opts.sort_keys);
  for (FlowStats& f : all) {
    // OVS's sorted/--names path decodes without the age extension.
    f.idle_age = f.hard_age = -1;
    std::printf(" %s\n", format_flow_stats(f, opts.show_stats, (*replies)[0][0]).c_str());
  }
  return 0;
}

}  // namespace grebe::ofctl
