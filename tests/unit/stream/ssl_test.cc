// SSL streams with certificates generated at test time by the openssl CLI.
//
// The SSL configuration is process-wide (as in OVS), so a peer that needs a
// different configuration runs in a forked child: the listener is opened
// first and inherited, and each session snapshots the configuration current
// when it is created.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "grebe/event/event_loop.h"
#include "grebe/stream/ssl.h"
#include "grebe/stream/stream.h"
#include "stream_test_util.h"

namespace grebe::stream {
namespace {

using testing::recv_n;
using testing::send_all;
using testing::TempDir;

class SslTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const std::string d = dir_->path();
    std::string script =
        "set -e; cd '" + d + "';"
        "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
        "for ca in ca other; do"
        "  openssl req -x509 $ec -keyout $ca-ca.key -out $ca-ca.pem -days 2 -subj /CN=$ca-ca;"
        "done;"
        "mk() { openssl req $ec -keyout $1.key -out $1.csr -subj /CN=$1;"
        "  openssl x509 -req -in $1.csr -CA $2-ca.pem -CAkey $2-ca.key -CAcreateserial"
        "    -out $1.pem -days 2; };"
        "mk server ca; mk client ca; mk rogue other";
    have_openssl_ = std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!have_openssl_) GTEST_SKIP() << "openssl CLI could not generate certificates";
    ssl_reset();
  }
  void TearDown() override { ssl_reset(); }

  static std::string file(const std::string& name) { return dir_->path() + "/" + name; }

  // Configures this process as `who` ("server", "client", "rogue") trusting `ca`.
  static void configure(const std::string& who, const std::string& ca) {
    ASSERT_TRUE(ssl_set_key_and_cert(file(who + ".key"), file(who + ".pem")).ok());
    ASSERT_TRUE(ssl_set_ca_cert_file(file(ca), false).ok());
  }

  static TempDir* dir_;
  static bool have_openssl_;
};

TempDir* SslTest::dir_ = nullptr;
bool SslTest::have_openssl_ = false;

// Runs connect() to completion, waiting as the stream asks.
Status handshake(Stream& s) {
  for (int i = 0; i < 1000; i++) {
    Status st = s.connect();
    if (st.ok() || !st.error().would_block()) return st;
    Status w = wait_blocking(s, Stream::Op::kConnect, 5000);
    if (!w.ok()) return w;
  }
  return Error(ETIMEDOUT, "handshake did not finish");
}

Result<std::unique_ptr<Stream>> accept_and_handshake(PassiveStream& ps) {
  for (;;) {
    auto s = ps.accept();
    if (s.ok()) {
      Status h = handshake(**s);
      if (!h.ok()) return h.take_error();
      return s;
    }
    if (!s.error().would_block()) return s;
    GREBE_TRY(wait_blocking(ps, 5000));
  }
}

// In a child: accepts `n` connections and echoes 5 bytes on each.  Exits 0
// if every handshake succeeded, 1 otherwise.
[[noreturn]] void serve_and_exit(PassiveStream& ps, int n) {
  int failures = 0;
  for (int i = 0; i < n; i++) {
    auto s = accept_and_handshake(ps);
    if (!s.ok()) {
      failures++;
      continue;
    }
    // Quietly (no gtest assertions in a child): echo up to 5 bytes.
    char buf[5];
    size_t got = 0;
    while (got < sizeof buf) {
      auto r = (*s)->recv(buf + got, sizeof buf - got);
      if (r.ok() && *r > 0) {
        got += *r;
      } else if (r.ok() || !r.error().would_block() ||
                 !wait_blocking(**s, Stream::Op::kRecv, 5000).ok()) {
        break;
      }
    }
    size_t sent = 0;
    while (sent < got) {
      auto r = (*s)->send(buf + sent, got - sent);
      if (r.ok()) {
        sent += *r;
      } else if (!r.error().would_block() ||
                 !wait_blocking(**s, Stream::Op::kSend, 5000).ok()) {
        break;
      }
    }
  }
  _exit(failures ? 1 : 0);
}

