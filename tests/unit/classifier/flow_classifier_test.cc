// The classifier over real Flows and Matches.
#include "grebe/classifier/flow_classifier.h"

#include <gtest/gtest.h>

#include <memory>

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
    for (auto& r : rules) {
      if (r->in_classifier()) (void)cls.remove(r.get());
    }
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
  EXPECT_TRUE(c.set_prefixes({"tunnel_id", "tun_ipv6_src", "ct_ipv6_dst"}).ok());
  EXPECT_EQ(c.prefix_fields(), (std::vector<std::string>{"tun_id", "tun_ipv6_src", "ct_ipv6_dst"}));
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

TEST_F(FlowFixture, TunIdPrefixTrie) {
  ASSERT_TRUE(cls.set_prefixes({"tun_id"}).ok());
  Match m;
  m.set_tun_id_masked(0xab00000000000000ull, 0xff00000000000000ull);
  FlowRule* r = add(m, 10);
  Flow pkt = make_flow();
  pkt.tunnel.tun_id = 0xab12345600000000ull;
  FlowWildcards wc;
  EXPECT_EQ(cls.lookup(0, pkt, &wc), r);
  EXPECT_EQ(wc.masks.tunnel.tun_id, 0xff00000000000000ull);
  pkt.tunnel.tun_id = 0x1;  // top bit already differs from 0xab...
  FlowWildcards wc2;
  EXPECT_EQ(cls.lookup(0, pkt, &wc2), nullptr);
  EXPECT_EQ(wc2.masks.tunnel.tun_id, 0x8000000000000000ull);
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

// OVS tests/classifier.at "flow classifier - prefix lookup": the megaflow
// bits the classifier contributes must equal OVS's (xlate adds recirc_id,
// eth and nw_frag on top).
struct OvsPrefixLookup : FlowFixture {
  void add_tcp(uint32_t in_port, int pri, uint32_t dst, uint32_t dst_mask, int tp_src = -1,
               int tp_dst = -1) {
    Match m;
    m.set_in_port(in_port);
    m.set_dl_type(kEthTypeIp);
    m.set_nw_proto(6);
    m.set_nw_dst_masked(dst, dst_mask);
    if (tp_src >= 0) m.set_tp_src_masked(static_cast<uint16_t>(tp_src), 0xffff);
    if (tp_dst >= 0) m.set_tp_dst_masked(static_cast<uint16_t>(tp_dst), 0xffff);
    add(m, pri);
  }
  void add_ip(uint32_t in_port) {
    Match m;
    m.set_in_port(in_port);
    m.set_dl_type(kEthTypeIp);
    add(m, 0);
  }
  void SetUp() override {
    add_tcp(1, 16, 0x0a010000, 0xffff0000);
    add_tcp(1, 32, 0x0a010200, 0xffffff00, 79);
    add_tcp(1, 33, 0x0a01020f, 0xffffffff, -1, 80);
    add_tcp(1, 33, 0x0a01020f, 0xffffffff, -1, 8080);
    add_tcp(1, 33, 0x0a01020f, 0xffffffff, -1, 192);
    add_ip(1);
    add_tcp(2, 16, 0xc0a80000, 0xffff0000);
    add_ip(2);
    Match m3;
    m3.set_in_port(3);
    m3.set_dl_type(kEthTypeIp);
    m3.set_nw_proto(6);
    m3.set_nw_src_masked(0x0a010000, 0xffff0000);
    add(m3, 16);
    add_ip(3);
  }
  // Looks up the trace's packet and returns the classifier's megaflow.
  FlowWildcards trace(uint32_t in_port, uint32_t nw_dst, uint16_t tp_dst, int* pri) {
    Flow f = make_flow();
    f.in_port = in_port;
    f.dl_type = kEthTypeIp;
    f.nw_src = 0xc0a80001;
    f.nw_dst = nw_dst;
    f.nw_proto = 6;
    f.nw_ttl = 128;
    f.tp_src = 8;
    f.tp_dst = tp_dst;
    FlowWildcards wc;
    const Rule* r = cls.lookup(0, f, &wc);
    *pri = r ? r->priority() : -1;
    return wc;
  }
  // The expected megaflow: in_port, tcp (dl_type + nw_proto) and the rest.
  static FlowWildcards tcp_wc(uint32_t nw_dst_mask, uint16_t tp_src_mask, uint16_t tp_dst_mask) {
    FlowWildcards wc;
    wc.masks.in_port = 0xffffffff;
    wc.masks.dl_type = 0xffff;
    wc.masks.nw_proto = 0xff;
    wc.masks.nw_dst = nw_dst_mask;
    wc.masks.tp_src = tp_src_mask;
    wc.masks.tp_dst = tp_dst_mask;
    return wc;
  }
};

TEST_F(OvsPrefixLookup, MegaflowsMatchOvs) {
  int pri;
  // Default tries (nw_dst, nw_src).
  EXPECT_EQ(trace(1, 0xc0a80002, 80, &pri), tcp_wc(0xffff0000, 0, 0));
  EXPECT_EQ(pri, 0);
  ASSERT_TRUE(cls.set_prefixes({"nw_dst"}).ok());
  EXPECT_EQ(trace(1, 0xc0a80002, 80, &pri), tcp_wc(0xffff0000, 0, 0));
  EXPECT_EQ(pri, 0);
  EXPECT_EQ(trace(2, 0xc0a80002, 80, &pri), tcp_wc(0xffff0000, 0, 0));
  EXPECT_EQ(pri, 16);
  EXPECT_EQ(trace(1, 0x0a01020f, 80, &pri), tcp_wc(0xffffffff, 0, 0xffff));
  EXPECT_EQ(pri, 33);
  // tp_src=0x0/0xffc0,tp_dst=0x40/0xfff0: the ports tries at work.
  EXPECT_EQ(trace(1, 0x0a01020f, 79, &pri), tcp_wc(0xffffffff, 0xffc0, 0xfff0));
  EXPECT_EQ(pri, 16);
  ASSERT_TRUE(cls.set_prefixes({"none"}).ok());
  EXPECT_EQ(trace(1, 0x0a010310, 79, &pri), tcp_wc(0xffffffff, 0, 0));
  EXPECT_EQ(pri, 16);
}

// OVS tests/classifier.at "lookup segmentation".
struct OvsSegmentation : OvsPrefixLookup {
  void SetUp() override {
    add_tcp(1, 16, 0x0a010000, 0xffff0000);
    add_tcp(1, 32, 0x0a01020f, 0xffffffff);
    add_tcp(1, 33, 0x0a01020f, 0xffffffff, -1, 80);
    add_ip(1);
    add_tcp(2, 16, 0xc0a80000, 0xffff0000);
    add_ip(2);
    Match m3;
    m3.set_in_port(3);
    m3.set_dl_type(kEthTypeIp);
    m3.set_nw_proto(6);
    m3.set_nw_src_masked(0x0a010000, 0xffff0000);
    add(m3, 16);
    add_ip(3);
  }
};

TEST_F(OvsSegmentation, MegaflowsMatchOvs) {
  int pri;
  EXPECT_EQ(trace(2, 0xc0a80002, 80, &pri), tcp_wc(0xffff0000, 0, 0));
  EXPECT_EQ(pri, 16);
  // "ip,in_port=1,nw_dst=11.0.0.0/8": the tries skip every tcp subtable
  // before nw_proto is looked at.
  FlowWildcards ip_wc = tcp_wc(0xff000000, 0, 0);
  ip_wc.masks.nw_proto = 0;
  EXPECT_EQ(trace(1, 0x0b01020f, 80, &pri), ip_wc);
  EXPECT_EQ(pri, 0);
  EXPECT_EQ(trace(1, 0x0a01020f, 80, &pri), tcp_wc(0xffffffff, 0, 0xffff));
  EXPECT_EQ(pri, 33);
  EXPECT_EQ(trace(1, 0x0a01020f, 79, &pri), tcp_wc(0xffffffff, 0, 0xfff0));
  EXPECT_EQ(pri, 32);
}

// OVS tests/classifier.at "lookup segmentation - final stage": tcp_flags
// and the ports share the last stage, so a miss there pins tcp_flags fully
// and the ports only as far as the ports trie needs.
TEST_F(FlowFixture, FinalStageMegaflowsMatchOvs) {
  Match m;
  m.set_in_port(1);
  m.set_dl_type(kEthTypeIp);
  m.set_nw_proto(6);
  m.set_tp_dst_masked(80, 0xffff);
  m.set_tcp_flags_masked(0x008, 0x008);  // +psh
  add(m, 33);
  Match ip;
  ip.set_in_port(1);
  ip.set_dl_type(kEthTypeIp);
  add(ip, 0);
  Match ct;  // table 1 of the OVS test: added below, alone
  ct.set_in_port(3);
  ct.set_ct_state_masked(kCsTracked | kCsReplyDir, kCsTracked | kCsReplyDir);
  ct.set_masked(&Flow::ct_nw_proto, uint8_t{6}, uint8_t{0xff});
  ct.set_masked(&Flow::ct_tp_src, uint16_t{3}, uint16_t{1});
  ct.set_dl_type(kEthTypeIp);
  ct.set_nw_proto(6);
  ct.set_tp_dst_masked(80, 0xffff);
  ct.set_tcp_flags_masked(0x008, 0x008);

  auto trace = [&](uint32_t in_port, uint16_t tp_dst, uint16_t flags, int* pri) {
    Flow f = make_flow();
    f.in_port = in_port;
    f.dl_type = kEthTypeIp;
    f.nw_src = 0xc0a80001;
    f.nw_dst = 0xc0a80002;
    f.nw_proto = 6;
    f.nw_ttl = 128;
    f.tp_src = 8;
    f.tp_dst = tp_dst;
    f.tcp_flags = flags;
    f.ct_state = kCsTracked | kCsReplyDir;
    f.ct_nw_proto = 6;
    f.ct_tp_src = 3;
    FlowWildcards wc;
    const Rule* r = cls.lookup(0, f, &wc);
    *pri = r ? r->priority() : -1;
    return wc;
  };
  auto want = [](uint16_t tp_dst_mask) {
    FlowWildcards wc;
    wc.masks.in_port = 0xffffffff;
    wc.masks.dl_type = 0xffff;
    wc.masks.nw_proto = 0xff;
    wc.masks.tp_dst = tp_dst_mask;
    wc.masks.tcp_flags = 0x008;
    return wc;
  };
  int pri;
  EXPECT_EQ(trace(1, 80, 0x002, &pri), want(0xffff));  // syn
  EXPECT_EQ(pri, 0);
  EXPECT_EQ(trace(1, 80, 0x012, &pri), want(0xffff));  // syn|ack
  EXPECT_EQ(pri, 0);
  EXPECT_EQ(trace(1, 80, 0x018, &pri), want(0xffff));  // ack|psh
  EXPECT_EQ(pri, 33);
  EXPECT_EQ(trace(1, 79, 0, &pri), want(0xfff0));  // tp_dst=0x40/0xfff0
  EXPECT_EQ(pri, 0);
  EXPECT_EQ(trace(1, 81, 0, &pri), want(0xffff));  // 81 vs 80: last bit
  EXPECT_EQ(pri, 0);

  // The ports trie must not touch ct_tp_src, which shares their word.
  for (auto& r : rules) ASSERT_TRUE(cls.remove(r.get()));
  add(ct, 45);
  Match ip3;
  ip3.set_in_port(3);
  ip3.set_dl_type(kEthTypeIp);
  add(ip3, 10);
  FlowWildcards ct_want = want(0xfff0);
  ct_want.masks.in_port = 0xffffffff;
  ct_want.masks.ct_state = kCsTracked | kCsReplyDir;
  ct_want.masks.ct_nw_proto = 0xff;
  ct_want.masks.ct_tp_src = 1;
  EXPECT_EQ(trace(3, 79, 0x008, &pri), ct_want);
  EXPECT_EQ(pri, 10);
  FlowWildcards hit = ct_want;
  hit.masks.tp_dst = 0xffff;
  EXPECT_EQ(trace(3, 80, 0x008, &pri), hit);
  EXPECT_EQ(pri, 45);
}

}  // namespace
}  // namespace grebe::classifier
