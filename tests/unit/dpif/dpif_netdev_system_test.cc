// The "netdev" datapath on real devices: two network namespaces as hosts,
// each linked by a veth pair to a third namespace where this test opens
// the datapath, adds both veth ends as "system" ports and passes traffic.
// Default offloads everywhere (TSO, tx checksum on).  Needs root and
// ip(8) netns support; skips otherwise.
//
//   ns A: hv 10.98.0.1 ==veth== pa | ns D: datapath | pb ==veth== hv 10.98.0.2 :ns B
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "grebe/dpif/dpif.h"
#include "grebe/netdev/netdev.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"

namespace grebe::dpif {
namespace {

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// A python3 TCP receiver (prints "<bytes> <sha256>") and sender of
// deterministic data; the sender retries connecting while the receiver
// starts.
constexpr const char* kScript = R"PY(
import hashlib, socket, sys, time
role, n = sys.argv[1], int(sys.argv[2])
if role == "recv":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.98.0.2", 5201)); s.listen(1); s.settimeout(30)
    c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); total = 0
    while True:
        b = c.recv(1 << 16)
        if not b: break
        h.update(b); total += len(b)
    print(total, h.hexdigest())
else:
    data = bytes((i * 7 + i // 251) & 0xff for i in range(n))
    for _ in range(150):
        try:
            c = socket.create_connection(("10.98.0.2", 5201), timeout=5); break
        except OSError: time.sleep(0.1)
    c.sendall(data); c.close()
    print(n, hashlib.sha256(data).hexdigest())
)PY";

Bytes key_of(const std::string& text, Bytes* mask) {
  nl::AttrBuilder k, m;
  Status st = odp::odp_flow_from_string(text, k, &m);
  EXPECT_TRUE(st.ok()) << text;
  *mask = m.take();
  return k.take();
}
Bytes actions_of(const std::string& text) {
  nl::AttrBuilder a;
  EXPECT_TRUE(odp::odp_actions_from_string(text, a).ok()) << text;
  return a.take();
}

class DpifNetdevSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    prefix_ = "grebe-dp" + std::to_string(getpid());
    for (const char* n : {"a", "b", "d"}) {
      if (sh("ip netns add " + ns(n)) != 0) GTEST_SKIP() << "ip netns add failed";
      created_++;
    }
    std::string d = " netns " + ns("d");
    ASSERT_EQ(sh("ip link add name hv netns " + ns("a") + " type veth peer name pa" + d), 0);
    ASSERT_EQ(sh("ip link add name hv netns " + ns("b") + " type veth peer name pb" + d), 0);
    ASSERT_EQ(sh("ip -n " + ns("a") + " addr add 10.98.0.1/24 dev hv"), 0);
    ASSERT_EQ(sh("ip -n " + ns("b") + " addr add 10.98.0.2/24 dev hv"), 0);
    for (const char* n : {"a", "b"}) ASSERT_EQ(sh("ip -n " + ns(n) + " link set hv up"), 0);
    for (const char* p : {"pa", "pb"})
      ASSERT_EQ(sh("ip -n " + ns("d") + " link set " + p + " up"), 0);
    script_ = "/tmp/" + prefix_ + ".py";
    std::ofstream(script_) << kScript;

    // The datapath lives in ns D: this thread enters it (the receive
    // threads the datapath starts inherit it) and leaves in TearDown.
    home_ns_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = open(("/run/netns/" + ns("d")).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setns(fd, CLONE_NEWNET), 0);
    close(fd);
    in_ns_ = true;
    auto dp = Dpif::open("netdev", "ovs-netdev", true);
    ASSERT_TRUE(dp.ok()) << dp.error().to_string();
    dpif_ = std::move(*dp);
    auto a = netdev::Netdev::open("pa", "system");
    auto b = netdev::Netdev::open("pb", "system");
    ASSERT_TRUE(a.ok() && b.ok());
    pa_ = std::move(*a);
    pb_ = std::move(*b);
    ASSERT_EQ(*dpif_->port_add(*pa_, 1u), 1u);
    ASSERT_EQ(*dpif_->port_add(*pb_, 2u), 2u);
  }
  void TearDown() override {
    stop_handler();
    if (dpif_) {
      (void)dpif_->port_del(1);
      (void)dpif_->port_del(2);
      (void)dpif_->destroy();
      dpif_.reset();
    }
    pa_.reset();
    pb_.reset();
    if (in_ns_) {
      EXPECT_EQ(setns(home_ns_, CLONE_NEWNET), 0);
    }
    if (home_ns_ >= 0) close(home_ns_);
    const char* names[] = {"a", "b", "d"};
    for (int i = 0; i < created_; i++) sh("ip netns del " + ns(names[i]));
    if (!script_.empty()) unlink(script_.c_str());
  }
  std::string ns(const char* n) const { return prefix_ + n; }

