// OpenFlow over ssl:/pssl: with certificates made by the openssl CLI.  One
// process configuration serves both ends (same CA, one key pair).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "grebe/openflow/ofp_msgs.h"
#include "grebe/stream/ssl.h"
#include "vconn_test_util.h"

namespace grebe::vconn {
namespace {

TEST(VconnSsl, HelloEchoAndBulkOverSsl) {
  char tmpl[] = "/tmp/grebe-vconn-ssl-XXXXXX";
  std::string d = mkdtemp(tmpl);
  std::string script =
      "set -e; cd '" + d +
      "';"
      "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
      "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=ca;"
      "openssl req $ec -keyout sw.key -out sw.csr -subj /CN=sw;"
      "openssl x509 -req -in sw.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out sw.pem -days 2";
  if (std::system(("(" + script + ") >/dev/null 2>&1").c_str()) != 0) {
    std::system(("rm -rf '" + d + "'").c_str());
    GTEST_SKIP() << "openssl CLI could not generate certificates";
  }
  stream::ssl_reset();
  ASSERT_TRUE(stream::ssl_set_key_and_cert(d + "/sw.key", d + "/sw.pem").ok());
  ASSERT_TRUE(stream::ssl_set_ca_cert_file(d + "/ca.pem", false).ok());

  auto pv = PVconn::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(pv.ok()) << pv.error().to_string();
  auto client = Vconn::open("ssl:127.0.0.1:" + std::to_string((*pv)->bound_port()));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  testing::Server server(testing::accept_vconn(**pv), nullptr);
  ASSERT_TRUE((*client)->connect_block(5000).ok());
  EXPECT_EQ((*client)->version(), 6);
  // Many echoes in flight: records carry several messages, so decrypted
  // bytes wait inside the stream (recv_pending) between reads.
  for (uint32_t i = 0; i < 50; i++) {
    ASSERT_TRUE(
        (*client)
            ->send(openflow::encode_echo(false, 6, 100 + i, std::vector<uint8_t>(1000, uint8_t(i))))
            .ok());
  }
  for (uint32_t i = 0; i < 50; i++) {
    auto r = (*client)->recv_xid(100 + i);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(*r, openflow::encode_echo(true, 6, 100 + i, std::vector<uint8_t>(1000, uint8_t(i))));
  }
  client->reset();
  server.join();
  EXPECT_EQ(server.end_error(), kEof);
  stream::ssl_reset();
  std::system(("rm -rf '" + d + "'").c_str());
}

}  // namespace
}  // namespace grebe::vconn
