// Malformed input never crashes: every decoder and parser is fed truncated
// and bit-flipped versions of valid input (a deterministic mini-fuzzer; the
// libFuzzer harness in tests/fuzz/openflow_fuzz.cc explores further).
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "grebe/openflow/flow_mod.h"
#include "grebe/openflow/group_meter.h"
#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/flow_stats.h"
#include "grebe/openflow/packet_msgs.h"
#include "grebe/openflow/port_msgs.h"

namespace grebe::openflow {
namespace {

std::vector<std::vector<uint8_t>> golden_messages() {
  std::ifstream in(std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/wire-flows.golden");
  std::vector<std::vector<uint8_t>> msgs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("HEX ", 0) != 0) continue;
    std::vector<uint8_t> m;
    for (size_t i = 4; i + 1 < line.size(); i += 2)
      m.push_back(static_cast<uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
    msgs.push_back(std::move(m));
  }
  return msgs;
}

void decode_everything(const std::vector<uint8_t>& m) {
  (void)ofp_to_string(m.data(), m.size(), 5);
  (void)decode_flow_mod(m.data(), m.size());
  (void)decode_group_mod(m.data(), m.size());
  (void)decode_meter_mod(m.data(), m.size());
  (void)decode_packet_in(m.data(), m.size());
  (void)decode_packet_out(m.data(), m.size());
  (void)format_packet(m.data(), m.size());
  (void)decode_flow_stats_reply(m.data(), m.size());
  (void)decode_nx_flow_stats_reply(m.data(), m.size());
  (void)decode_flow_stats_request(m.data(), m.size());
  (void)decode_port_status(m.data(), m.size());
  (void)decode_port_desc_reply(m.data(), m.size());
  // Reinterpret the same bytes as other message types too.
  for (uint8_t type : {10, 12, 13, 15, 17, 19, 29}) {
    std::vector<uint8_t> t = m;
    if (t.size() >= 2) t[1] = type;
    if (t.size() >= 10) t[9] = static_cast<uint8_t>(type & 1 ? 13 : 1);
    (void)ofp_to_string(t.data(), t.size(), 3);
  }
  if (m.size() > 8) {
    (void)nx_pull_match(m.data() + 8, m.size() - 8);
    for (uint8_t v : {kOfp10, kOfp11, kOfp13, kOfp15}) {
      (void)decode_actions(m.data() + 8, m.size() - 8, v);
      (void)decode_instructions(m.data() + 8, m.size() - 8, v);
    }
  }
}

TEST(Robustness, TruncatedAndCorruptedMessages) {
  auto msgs = golden_messages();
  ASSERT_FALSE(msgs.empty());
  std::mt19937 rng(12345);
  size_t runs = 0;
  for (size_t k = 0; k < msgs.size(); k += 3) {
    const auto& m = msgs[k];
    for (size_t len = 0; len <= m.size(); len += 3) {
      std::vector<uint8_t> t(m.begin(), m.begin() + len);
      decode_everything(t);
      ++runs;
    }
    for (int i = 0; i < 40; ++i) {
      std::vector<uint8_t> c = m;
      int flips = 1 + rng() % 4;
      for (int f = 0; f < flips; ++f) c[rng() % c.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      // Keep the length field honest half of the time so bodies get parsed.
      if (i % 2 && c.size() >= 4) {
        c[2] = static_cast<uint8_t>(c.size() >> 8);
        c[3] = static_cast<uint8_t>(c.size());
      }
      decode_everything(c);
      ++runs;
    }
  }
  EXPECT_GT(runs, 5000u);
}

TEST(Robustness, MangledFlowText) {
  std::vector<std::string> lines;
  for (const char* name : {"seed-flows.txt", "extra-flows.txt", "error-flows.txt"}) {
    std::ifstream in(std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/" + name);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  std::mt19937 rng(777);
  const char kAlphabet[] = "=,:()[]->/.x0123456789abcdefz \t*+-";
  for (const std::string& line : lines) {
    for (size_t len = 0; len <= line.size(); ++len) {
      (void)parse_flow_mod(line.substr(0, len), FlowModCommand::kAdd);
      (void)parse_group_mod(line.substr(0, len), GroupCommand::kAdd);
    }
    for (int i = 0; i < 30 && !line.empty(); ++i) {
      std::string c = line;
      c[rng() % c.size()] = kAlphabet[rng() % (sizeof kAlphabet - 1)];
      auto r = parse_flow_mod(c, FlowModCommand::kAdd);
      if (r.ok()) {
        // Whatever parses must also print and encode without trouble.
        (void)format_flow_mod_message(r->fm, kPOf13Oxm, 1);
        (void)encode_flow_mod(r->fm, kPOf13Oxm, 1);
        (void)encode_flow_mod(r->fm, kPOf10Nxm, 1);
      }
      (void)parse_meter_mod(c, MeterCommand::kAdd);
    }
  }
}

}  // namespace
}  // namespace grebe::openflow