  Status put(const std::string& flow, const std::string& actions) {
    std::vector<Op> ops(1);
    ops[0].type = Op::Type::kPut;
    ops[0].put.key = key_of(flow, &ops[0].put.mask);
    ops[0].put.actions = actions_of(actions);
    dpif_->operate(ops);
    return ops[0].result;
  }
  // Port 1 <-> port 2 for everything.
  void cross_connect() {
    Status s1 = put("recirc_id(0),in_port(1),eth(),eth_type(0x0800/0)", "2");
    ASSERT_TRUE(s1.ok()) << s1.error().to_string();
    ASSERT_TRUE(put("recirc_id(0),in_port(2),eth(),eth_type(0x0800/0)", "1").ok());
  }
  int ping(int count, const char* extra = "") {
    return sh("ip netns exec " + ns("a") + " ping -c " + std::to_string(count) +
              " -i 0.2 -W 5 " + extra + " 10.98.0.2");
  }

  // A miniature vswitchd handler: every miss installs the cross-connect
  // megaflow for its in_port and executes the packet (so the first packet
  // of each direction is not lost).
  void start_handler() {
    handler_stop_ = false;
    handler_ = std::thread([this] {
      while (!handler_stop_) {
        pollfd pfd{dpif_->wait_fd(0), POLLIN, 0};
        ::poll(&pfd, 1, 50);
        for (;;) {
          auto up = dpif_->recv(0);
          if (!up.ok()) break;
          n_upcalls_++;
          std::string text =
              odp::odp_flow_key_format(nl::Bytes(up->key.data(), up->key.size()));
          bool from1 = text.find("in_port(1)") != std::string::npos;
          std::vector<Op> ops(2);
          ops[0].type = Op::Type::kPut;
          ops[0].put.key = key_of(from1 ? "recirc_id(0),in_port(1),eth(),eth_type(0x0800/0)"
                                        : "recirc_id(0),in_port(2),eth(),eth_type(0x0800/0)",
                                  &ops[0].put.mask);
          ops[0].put.actions = actions_of(from1 ? "2" : "1");
          ops[0].put.flags = kPutCreate | kPutModify;
          ops[1].type = Op::Type::kExecute;
          ops[1].execute.packet = up->packet;
          ops[1].execute.key = up->key;
          ops[1].execute.actions = ops[0].put.actions;
          dpif_->operate(ops);
          if (!ops[1].result.ok()) execute_errors_++;
        }
      }
    });
  }
  void stop_handler() {
    handler_stop_ = true;
    if (handler_.joinable()) handler_.join();
  }

  // Sends `n` bytes A -> B over TCP; returns the receiver's and sender's
  // "<bytes> <sha256>" lines.
  std::pair<std::string, std::string> transfer(size_t n) {
    std::string out = "/tmp/" + prefix_ + ".out";
    std::system(("timeout 60 ip netns exec " + ns("b") + " python3 " + script_ + " recv 0 > " +
                 out + " 2>&1 &")
                    .c_str());
    std::string sent;
    FILE* f = popen(("timeout 60 ip netns exec " + ns("a") + " python3 " + script_ + " send " +
                     std::to_string(n) + " 2>&1")
                        .c_str(),
                    "r");
    char buf[256] = {};
    if (f) {
      if (fgets(buf, sizeof buf, f)) sent = buf;
      pclose(f);
    }
    std::string got;
    for (int i = 0; i < 600 && got.find('\n') == std::string::npos; i++) {
      std::ifstream in(out);
      std::getline(in, got);
      if (!got.empty())
        got += '\n';
      else
        usleep(100 * 1000);
    }
    unlink(out.c_str());
    return {got, sent};
  }

  // Statistics of the megaflow from port `in`.
  FlowStats flow_stats(int in) {
    std::vector<Op> ops(1);
    DpifFlow out;
    ops[0].type = Op::Type::kGet;
    Bytes mask;
    ops[0].get.key = key_of("recirc_id(0),in_port(" + std::to_string(in) + "),eth(),eth_type(0x0800/0)", &mask);
    ops[0].get.flow_out = &out;
    dpif_->operate(ops);
    EXPECT_TRUE(ops[0].result.ok());
    return out.stats;
  }

