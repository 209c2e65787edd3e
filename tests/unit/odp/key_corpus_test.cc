// Golden corpus from OVS's tests/odp.at: text -> attributes -> text must be
// a fixed point, with masks (dump-flows style) and without (verbose key).
#include <gtest/gtest.h>

#include "corpus.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp {
namespace {

using testing::read_corpus;

TEST(KeyCorpus, WildcardedKeysRoundTrip) {
  auto lines = read_corpus("wc_keys.txt");
  ASSERT_GT(lines.size(), 100u);
  int failures = 0;
  for (const auto& line : lines) {
    nl::AttrBuilder key, mask;
    Status st = odp_flow_from_string(line, key, &mask);
    if (!st.ok()) {
      ADD_FAILURE() << line << "\n  " << st.error().message();
      if (++failures > 10) break;
      continue;
    }
    std::string out = odp_flow_format(key.bytes(), mask.bytes(), false);
    if (out != line) {
      ADD_FAILURE() << "in:  " << line << "\nout: " << out;
      if (++failures > 10) break;
    }
  }
}

TEST(KeyCorpus, ExactKeysRoundTrip) {
  auto lines = read_corpus("keys.txt");
  ASSERT_GT(lines.size(), 200u);
  int failures = 0;
  for (const auto& line : lines) {
    nl::AttrBuilder key, mask;
    Status st = odp_flow_from_string(line, key, &mask);
    if (!st.ok()) {
      ADD_FAILURE() << line << "\n  " << st.error().message();
      if (++failures > 10) break;
      continue;
    }
    std::string out = odp_flow_key_format(key.bytes());
    if (out != line) {
      ADD_FAILURE() << "in:  " << line << "\nout: " << out;
      if (++failures > 10) break;
    }
  }
}

}  // namespace
}  // namespace grebe::odp
