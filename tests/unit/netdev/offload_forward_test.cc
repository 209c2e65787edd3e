// TCP through a tiny userspace forwarder with the kernel's default offloads
// (TSO, tx checksum) left ON in every namespace -- the case where OVS's
// netdev datapath needs "ethtool -K ... tx off".
//
//   ns A: hv (10.99.0.1) ==veth== fa | ns F: forwarder thread | fb ==veth== hv (10.99.0.2) :ns B
//
// The forwarder is AF_PACKET in, lib/netdev offload handling, AF_PACKET
// out (two "system" netdevs), run under both TxOffloadPolicy values.
// Needs root and ip(8) netns support; skips otherwise.
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

#include "grebe/netdev/netdev.h"

namespace grebe::netdev {
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
    s.bind(("10.99.0.2", 5201)); s.listen(1); s.settimeout(20)
    c, _ = s.accept(); c.settimeout(20); h = hashlib.sha256(); total = 0
    while True:
        b = c.recv(1 << 16)
        if not b: break
        h.update(b); total += len(b)
    print(total, h.hexdigest())
else:
    data = bytes((i * 7 + i // 251) & 0xff for i in range(n))
    for _ in range(100):
        try:
            c = socket.create_connection(("10.99.0.2", 5201), timeout=5); break
        except OSError: time.sleep(0.1)
    c.sendall(data); c.close()
    print(n, hashlib.sha256(data).hexdigest())
)PY";

class OffloadForwardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    prefix_ = "grebe-fw" + std::to_string(getpid());
    for (const char* n : {"a", "b", "f"}) {
      if (sh("ip netns add " + ns(n)) != 0) GTEST_SKIP() << "ip netns add failed";
      created_++;
    }
    // Default offloads everywhere: nothing is turned off.
    std::string f = " netns " + ns("f");
    ASSERT_EQ(sh("ip link add name hv netns " + ns("a") + " type veth peer name fa" + f), 0);
    ASSERT_EQ(sh("ip link add name hv netns " + ns("b") + " type veth peer name fb" + f), 0);
    ASSERT_EQ(sh("ip -n " + ns("a") + " addr add 10.99.0.1/24 dev hv"), 0);
    ASSERT_EQ(sh("ip -n " + ns("b") + " addr add 10.99.0.2/24 dev hv"), 0);
    for (const char* n : {"a", "b"}) ASSERT_EQ(sh("ip -n " + ns(n) + " link set hv up"), 0);
    for (const char* d : {"fa", "fb"})
      ASSERT_EQ(sh("ip -n " + ns("f") + " link set " + d + " up"), 0);
    script_ = "/tmp/" + prefix_ + ".py";
    std::ofstream(script_) << kScript;
  }
  void TearDown() override {
    const char* names[] = {"a", "b", "f"};
    for (int i = 0; i < created_; i++) sh("ip netns del " + ns(names[i]));
    if (!script_.empty()) unlink(script_.c_str());
  }
  std::string ns(const char* n) const { return prefix_ + n; }

  // Forwards every frame between fa and fb until `stop_`, inside ns F.
  void forward(TxOffloadPolicy policy) {
    int fd = open(("/run/netns/" + ns("f")).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      error_ = "setns failed";
      return;
    }
    close(fd);
    auto a = Netdev::open("fa", "system");
    auto b = Netdev::open("fb", "system");
    if (!a.ok() || !b.ok()) {
      error_ = "open failed";
      return;
    }
    Netdev* devs[2] = {a->get(), b->get()};
    for (Netdev* d : devs) (void)d->set_tx_offload_policy(policy);
    vnet_ = devs[0]->offload_info().vnet_hdr;
    while (!stop_) {
      pollfd pfd[2] = {{devs[0]->rx_fd(), POLLIN, 0}, {devs[1]->rx_fd(), POLLIN, 0}};
      ::poll(pfd, 2, 10);
      for (int i = 0; i < 2; i++) {
        PacketBatch batch;
        if (!devs[i]->rx_recv(batch).ok()) continue;
        for (const Packet& p : batch) {
          if (p.vnet.gso_type != VnetHdr::kGsoNone) gso_frames_++;
        }
        (void)devs[1 - i]->send(batch);
      }
    }
  }

