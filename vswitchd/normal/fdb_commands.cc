// fdb/show and fdb/stats-show text.
#include "normal/fdb_commands.h"

#include <cinttypes>
#include <cstdio>

namespace grebe::normal {

std::string ofp_port_to_string(uint32_t p) {
  switch (p) {
    case 0xfff8: return "IN_PORT";
    case 0xfff9: return "TABLE";
    case 0xfffa: return "NORMAL";
    case 0xfffb: return "FLOOD";
    case 0xfffc: return "ALL";
    case 0xfffd: return "CONTROLLER";
    case 0xfffe: return "LOCAL";
    case 0xffff: return "NONE";
    default: return std::to_string(p);
  }
}

std::string fdb_show(const MacLearning& ml, const PortNameFn& port_name) {
  std::string s = " port  VLAN  MAC                Age\n";
  for (const MacEntry& e : ml.entries()) {
    std::string name = port_name ? port_name(e.port) : ofp_port_to_string(e.port);
    char line[128];
    const uint8_t* m = e.mac.b;
    snprintf(line, sizeof line, "%5s  %4d  %02x:%02x:%02x:%02x:%02x:%02x  ", name.c_str(), e.vlan,
             m[0], m[1], m[2], m[3], m[4], m[5]);
    s += line;
    if (e.is_static) {
      s += "static\n";
    } else {
      snprintf(line, sizeof line, "%3d\n", ml.age(e));
      s += line;
    }
  }
  return s;
}

std::string fdb_stats_show(const std::string& bridge, const MacLearning& ml) {
  MacLearningStats st = ml.stats();
  char buf[512];
  snprintf(buf, sizeof buf,
           "Statistics for bridge \"%s\":\n"
           "  Current/maximum MAC entries in the table: %zu/%zu\n"
           "  Current static MAC entries in the table : %zu\n"
           "  Total number of learned MAC entries     : %" PRIu64 "\n"
           "  Total number of expired MAC entries     : %" PRIu64 "\n"
           "  Total number of evicted MAC entries     : %" PRIu64 "\n"
           "  Total number of port moved MAC entries  : %" PRIu64 "\n",
           bridge.c_str(), st.n_entries, st.max_entries, st.static_entries, st.total_learned,
           st.total_expired, st.total_evicted, st.total_moved);
  return buf;
}

}  // namespace grebe::normal
