#include <gtest/gtest.h>

#include "grebe/openflow/ofp_port.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/openflow/text_util.h"
#include "grebe/packet/flow.h"

namespace grebe::openflow {
namespace {

TEST(TextUtil, KeyValueSplitting) {
  std::string_view s = "a=1, b:2 c(x,(y)),d(1)->e,f", k, v;
  std::vector<std::pair<std::string, std::string>> got;
  while (parse_key_value(s, k, v)) got.emplace_back(k, v);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(got[1], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(got[2], (std::pair<std::string, std::string>{"c", "x,(y)"}));
  EXPECT_EQ(got[3], (std::pair<std::string, std::string>{"d", "1)->e"}));
  EXPECT_EQ(got[4], (std::pair<std::string, std::string>{"f", ""}));
}

TEST(TextUtil, Addresses) {
  EXPECT_EQ(format_ip4_masked(0x0a000000, 0xff000000), "10.0.0.0/8");
  EXPECT_EQ(format_ip4_masked(0x0a000000, 0xff00ff00), "10.0.0.0/255.0.255.0");
  EXPECT_EQ(parse_ip4_masked("1.2.3.4/33").error().message(),
            "1.2.3.4/33: IPv4 network prefix bits not between 0 and 32, inclusive");
  auto v6 = parse_ip6_masked("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(format_ip6_masked(v6->first, v6->second), "2001:db8::/32");
  EXPECT_EQ(format_eth(*parse_eth("0:1:2:a:b:c")), "00:01:02:0a:0b:0c");
  EXPECT_FALSE(parse_eth("00:01:02:03:04").has_value());
}

TEST(TextUtil, HexAndFlags) {
  uint8_t b[4] = {0, 0, 0x1, 0x23};
  EXPECT_EQ(format_hex(b, 4), "0x123");
  uint8_t z[2] = {0, 0};
  EXPECT_EQ(format_hex(z, 2), "0");
  EXPECT_EQ(format_flags_masked(ct_state_flag_name, 0x21, 0x21, 0xff), "+new+trk");
  EXPECT_EQ(format_flags(tcp_flag_name, 0x12, '|'), "syn|ack");
  EXPECT_EQ(parse_flags("+syn+syn", tcp_flag_name, "TCP", 0xfff).error().message(),
            "syn: Each TCP flag can be specified only once");
}

TEST(Protocols, NamesAsOvs) {
  EXPECT_EQ(protocols_to_string(kPAny), "any");
  EXPECT_EQ(protocols_to_string(kPOf10StdTid | kPOf10NxmTid | kPOf11Std | kPAnyOxm),
            "OXM,OpenFlow10+table_id,NXM+table_id,OpenFlow11");
  EXPECT_EQ(protocols_to_string(0), "none");
  EXPECT_EQ(*protocols_from_string("NXM,OXM-OpenFlow13"), kPOf10NxmAny | kPOf13Oxm);
  EXPECT_EQ(protocols_from_string("bogus").error().message(), "bogus: unknown flow protocol");
  EXPECT_EQ(*versions_from_string("OpenFlow10,OpenFlow13"), (1u << 1) | (1u << 4));
}

TEST(Ports, NamesNumbersAndMaps) {
  EXPECT_EQ(*port_from_string("LOCAL", nullptr), kOfppLocal);
  EXPECT_EQ(*port_from_string("controller", nullptr), kOfppController);
  EXPECT_EQ(*port_from_string("4294967294", nullptr), kOfppLocal);  // OF1.1 LOCAL
  EXPECT_FALSE(port_from_string("p1", nullptr).has_value());
  PortMap map;
  map.add("p1", 1);
  map.add("weird name", 2);
  EXPECT_EQ(*port_from_string("p1", &map), 1u);
  EXPECT_EQ(*port_from_string("\"weird name\"", &map), 2u);
  EXPECT_EQ(format_port(2, &map), "\"weird name\"");
  EXPECT_EQ(format_port(0xfffd, &map), "CONTROLLER");
  EXPECT_EQ(format_port(7, nullptr), "7");
}

}  // namespace
}  // namespace grebe::openflow
