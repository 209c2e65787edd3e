// parse-flow output against golden files recorded from stock ovs-ofctl
// (tests/unit/openflow/golden/regen.sh), for several OpenFlow versions.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "grebe/openflow/flow_mod.h"

namespace grebe::openflow {
namespace {

struct Case {
  std::string flow;
  std::string out;  // expected stdout
  std::string err;  // expected stderr
};

std::vector<Case> load_golden(const std::string& path) {
  std::ifstream in(path);
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("FLOW ", 0) == 0) {
      cases.push_back({line.substr(5), "", ""});
    } else if (line.rfind("OUT ", 0) == 0 && !cases.empty()) {
      cases.back().out += line.substr(4) + "\n";
    } else if (line.rfind("ERR ", 0) == 0 && !cases.empty()) {
      cases.back().err += line.substr(4) + "\n";
    }
  }
  return cases;
}

// What our ovs-ofctl prints for "ovs-ofctl -O VERSION parse-flow FLOW".
Case run_ours(const std::string& flow, uint8_t version) {
  Case c{flow, "", ""};
  auto r = parse_flow_mod(flow, FlowModCommand::kAdd);
  if (!r.ok()) {
    c.err = "ovs-ofctl: " + r.error().message() + "\n";
    return c;
  }
  ParseFlowsReport rep =
      report_parse_flows({r->fm}, r->usable, protocols_from_version_bitmap(1u << version));
  c.out = rep.out;
  if (!rep.error.empty()) c.err = "ovs-ofctl: " + rep.error + "\n";
  return c;
}

class GoldenTest : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(GoldenTest, MatchesStockOvsOfctl) {
  auto [corpus, version_name] = GetParam();
  std::string path = std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/" + corpus + "." +
                     version_name + ".golden";
  auto cases = load_golden(path);
  ASSERT_FALSE(cases.empty()) << "missing golden file " << path;
  uint8_t version = version_from_string(version_name);
  int mismatches = 0;
  for (const Case& want : cases) {
    Case got = run_ours(want.flow, version);
    EXPECT_EQ(got.out, want.out) << "flow: " << want.flow;
    EXPECT_EQ(got.err, want.err) << "flow: " << want.flow;
    if (got.out != want.out || got.err != want.err) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " flows";
}

INSTANTIATE_TEST_SUITE_P(
    Corpora, GoldenTest,
    ::testing::Combine(::testing::Values("seed-flows", "extra-flows", "error-flows"),
                       ::testing::Values("OpenFlow10", "OpenFlow11", "OpenFlow13",
                                         "OpenFlow15")),
    [](const auto& info) {
      std::string n = std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param);
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

}  // namespace
}  // namespace grebe::openflow
