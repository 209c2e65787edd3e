// dump-flows line formatting (see grebe/odp/odp_flow_line.h).
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow_line.h"
#include "text.h"

namespace grebe::odp {

std::string packet_format_tcp_flags(uint16_t f) {
  if (!f) return "none";
  std::string s;
  // Letter order is OVS's, not bit order.
  static constexpr struct {
    uint16_t bit;
    const char* name;
  } kLetters[] = {{0x002, "S"}, {0x001, "F"},     {0x008, "P"},     {0x004, "R"},
                  {0x020, "U"}, {0x010, "."},     {0x040, "E"},     {0x080, "C"},
                  {0x100, "N"}, {0x200, "[200]"}, {0x400, "[400]"}, {0x800, "[800]"}};
  for (const auto& l : kLetters) {
    if (f & l.bit) s += l.name;
  }
  return s;
}

std::string dpif_flow_stats_format(const DpifFlowStats& st, long long now_msec) {
  std::string s;
  text::appendf(s, "packets:%llu, bytes:%llu, used:", static_cast<unsigned long long>(st.n_packets),
                static_cast<unsigned long long>(st.n_bytes));
  if (st.used) {
    text::appendf(s, "%.3fs", (now_msec - st.used) / 1000.0);
  } else {
    s += "never";
  }
  if (st.tcp_flags) s += ", flags:" + packet_format_tcp_flags(st.tcp_flags);
  return s;
}

std::string format_dpif_flow(const DpifFlowText& f, bool verbose, long long now_msec,
                             const PortNoNames* port_names) {
  std::string s;
  if (verbose && f.ufid) s += odp_format_ufid(*f.ufid) + ", ";
  s += odp_flow_format(f.key, f.mask, verbose, port_names);
  s += ", ";
  s += dpif_flow_stats_format(f.stats, now_msec);
  s += ", actions:";
  format_odp_actions(s, f.actions, port_names);
  return s;
}

}  // namespace grebe::odp
