// ovs-ofctl: OpenFlow switch management utility (offline commands and the
// switch-talking ones in online_commands.cc / dump_flows.cc).
#include <getopt.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/version.h"
#include "ofctl.h"

namespace grebe::ofctl {

int fail(const std::string& msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "ovs-ofctl: %s\n", msg.c_str());
  return 1;
}

namespace {

void usage() {
  std::printf(
      "ovs-ofctl: OpenFlow switch management utility\n"
      "usage: ovs-ofctl [OPTIONS] COMMAND [ARG...]\n"
      "\nFor OpenFlow switches:\n"
      "  show SWITCH                 show OpenFlow information\n"
      "  dump-desc SWITCH            print switch description\n"
      "  dump-ports-desc SWITCH      print port descriptions\n"
      "  mod-port SWITCH IFACE ACT   modify port behavior\n"
      "  dump-flows SWITCH           print all flow entries\n"
      "  dump-flows SWITCH FLOW      print matching FLOWs\n"
      "  dump-aggregate SWITCH       print aggregate flow statistics\n"
      "  dump-aggregate SWITCH FLOW  print aggregate stats for FLOWs\n"
      "  add-flow SWITCH FLOW        add flow described by FLOW\n"
      "  add-flows SWITCH FILE       add flows from FILE\n"
      "  mod-flows SWITCH FLOW       modify actions of matching FLOWs\n"
      "  del-flows SWITCH [FLOW]     delete matching FLOWs\n"
      "  add-group SWITCH GROUP      add group described by GROUP\n"
      "  add-groups SWITCH FILE      add group from FILE\n"
      "  mod-group SWITCH GROUP      modify specific group\n"
      "  del-groups SWITCH [GROUP]   delete matching GROUPs\n"
      "  add-meter SWITCH METER      add meter described by METER\n"
      "  mod-meter SWITCH METER      modify specific METER\n"
      "  del-meters SWITCH [METER]   delete meters matching METER\n"
      "  probe TARGET                probe whether TARGET is up\n"
      "\nOffline commands:\n"
      "  parse-flow FLOW             parse FLOW and print it back\n"
      "  parse-flows FILE            parse the flows in FILE and print them back\n"
      "\nOptions:\n"
      "  -O, --protocols=VERSIONS    set allowed OpenFlow versions\n"
      "  -F, --flow-format=FORMAT    force particular flow format(s)\n"
      "  --strict                    use strict match for flow commands\n"
      "  --bundle                    execute all flow/group changes in one atomic bundle\n"
      "  --sort[=field]              sort in ascending order\n"
      "  --rsort[=field]             sort in descending order\n"
      "  --no-stats                  do not print flow statistics\n"
      "  --names / --no-names        show port names / numbers\n"
      "  -h, --help                  display this help message\n"
      "  -V, --version               display version information\n");
}

int parse_options(int argc, char* argv[], Options& opts) {
  static const option kLong[] = {
      {"protocols", required_argument, nullptr, 'O'},
      {"flow-format", required_argument, nullptr, 'F'},
      {"names", no_argument, nullptr, 'N'},
      {"no-names", no_argument, nullptr, 'n'},
      {"verbose", optional_argument, nullptr, 'v'},
      {"no-stats", no_argument, nullptr, 1000},
      {"strict", no_argument, nullptr, 1001},
      {"bundle", no_argument, nullptr, 1004},
      {"sort", optional_argument, nullptr, 1002},
      {"rsort", optional_argument, nullptr, 1003},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "+O:F:v::hV", kLong, nullptr)) != -1) {
    switch (c) {
      case 'O': {
        auto v = openflow::versions_from_string(optarg);
        if (!v.ok()) return fail(v.error().message());
        opts.versions = *v;
        break;
      }
      case 'F': {
        auto p = openflow::protocols_from_string(optarg);
        if (!p.ok()) return fail(p.error().message());
        opts.allowed = *p;
        break;
      }
      case 'N': opts.names = true; break;
      case 'n': opts.names = false; break;
      case 'v': opts.verbosity++; break;
      case 1000: opts.show_stats = false; break;
      case 1001: opts.strict = true; break;
      case 1004: opts.bundle = true; break;
      case 1002:
      case 1003:
        opts.sort_keys.push_back({optarg ? optarg : "priority", c == 1003});
        break;
      case 'h': usage(); std::exit(0);
      case 'V':
        std::printf("ovs-ofctl (Open vSwitch) %s\nOpenFlow versions 0x1:0x6\n",
                    grebe::kOvsCompatVersion);
        std::exit(0);
      default: return 1;
    }
  }
  // --bundle implies OpenFlow 1.4 unless -O already allows a version with
  // bundles, and drops the versions without them (as OVS).
  constexpr uint32_t kBundleVersions = (1u << openflow::kOfp13) | (1u << openflow::kOfp14) |
                                       (1u << openflow::kOfp15);
  if (opts.bundle && !(opts.versions & kBundleVersions)) {
    opts.versions |= 1u << openflow::kOfp14;
    opts.versions &= kBundleVersions;
  }
  openflow::Protocols version_protocols = openflow::protocols_from_version_bitmap(opts.versions);
  if (!(opts.allowed & version_protocols)) {
    std::string names;
    for (int v = 1; v <= 6; ++v) {
      if (!(opts.versions & (1u << v))) continue;
      if (!names.empty()) names += ", ";
      names += openflow::version_to_string(static_cast<uint8_t>(v));
    }
    return fail("None of the enabled OpenFlow versions (" + names +
                ") supports any of the enabled flow formats (" +
                openflow::protocols_to_string(opts.allowed) +
                ").  (Use -O to enable additional OpenFlow versions or -F to enable "
                "additional flow formats.)");
  }
  return 0;
}

}  // namespace
}  // namespace grebe::ofctl

int main(int argc, char* argv[]) {
  using namespace grebe::ofctl;
  Options opts;
  if (int rc = parse_options(argc, argv, opts)) return rc;
  if (optind >= argc) return fail("missing command name; use --help for help");
  std::string name = argv[optind];
  std::vector<std::string> args(argv + optind + 1, argv + argc);
  std::vector<Command> all = offline_commands();
  all.insert(all.end(), online_commands().begin(), online_commands().end());
  for (const Command& cmd : all) {
    if (name != cmd.name) continue;
    int n = static_cast<int>(args.size());
    if (n < cmd.min_args)
      return fail("'" + name + "' command requires at least " + std::to_string(cmd.min_args) +
                  " arguments");
    if (n > cmd.max_args)
      return fail("'" + name + "' command takes at most " + std::to_string(cmd.max_args) +
                  " arguments");
    return cmd.fn(opts, args);
  }
  return fail("unknown command '" + name + "'; use --help for help");
}
