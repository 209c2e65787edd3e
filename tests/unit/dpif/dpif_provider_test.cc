// The Dpif contract, as a typed suite run over every provider that exists
// (only "dummy" so far; the netdev and netlink providers add a Provider
// struct and join the type list).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "grebe/dpif/dpif.h"
#include "grebe/dpif/netdev_dummy.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"
#include "grebe/packet/flow_extract.h"
#include "grebe/util/clock.h"
#include "test_packets.h"

namespace grebe::dpif {
namespace {

using test::Frame;

// What the suite needs from a provider beyond the Dpif interface: ports it
// can create, a way to make a port receive a frame, and what a port sent.
struct DummyProvider {
  static constexpr const char* kType = "dummy";
  static std::string dp_name(int serial) { return "dp" + std::to_string(serial); }
  static std::unique_ptr<netdev::Netdev> make_port(const std::string& name) {
    return netdev::DummyNetdev::create(name);
  }
  static void receive(netdev::Netdev& port, const Frame& f) {
    ASSERT_TRUE(static_cast<netdev::DummyNetdev&>(port).receive(f).ok());
  }
  static std::vector<Frame> sent(netdev::Netdev& port) {
    return static_cast<netdev::DummyNetdev&>(port).take_sent();
  }
};

// The userspace datapath over real-device plumbing (receive threads,
// internal local port), driven here through dummy ports, which it polls
// from run() like the dummy datapath does.
struct NetdevProvider : DummyProvider {
  static constexpr const char* kType = "netdev";
  // The local port is a real tap device in this network namespace: make
  // its name unique among concurrent test runs.
  static std::string dp_name(int serial) {
    return "gt" + std::to_string(getpid() % 100000) + "-" + std::to_string(serial);
  }
  static std::unique_ptr<netdev::Netdev> make_port(const std::string& name) {
    register_netdev_types();
    auto p = netdev::Netdev::open(name, "dummy");
    EXPECT_TRUE(p.ok());
    return p.ok() ? std::move(*p) : nullptr;
  }
};

template <typename Provider>
class DpifTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> serial{0};
    auto dp = Dpif::open(Provider::kType, Provider::dp_name(serial++), true);
    ASSERT_TRUE(dp.ok()) << dp.error().to_string();
    dpif_ = std::move(*dp);
    p1_ = Provider::make_port("p1");
    p2_ = Provider::make_port("p2");
    ASSERT_EQ(*dpif_->port_add(*p1_, std::nullopt), 1u);
    ASSERT_EQ(*dpif_->port_add(*p2_, std::nullopt), 2u);
  }

  static Bytes key_of(const std::string& text, Bytes* mask = nullptr) {
    nl::AttrBuilder k, m;
    Status st = odp::odp_flow_from_string(text, k, &m);
    EXPECT_TRUE(st.ok()) << text << ": " << (st.ok() ? "" : st.error().to_string());
    if (mask) *mask = m.take();
    return k.take();
  }
  static Bytes actions_of(const std::string& text) {
    nl::AttrBuilder a;
    EXPECT_TRUE(odp::odp_actions_from_string(text, a).ok()) << text;
    return a.take();
  }

  Status put(const std::string& flow, const std::string& actions, uint32_t flags = kPutCreate,
             std::optional<Ufid> ufid = std::nullopt, FlowStats* stats = nullptr) {
    std::vector<Op> ops(1);
    ops[0].type = Op::Type::kPut;
    ops[0].put.key = key_of(flow, &ops[0].put.mask);
    ops[0].put.actions = actions_of(actions);
    ops[0].put.flags = flags;
    ops[0].put.ufid = ufid;
    ops[0].put.stats_out = stats;
    dpif_->operate(ops);
    return ops[0].result;
  }
  Status get(const std::string& flow, std::optional<Ufid> ufid, DpifFlow* out) {
    std::vector<Op> ops(1);
    ops[0].type = Op::Type::kGet;
    if (!flow.empty()) ops[0].get.key = key_of(flow);
    ops[0].get.ufid = ufid;
    ops[0].get.flow_out = out;
    dpif_->operate(ops);
    return ops[0].result;
  }
  Status del(const std::string& flow, std::optional<Ufid> ufid, FlowStats* stats = nullptr) {
    std::vector<Op> ops(1);
    ops[0].type = Op::Type::kDel;
    if (!flow.empty()) ops[0].del.key = key_of(flow);
    ops[0].del.ufid = ufid;
    ops[0].del.stats_out = stats;
    dpif_->operate(ops);
    return ops[0].result;
  }
  std::vector<Upcall> drain_upcalls() {
    std::vector<Upcall> out;
    for (;;) {
      auto u = dpif_->recv(0);
      if (!u.ok()) break;
      out.push_back(std::move(*u));
    }
    return out;
  }

