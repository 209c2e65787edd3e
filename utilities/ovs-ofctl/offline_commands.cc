// ovs-ofctl commands that need no switch: parse-flow, parse-flows.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/packet/flow_compose.h"
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

int hexit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "ofp-print HEX [VERBOSITY]": HEX may contain white space; "-" reads it
// from stdin.
int cmd_ofp_print(const Options& opts, const std::vector<std::string>& args) {
  std::string hex = args[0];
  if (hex == "-") std::getline(std::cin, hex);
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < hex.size();) {
    if (isspace(static_cast<unsigned char>(hex[i]))) {
      ++i;
      continue;
    }
    if (i + 1 >= hex.size() || hexit(hex[i]) < 0 || hexit(hex[i + 1]) < 0)
      return fail("trailing garbage following hex bytes");
    bytes.push_back(static_cast<uint8_t>(hexit(hex[i]) * 16 + hexit(hex[i + 1])));
    i += 2;
  }
  (void)opts;
  int verbosity = args.size() > 1 ? atoi(args[1].c_str()) : 2;
  std::fputs(ofp_to_string(bytes.data(), bytes.size(), verbosity).c_str(), stdout);
  return 0;
}

// "ofp-parse FILE": prints each OpenFlow message in a binary file.
int cmd_ofp_parse(const Options& opts, const std::vector<std::string>& args) {
  std::ifstream in(args[0], std::ios::binary);
  if (!in) return fail(args[0] + ": open failed (" + errno_string(errno) + ")");
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 8) return fail(args[0] + ": unexpected end of file mid-message");
    size_t len = (size_t{data[pos + 2]} << 8) | data[pos + 3];
    if (len < 8)
      return fail(args[0] + ": " + std::to_string(len) + "-byte message is too short for OpenFlow");
    if (pos + len > data.size()) return fail(args[0] + ": unexpected end of file mid-message");
    std::fputs(ofp_to_string(&data[pos], len, opts.verbosity + 2).c_str(), stdout);
    pos += len;
  }
  return 0;
}

// The stdio hex dump style (separator before each byte, '-' before the
// ninth), used where ovs-ofctl writes straight to stdout.
void print_hex_dump(const std::vector<uint8_t>& data) {
  for (size_t ofs = 0; ofs < data.size(); ofs += 16) {
    std::printf("%08zx ", ofs);
    for (size_t i = 0; i < 16 && ofs + i < data.size(); ++i)
      std::printf("%c%02x", i == 8 ? '-' : ' ', data[ofs + i]);
    std::printf("\n");
  }
}

// "encode-hello BITMAP": the hello offering those versions, as hex and text.
int cmd_encode_hello(const Options& opts, const std::vector<std::string>& args) {
  (void)opts;
  uint32_t bitmap = static_cast<uint32_t>(strtoul(args[0].c_str(), nullptr, 0));
  if (!(bitmap & 0x7e)) return fail("no supported OpenFlow version in bitmap " + args[0]);
  std::vector<uint8_t> hello = encode_hello(bitmap & 0x7e, 1);
  print_hex_dump(hello);
  std::fputs(ofp_to_string(hello.data(), hello.size(), 0).c_str(), stdout);
  return 0;
}

// "compose-packet FLOW [HEX-PAYLOAD]": a packet whose flow is FLOW, as a hex
// dump.
int cmd_compose_packet(const Options& opts, const std::vector<std::string>& args) {
  (void)opts;
  auto r = parse_flow_mod(args[0] + ",actions=drop", FlowModCommand::kAdd);
  if (!r.ok()) return fail(args[0] + ": " + r.error().message());
  std::vector<uint8_t> payload;
  bool have_payload = args.size() > 1;
  for (size_t i = 0; have_payload && i < args[1].size();) {
    if (isspace(static_cast<unsigned char>(args[1][i]))) {
      ++i;
      continue;
    }
    if (i + 1 >= args[1].size() || hexit(args[1][i]) < 0 || hexit(args[1][i + 1]) < 0)
      return fail(args[1] + ": trailing garbage in packet data");
    payload.push_back(static_cast<uint8_t>(hexit(args[1][i]) * 16 + hexit(args[1][i + 1])));
    i += 2;
  }
  std::vector<uint8_t> pkt =
      have_payload ? flow_compose(r->fm.match.flow, payload.data(), payload.size())
                   : flow_compose(r->fm.match.flow);
  print_hex_dump(pkt);
  return 0;
}

// "parse-group GROUP": parses a group spec and prints the group_mod.
int cmd_parse_group(const Options& opts, const std::vector<std::string>& args) {
  auto r = parse_group_mod(args[0], GroupCommand::kAdd);
  if (!r.ok()) return fail(r.error().message());
  Protocols allowed = opts.allowed & protocols_from_version_bitmap(opts.versions);
  ParseGroupReport rep = report_parse_group(*r, allowed);
  std::fputs(rep.out.c_str(), stdout);
  if (!rep.error.empty()) return fail(rep.error);
  return 0;
}

}  // namespace

const std::vector<Command>& offline_commands() {
  static const std::vector<Command> kCommands = {
      {"parse-flow", 1, 1, cmd_parse_flow},
      {"parse-flows", 1, 1, cmd_parse_flows},
      {"ofp-print", 1, 2, cmd_ofp_print},
      {"parse-group", 1, 1, cmd_parse_group},
      {"encode-hello", 1, 1, cmd_encode_hello},
      {"compose-packet", 1, 2, cmd_compose_packet},
      {"ofp-parse", 1, 1, cmd_ofp_parse},
  };
  return kCommands;
}

}  // namespace grebe::ofctl
