// Cross-check against the stock formatter's grammar: every dump-flows line
// we print must parse with python3-openvswitch's ovs.flow.odp.ODPFlow and
// print back identically (as OVS's own test-dpparse.py checks).  Skipped
// where /usr/bin/python3 or ovs.flow (python3-openvswitch, python3-netaddr)
// is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "corpus.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow_line.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp {
namespace {

constexpr const char* kChecker = R"PY(
import sys
try:
    from ovs.flow.odp import ODPFlow
except Exception:
    sys.exit(77)
bad = 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    try:
        if str(ODPFlow(line)) != line:
            raise ValueError("does not print back identically")
    except Exception as e:
        bad += 1
        print("%s: %s" % (line, e))
sys.exit(1 if bad else 0)
)PY";

TEST(OdpStockParser, DumpFlowsLinesParseWithOvsFlow) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  std::string dir = ::testing::TempDir();
  std::string lines_path = dir + "/odp_lines.txt", script_path = dir + "/odp_check.py";
  std::ofstream(script_path) << kChecker;
  std::ofstream lines(lines_path);
  auto wc = testing::read_corpus("wc_keys.txt");
  auto acts = testing::read_corpus("actions.txt");
  ASSERT_FALSE(wc.empty());
  size_t n = 0;
  for (size_t i = 0; i < std::max(wc.size(), acts.size()); i++) {
    nl::AttrBuilder key, mask, actions;
    ASSERT_TRUE(odp_flow_from_string(wc[i % wc.size()], key, &mask).ok());
    ASSERT_TRUE(odp_actions_from_string(acts[i % acts.size()], actions).ok());
    DpifFlowText f{std::nullopt, key.bytes(), mask.bytes(), actions.bytes(), {}};
    f.stats = {i, 60 * i, i % 3 ? 0 : 1000 - static_cast<long long>(i),
               static_cast<uint16_t>(i % 64)};
    lines << format_dpif_flow(f, false, 1000) << "\n";
    // The --more form: UFID and every field, wildcarded or not.
    f.ufid = odp_flow_key_hash(key.bytes(), 7);
    lines << format_dpif_flow(f, true, 1000) << "\n";
    n++;
  }
  lines.close();
  std::string cmd = "/usr/bin/python3 " + script_path + " " + lines_path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[4096];
  while (size_t r = fread(buf, 1, sizeof buf, p)) output.append(buf, r);
  int status = pclose(p);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 77) GTEST_SKIP() << "python3-openvswitch's ovs.flow is not importable";
  EXPECT_EQ(code, 0) << output.substr(0, 4000);
  EXPECT_GT(n, 100u);  // each n is two lines
}

}  // namespace
}  // namespace grebe::odp
