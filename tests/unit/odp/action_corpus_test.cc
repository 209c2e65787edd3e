// Golden action corpus from OVS's tests/odp.at: text -> attributes -> text
// must be a fixed point.
#include <gtest/gtest.h>

#include "corpus.h"
#include "grebe/odp/odp_actions.h"

namespace grebe::odp {
namespace {

using testing::read_corpus;

TEST(ActionCorpus, RoundTrip) {
  auto lines = read_corpus("actions.txt");
  ASSERT_GT(lines.size(), 100u);
  int failures = 0;
  for (const auto& line : lines) {
    nl::AttrBuilder actions;
    Status st = odp_actions_from_string(line, actions);
    if (!st.ok()) {
      ADD_FAILURE() << line << "\n  " << st.error().message();
      if (++failures > 15) break;
      continue;
    }
    std::string out = format_odp_actions(actions.bytes());
    if (out != line) {
      ADD_FAILURE() << "in:  " << line << "\nout: " << out;
      if (++failures > 15) break;
    }
  }
}

}  // namespace
}  // namespace grebe::odp
