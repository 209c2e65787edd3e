// ovs-ofctl commands that need no switch: parse-flow, parse-flows.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "grebe/openflow/flow_mod.h"
#include "ofctl.h"

namespace grebe::ofctl {

using namespace grebe::openflow;

namespace {

// Prints the flow_mods the way "ovs-ofctl parse-flow(s)" does: the usable
// protocols, the one chosen among the enabled ones, then each message.
int print_flow_mods(const Options& opts, const std::vector<FlowMod>& fms, Protocols usable) {
  Protocols allowed = opts.allowed & protocols_from_version_bitmap(opts.versions);
  ParseFlowsReport r = report_parse_flows(fms, usable, allowed);
  std::fputs(r.out.c_str(), stdout);
  if (!r.error.empty()) return fail(r.error);
  return 0;
}

int cmd_parse_flow(const Options& opts, const std::vector<std::string>& args) {
  auto r = parse_flow_mod(args[0], FlowModCommand::kAdd);
  if (!r.ok()) return fail(r.error().message());
  return print_flow_mods(opts, {r->fm}, r->usable);
}

int cmd_parse_flows(const Options& opts, const std::vector<std::string>& args) {
  const std::string& file = args[0];
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (file != "-") {
    in.open(file);
    if (!in) return fail(file + ": open failed (" + errno_string(errno) + ")");
    stream = &in;
  }
  std::vector<FlowMod> fms;
  Protocols usable = kPAny;
  std::string line;
  int line_number = 0;
  while (std::getline(*stream, line)) {
    ++line_number;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    auto r = parse_flow_mod(line, FlowModCommand::kAdd, nullptr, true);
    if (!r.ok())
      return fail(file + ":" + std::to_string(line_number) + ": " + r.error().message());
    usable &= r->usable;
    fms.push_back(std::move(r->fm));
  }
  return print_flow_mods(opts, fms, usable);
}

}  // namespace

const std::vector<Command>& offline_commands() {
  static const std::vector<Command> kCommands = {
      {"parse-flow", 1, 1, cmd_parse_flow},
      {"parse-flows", 1, 1, cmd_parse_flows},
  };
  return kCommands;
}

}  // namespace grebe::ofctl
