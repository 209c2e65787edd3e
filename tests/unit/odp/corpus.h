// Reads the golden corpus files in tests/unit/odp/data (one flow or action
// list per line; blank lines and '#' comments skipped).
#pragma once

#include <fstream>
#include <string>
#include <vector>

namespace grebe::odp::testing {

inline std::vector<std::string> read_corpus(const std::string& name) {
  std::ifstream in(std::string(ODP_TEST_DATA) + "/" + name);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

}  // namespace grebe::odp::testing
