// Wire codec: decoding OVS-encoded messages (golden bytes recorded from the
// stock tool), our encode -> decode round trip, and the simple messages.
#include <gtest/gtest.h>

#include <fstream>

#include "grebe/openflow/ofp_codec.h"
#include "grebe/openflow/ofp_errors.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_print.h"

namespace grebe::openflow {
namespace {

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return out;
}

std::string golden(const char* name) { return std::string(GREBE_OPENFLOW_GOLDEN_DIR) + "/" + name; }

TEST(Codec, DecodesStockEncodedFlowMods) {
  std::ifstream in(golden("wire-flows.golden"));
  std::string line, hex;
  int n = 0, bad = 0;
  while (std::getline(in, line)) {
    if (line.rfind("HEX ", 0) == 0) {
      hex = line.substr(4);
    } else if (line.rfind("TEXT ", 0) == 0) {
      auto bytes = unhex(hex);
      std::string got = ofp_to_string(bytes.data(), bytes.size(), 0);
      std::string want = line.substr(5) + "\n";
      // Only messages carrying actions this codec decodes are compared.
      if (got.find("decode error: OFPBAC_BAD_VENDOR_TYPE") != std::string::npos) continue;
      ++n;
      if (got != want) ++bad;
      EXPECT_EQ(got, want) << hex;
    }
  }
  EXPECT_GT(n, 450);
  EXPECT_EQ(bad, 0);
}

std::vector<std::string> corpus_lines() {
  std::vector<std::string> lines;
  for (const char* name : {"seed-flows.txt", "extra-flows.txt"}) {
    std::ifstream in(golden(name));
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(Codec, EncodeDecodeRoundTripPrintsTheSame) {
  const Protocols kProtocols[] = {kPOf10Std, kPOf10StdTid, kPOf10Nxm, kPOf10NxmTid,
                                  kPOf12Oxm, kPOf13Oxm,    kPOf14Oxm, kPOf15Oxm};
  int encoded = 0;
  for (const std::string& line : corpus_lines()) {
    auto r = parse_flow_mod(line, FlowModCommand::kAdd);
    if (!r.ok()) continue;
    for (Protocols p : kProtocols) {
      if (!(r->usable & p)) continue;
      auto msg = encode_flow_mod(r->fm, p, 7);
      if (!msg.ok()) continue;  // action not carried by the codec yet
      ++encoded;
      auto back = decode_flow_mod(msg->data(), msg->size());
      ASSERT_TRUE(back.ok()) << line << ": " << back.error().message();
      Protocols pt = protocol_set_tid(p, true);
      EXPECT_EQ(format_flow_mod_message(*back, pt, 7), format_flow_mod_message(r->fm, p, 7))
          << line << " in " << protocol_to_string(p);
    }
  }
  EXPECT_GT(encoded, 800);
}

TEST(Codec, RejectsMalformedMatches) {
  // OXM tcp_dst without ip/tcp prerequisites.
  const uint8_t bad_prereq[] = {0x80, 0x00, 0x1c, 0x02, 0x00, 0x50};
  EXPECT_EQ(nx_pull_match(bad_prereq, sizeof bad_prereq).error().message(), "OFPBMC_BAD_PREREQ");
  const uint8_t unknown[] = {0x80, 0x00, 0xfe, 0x02, 0x00, 0x50};
  EXPECT_EQ(nx_pull_match(unknown, sizeof unknown).error().message(), "OFPBMC_BAD_FIELD");
  const uint8_t dup[] = {0x80, 0x00, 0x0a, 0x02, 0x08, 0x00, 0x80, 0x00, 0x0a, 0x02, 0x08, 0x00};
  EXPECT_EQ(nx_pull_match(dup, sizeof dup).error().message(), "OFPBMC_DUP_FIELD");
  const uint8_t truncated[] = {0x80, 0x00, 0x0a, 0x02, 0x08};
  EXPECT_EQ(nx_pull_match(truncated, sizeof truncated).error().message(), "OFPBMC_BAD_LEN");
  const uint8_t bad_mask[] = {0x80, 0x00, 0x0b, 0x04, 0x08, 0x00, 0xff, 0xff};  // eth_type/mask
  EXPECT_EQ(nx_pull_match(bad_mask, sizeof bad_mask).error().message(), "OFPBMC_BAD_MASK");
}

TEST(Codec, RejectsMalformedActions) {
  const uint8_t short_action[] = {0x00, 0x00, 0x00, 0x04};
  EXPECT_EQ(decode_actions(short_action, sizeof short_action, kOfp13).error().message(),
            "OFPBAC_BAD_LEN");
  const uint8_t bad_type[] = {0x00, 0x63, 0x00, 0x08, 0, 0, 0, 0};
  EXPECT_EQ(decode_actions(bad_type, sizeof bad_type, kOfp13).error().message(), "OFPBAC_BAD_TYPE");
  const uint8_t bad_inst[] = {0x00, 0x63, 0x00, 0x08, 0, 0, 0, 0};
  EXPECT_EQ(decode_instructions(bad_inst, sizeof bad_inst, kOfp13).error().message(),
            "OFPBIC_UNKNOWN_INST");
}

TEST(Msgs, HelloEchoBarrierErrorPrintAsOvs) {
  auto hello = encode_hello((1u << kOfp10) | (1u << kOfp13), 1);
  EXPECT_EQ(*decode_hello(hello.data(), hello.size()), (1u << kOfp10) | (1u << kOfp13));
  EXPECT_EQ(ofp_to_string(hello.data(), hello.size()),
            "OFPT_HELLO (OF1.3) (xid=0x1):\n version bitmap: 0x01, 0x04\n");
  auto plain = encode_hello((1u << kOfp10) | (1u << kOfp11), 2);
  EXPECT_EQ(plain.size(), 8u);  // implied bitmap: no element needed
  auto echo = encode_echo(false, kOfp10, 5, {'a', 'b'});
  EXPECT_EQ(ofp_to_string(echo.data(), echo.size(), 2),
            "OFPT_ECHO_REQUEST (xid=0x5): 2 bytes of payload\n"
            "00000000  61 62                                           |ab              |\n");
  auto barrier = encode_barrier(false, kOfp13, 9);
  EXPECT_EQ(ofp_to_string(barrier.data(), barrier.size()), "OFPT_BARRIER_REQUEST (OF1.3) (xid=0x9):\n");
  auto err = encode_error(kOfp13, "OFPBMC_BAD_PREREQ", 3, {});
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(ofp_to_string(err->data(), err->size()),
            "OFPT_ERROR (OF1.3) (xid=0x3): OFPBMC_BAD_PREREQ\nOpenFlow message is empty\n");
  EXPECT_FALSE(encode_error(kOfp10, "OFPBMC_BAD_PREREQ", 3, {}).ok());  // no OF1.0 code
  EXPECT_STREQ(ofperr_decode(kOfp10, 1, 1), "OFPBRC_BAD_TYPE");
}

TEST(Msgs, Role) {
  auto req = encode_role(false, kOfp13, 5, RoleMessage{ControllerRole::kPrimary, 7});
  EXPECT_EQ(ofp_to_string(req.data(), req.size()),
            "OFPT_ROLE_REQUEST (OF1.3) (xid=0x5): role=primary generation_id=7\n");
  auto rep = encode_role(true, kOfp13, 5, RoleMessage{ControllerRole::kEqual, ~0ull});
  EXPECT_EQ(ofp_to_string(rep.data(), rep.size()), "OFPT_ROLE_REPLY (OF1.3) (xid=0x5): role=equal\n");
  auto back = decode_role(req.data(), req.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->generation_id, 7u);
  req[11] = 9;  // no such role
  EXPECT_EQ(decode_role(req.data(), req.size()).error().message(), "OFPRRFC_BAD_ROLE");
}

TEST(Msgs, FramingErrors) {
  const uint8_t tiny[] = {0x01};
  EXPECT_EQ(ofp_to_string(tiny, 1),
            "OpenFlow packet too short (only 1 bytes):\n"
            "00000000  01                                              |.               |\n");
  const uint8_t bad_len[] = {0x04, 0x00, 0x00, 0x04, 0, 0, 0, 1};
  EXPECT_EQ(decode_header(bad_len, 8).error().message(), "OFPBRC_BAD_LEN");
  EXPECT_EQ(ofp_to_string(nullptr, 0), "OpenFlow message is empty\n");
  SwitchFeatures f;
  f.datapath_id = 1;
  f.n_tables = 254;
  f.n_buffers = 256;
  f.capabilities = 0x4f;
  auto fr = encode_features_reply(kOfp13, 5, f);
  EXPECT_EQ(ofp_to_string(fr.data(), fr.size()),
            "OFPT_FEATURES_REPLY (OF1.3) (xid=0x5): dpid:0000000000000001\n"
            "n_tables:254, n_buffers:256\n"
            "capabilities: FLOW_STATS TABLE_STATS PORT_STATS GROUP_STATS QUEUE_STATS\n");
  auto cfg = encode_set_config(kOfp13, 5, SwitchConfig{2, 128});
  EXPECT_EQ(ofp_to_string(cfg.data(), cfg.size()),
            "OFPT_SET_CONFIG (OF1.3) (xid=0x5): frags=reassemble miss_send_len=128\n");
}

}  // namespace
}  // namespace grebe::openflow