  std::unique_ptr<Dpif> dpif_;
  std::unique_ptr<netdev::Netdev> p1_, p2_;
};

using Providers = ::testing::Types<DummyProvider, NetdevProvider>;
TYPED_TEST_SUITE(DpifTest, Providers);

// Matches TCP to 10.0.0.2 from port 1, any source port.
const char* kTcpMegaflow =
    "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.2,proto=6),tcp(dst=80)";

TYPED_TEST(DpifTest, PortAddDelQuery) {
  auto ports = this->dpif_->ports();
  ASSERT_EQ(ports.size(), 3u);  // local port + p1 + p2
  EXPECT_EQ(ports[0].port_no, kOdppLocal);
  auto q = this->dpif_->port_query("p2");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->port_no, 2u);
  EXPECT_EQ(q->type, "dummy");
  EXPECT_EQ(this->dpif_->port_query(1u)->name, "p1");

  auto dup = TypeParam::make_port("p1");
  auto r = this->dpif_->port_add(*dup, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EEXIST);
  auto p9 = TypeParam::make_port("p9");
  r = this->dpif_->port_add(*p9, 2u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EBUSY);
  EXPECT_EQ(*this->dpif_->port_add(*p9, 9u), 9u);

  ASSERT_TRUE(this->dpif_->port_del(9).ok());
  EXPECT_EQ(this->dpif_->port_query(9u).error().code(), ENOENT);
  EXPECT_EQ(this->dpif_->port_del(9).error().code(), ENOENT);
  EXPECT_EQ(this->dpif_->port_query("p9").error().code(), ENOENT);
}

TYPED_TEST(DpifTest, OpenRules) {
  auto bad = Dpif::open("no-such-type", "x", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EAFNOSUPPORT);
  auto missing = Dpif::open(TypeParam::kType, "never-created", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENODEV);
  EXPECT_EQ(this->dpif_->version(), "<built-in>");

  // A second open of the same name sees the same datapath.
  auto again = Dpif::open(TypeParam::kType, this->dpif_->name(), false);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ((*again)->ports().size(), 3u);
  ASSERT_TRUE(this->put(kTcpMegaflow, "2").ok());
  EXPECT_EQ((*again)->stats().n_flows, 1u);

  // destroy() removes it: the name no longer opens without create.
  ASSERT_TRUE((*again)->destroy().ok());
  auto p9 = TypeParam::make_port("p9");
  EXPECT_EQ(this->dpif_->port_add(*p9, std::nullopt).error().code(), ENODEV);
  EXPECT_TRUE(this->dpif_->ports().empty());
  auto gone = Dpif::open(TypeParam::kType, this->dpif_->name(), false);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), ENODEV);
}

TYPED_TEST(DpifTest, FlowPutCreateModifyExists) {
  ASSERT_TRUE(this->put(kTcpMegaflow, "2").ok());
  Status again = this->put(kTcpMegaflow, "2");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), EEXIST);
  FlowStats old;
  ASSERT_TRUE(this->put(kTcpMegaflow, "1,2", kPutModify, std::nullopt, &old).ok());
  DpifFlow f;
  ASSERT_TRUE(this->get(kTcpMegaflow, std::nullopt, &f).ok());
  EXPECT_EQ(odp::format_odp_actions(nl::Bytes(f.actions.data(), f.actions.size())), "1,2");
  Status missing = this->put("recirc_id(0),in_port(2),eth_type(0x0806)", "1", kPutModify);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
  Status bad = this->put("eth_type(0x0800)", "1");  // no in_port
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_EQ(this->dpif_->stats().n_flows, 1u);
}

