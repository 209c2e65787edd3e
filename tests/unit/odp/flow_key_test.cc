// Flow <-> datapath key conversion.  The corpus test replays OVS's
// "parse-keys" check: text -> key -> Flow -> key -> text, where the
// expected output (keys_expected.txt) is what OVS's odp.at derives from the
// input with its sed rules (fitness prefixes, fields always emitted).
#include <gtest/gtest.h>
#include <linux/openvswitch.h>

#include "corpus.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"

namespace grebe::odp {
namespace {

using testing::read_corpus;

OdpSupport test_support() {
  OdpSupport s;
  s.ct_orig_tuple = false;  // as test-odp's parse-keys
  s.ct_orig_tuple6 = false;
  return s;
}

TEST(FlowKeyCorpus, KeyToFlowToKey) {
  auto in = read_corpus("keys.txt");
  auto expected = read_corpus("keys_expected.txt");
  ASSERT_EQ(in.size(), expected.size());
  int failures = 0;
  for (size_t i = 0; i < in.size() && failures < 10; i++) {
    nl::AttrBuilder key, mask;
    ASSERT_TRUE(odp_flow_from_string(in[i], key, &mask).ok()) << in[i];
    Flow flow;
    std::string err;
    OdpKeyFitness fit = odp_flow_key_to_flow(key.bytes(), &flow, &err);
    std::string out;
    if (fit == OdpKeyFitness::kError) {
      out = "odp_flow_key_to_flow: error (" + err + ")";
    } else {
      if (fit == OdpKeyFitness::kTooLittle) out = "ODP_FIT_TOO_LITTLE: ";
      if (fit == OdpKeyFitness::kTooMuch) out = "ODP_FIT_TOO_MUCH: ";
      OdpFlowKeyParms parms;
      parms.flow = &flow;
      parms.support = test_support();
      nl::AttrBuilder again;
      odp_flow_key_from_flow(parms, again);
      out += odp_flow_key_format(again.bytes());
    }
    if (out != expected[i]) {
      ADD_FAILURE() << "in:   " << in[i] << "\nwant: " << expected[i] << "\ngot:  " << out;
      failures++;
    }
  }
}

TEST(FlowKey, DuplicateEncapIsAnErrorInOvsWords) {
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(odp_flow_from_string("encap(),encap()", key, &mask).ok());
  Flow flow;
  std::string err;
  EXPECT_EQ(odp_flow_key_to_flow(key.bytes(), &flow, &err), OdpKeyFitness::kError);
  EXPECT_EQ(err,
            "duplicate encap attribute in flow key; the flow key in error is: "
            "encap(),encap()");
}

TEST(FlowKey, MegaflowMaskRoundTrip) {
  const std::string text =
      "recirc_id(0),in_port(2),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03),"
      "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.0/255.255.255.0,proto=6,tos=0/0xfc,"
      "ttl=64,frag=no),tcp(src=1/0xf,dst=80)";
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(odp_flow_from_string(text, key, &mask).ok());
  Flow flow;
  FlowWildcards wc;
  ASSERT_EQ(odp_flow_key_to_flow(key.bytes(), &flow), OdpKeyFitness::kPerfect);
  std::string err;
  ASSERT_EQ(odp_flow_key_to_mask(mask.bytes(), &wc, flow, &err), OdpKeyFitness::kPerfect) << err;
  EXPECT_EQ(flow.in_port, 2u);
  EXPECT_EQ(flow.dl_type, 0x0800);
  EXPECT_EQ(flow.nw_src, 0x0a000001u);
  EXPECT_EQ(wc.masks.nw_dst, 0xffffff00u);
  EXPECT_EQ(wc.masks.nw_tos, 0xfc);
  EXPECT_EQ(flow.tp_dst, 80);
  EXPECT_EQ(wc.masks.tp_src, 0xf);
  EXPECT_EQ(wc.masks.nw_frag, kFlowNwFragMask);

  // Back to attributes: the same text, dump-flows style.
  OdpFlowKeyParms parms;
  parms.flow = &flow;
  parms.mask = &wc.masks;
  nl::AttrBuilder k2, m2;
  odp_flow_key_from_flow(parms, k2);
  odp_flow_key_from_mask(parms, m2);
  EXPECT_EQ(odp_flow_format(k2.bytes(), m2.bytes(), false), text);
}

TEST(FlowKey, VlanAndTunnelRoundTrip) {
  const std::string text =
      "tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(-df-csum+key)),recirc_id(0),"
      "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),"
      "vlan(vid=10,pcp=0),encap(eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1/0xff))";
  // Flow keeps only the low 8 bits of the ARP opcode, so an exact mask comes
  // back as /0xff, as in OVS.
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(odp_flow_from_string(text, key, &mask).ok());
  Flow flow;
  FlowWildcards wc;
  std::string err;
  ASSERT_EQ(odp_flow_key_to_flow(key.bytes(), &flow, &err), OdpKeyFitness::kPerfect) << err;
  ASSERT_EQ(odp_flow_key_to_mask(mask.bytes(), &wc, flow, &err), OdpKeyFitness::kPerfect) << err;
  EXPECT_EQ(flow.vlans[0].tpid, 0x8100);
  EXPECT_EQ(flow.vlans[0].tci, 0x1000 | 10);
  EXPECT_EQ(flow.dl_type, 0x0806);
  EXPECT_EQ(flow.tunnel.tun_id, 5u);
  EXPECT_EQ(flow.tunnel.ip_dst, 0x02020202u);
  OdpFlowKeyParms parms;
  parms.flow = &flow;
  parms.mask = &wc.masks;
  nl::AttrBuilder k2, m2;
  odp_flow_key_from_flow(parms, k2);
  odp_flow_key_from_mask(parms, m2);
  EXPECT_EQ(odp_flow_format(k2.bytes(), m2.bytes(), false), text);
}

TEST(FlowKey, EmptyMaskMeansExactForThePacket) {
  nl::AttrBuilder key, mask;
  ASSERT_TRUE(odp_flow_from_string("in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),"
                                   "eth_type(0x0806),arp(sip=1.1.1.1,tip=2.2.2.2,op=1,"
                                   "sha=00:00:00:00:00:01,tha=00:00:00:00:00:00)",
                                   key, &mask)
                  .ok());
  Flow flow;
  ASSERT_EQ(odp_flow_key_to_flow(key.bytes(), &flow), OdpKeyFitness::kPerfect);
  FlowWildcards wc;
  ASSERT_EQ(odp_flow_key_to_mask({}, &wc, flow), OdpKeyFitness::kPerfect);
  EXPECT_EQ(wc.masks.nw_src, UINT32_MAX);
  EXPECT_EQ(wc.masks.nw_proto, 0xff);
  EXPECT_EQ(wc.masks.in_port, UINT32_MAX);
  EXPECT_EQ(wc.masks.tp_src, 0) << "ARP has no L4";
  EXPECT_EQ(wc.masks.tunnel.ip_dst, 0u) << "no tunnel";
  EXPECT_EQ(wc.masks.regs[0], 0u) << "metadata stays wildcarded";
}

TEST(FlowKey, InPortMaskIsAllOrNothing) {
  Flow flow = make_flow(), mask = make_flow();
  flow.in_port = 3;
  flow.dl_type = 0x1234;
  mask.in_port = 0xffff;  // what an OpenFlow-port-sized exact mask looks like
  mask.dl_type = 0xffff;
  OdpFlowKeyParms parms;
  parms.flow = &flow;
  parms.mask = &mask;
  nl::AttrBuilder k, m;
  odp_flow_key_from_flow(parms, k);
  odp_flow_key_from_mask(parms, m);
  EXPECT_EQ(odp_flow_format(k.bytes(), m.bytes()), "in_port(3),eth(),eth_type(0x1234)");
}

TEST(FlowKey, FitnessVerdicts) {
  Flow flow;
  nl::AttrBuilder a;
  // IPv4 ethertype without the ipv4() attribute: too little.
  ASSERT_TRUE(odp_flow_from_string("in_port(1),eth(),eth_type(0x0800)", a, nullptr).ok());
  EXPECT_EQ(odp_flow_key_to_flow(a.bytes(), &flow), OdpKeyFitness::kTooLittle);
  // An attribute the ethertype does not call for: too much.
  nl::AttrBuilder b;
  ASSERT_TRUE(
      odp_flow_from_string("in_port(1),eth(),eth_type(0x1234),tcp(src=1,dst=2)", b, nullptr).ok());
  EXPECT_EQ(odp_flow_key_to_flow(b.bytes(), &flow), OdpKeyFitness::kTooMuch);
  // Bad length: error.
  nl::AttrBuilder c;
  c.put_u16(OVS_KEY_ATTR_IN_PORT, 1);
  std::string err;
  EXPECT_EQ(odp_flow_key_to_flow(c.bytes(), &flow, &err), OdpKeyFitness::kError);
  EXPECT_EQ(err.rfind("attribute in_port has length 2 but should have length 4", 0), 0u) << err;
  EXPECT_STREQ(odp_key_fitness_to_string(OdpKeyFitness::kTooMuch), "too_much");
}

}  // namespace
}  // namespace grebe::odp