  // Sends `n` bytes A -> B over TCP through the forwarder; returns the
  // receiver's and sender's "<bytes> <sha256>" lines.
  std::pair<std::string, std::string> transfer(TxOffloadPolicy policy, size_t n) {
    stop_ = false;
    std::thread fwd([&] { forward(policy); });
    std::string out = "/tmp/" + prefix_ + ".out";
    std::string recv_cmd = "timeout 30 ip netns exec " + ns("b") + " python3 " + script_ +
                           " recv 0 > " + out + " 2>&1 &";
    std::system(recv_cmd.c_str());
    std::string sent;
    FILE* f = popen(("timeout 30 ip netns exec " + ns("a") + " python3 " + script_ + " send " +
                     std::to_string(n) + " 2>&1")
                        .c_str(),
                    "r");
    char buf[256] = {};
    if (f) {
      if (fgets(buf, sizeof buf, f)) sent = buf;
      pclose(f);
    }
    std::string got;
    for (int i = 0; i < 300 && got.find('\n') == std::string::npos; i++) {
      std::ifstream in(out);
      std::getline(in, got);
      if (!got.empty())
        got += '\n';
      else
        usleep(100 * 1000);
    }
    stop_ = true;
    fwd.join();
    RecordProperty("gso_frames", std::to_string(gso_frames_.load()));
    std::printf("forwarder: vnet headers %s, %llu GSO frames\n", vnet_ ? "on" : "off",
                static_cast<unsigned long long>(gso_frames_.load()));
    unlink(out.c_str());
    return {got, sent};
  }

  // iperf3 -t 2 from A to B through the forwarder; returns iperf3's exit
  // status (the client fails if the connection stalls or breaks).
  int iperf(TxOffloadPolicy policy) {
    stop_ = false;
    std::thread fwd([&] { forward(policy); });
    sh("ip netns exec " + ns("b") + " timeout 20 iperf3 -s -1 -B 10.99.0.2 -D");
    int rc = -1;
    for (int i = 0; i < 20 && rc != 0; i++) {  // until the server listens
      rc = sh("ip netns exec " + ns("a") + " timeout 20 iperf3 -c 10.99.0.2 -t 2");
      if (rc != 0) usleep(100 * 1000);
    }
    stop_ = true;
    fwd.join();
    return rc;
  }

  std::string prefix_, script_;
  int created_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> gso_frames_{0};
  std::string error_;
  bool vnet_ = false;
};

TEST_F(OffloadForwardTest, TcpPassesOffloadMetadataThrough) {
  auto [got, sent] = transfer(TxOffloadPolicy::kAuto, 8 << 20);
  ASSERT_EQ(error_, "");
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(got, sent);
  if (vnet_) {
    EXPECT_GT(gso_frames_.load(), 0u) << "no TSO frame seen: offloads were off?";
  }
}

TEST_F(OffloadForwardTest, TcpWorksWithSoftwareSegmentation) {
  auto [got, sent] = transfer(TxOffloadPolicy::kSoftware, 8 << 20);
  ASSERT_EQ(error_, "");
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(got, sent);
  if (vnet_) {
    EXPECT_GT(gso_frames_.load(), 0u) << "no TSO frame seen: offloads were off?";
  }
}

TEST_F(OffloadForwardTest, Iperf3WithDefaultOffloads) {
  if (sh("command -v iperf3") != 0) GTEST_SKIP() << "iperf3 not installed";
  EXPECT_EQ(iperf(TxOffloadPolicy::kAuto), 0);
  ASSERT_EQ(error_, "");
  if (vnet_) {
    EXPECT_GT(gso_frames_.load(), 0u);
  }
}

}  // namespace
}  // namespace grebe::netdev
