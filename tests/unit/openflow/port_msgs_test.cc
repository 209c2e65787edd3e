// Ports, port-status and port-desc; expected text checked against stock
// "ovs-ofctl ofp-print".
#include <gtest/gtest.h>

#include "grebe/openflow/ofp_print.h"
#include "grebe/openflow/port_msgs.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/packet/flow.h"

namespace grebe::openflow {
namespace {

PhyPort sample_port() {
  PhyPort a;
  a.port_no = 1;
  a.name = "p1";
  a.hw_addr.b[5] = 1;
  a.curr = kPf10GbFd | kPfCopper;
  a.supported = kPf10GbFd;
  a.curr_speed = a.max_speed = 10000000;
  a.state = kPsLive;
  return a;
}

TEST(Ports, PortDescReplyEveryVersion) {
  PhyPort a = sample_port();
  PhyPort b = a;
  b.port_no = kOfppLocal;
  b.name = "br0";
  b.config = kPcPortDown;
  b.state = kPsLinkDown;
  b.curr = b.supported = 0;
  b.curr_speed = b.max_speed = 0;
  for (uint8_t v : {kOfp10, kOfp11, kOfp13, kOfp14, kOfp15}) {
    auto m = encode_port_desc_reply({a, b}, v, 3);
    auto ports = decode_port_desc_reply(m.data(), m.size());
    ASSERT_TRUE(ports.ok()) << int(v) << ": " << ports.error().message();
    ASSERT_EQ(ports->size(), 2u);
    EXPECT_EQ((*ports)[1].port_no, kOfppLocal);
    EXPECT_EQ((*ports)[0].name, "p1");
    std::string text = ofp_to_string(m.data(), m.size());
    std::string version = v == kOfp10 ? "" : std::string(" (") + version_to_short_string(v) + ")";
    EXPECT_EQ(text, "OFPST_PORT_DESC reply" + version +
                        " (xid=0x3):\n"
                        " 1(p1): addr:00:00:00:00:00:01\n"
                        "     config:     0\n"
                        "     state:      " + std::string(v == kOfp10 ? "0" : "LIVE") + "\n"
                        "     current:    10GB-FD COPPER\n"
                        "     supported:  10GB-FD\n"
                        "     speed: 10000 Mbps now, 10000 Mbps max\n"
                        " LOCAL(br0): addr:00:00:00:00:00:01\n"
                        "     config:     PORT_DOWN\n"
                        "     state:      LINK_DOWN\n"
                        "     speed: 0 Mbps now, 0 Mbps max\n");
  }
}

TEST(Ports, PortStatus) {
  auto m = encode_port_status(kPortDelete, sample_port(), kOfp13, 5);
  EXPECT_EQ(ofp_to_string(m.data(), m.size()),
            "OFPT_PORT_STATUS (OF1.3) (xid=0x5): DEL: 1(p1): addr:00:00:00:00:00:01\n"
            "     config:     0\n"
            "     state:      LIVE\n"
            "     current:    10GB-FD COPPER\n"
            "     supported:  10GB-FD\n"
            "     speed: 10000 Mbps now, 10000 Mbps max\n");
  auto back = decode_port_status(m.data(), m.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->reason, kPortDelete);
  // Truncated port body: an error, not a crash.
  m.resize(40);
  m[3] = 40;
  EXPECT_FALSE(decode_port_status(m.data(), m.size()).ok());
}

}  // namespace
}  // namespace grebe::openflow