TYPED_TEST(DpifTest, GetAndDelByKeyAndUfid) {
  Ufid ufid;
  ufid.w = {1, 2, 3, 4};
  ASSERT_TRUE(this->put(kTcpMegaflow, "2", kPutCreate, ufid).ok());
  ASSERT_TRUE(this->put("recirc_id(0),in_port(2),eth_type(0x0806)", "1").ok());
  DpifFlow f;
  ASSERT_TRUE(this->get("", ufid, &f).ok());
  EXPECT_EQ(f.ufid, ufid);
  EXPECT_EQ(f.key, this->key_of(kTcpMegaflow));
  ASSERT_TRUE(this->get(kTcpMegaflow, std::nullopt, &f).ok());  // key of a ufid'd flow
  ASSERT_TRUE(this->del("", ufid).ok());
  EXPECT_EQ(this->get("", ufid, &f).error().code(), ENOENT);
  ASSERT_TRUE(this->del("recirc_id(0),in_port(2),eth_type(0x0806)", std::nullopt).ok());
  EXPECT_EQ(this->del("recirc_id(0),in_port(2),eth_type(0x0806)", std::nullopt).error().code(),
            ENOENT);
  EXPECT_EQ(this->dpif_->stats().n_flows, 0u);
}

TYPED_TEST(DpifTest, DumpWithSeveralThreads) {
  constexpr int kFlows = 300;
  for (int i = 0; i < kFlows; i++) {
    ASSERT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0800),ipv4(src=10.1." +
                              std::to_string(i / 256) + "." + std::to_string(i % 256) + ")",
                          "2")
                    .ok());
  }
  auto dump = this->dpif_->flow_dump(false);
  std::mutex mutex;
  std::vector<DpifFlow> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      auto thread = dump->thread();
      std::vector<DpifFlow> batch;
      while (thread->next(batch, 7) > 0) {
      }
      std::lock_guard lock(mutex);
      all.insert(all.end(), batch.begin(), batch.end());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(dump->finish().ok());
  ASSERT_EQ(all.size(), static_cast<size_t>(kFlows));
  std::set<std::vector<uint8_t>> keys;
  for (const auto& f : all) {
    EXPECT_FALSE(f.actions.empty());
    keys.insert(f.key);
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(kFlows));  // no flow twice

  auto terse = this->dpif_->flow_dump(true);
  std::vector<DpifFlow> t;
  auto th = terse->thread();
  while (th->next(t, 100) > 0) {
  }
  ASSERT_EQ(t.size(), static_cast<size_t>(kFlows));
  EXPECT_TRUE(t[0].key.empty());
  EXPECT_TRUE(t[0].ufid_present);

  ASSERT_TRUE(this->dpif_->flow_flush().ok());
  EXPECT_EQ(this->dpif_->stats().n_flows, 0u);
}

