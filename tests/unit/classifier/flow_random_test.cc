// Randomized FlowClassifier test on the real Flow layout: host-order IPv4
// tries, network-order IPv6 tries, the ports trie and the four stages must
// together keep lookups right and megaflows sound.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "grebe/classifier/flow_classifier.h"

namespace grebe::classifier {
namespace {

In6Addr v6(uint8_t hi, uint8_t lo) {
  In6Addr a{};
  a.b[0] = 0x20;
  a.b[1] = 0x01;
  a.b[2] = hi;
  a.b[15] = lo;
  return a;
}
In6Addr v6_mask(unsigned plen) {
  In6Addr a{};
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned bits = plen >= 8 * (i + 1) ? 8 : (plen > 8 * i ? plen - 8 * i : 0);
    a.b[i] = static_cast<uint8_t>(0xff00u >> bits);
  }
  return a;
}

class FlowRandomTest : public ::testing::TestWithParam<int> {
 protected:
  std::mt19937_64 rng{static_cast<uint64_t>(GetParam()) * 7919};
  FlowClassifier cls;
  std::vector<std::unique_ptr<FlowRule>> rules;

  ~FlowRandomTest() override {
    for (auto& r : rules) (void)cls.remove(r.get());
  }
  template <typename T>
  T pick(std::initializer_list<T> v) {
    return v.begin()[rng() % v.size()];
  }

  Flow random_flow() {
    Flow f = make_flow();
    uint64_t* w = f.words();
    for (size_t i = 0; i < kFlowU64s; ++i) w[i] = rng() & rng();  // sparse noise
    f.in_port = pick({1u, 2u, 3u});
    f.dl_type = pick<uint16_t>({kEthTypeIp, kEthTypeIpv6});
    f.nw_src = pick({0x0a000001u, 0x0a010203u, 0xc0a80101u, 0x0a01ff00u});
    f.nw_dst = pick({0x0a000002u, 0x0a010202u, 0xac100001u});
    f.ipv6_src = v6(pick<uint8_t>({0x0d, 0x0e}), pick<uint8_t>({1, 2}));
    f.ipv6_dst = v6(pick<uint8_t>({0x0d, 0xff}), pick<uint8_t>({1, 3}));
    f.nw_proto = pick<uint8_t>({6, 17});
    f.tp_src = pick<uint16_t>({1024, 1030, 53});
    f.tp_dst = pick<uint16_t>({80, 443, 22, 8080});
    f.tcp_flags = pick<uint16_t>({0x002, 0x010, 0x018});
    return f;
  }

  Match random_match(const Flow& f) {
    Match m;
    if (rng() % 2) m.set_in_port(f.in_port);
    if (rng() % 2) m.set_dl_type(f.dl_type);
    if (rng() % 3 == 0) m.set_nw_src_masked(f.nw_src, ~0u << (32 - pick({8u, 16u, 24u, 32u})));
    if (rng() % 3 == 0) m.set_nw_dst_masked(f.nw_dst, pick({0xffffffffu, 0xffff0000u, 0xff00ff00u}));
    if (rng() % 4 == 0) m.set_ipv6_src_masked(f.ipv6_src, v6_mask(pick({16u, 24u, 128u})));
    if (rng() % 4 == 0) m.set_ipv6_dst_masked(f.ipv6_dst, v6_mask(pick({24u, 64u})));
    if (rng() % 3 == 0) m.set_nw_proto(f.nw_proto);
    if (rng() % 3 == 0) m.set_tp_src_masked(f.tp_src, pick<uint16_t>({0xffff, 0xff00}));
    if (rng() % 3 == 0) m.set_tp_dst_masked(f.tp_dst, pick<uint16_t>({0xffff, 0xfff0}));
    if (rng() % 5 == 0) m.set_tcp_flags_masked(f.tcp_flags, 0x008);
    return m;
  }

  // Highest priority among the rules matching `f` (-1: none).
  int best_priority(const Flow& f) const {
    int best = -1;
    for (const auto& r : rules) {
      if (r->in_classifier() && r->to_match().matches(f)) best = std::max(best, r->priority());
    }
    return best;
  }
};

TEST_P(FlowRandomTest, LookupsAgreeAndMegaflowsAreSound) {
  for (int i = 0; i < 300; ++i) {
    rules.push_back(std::make_unique<FlowRule>(random_match(random_flow()),
                                               static_cast<int>(rng() % 1000)));
    if (!cls.insert(rules.back().get(), 0).ok()) rules.pop_back();
  }
  if (GetParam() % 2) {
    ASSERT_TRUE(cls.set_prefixes({"ipv6_src", "ipv6_dst", "nw_dst"}).ok());
  }
  for (int i = 0; i < 400; ++i) {
    const Flow f = random_flow();
    FlowWildcards wc;
    const Rule* got = cls.lookup(0, f, &wc);
    ASSERT_EQ(got ? got->priority() : -1, best_priority(f));
    for (int p = 0; p < 10; ++p) {
      const Flow other = random_flow();
      Flow mixed = make_flow();
      for (size_t w = 0; w < kFlowU64s; ++w) {
        mixed.words()[w] =
            (f.words()[w] & wc.masks.words()[w]) | (other.words()[w] & ~wc.masks.words()[w]);
      }
      ASSERT_EQ(cls.lookup(0, mixed, nullptr), got);
      if (got) {
        ASSERT_TRUE(static_cast<const FlowRule*>(got)->to_match().matches(mixed));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, FlowRandomTest, ::testing::Range(1, 7));

}  // namespace
}  // namespace grebe::classifier