int wait_child(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(SslTest, NotConfiguredFailsInOvsWords) {
  auto s = Stream::open("ssl:127.0.0.1:6653");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ENOPROTOOPT);
  EXPECT_EQ(s.error().message(), "Private key must be configured to use SSL");
  auto p = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ENOPROTOOPT);
  ASSERT_TRUE(ssl_set_key_and_cert(file("client.key"), file("client.pem")).ok());
  EXPECT_EQ(Stream::open("ssl:127.0.0.1:6653").error().message(),
            "CA certificate must be configured to use SSL");
  EXPECT_FALSE(ssl_set_private_key_file(file("missing.key")).ok());
}

TEST_F(SslTest, ExchangeDataWithVerifiedPeer) {
  configure("server", "ca-ca.pem");
  auto ps = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  uint16_t port = (*ps)->bound_port();
  EXPECT_EQ((*ps)->name(), "pssl:" + std::to_string(port) + ":127.0.0.1");

  auto c = Stream::open("ssl:127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  auto server = (*ps)->accept();
  for (int i = 0; i < 100 && !server.ok() && server.error().would_block(); i++) {
    ASSERT_TRUE(wait_blocking(**ps, 5000).ok());
    server = (*ps)->accept();
  }
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  EXPECT_EQ((*server)->name(), "ssl:127.0.0.1:" + std::to_string((*c)->local_port()));

  // Both handshakes must progress together: drive them alternately.
  Status cs = Error(EAGAIN), ss = Error(EAGAIN);
  for (int i = 0; i < 1000 && ((!cs.ok() && cs.error().would_block()) ||
                               (!ss.ok() && ss.error().would_block()));
       i++) {
    cs = (*c)->connect();
    ss = (*server)->connect();
  }
  ASSERT_TRUE(cs.ok()) << cs.error().to_string();
  ASSERT_TRUE(ss.ok()) << ss.error().to_string();
  EXPECT_EQ((*c)->peer_id(), "server");
  EXPECT_EQ((*server)->peer_id(), "server");

  std::string big(300'000, 'x');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>('a' + i % 26);
  pid_t pid = fork();
  if (pid == 0) {
    send_all(**server, big);  // in the child so neither side blocks the other
    _exit(0);
  }
  EXPECT_EQ(recv_n(**c, big.size()), big);
  EXPECT_EQ(wait_child(pid), 0);
  send_all(**c, "bye");
  EXPECT_EQ(recv_n(**server, 3), "bye");
  c->reset();
  char buf[4];
  Result<size_t> eof = Error(EAGAIN);
  while (!eof.ok() && eof.error().would_block()) {
    ASSERT_TRUE(wait_blocking(**server, Stream::Op::kRecv, 5000).ok());
    eof = (*server)->recv(buf, sizeof buf);
  }
  ASSERT_TRUE(eof.ok()) << eof.error().to_string();
  EXPECT_EQ(*eof, 0u);
}

// Both ends non-blocking on one EventLoop, each waiting only for what its
// stream's poll_events() asks: handshake, then 4 MB read in small pieces.
TEST_F(SslTest, BulkTransferDrivenByEventLoop) {
  configure("server", "ca-ca.pem");
  auto ps = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(ps.ok());
  auto c = Stream::open("ssl:127.0.0.1:" + std::to_string((*ps)->bound_port()));
  ASSERT_TRUE(c.ok());
  Stream& client = **c;
  std::unique_ptr<Stream> server;

  std::string data(4 << 20, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>(i * 31 + (i >> 11));
  std::string received;
  size_t sent = 0;
  bool failed = false;
  event::EventLoop loop;

  // Re-registers `s`'s watch for what `op` needs next.
  auto rewatch = [&loop](event::WatchId& w, Stream& s, Stream::Op op,
                         std::function<void(uint32_t)> cb) {
    loop.unwatch_fd(w);
    w = loop.watch_fd(s.fd(), s.poll_events(op), std::move(cb));
  };
  event::WatchId sw = 0, cw = 0;
  std::function<void(uint32_t)> on_server = [&](uint32_t) {
    Status h = server->connect();
    if (!h.ok() && !h.error().would_block()) {
      failed = true;
      return loop.stop();
    }
    Stream::Op op = h.ok() ? Stream::Op::kRecv : Stream::Op::kConnect;
    if (h.ok()) {
      char buf[1000];  // smaller than a TLS record: exercises buffered data
      for (;;) {
        auto n = server->recv(buf, sizeof buf);
        if (!n.ok()) {
          if (!n.error().would_block()) failed = true;
          break;
        }
        if (*n == 0) break;
        received.append(buf, *n);
      }
      if (failed || received.size() == data.size()) return loop.stop();
    }
    rewatch(sw, *server, op, on_server);
  };
  std::function<void(uint32_t)> on_client = [&](uint32_t) {
    Status h = client.connect();
    if (!h.ok() && !h.error().would_block()) {
      failed = true;
      return loop.stop();
    }
    Stream::Op op = h.ok() ? Stream::Op::kSend : Stream::Op::kConnect;
    while (h.ok() && sent < data.size()) {
      auto n = client.send(data.data() + sent, std::min<size_t>(data.size() - sent, 100'000));
      if (!n.ok()) {
        if (!n.error().would_block()) failed = true;
        break;
      }
      sent += *n;
    }
    if (sent == data.size()) {
      loop.unwatch_fd(cw);
      cw = 0;
      return;
    }
    rewatch(cw, client, op, on_client);
  };
  event::WatchId lw = loop.watch_fd((*ps)->fd(), event::kReadable, [&](uint32_t) {
    auto s = (*ps)->accept();
    if (!s.ok()) return;
    server = std::move(*s);
    loop.unwatch_fd(lw);
    on_server(0);
  });
  on_client(0);
  testing::run_until_stopped(loop, [&] { return sent + received.size(); });
  EXPECT_FALSE(failed);
  EXPECT_EQ(sent, data.size());
  EXPECT_TRUE(received == data) << received.size();
}

TEST_F(SslTest, PeerFromWrongCaIsRejected) {
  configure("client", "ca-ca.pem");
  auto ps = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  pid_t pid = fork();
  if (pid == 0) {
    ssl_reset();
    if (!ssl_set_key_and_cert(file("rogue.key"), file("rogue.pem")).ok() ||
        !ssl_set_ca_cert_file(file("other-ca.pem"), false).ok()) {
      _exit(2);
    }
    serve_and_exit(**ps, 1);
  }
  auto c = Stream::open("ssl:127.0.0.1:" + std::to_string((*ps)->bound_port()));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  Status h = handshake(**c);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), EPROTO);
  EXPECT_NE(h.error().message().find("certificate verify failed"), std::string::npos)
      << h.error().message();
  // The failure is sticky.
  EXPECT_EQ((*c)->connect().error().code(), EPROTO);
  char buf[1];
  EXPECT_EQ((*c)->recv(buf, 1).error().code(), EPROTO);
  EXPECT_EQ(wait_child(pid), 1);  // the child's handshake failed too
}

TEST_F(SslTest, ChangedCaFileIsReReadOnNextOpen) {
  std::string ca = file("changing-ca.pem");
  std::system(("cp '" + file("other-ca.pem") + "' '" + ca + "'").c_str());
  ASSERT_TRUE(ssl_set_key_and_cert(file("client.key"), file("client.pem")).ok());
  ASSERT_TRUE(ssl_set_ca_cert_file(ca, false).ok());
  auto ps = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(ps.ok());
  pid_t pid = fork();
  if (pid == 0) {
    ssl_reset();
    if (!ssl_set_key_and_cert(file("server.key"), file("server.pem")).ok() ||
        !ssl_set_ca_cert_file(file("ca-ca.pem"), false).ok()) {
      _exit(2);
    }
    serve_and_exit(**ps, 2);  // first fails, second succeeds
  }
  std::string port = std::to_string((*ps)->bound_port());
  auto first = Stream::open("ssl:127.0.0.1:" + port);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(handshake(**first).ok());  // server's CA is not trusted yet
  first->reset();

  // Replace the file (new mtime): trusted from the next open on.
  std::system(("cp '" + file("ca-ca.pem") + "' '" + ca + ".new' && mv '" + ca + ".new' '" +
               ca + "'").c_str());
  auto second = Stream::open("ssl:127.0.0.1:" + port);
  ASSERT_TRUE(second.ok());
  Status h = handshake(**second);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  send_all(**second, "hello");
  EXPECT_EQ(recv_n(**second, 5), "hello");
  EXPECT_EQ(wait_child(pid), 1);  // one of its two handshakes failed
}

TEST_F(SslTest, BootstrapCaCertFromFirstConnection) {
  auto ps = [&] {
    configure("server", "ca-ca.pem");
    return PassiveStream::open("pssl:0:127.0.0.1");
  }();
  ASSERT_TRUE(ps.ok());
  pid_t pid = fork();
  if (pid == 0) {
    // The server sends its CA cert along so that clients can bootstrap.
    if (!ssl_set_peer_ca_cert_file(file("ca-ca.pem")).ok()) _exit(2);
    serve_and_exit(**ps, 2);
  }
  ssl_reset();
  std::string saved = file("bootstrapped-ca.pem");
  ASSERT_TRUE(ssl_set_key_and_cert(file("client.key"), file("client.pem")).ok());
  ASSERT_TRUE(ssl_set_ca_cert_file(saved, true).ok());
  std::string port = std::to_string((*ps)->bound_port());

  auto first = Stream::open("ssl:127.0.0.1:" + port);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  Status h1 = handshake(**first);
  ASSERT_FALSE(h1.ok());
  EXPECT_EQ(h1.error().code(), EPROTO);
  first->reset();
  std::ifstream in(saved);
  std::stringstream got;
  got << in.rdbuf();
  std::ifstream ca_in(file("ca-ca.pem"));
  std::stringstream want;
  want << ca_in.rdbuf();
  EXPECT_EQ(got.str(), want.str());

  auto second = Stream::open("ssl:127.0.0.1:" + port);
  ASSERT_TRUE(second.ok());
  Status h2 = handshake(**second);
  ASSERT_TRUE(h2.ok()) << h2.error().to_string();
  send_all(**second, "boots");
  EXPECT_EQ(recv_n(**second, 5), "boots");
  EXPECT_EQ(wait_child(pid), 0);  // server side: both handshakes completed
}

// Interoperability: the stock ovsdb-client (OVS 3.1, its own OpenSSL
// setup) talks JSON-RPC over TLS to our pssl: listener, each side verifying
// the other's certificate.
TEST_F(SslTest, StockOvsdbClientConnectsToOurListener) {
  if (std::system("command -v ovsdb-client >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "stock ovsdb-client not installed";
  }
  configure("server", "ca-ca.pem");
  auto ps = PassiveStream::open("pssl:0:127.0.0.1");
  ASSERT_TRUE(ps.ok()) << ps.error().to_string();
  std::string cmd = "timeout 10 ovsdb-client --private-key=" + file("client.key") +
                    " --certificate=" + file("client.pem") + " --ca-cert=" + file("ca-ca.pem") +
                    " list-dbs ssl:127.0.0.1:" + std::to_string((*ps)->bound_port()) +
                    " 2>&1";
  FILE* client = popen(cmd.c_str(), "r");
  ASSERT_NE(client, nullptr);

  auto server = accept_and_handshake(**ps);
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  EXPECT_EQ((*server)->peer_id(), "client");
  // One JSON object: read until the braces balance.
  std::string request;
  int depth = 0;
  while (request.empty() || depth > 0) {
    std::string c = recv_n(**server, 1);
    if (c.empty()) break;
    request += c;
    depth += c == "{" ? 1 : c == "}" ? -1 : 0;
  }
  EXPECT_NE(request.find("\"list_dbs\""), std::string::npos) << request;
  size_t id_pos = request.find("\"id\":");
  ASSERT_NE(id_pos, std::string::npos);
  std::string id = request.substr(id_pos + 5, request.find_first_of(",}", id_pos) - id_pos - 5);
  send_all(**server, "{\"id\":" + id + ",\"result\":[\"Grebe_Test\"],\"error\":null}");

  std::string out;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, client)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(client), 0) << out;
  EXPECT_EQ(out, "Grebe_Test\n");
}

// Interoperability the other way: our ssl: client against the stock
// ovsdb-server's pssl: listener.
TEST_F(SslTest, OurClientConnectsToStockOvsdbServer) {
  if (std::system("command -v ovsdb-server >/dev/null && command -v ovsdb-tool >/dev/null") != 0) {
    GTEST_SKIP() << "stock ovsdb-server not installed";
  }
  std::string schema = file("t.ovsschema"), db = file("t.db");
  std::ofstream(schema) << R"({"name":"T","version":"1.0.0","tables":{"t":{"columns":{"a":{"type":"integer"}}}}})";
  ::unlink(db.c_str());
  ASSERT_EQ(std::system(("ovsdb-tool create " + db + " " + schema).c_str()), 0);
  uint16_t port;
  {
    auto probe = PassiveStream::open("ptcp:0:127.0.0.1");  // find a free port
    ASSERT_TRUE(probe.ok());
    port = (*probe)->bound_port();
  }
  pid_t pid = fork();
  if (pid == 0) {
    std::string remote = "--remote=pssl:" + std::to_string(port) + ":127.0.0.1";
    std::string key = "--private-key=" + file("server.key");
    std::string cert = "--certificate=" + file("server.pem");
    std::string ca = "--ca-cert=" + file("ca-ca.pem");
    std::string ctl = "--unixctl=" + file("ovsdb-server.ctl");
    setenv("OVS_RUNDIR", dir_->path().c_str(), 1);
    execlp("ovsdb-server", "ovsdb-server", remote.c_str(), key.c_str(), cert.c_str(), ca.c_str(),
           ctl.c_str(), "--no-chdir", "-vconsole:off", db.c_str(), nullptr);
    _exit(127);
  }
  configure("client", "ca-ca.pem");
  Result<std::unique_ptr<Stream>> c = Error(ECONNREFUSED);
  for (int i = 0; i < 200 && !c.ok(); i++) {  // until the server listens
    c = Stream::open_block("ssl:127.0.0.1:" + std::to_string(port), 5000);
    if (!c.ok()) usleep(20'000);
  }
  if (c.ok()) {
    Status h = handshake(**c);
    EXPECT_TRUE(h.ok()) << h.error().to_string();
    EXPECT_EQ((*c)->peer_id(), "server");
    send_all(**c, R"({"method":"list_dbs","params":[],"id":7})");
    std::string reply;
    while (reply.find('}') == std::string::npos) {
      std::string part = recv_n(**c, 1);
      if (part.empty()) break;
      reply += part;
    }
    EXPECT_NE(reply.find("\"T\""), std::string::npos) << reply;
    EXPECT_NE(reply.find("\"id\":7"), std::string::npos) << reply;
  } else {
    ADD_FAILURE() << c.error().to_string();
  }
  kill(pid, SIGTERM);
  wait_child(pid);
}

TEST_F(SslTest, ProtocolAndCipherSettings) {
  EXPECT_TRUE(ssl_set_protocols("TLSv1.2,TLSv1.3").ok());
  EXPECT_TRUE(ssl_set_protocols("tlsv1.3").ok());
  auto bad = ssl_set_protocols("TLSv9");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "TLSv9: SSL protocol not recognized");
  EXPECT_EQ(ssl_set_protocols(" ,").error().message(), "SSL protocol settings invalid");
  EXPECT_FALSE(ssl_set_protocols("TLSv1").ok());  // nothing >= TLSv1.2 left
  EXPECT_FALSE(ssl_set_ciphers("NOT-A-CIPHER").ok());
  EXPECT_TRUE(ssl_set_ciphers("HIGH:!aNULL").ok());
}

TEST_F(SslTest, MismatchedKeyAndCertificateIsRefused) {
  (void)ssl_set_key_and_cert(file("client.key"), file("server.pem"));
  ASSERT_TRUE(ssl_set_ca_cert_file(file("ca-ca.pem"), false).ok());
  auto s = Stream::open("ssl:127.0.0.1:6653");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ENOPROTOOPT);
}

}  // namespace
}  // namespace grebe::stream
