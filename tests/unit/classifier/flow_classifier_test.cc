// The classifier over real Flows and Matches.
#include <gtest/gtest.h>

#include <memory>

#include "grebe/classifier/flow_classifier.h"

namespace grebe::classifier {
namespace {

In6Addr v6(std::initializer_list<uint8_t> bytes) {
  In6Addr a{};
  size_t i = 0;
  for (uint8_t b : bytes) a.b[i++] = b;
  return a;
}
In6Addr v6_prefix(unsigned plen) {
  In6Addr a{};
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned bits = plen >= 8 * (i + 1) ? 8 : (plen > 8 * i ? plen - 8 * i : 0);
    a.b[i] = static_cast<uint8_t>(0xff00u >> bits);
  }
  return a;
}

struct FlowFixture : ::testing::Test {
  FlowClassifier cls;
  std::vector<std::unique_ptr<FlowRule>> rules;
  FlowRule* add(const Match& m, int pri) {
    rules.push_back(std::make_unique<FlowRule>(m, pri));
    EXPECT_TRUE(cls.insert(rules.back().get(), 0).ok());
    return rules.back().get();
  }
  ~FlowFixture() override {
    for (auto& r : rules) (void)cls.remove(r.get());
  }
};

TEST(FlowLayout, IsValidWithDefaultTries) {
  EXPECT_TRUE(flow_layout().validate().ok());
  FlowClassifier c;
  EXPECT_EQ(c.prefix_fields(), (std::vector<std::string>{"nw_dst", "nw_src"}));
  EXPECT_TRUE(c.set_prefixes({"ip_src", "ipv6_dst", "tun_dst"}).ok());
  EXPECT_EQ(c.prefix_fields(), (std::vector<std::string>{"nw_src", "ipv6_dst", "tun_dst"}));
  EXPECT_FALSE(c.set_prefixes({"tcp_flags"}).ok());
  EXPECT_FALSE(c.set_prefixes({"nw_src", "nw_dst", "ipv6_src", "ipv6_dst"}).ok());
  EXPECT_TRUE(c.set_prefixes({"none"}).ok());
  EXPECT_TRUE(c.prefix_fields().empty());
}

TEST_F(FlowFixture, Ipv4PrefixTrieKeepsMegaflowNarrow) {
  Match m;
  m.set_dl_type(kEthTypeIp);
  m.set_nw_src_masked(0x0a000000, 0xff000000);
  m.set_tp_dst_masked(80, 0xffff);
  m.set_nw_proto(6);
  FlowRule* r = add(m, 100);
  EXPECT_EQ(r->to_match(), m);

  Flow pkt = make_flow();
  pkt.dl_type = kEthTypeIp;
  pkt.nw_proto = 6;
  pkt.nw_src = 0x0a010203;
  pkt.tp_dst = 80;
  FlowWildcards wc;
  EXPECT_EQ(cls.lookup(0, pkt, &wc), r);
  EXPECT_EQ(wc.masks.nw_src, 0xff000000u);
  EXPECT_EQ(wc.masks.tp_dst, 0xffffu);

  pkt.nw_src = 0xc0a80001;  // 192.168.0.1: one address bit rules it out
  FlowWildcards wc2;
  EXPECT_EQ(cls.lookup(0, pkt, &wc2), nullptr);
  EXPECT_EQ(wc2.masks.nw_src, 0x80000000u);
  EXPECT_EQ(wc2.masks.tp_dst, 0u);  // L4 never examined
}

TEST_F(FlowFixture, Ipv6PrefixTrieOnNetworkOrderBytes) {
  ASSERT_TRUE(cls.set_prefixes({"ipv6_dst"}).ok());
  Match m;
  m.set_dl_type(kEthTypeIpv6);
  m.set_ipv6_dst_masked(v6({0x20, 0x01, 0x0d, 0xb8}), v6_prefix(32));
  FlowRule* r = add(m, 10);
  Flow pkt = make_flow();
  pkt.dl_type = kEthTypeIpv6;
  pkt.ipv6_dst = v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  FlowWildcards wc;
  EXPECT_EQ(cls.lookup(0, pkt, &wc), r);
  EXPECT_EQ(wc.masks.ipv6_dst, v6_prefix(32));
  pkt.ipv6_dst = v6({0xfe, 0x80});
  FlowWildcards wc2;
  EXPECT_EQ(cls.lookup(0, pkt, &wc2), nullptr);
  EXPECT_EQ(wc2.masks.ipv6_dst, v6_prefix(1));  // 0x20 vs 0xfe differ at bit 0
}

TEST_F(FlowFixture, LooseFindExactlyAndOverlapOnMatches) {
  Match port;
  port.set_in_port(1);
  FlowRule* a = add(port, 5);
  Match port_ip = port;
  port_ip.set_dl_type(kEthTypeIp);
  FlowRule* b = add(port_ip, 6);
  auto loose = cls.find_rules_loose(port, kVersionMax);
  EXPECT_EQ(loose.size(), 2u);
  EXPECT_EQ(cls.find_exactly(port_ip, 6, kVersionMax), b);
  EXPECT_EQ(cls.find_exactly(port_ip, 5, kVersionMax), nullptr);
  Match ip;
  ip.set_dl_type(kEthTypeIp);
  EXPECT_TRUE(cls.rule_overlaps(ip, 5, kVersionMax));
  EXPECT_FALSE(cls.rule_overlaps(ip, 7, kVersionMax));
  (void)a;
}

}  // namespace
}  // namespace grebe::classifier