  std::string prefix_, script_;
  int created_ = 0;
  int home_ns_ = -1;
  bool in_ns_ = false;
  std::unique_ptr<Dpif> dpif_;
  std::unique_ptr<netdev::Netdev> pa_, pb_;
  std::thread handler_;
  std::atomic<bool> handler_stop_{false};
  std::atomic<int> n_upcalls_{0}, execute_errors_{0};
};

TEST_F(DpifNetdevSystemTest, PingWithExplicitFlows) {
  cross_connect();
  EXPECT_EQ(ping(3), 0);
  EXPECT_GE(flow_stats(1).n_packets, 3u);
  EXPECT_GE(flow_stats(2).n_packets, 3u);
  EXPECT_EQ(dpif_->stats().n_missed, 0u);
}

TEST_F(DpifNetdevSystemTest, NoFlowNoTraffic) {
  // Without flows or a handler, misses queue up and nothing passes.
  EXPECT_NE(ping(1, "-W 1"), 0);
  EXPECT_GT(dpif_->stats().n_missed, 0u);
}

TEST_F(DpifNetdevSystemTest, UpcallsInstallFlowsAndExecute) {
  start_handler();
  EXPECT_EQ(ping(3), 0);
  stop_handler();
  EXPECT_GE(n_upcalls_.load(), 2);
  EXPECT_EQ(execute_errors_.load(), 0);
  EXPECT_GE(flow_stats(1).n_packets + flow_stats(2).n_packets, 2u);
}

TEST_F(DpifNetdevSystemTest, TcpWithDefaultOffloadsPassesSuperFrames) {
  cross_connect();
  auto [got, sent] = transfer(16 << 20);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(got, sent);
  FlowStats s = flow_stats(1);
  ASSERT_GT(s.n_packets, 0u);
  // TSO super-frames went through whole: the average frame from A is
  // bigger than an MTU-sized one (the veths take vnet headers).
  if (pa_->offload_info().vnet_hdr) {
    EXPECT_GT(s.n_bytes / s.n_packets, 1514u)
        << s.n_packets << " packets, " << s.n_bytes << " bytes";
  }
}

TEST_F(DpifNetdevSystemTest, TcpThroughUpcallsWithSoftwareFinishedFirstPackets) {
  // The SYN and first segments carry partial checksums; they go up to the
  // handler and come back through Execute, finished in software.
  start_handler();
  auto [got, sent] = transfer(4 << 20);
  stop_handler();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(got, sent);
  EXPECT_EQ(execute_errors_.load(), 0);
}

TEST_F(DpifNetdevSystemTest, TwoReceiveThreads) {
  ASSERT_TRUE(dpif_->set_config({{"pmd-cpu-mask", "0x3"}}).ok());
  EXPECT_EQ(dpif_->set_config({{"pmd-cpu-mask", "xyz"}}).error().code(), EINVAL);
  cross_connect();
  EXPECT_EQ(ping(2), 0);
  auto rxq = dpif_->pmd_rxq_show();
  ASSERT_TRUE(rxq.ok());
  EXPECT_NE(rxq->find("port: pa"), std::string::npos) << *rxq;
  EXPECT_NE(rxq->find("port: pb"), std::string::npos) << *rxq;
  EXPECT_NE(rxq->find("core_id 1"), std::string::npos) << *rxq;
}

TEST_F(DpifNetdevSystemTest, PortDeletedUnderTraffic) {
  cross_connect();
  std::system(("ip netns exec " + ns("a") +
               " timeout 3 ping -f -c 20000 -W 1 10.98.0.2 >/dev/null 2>&1 &")
                  .c_str());
  usleep(200 * 1000);
  ASSERT_TRUE(dpif_->port_del(2).ok());
  pb_.reset();  // safe: port_del waited for the receive threads
  EXPECT_TRUE(sh("ip -n " + ns("d") + " link del pa") == 0);
  ASSERT_TRUE(dpif_->port_del(1).ok());
  pa_.reset();
  EXPECT_EQ(dpif_->ports().size(), 1u);  // only the local port left
  // The datapath goes on: a new port is added and polled.
  ASSERT_EQ(sh("ip link add name pc type veth peer name hc netns " + ns("b")), 0);
  ASSERT_EQ(sh("ip link set pc up"), 0);
  auto pc = netdev::Netdev::open("pc", "system");
  ASSERT_TRUE(pc.ok());
  EXPECT_EQ(*dpif_->port_add(**pc, std::nullopt), 1u);
  EXPECT_TRUE(dpif_->port_del(1).ok());
}

}  // namespace
}  // namespace grebe::dpif
