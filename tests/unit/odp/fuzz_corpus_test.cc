// Replays the libFuzzer corpora (tests/fuzz/odp/corpus) through the same
// entry points the fuzzers use, so every CI build exercises them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "corpus.h"
#include "odp_fuzz_targets.h"

namespace grebe::odp {
namespace {

std::vector<std::vector<uint8_t>> read_dir(const std::string& dir) {
  std::vector<std::vector<uint8_t>> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

TEST(OdpFuzzCorpus, TextCorpus) {
  auto files = read_dir(std::string(ODP_FUZZ_CORPUS) + "/text");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) fuzz::fuzz_odp_text(f.data(), f.size());
  // The golden lines double as text seeds.
  for (const char* name : {"keys.txt", "wc_keys.txt", "actions.txt"}) {
    for (const auto& line : testing::read_corpus(name)) {
      fuzz::fuzz_odp_text(reinterpret_cast<const uint8_t*>(line.data()), line.size());
    }
  }
}

TEST(OdpFuzzCorpus, AttrCorpus) {
  auto files = read_dir(std::string(ODP_FUZZ_CORPUS) + "/attrs");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    fuzz::fuzz_odp_attrs(f.data(), f.size());
    // Every truncation of a valid encoding must be handled too.
    for (size_t n = 0; n < f.size(); n += 3) fuzz::fuzz_odp_attrs(f.data(), n);
  }
}

}  // namespace
}  // namespace grebe::odp