TYPED_TEST(DpifTest, ExecuteOutputsThePacket) {
  std::vector<Op> ops(1);
  ops[0].type = Op::Type::kExecute;
  ops[0].execute.packet = test::udp4(1, 2);
  ops[0].execute.key = this->key_of("in_port(1)");
  ops[0].execute.actions = this->actions_of("set(udp(dst=99)),2");
  this->dpif_->operate(ops);
  ASSERT_TRUE(ops[0].result.ok()) << ops[0].result.error().to_string();
  auto sent = TypeParam::sent(*this->p2_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(flow_extract(sent[0].data(), sent[0].size()).tp_dst, 99);
  EXPECT_TRUE(test::l4_csum_ok(sent[0]));
  EXPECT_TRUE(TypeParam::sent(*this->p1_).empty());
}

TYPED_TEST(DpifTest, MissBecomesUpcallWithTheExtractedKey) {
  Frame f = test::tcp4(1234, 80);
  TypeParam::receive(*this->p1_, f);
  EXPECT_EQ(this->dpif_->run(), 1u);
  auto ups = this->drain_upcalls();
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].type, Upcall::Type::kMiss);
  EXPECT_EQ(ups[0].packet, f);
  Flow key = make_flow();
  ASSERT_NE(odp::odp_flow_key_to_flow(nl::Bytes(ups[0].key.data(), ups[0].key.size()), &key),
            odp::OdpKeyFitness::kError);
  Flow md = make_flow();
  md.in_port = 1;
  Flow expect = flow_extract(f.data(), f.size(), &md);
  EXPECT_EQ(key.in_port, 1u);
  EXPECT_EQ(key.dl_type, expect.dl_type);
  EXPECT_EQ(key.nw_src, expect.nw_src);
  EXPECT_EQ(key.nw_dst, expect.nw_dst);
  EXPECT_EQ(key.tp_src, 1234);
  EXPECT_EQ(key.tp_dst, 80);
  EXPECT_EQ(key.dl_src, expect.dl_src);
  EXPECT_EQ(this->dpif_->stats().n_missed, 1u);
  EXPECT_GE(this->dpif_->wait_fd(0), 0);
}

TYPED_TEST(DpifTest, MegaflowCoversWildcardedBitsOnly) {
  ASSERT_TRUE(this->put(kTcpMegaflow, "2").ok());
  TypeParam::receive(*this->p1_, test::tcp4(1000, 80));
  TypeParam::receive(*this->p1_, test::tcp4(2000, 80));  // differs only in tcp src
  TypeParam::receive(*this->p1_, test::tcp4(1000, 81));  // differs in tcp dst: miss
  TypeParam::receive(*this->p2_, test::tcp4(1000, 80));  // other in_port: miss
  EXPECT_EQ(this->dpif_->run(), 4u);
  EXPECT_EQ(TypeParam::sent(*this->p2_).size(), 2u);
  auto ups = this->drain_upcalls();
  ASSERT_EQ(ups.size(), 2u);
  DpStats s = this->dpif_->stats();
  EXPECT_EQ(s.n_hit, 2u);
  EXPECT_EQ(s.n_missed, 2u);
  EXPECT_EQ(s.n_masks, 1u);
}

TYPED_TEST(DpifTest, StatsAccounting) {
  ASSERT_TRUE(this->put(kTcpMegaflow, "2").ok());
  Frame a = test::tcp4(1, 80, 10), b = test::tcp4(2, 80, 30);
  for (int i = 0; i < 3; i++) TypeParam::receive(*this->p1_, a);
  TypeParam::receive(*this->p1_, b);
  this->dpif_->run();
  DpifFlow f;
  ASSERT_TRUE(this->get(kTcpMegaflow, std::nullopt, &f).ok());
  EXPECT_EQ(f.stats.n_packets, 4u);
  EXPECT_EQ(f.stats.n_bytes, 3 * a.size() + b.size());
  EXPECT_NE(f.stats.used, 0);
  EXPECT_EQ(f.stats.tcp_flags, kTcpSyn);
  FlowStats old;
  ASSERT_TRUE(this->put(kTcpMegaflow, "2", kPutModify | kPutZeroStats, std::nullopt, &old).ok());
  EXPECT_EQ(old.n_packets, 4u);
  ASSERT_TRUE(this->get(kTcpMegaflow, std::nullopt, &f).ok());
  EXPECT_EQ(f.stats.n_packets, 0u);
  FlowStats at_del;
  TypeParam::receive(*this->p1_, a);
  this->dpif_->run();
  ASSERT_TRUE(this->del(kTcpMegaflow, std::nullopt, &at_del).ok());
  EXPECT_EQ(at_del.n_packets, 1u);
  // A deleted flow no longer matches, even through the exact-match cache.
  TypeParam::receive(*this->p1_, a);
  this->dpif_->run();
  EXPECT_EQ(this->drain_upcalls().size(), 1u);
}

