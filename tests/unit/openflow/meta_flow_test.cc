#include <gtest/gtest.h>

#include <set>
#include <string>

#include "grebe/openflow/meta_flow.h"

namespace grebe::openflow {
namespace {

TEST(MetaFlow, NamesAndAliasesResolve) {
  EXPECT_EQ(mf_from_name("dl_src"), mf_from_name("eth_src"));
  EXPECT_EQ(mf_from_name("nw_dst"), mf_from_name("ip_dst"));
  EXPECT_EQ(mf_from_code_name("NXM_OF_ETH_SRC"), mf_from_name("eth_src"));
  EXPECT_EQ(mf_from_code_name("OXM_OF_ETH_SRC"), mf_from_name("eth_src"));
  EXPECT_EQ(mf_from_code_name("NXM_NX_REG7")->id, MfId::kReg7);
  EXPECT_EQ(mf_from_code(0x8000, 4, 0), mf_from_name("eth_src"));
  EXPECT_EQ(mf_from_name("no_such_field"), nullptr);
}

TEST(MetaFlow, TableIsConsistent) {
  std::set<std::string> names;
  for (const MfField* f = mf_begin(); f != mf_end(); ++f) {
    EXPECT_TRUE(names.insert(f->name).second) << "duplicate " << f->name;
    EXPECT_LE(f->n_bits, f->n_bytes * 8) << f->name;
    EXPECT_GE(f->n_bytes, 1) << f->name;
    EXPECT_LE(f->offset + f->width, sizeof(Flow)) << f->name;
  }
  EXPECT_GT(names.size(), 100u);
}

TEST(MetaFlow, SetAndGetRoundTripEveryField) {
  for (const MfField* f = mf_begin(); f != mf_end(); ++f) {
    Match m;
    MfValue v = MfValue::ones(*f);
    if (f->id == MfId::kDlVlan || f->id == MfId::kVlanVid || f->id == MfId::kDlVlanPcp ||
        f->id == MfId::kVlanPcp || f->id == MfId::kInPortOxm || f->id == MfId::kIpFrag)
      continue;  // these have their own semantics, covered below
    mf_set(*f, v, MfValue::ones(*f), m);
    EXPECT_FALSE(mf_get_value(*f, m.flow).is_zero(*f)) << f->name;
    EXPECT_FALSE(mf_is_all_wild(*f, m.wc)) << f->name;
    mf_set_wild(*f, m);
    EXPECT_TRUE(mf_is_all_wild(*f, m.wc)) << f->name;
  }
}

TEST(MetaFlow, ParseAndFormatValues) {
  const MfField& ip = *mf_from_name("nw_src");
  auto r = mf_parse(ip, "10.1.2.3/24");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mask.to_u64(ip), 0xffffff00u);
  EXPECT_EQ(mf_format(ip, r->value, &r->mask), "10.1.2.3/24");
  const MfField& tcp_flags = *mf_from_name("tcp_flags");
  auto t = mf_parse(tcp_flags, "+syn-ack");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->value.to_u64(tcp_flags), 0x002u);
  EXPECT_EQ(t->mask.to_u64(tcp_flags), 0x012u);
  EXPECT_EQ(mf_format(tcp_flags, t->value, &t->mask), "+syn-ack");
  const MfField& ct = *mf_from_name("ct_state");
  auto c = mf_parse(ct, "+trk+new");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->value.to_u64(ct), 0x21u);
  const MfField& frag = *mf_from_name("nw_frag");
  auto fr = mf_parse(frag, "later");
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(mf_format(frag, fr->value, &fr->mask), "later");
  const MfField& mac = *mf_from_name("dl_dst");
  EXPECT_EQ(mf_parse(mac, "zz").error().message(), "zz: invalid Ethernet address");
  const MfField& reg = *mf_from_name("reg0");
  EXPECT_EQ(mf_parse(reg, "0x123456789").error().message(),
            "0x123456789: value too large for 4-byte field reg0");
  const MfField& port = *mf_from_name("in_port");
  auto lp = mf_parse(port, "LOCAL");
  ASSERT_TRUE(lp.ok());
  EXPECT_EQ(lp->value.to_u64(port), kOfppLocal);
}

TEST(MetaFlow, UsableProtocols) {
  const MfField& ip = *mf_from_name("nw_src");
  EXPECT_EQ(mf_usable_protocols_exact(ip), kPAny);
  EXPECT_EQ(mf_usable_protocols_cidr(ip), kPAny);
  EXPECT_EQ(mf_usable_protocols_bitwise(ip), kPNxmOf11Up);
  const MfField& reg = *mf_from_name("reg3");
  EXPECT_EQ(mf_usable_protocols_exact(reg), kPNxmOxmAny);
}

TEST(MetaFlow, Prerequisites) {
  Flow f = make_flow();
  const MfField& tp = *mf_from_name("tcp_dst");
  EXPECT_FALSE(mf_are_prereqs_ok(tp, f));
  f.dl_type = kEthTypeIp;
  f.nw_proto = kIpProtoTcp;
  EXPECT_TRUE(mf_are_prereqs_ok(tp, f));
  EXPECT_FALSE(mf_are_prereqs_ok(*mf_from_name("udp_dst"), f));
}

}  // namespace
}  // namespace grebe::openflow
