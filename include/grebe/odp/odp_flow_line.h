// One datapath flow as `ovs-dpctl dump-flows` / `ovs-appctl dpctl/dump-flows`
// print it:
//
//   [ufid:<uuid>, ]<key/mask>, packets:N, bytes:N, used:X.XXXs[, flags:SFPR.]
//   , actions:<actions>
//
// Pure formatting: safe from any thread.  `now_msec` is the caller's
// grebe::time_msec() so tests can pin it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "grebe/netlink/attr.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp {

struct DpifFlowStats {
  uint64_t n_packets = 0;
  uint64_t n_bytes = 0;
  long long used = 0;      // time_msec() of last use, 0 = never
  uint16_t tcp_flags = 0;  // TCP_* bits seen
};

// "packets:N, bytes:N, used:0.123s|never[, flags:S.]" (dpif_flow_stats_format).
std::string dpif_flow_stats_format(const DpifFlowStats& stats, long long now_msec);
// TCP flags as single letters, "none" for 0 (packet_format_tcp_flags).
std::string packet_format_tcp_flags(uint16_t flags);

struct DpifFlowText {
  std::optional<Ufid> ufid;  // printed only when verbose
  nl::Bytes key;
  nl::Bytes mask;
  nl::Bytes actions;
  DpifFlowStats stats;
};
// A whole dump-flows line (without newline), as dpctl's format_dpif_flow().
std::string format_dpif_flow(const DpifFlowText& flow, bool verbose, long long now_msec,
                             const PortNoNames* port_names = nullptr);

}  // namespace grebe::odp
