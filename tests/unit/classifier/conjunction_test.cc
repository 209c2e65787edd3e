// Conjunctive matches: OVS tests/classifier.at "single conjunctive match",
// "multiple conjunctive match" and "conjunctive match priority fallback",
// with each rule's output port standing for its actions.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "grebe/classifier/flow_classifier.h"

namespace grebe::classifier {
namespace {

constexpr int kDefaultPriority = 32768;  // OpenFlow's default flow priority

struct OutRule : FlowRule {
  OutRule(const Match& m, int pri, int out_, std::vector<Conjunction> conj)
      : FlowRule(m, pri, std::move(conj)), out(out_) {}
  int out;
};

Conjunction conj(uint32_t id, uint8_t k, uint8_t n) {
  return Conjunction{id, static_cast<uint8_t>(k - 1), n};
}
uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}
uint32_t plen_mask(unsigned plen) { return plen ? ~0u << (32 - plen) : 0; }

struct ConjFixture : ::testing::Test {
  FlowClassifier cls;
  std::vector<std::unique_ptr<OutRule>> rules;

  void add(const Match& m, int pri, int out, std::vector<Conjunction> c = {}) {
    rules.push_back(std::make_unique<OutRule>(m, pri, out, std::move(c)));
    ASSERT_TRUE(cls.insert(rules.back().get(), 0).ok());
  }
  void add_conj_id(uint32_t id, int out) {
    Match m;
    m.set_conj_id(id);
    add(m, kDefaultPriority, out);
  }
  static Match ip_match(uint32_t src, unsigned src_plen, uint32_t dst, unsigned dst_plen) {
    Match m;
    m.set_dl_type(kEthTypeIp);
    if (src_plen) m.set_nw_src_masked(src, plen_mask(src_plen));
    if (dst_plen) m.set_nw_dst_masked(dst, plen_mask(dst_plen));
    return m;
  }
  int out_for(const Flow& f) {
    FlowWildcards wc;
    const Rule* r = cls.lookup(kVersionMax, f, &wc);
    return r ? static_cast<const OutRule*>(r)->out : -1;
  }
  ~ConjFixture() override {
    for (auto& r : rules) (void)cls.remove(r.get());
  }
};

Flow ip_flow(uint32_t in_port, uint32_t src, uint32_t dst) {
  Flow f = make_flow();
  f.in_port = in_port;
  f.dl_type = kEthTypeIp;
  f.nw_src = src;
  f.nw_dst = dst;
  return f;
}

TEST_F(ConjFixture, SingleConjunctiveMatch) {
  add_conj_id(1, 3);
  for (uint8_t s : {1, 4, 6, 7}) add(ip_match(ip(10, 0, 0, s), 32, 0, 0), 100, 0, {conj(1, 1, 2)});
  for (uint8_t d : {2, 5, 7, 8}) add(ip_match(0, 0, ip(10, 0, 0, d), 32), 100, 0, {conj(1, 2, 2)});
  add(ip_match(ip(10, 0, 0, 1), 32, ip(10, 0, 0, 4), 32), 100, 4);
  add(ip_match(ip(10, 0, 0, 3), 32, ip(10, 0, 0, 5), 32), 100, 5);
  add(Match{}, 0, 2);
  for (int src = 0; src < 8; ++src) {
    for (int dst = 0; dst < 8; ++dst) {
      int want = 2;
      const std::string sd = std::to_string(src) + std::to_string(dst);
      if (sd == "14") {
        want = 4;
      } else if (sd == "35") {
        want = 5;
      } else if (std::string("1467").find(char('0' + src)) != std::string::npos &&
                 std::string("2578").find(char('0' + dst)) != std::string::npos) {
        want = 3;
      }
      EXPECT_EQ(out_for(ip_flow(1, ip(10, 0, 0, src), ip(10, 0, 0, dst))), want) << sd;
    }
  }
}

TEST_F(ConjFixture, MultipleConjunctiveMatch) {
  add_conj_id(1, 1);
  add_conj_id(2, 2);
  add_conj_id(3, 3);
  const std::vector<Conjunction> c12 = {conj(1, 1, 2), conj(2, 1, 2)};
  const std::vector<Conjunction> c13 = {conj(1, 1, 2), conj(3, 2, 3)};
  add(ip_match(ip(20, 0, 0, 0), 8, 0, 0), 5, 0, c12);
  add(ip_match(ip(10, 1, 0, 0), 16, 0, 0), 5, 0, c13);
  add(ip_match(ip(10, 2, 0, 0), 16, 0, 0), 5, 0, c12);
  add(ip_match(ip(10, 1, 3, 0), 24, 0, 0), 5, 0, c13);
  add(ip_match(ip(10, 1, 4, 5), 32, 0, 0), 5, 0, c12);
  add(ip_match(0, 0, ip(20, 0, 0, 0), 8), 5, 0, {conj(1, 2, 2)});
  add(ip_match(0, 0, ip(10, 1, 0, 0), 16), 5, 0, {conj(1, 2, 2)});
  add(ip_match(0, 0, ip(10, 2, 0, 0), 16), 5, 0, {conj(1, 2, 2)});
  add(ip_match(0, 0, ip(10, 1, 3, 0), 24), 5, 0, {conj(1, 2, 2)});
  add(ip_match(0, 0, ip(10, 1, 4, 5), 32), 5, 0, {conj(1, 2, 2)});
  add(ip_match(0, 0, ip(30, 0, 0, 0), 8), 5, 0, {conj(2, 2, 2), conj(3, 1, 3)});
  add(ip_match(0, 0, ip(40, 5, 0, 0), 16), 5, 0, {conj(2, 2, 2), conj(3, 1, 3)});
  for (uint16_t port : {80, 443}) {
    Match dst = ip_match(0, 0, 0, 0), src = dst;
    dst.set_nw_proto(6);
    dst.set_tp_dst_masked(port, 0xffff);
    add(dst, 5, 0, {conj(3, 3, 3)});
    src.set_nw_proto(6);
    src.set_tp_src_masked(port, 0xffff);
    add(src, 5, 0, {conj(3, 3, 3)});
  }
  add(Match{}, 0, 4);

  const uint32_t srcs[] = {ip(20, 0, 0, 1), ip(10, 1, 0, 1), ip(10, 2, 0, 1),
                           ip(10, 1, 3, 1), ip(10, 1, 4, 5), ip(1, 2, 3, 4)};
  const uint32_t dsts[] = {ip(20, 0, 0, 1), ip(10, 1, 0, 1), ip(10, 2, 0, 1), ip(10, 1, 3, 1),
                           ip(10, 1, 4, 5), ip(30, 0, 0, 1), ip(40, 5, 0, 1), ip(1, 2, 3, 4)};
  const uint16_t ports[] = {80, 443, 8080};
  for (int a = 1; a <= 6; ++a) {
    for (int b = 1; b <= 8; ++b) {
      for (int c = 1; c <= 3; ++c) {
        for (int d = 1; d <= 3; ++d) {
          int want = 4;
          if (a <= 5 && b <= 5) {
            want = 1;
          } else if ((a == 1 || a == 3 || a == 5) && (b == 6 || b == 7)) {
            want = 2;
          } else if ((a == 2 || a == 4) && (b == 6 || b == 7) && (c <= 2 || d <= 2)) {
            want = 3;
          }
          Flow f = ip_flow(5, srcs[a - 1], dsts[b - 1]);
          f.nw_proto = 6;
          f.tp_src = ports[c - 1];
          f.tp_dst = ports[d - 1];
          EXPECT_EQ(out_for(f), want) << a << b << c << d;
        }
      }
    }
  }
}

TEST_F(ConjFixture, PriorityFallback) {
  add_conj_id(1, 1);
  add_conj_id(3, 3);
  for (uint8_t s : {1, 2}) add(ip_match(ip(10, 0, 0, s), 32, 0, 0), 5, 0, {conj(1, 1, 2)});
  for (uint8_t d : {1, 2, 3}) add(ip_match(0, 0, ip(10, 0, 0, d), 32), 5, 0, {conj(1, 2, 2)});
  add(ip_match(ip(10, 0, 0, 3), 32, ip(10, 0, 0, 2), 32), 4, 2);
  for (uint8_t s : {1, 3}) add(ip_match(ip(10, 0, 0, s), 32, 0, 0), 3, 0, {conj(3, 1, 2)});
  for (uint8_t d : {2, 3, 4}) add(ip_match(0, 0, ip(10, 0, 0, d), 32), 3, 0, {conj(3, 2, 2)});
  add(ip_match(0, 0, ip(10, 0, 0, 1), 32), 2, 4);
  add(ip_match(ip(10, 0, 0, 1), 32, ip(10, 0, 0, 5), 32), 1, 5);
  add(Match{}, 0, 6);
  for (int src = 0; src < 4; ++src) {
    for (int dst = 0; dst < 6; ++dst) {
      int want = 6;
      if ((src == 1 || src == 2) && dst >= 1 && dst <= 3) {
        want = 1;
      } else if (src == 3 && dst == 2) {
        want = 2;
      } else if ((src == 1 || src == 3) && dst >= 2 && dst <= 4) {
        want = 3;
      } else if (dst == 1) {
        want = 4;
      } else if (src == 1 && dst == 5) {
        want = 5;
      }
      EXPECT_EQ(out_for(ip_flow(7, ip(10, 0, 0, src), ip(10, 0, 0, dst))), want) << src << dst;
    }
  }
}

TEST_F(ConjFixture, RejectsMalformedConjunctions) {
  auto bad = std::make_unique<OutRule>(Match{}, 1, 0, std::vector<Conjunction>{conj(1, 3, 2)});
  Status s = cls.insert(bad.get(), 0);
  EXPECT_FALSE(s.ok());
  auto one = std::make_unique<OutRule>(Match{}, 1, 0, std::vector<Conjunction>{conj(1, 1, 1)});
  EXPECT_FALSE(cls.insert(one.get(), 0).ok());
  // A rule turned into a clause, and back, by set_conjunctions().
  add_conj_id(9, 9);
  add(ip_match(ip(10, 0, 0, 1), 32, 0, 0), 10, 7);
  add(ip_match(0, 0, ip(10, 0, 0, 2), 32), 10, 0, {conj(9, 2, 2)});
  const Flow f = ip_flow(1, ip(10, 0, 0, 1), ip(10, 0, 0, 2));
  EXPECT_EQ(out_for(f), 7);
  ASSERT_TRUE(cls.set_conjunctions(rules[1].get(), {conj(9, 1, 2)}).ok());
  EXPECT_EQ(out_for(f), 9);
  EXPECT_FALSE(cls.set_conjunctions(rules[1].get(), {conj(9, 0, 2)}).ok());
  EXPECT_EQ(out_for(f), 9);
}

}  // namespace
}  // namespace grebe::classifier
