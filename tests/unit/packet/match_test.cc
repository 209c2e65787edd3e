#include <gtest/gtest.h>

#include "grebe/packet/match.h"

namespace grebe {
namespace {

TEST(Flow, StagesAreWordAligned) {
  EXPECT_EQ(kFlowStageEnd[0], offsetof(Flow, dl_dst) / 8);
  EXPECT_EQ(kFlowStageEnd[3], sizeof(Flow) / 8);
  EXPECT_LT(kFlowStageEnd[0], kFlowStageEnd[1]);
  EXPECT_LT(kFlowStageEnd[1], kFlowStageEnd[2]);
  EXPECT_LT(kFlowStageEnd[2], kFlowStageEnd[3]);
}

TEST(Match, SettersKeepFlowWithinMask) {
  Match m;
  m.set_nw_dst_masked(0x0a0101ff, 0xffffff00);
  EXPECT_EQ(m.flow.nw_dst, 0x0a010100u);
  EXPECT_EQ(m.wc.masks.nw_dst, 0xffffff00u);
  m.set_dl_src_masked(EthAddr{{1, 2, 3, 4, 5, 6}}, EthAddr{{0xff, 0, 0, 0, 0, 0}});
  EXPECT_EQ(m.flow.dl_src, (EthAddr{{1, 0, 0, 0, 0, 0}}));
  Match n = m;
  n.normalize();
  EXPECT_EQ(m, n);
}

TEST(Match, NormalizeZeroesUnmaskedBits) {
  Match m;
  m.flow.tp_dst = 80;
  m.flow.nw_src = 0x01020304;
  m.wc.masks.nw_src = 0xffff0000;
  m.normalize();
  EXPECT_EQ(m.flow.tp_dst, 0);
  EXPECT_EQ(m.flow.nw_src, 0x01020000u);
}

TEST(Match, VlanSemantics) {
  Match m;
  m.set_dl_vlan(101);
  EXPECT_EQ(m.flow.vlans[0].tci, 101 | kVlanCfi);
  EXPECT_EQ(m.wc.masks.vlans[0].tci, kVlanVidMask | kVlanCfi);
  m.set_dl_vlan_pcp(5);
  EXPECT_EQ(m.flow.vlans[0].tci, 101 | kVlanCfi | (5 << 13));
  EXPECT_EQ(m.wc.masks.vlans[0].tci, 0xffff);
  Match none;
  none.set_dl_vlan(0xffff);
  EXPECT_EQ(none.flow.vlans[0].tci, 0);
  EXPECT_EQ(none.wc.masks.vlans[0].tci, 0xffff);
  Match vid;
  vid.set_vlan_vid_masked(0x1000, 0x1000);  // any VLAN present
  EXPECT_EQ(vid.flow.vlans[0].tci, kVlanCfi);
  EXPECT_EQ(vid.wc.masks.vlans[0].tci, kVlanCfi);
}

TEST(Match, RegistersAndXregs) {
  Match m;
  m.set_xreg_masked(1, 0x1122334455667788ull, ~0ull);
  EXPECT_EQ(m.flow.regs[2], 0x11223344u);
  EXPECT_EQ(m.flow.regs[3], 0x55667788u);
  m.set_xxreg_masked(0, U128{1, 2}, U128{~0ull, ~0ull});
  EXPECT_EQ(m.flow.regs[1], 1u);
  EXPECT_EQ(m.flow.regs[3], 2u);
  m.set_reg_masked(99, 1, 1);  // out of range: ignored, never crashes
}

TEST(Match, MatchesAndHash) {
  Match m;
  m.set_dl_type(kEthTypeIp);
  m.set_nw_src_masked(0x0a010100, 0xffffff00);
  Flow pkt = make_flow();
  pkt.dl_type = kEthTypeIp;
  pkt.nw_src = 0x0a010177;
  pkt.tp_dst = 22;
  EXPECT_TRUE(m.matches(pkt));
  pkt.nw_src = 0x0a020177;
  EXPECT_FALSE(m.matches(pkt));
  Match same = m;
  EXPECT_EQ(m.hash(0), same.hash(0));
  same.set_tp_dst_masked(22, 0xffff);
  EXPECT_NE(m, same);
}

TEST(FlowWildcards, SetOperations) {
  FlowWildcards exact = FlowWildcards::exact();
  FlowWildcards none = FlowWildcards::catchall();
  EXPECT_TRUE(none.is_catchall());
  EXPECT_FALSE(exact.is_catchall());
  EXPECT_TRUE(exact.has_all_of(none));
  EXPECT_FALSE(none.has_all_of(exact));
  EXPECT_EQ(FlowWildcards::intersect(exact, none), none);
  EXPECT_EQ(FlowWildcards::unite(exact, none), exact);
  EXPECT_EQ(exact.masks.pad1, 0);
}

}  // namespace
}  // namespace grebe