TYPED_TEST(DpifTest, FlowLimitGivesEfbig) {
  ASSERT_TRUE(this->dpif_->set_flow_limit(2).ok());
  ASSERT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0800)", "2").ok());
  ASSERT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0806)", "2").ok());
  Status full = this->put("recirc_id(0),in_port(1),eth_type(0x86dd)", "2");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), EFBIG);
  // Modifying an existing flow is still allowed at the limit.
  EXPECT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0806)", "1", kPutModify).ok());
}

TYPED_TEST(DpifTest, Recirculation) {
  ASSERT_TRUE(
      this->put("recirc_id(0),in_port(1),eth_type(0x0800)", "set(ipv4(ttl=9)),recirc(0x5)").ok());
  ASSERT_TRUE(this->put("recirc_id(0x5),in_port(1),eth_type(0x0800),ipv4(ttl=9)", "2").ok());
  TypeParam::receive(*this->p1_, test::udp4(1, 2));
  this->dpif_->run();
  auto sent = TypeParam::sent(*this->p2_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(flow_extract(sent[0].data(), sent[0].size()).nw_ttl, 9);
  EXPECT_TRUE(test::ipv4_csum_ok(sent[0]));
  EXPECT_TRUE(this->drain_upcalls().empty());
}

TYPED_TEST(DpifTest, UserspaceActionUpcallCarriesUserdata) {
  ASSERT_TRUE(
      this->put("recirc_id(0),in_port(1),eth_type(0x0800)", "userspace(pid=1,userdata(01020304))")
          .ok());
  TypeParam::receive(*this->p1_, test::udp4(1, 2));
  this->dpif_->run();
  auto ups = this->drain_upcalls();
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].type, Upcall::Type::kAction);
  // OVS pads userdata to at least 8 bytes when it builds the action.
  EXPECT_EQ(ups[0].userdata, (std::vector<uint8_t>{1, 2, 3, 4, 0, 0, 0, 0}));
  EXPECT_TRUE(ups[0].actions.empty());

  // With "actions" the upcall also carries the flow's actions.
  ASSERT_TRUE(
      this->put("recirc_id(0),in_port(2),eth_type(0x0800)", "userspace(pid=1,actions),1").ok());
  TypeParam::receive(*this->p2_, test::udp4(1, 2));
  this->dpif_->run();
  ups = this->drain_upcalls();
  ASSERT_EQ(ups.size(), 1u);
  EXPECT_EQ(ups[0].actions, this->actions_of("userspace(pid=1,actions),1"));
  EXPECT_EQ(TypeParam::sent(*this->p1_).size(), 1u);
}

TYPED_TEST(DpifTest, FullHandlerQueueCountsLost) {
  for (int round = 0; round < 11; round++) {
    for (int i = 0; i < 100; i++) {
      TypeParam::receive(*this->p1_, test::udp4(static_cast<uint16_t>(round * 100 + i), 2));
    }
    this->dpif_->run();
  }
  DpStats s = this->dpif_->stats();
  EXPECT_EQ(s.n_missed, 1100u);
  EXPECT_EQ(s.n_lost, 1100u - 1024u);
  EXPECT_EQ(this->drain_upcalls().size(), 1024u);
  this->dpif_->recv_purge();
}

TYPED_TEST(DpifTest, ExactMatchCacheServesRepeats) {
  ASSERT_TRUE(this->put(kTcpMegaflow, "2").ok());
  for (int i = 0; i < 5; i++) TypeParam::receive(*this->p1_, test::tcp4(7, 80));
  this->dpif_->run();
  DpStats s = this->dpif_->stats();
  EXPECT_EQ(s.n_hit, 5u);
  // Providers without an EMC report 0; those with one serve the repeats.
  if (s.n_cache_hit) {
    EXPECT_EQ(s.n_cache_hit, 4u);
  }
  EXPECT_EQ(TypeParam::sent(*this->p2_).size(), 5u);
}

TYPED_TEST(DpifTest, MetersDropOverRate) {
  FakeClock fake;
  set_clock(&fake);
  // Meter 0: 2 packets/s, burst 2 (OFPMF13_PKTPS | OFPMF13_BURST).
  Status st = this->dpif_->meter_set(0, 2 | 4, {{2, 2}});
  if (!st.ok() && st.error().code() == EOPNOTSUPP) {
    set_clock(nullptr);
    GTEST_SKIP() << "provider has no meters";
  }
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(this->dpif_->meter_set(1u << 20, 2, {{1, 0}}).error().code(), EFBIG);
  EXPECT_EQ(this->dpif_->meter_set(1, 2, {}).error().code(), EINVAL);
  ASSERT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0800)", "meter(0),2").ok());
  auto burst = [&](int n) {
    for (int i = 0; i < n; i++) TypeParam::receive(*this->p1_, test::udp4(1, 2));
    this->dpif_->run();
    return TypeParam::sent(*this->p2_).size();
  };
  EXPECT_EQ(burst(5), 2u);  // the bucket holds 2
  fake.advance(500);
  EXPECT_EQ(burst(5), 1u);  // half a second refills 1
  fake.advance(10'000);
  EXPECT_EQ(burst(5), 2u);  // never more than the burst
  ASSERT_TRUE(this->dpif_->meter_del(0).ok());
  EXPECT_EQ(this->dpif_->meter_del(0).error().code(), ENOENT);
  EXPECT_EQ(burst(5), 5u);  // no meter, no limit
  set_clock(nullptr);
}

// Packets flow while another thread adds, modifies, deletes and dumps
// flows: nothing crashes and every packet is either a hit or a miss.
TYPED_TEST(DpifTest, PacketsAndFlowChangesConcurrently) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; i++) {
      std::string flow =
          "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.2,proto=17),"
          "udp(src=" +
          std::to_string(i % 50) + ")";
      (void)this->put(flow, i % 2 ? "2" : "1,2", kPutCreate | kPutModify);
      if (i % 3 == 0) (void)this->del(flow, std::nullopt);
      if (i % 17 == 0) {
        auto dump = this->dpif_->flow_dump(false);
        auto th = dump->thread();
        std::vector<DpifFlow> out;
        while (th->next(out, 10) > 0) {
        }
        (void)dump->finish();
      }
    }
  });
  constexpr int kPackets = 3000;
  for (int i = 0; i < kPackets; i++) {
    TypeParam::receive(*this->p1_, test::udp4(static_cast<uint16_t>(i % 50), 2));
    if (i % 32 == 31) this->dpif_->run();
    if (i % 256 == 255) (void)this->drain_upcalls();
  }
  this->dpif_->run();
  stop = true;
  writer.join();
  DpStats s = this->dpif_->stats();
  EXPECT_EQ(s.n_hit + s.n_missed, static_cast<uint64_t>(kPackets));
}

}  // namespace
}  // namespace grebe::dpif

namespace grebe::dpif {
namespace {

// ct() then recirculation: the second pass matches on the ct_state the
// conntrack filled in; the connection shows in ct_dump().
TYPED_TEST(DpifTest, ConntrackThenRecirculate) {
  ASSERT_TRUE(this->put("recirc_id(0),in_port(1),eth_type(0x0800),ipv4(proto=6)",
                        "ct(commit,zone=5),recirc(0x1)")
                  .ok());
  ASSERT_TRUE(this->put("recirc_id(0x1),in_port(1),ct_state(0x21/0xff),eth_type(0x0800),"
                        "ipv4(proto=6)",
                        "2")
                  .ok());
  TypeParam::receive(*this->p1_, test::tcp4(1000, 80));
  this->dpif_->run();
  EXPECT_EQ(TypeParam::sent(*this->p2_).size(), 1u) << "new+trk matched after recirc";
  auto d = this->dpif_->ct_dump(std::nullopt);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].orig.zone, 5);
  EXPECT_EQ(this->dpif_->ct_stats()->n_conns, 1u);
  EXPECT_TRUE(this->dpif_->ct_flush(uint16_t{5}).ok());
  EXPECT_EQ(this->dpif_->ct_dump(std::nullopt)->size(), 0u);
}

}  // namespace
}  // namespace grebe::dpif
