// Classifier benchmark: lookups per second and megaflows produced for 1k,
// 10k and 100k OpenFlow-like rules spread over many masks.
//
//   classifier_bench [--benchmark_filter=...]
//
// Counters: lookups/s (items_per_second), megaflows (distinct masked-flow +
// mask pairs the 4096-packet set produces: fewer is better for a datapath),
// masks (distinct megaflow masks), wc_bits (average un-wildcarded bits per
// megaflow: fewer is wider), subtables/lookup (subtables visited).
//
// No OVS side-by-side here: Debian ships no libopenvswitch to link against.
#include <benchmark/benchmark.h>

#include <bit>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "grebe/classifier/flow_classifier.h"

namespace grebe::classifier {
namespace {

// One field a random mask may match, with how to set it.
using FieldSetter = void (*)(Match&, std::mt19937_64&, unsigned variant);

EthAddr random_mac(std::mt19937_64& rng) {
  EthAddr a{};
  const uint64_t x = rng() % 4096;  // few distinct MACs, as in a real L2 domain
  for (int i = 0; i < 6; ++i) a.b[i] = static_cast<uint8_t>(x >> (8 * (5 - i)));
  return a;
}
uint32_t random_ip(std::mt19937_64& rng) { return 0x0a000000u | (rng() & 0x00ffffffu); }
uint32_t prefix_mask(unsigned plen) { return plen ? ~0u << (32 - plen) : 0; }

const std::vector<FieldSetter>& setters() {
  static const std::vector<FieldSetter> s = {
      [](Match& m, std::mt19937_64& r, unsigned) { m.set_in_port(1 + r() % 48); },
      [](Match& m, std::mt19937_64& r, unsigned) { m.set_dl_dst(random_mac(r)); },
      [](Match& m, std::mt19937_64& r, unsigned) { m.set_dl_src(random_mac(r)); },
      [](Match& m, std::mt19937_64& r, unsigned v) {
        const unsigned plen = 8 + 8 * (v % 4);
        m.set_dl_type(kEthTypeIp);
        m.set_nw_src_masked(random_ip(r), prefix_mask(plen));
      },
      [](Match& m, std::mt19937_64& r, unsigned v) {
        const unsigned plen = 16 + 4 * (v % 5);
        m.set_dl_type(kEthTypeIp);
        m.set_nw_dst_masked(random_ip(r), prefix_mask(plen));
      },
      [](Match& m, std::mt19937_64& r, unsigned) {
        m.set_dl_type(kEthTypeIp);
        m.set_nw_proto(r() % 2 ? 6 : 17);
      },
      [](Match& m, std::mt19937_64& r, unsigned) {
        m.set_dl_type(kEthTypeIp);
        m.set_nw_proto(6);
        m.set_tp_dst_masked(static_cast<uint16_t>(r() % 1024), 0xffff);
      },
      [](Match& m, std::mt19937_64& r, unsigned) {
        m.set_dl_type(kEthTypeIp);
        m.set_nw_proto(6);
        m.set_tp_src_masked(static_cast<uint16_t>(r() % 65536), 0xff00);
      },
  };
  return s;
}

// A mask "shape": which setters and which variant of each.
using Shape = std::vector<std::pair<size_t, unsigned>>;

struct Setup {
  ~Setup() {
    for (auto& r : rules) (void)cls.remove(r.get());
  }
  FlowClassifier cls;
  std::vector<std::unique_ptr<FlowRule>> rules;
  std::vector<Flow> packets;
  size_t megaflows = 0;
  size_t megaflow_masks = 0;
  double subtables_per_lookup = 0;
  double wc_bits_per_lookup = 0;  // un-wildcarded bits: megaflow narrowness
};

Flow random_packet(std::mt19937_64& rng) {
  Flow f = make_flow();
  f.in_port = 1 + rng() % 48;
  f.dl_dst = random_mac(rng);
  f.dl_src = random_mac(rng);
  f.dl_type = kEthTypeIp;
  f.nw_src = random_ip(rng);
  f.nw_dst = random_ip(rng);
  f.nw_proto = rng() % 2 ? 6 : 17;
  f.nw_ttl = 64;
  f.tp_src = static_cast<uint16_t>(rng());
  f.tp_dst = static_cast<uint16_t>(rng() % 1024);
  return f;
}

void measure_megaflows(Setup& s) {
  std::set<std::vector<uint64_t>> flows, masks;
  uint64_t visited = 0, bits = 0;
  for (const Flow& p : s.packets) {
    FlowWildcards wc;
    LookupStats st;
    (void)s.cls.lookup(0, p, &wc, &st);
    visited += st.subtables_visited;
    std::vector<uint64_t> key(wc.masks.words(), wc.masks.words() + kFlowU64s);
    for (uint64_t w : key) bits += static_cast<uint64_t>(std::popcount(w));
    masks.insert(key);
    for (size_t i = 0; i < kFlowU64s; ++i) key.push_back(p.words()[i] & wc.masks.words()[i]);
    flows.insert(std::move(key));
  }
  s.megaflows = flows.size();
  s.megaflow_masks = masks.size();
  const double n = static_cast<double>(s.packets.size());
  s.subtables_per_lookup = static_cast<double>(visited) / n;
  s.wc_bits_per_lookup = static_cast<double>(bits) / n;
}

Setup& get_setup(size_t n_rules, size_t n_shapes) {
  static std::map<std::pair<size_t, size_t>, std::unique_ptr<Setup>> cache;
  auto& slot = cache[{n_rules, n_shapes}];
  if (slot) return *slot;
  slot = std::make_unique<Setup>();
  Setup& s = *slot;
  std::mt19937_64 rng(n_rules * 31 + n_shapes);
  std::vector<Shape> shapes;
  while (shapes.size() < n_shapes) {
    Shape sh;
    for (size_t i = 0; i < setters().size(); ++i) {
      if (rng() % 100 < 30) sh.emplace_back(i, static_cast<unsigned>(rng()));
    }
    if (!sh.empty()) shapes.push_back(std::move(sh));
  }
  while (s.rules.size() < n_rules) {
    const Shape& sh = shapes[rng() % shapes.size()];
    Match m;
    for (const auto& [i, variant] : sh) setters()[i](m, rng, variant);
    auto rule = std::make_unique<FlowRule>(m, static_cast<int>(rng() % 1000));
    if (s.cls.insert(rule.get(), 0).ok()) s.rules.push_back(std::move(rule));
  }
  // Half the packets hit a random rule, half are random.
  for (int i = 0; i < 4096; ++i) {
    Flow p = random_packet(rng);
    if (i % 2) {
      const Rule& r = *s.rules[rng() % s.rules.size()];
      const std::vector<uint64_t> value = r.value(), mask = r.mask();
      uint64_t* w = p.words();
      for (size_t k = 0; k < kFlowU64s; ++k) w[k] = (w[k] & ~mask[k]) | value[k];
    }
    s.packets.push_back(p);
  }
  measure_megaflows(s);
  return s;
}

void BM_Lookup(benchmark::State& state) {
  Setup& s = get_setup(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  size_t i = static_cast<size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    FlowWildcards wc;
    const Flow& p = s.packets[i++ & 4095];
    benchmark::DoNotOptimize(s.cls.lookup(0, p, &wc));
    benchmark::DoNotOptimize(wc);
  }
  state.SetItemsProcessed(state.iterations());
  // Per-run facts, not rates: averaged so multi-thread runs do not sum them.
  auto fact = [](double v) { return benchmark::Counter(v, benchmark::Counter::kAvgThreads); };
  state.counters["megaflows"] = fact(static_cast<double>(s.megaflows));
  state.counters["masks"] = fact(static_cast<double>(s.megaflow_masks));
  state.counters["wc_bits"] = fact(s.wc_bits_per_lookup);
  state.counters["subtables"] = fact(static_cast<double>(s.cls.n_subtables()));
  state.counters["subtables/lookup"] = fact(s.subtables_per_lookup);
}

void BM_LookupNoWildcards(benchmark::State& state) {
  Setup& s = get_setup(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.cls.lookup(0, s.packets[i++ & 4095], nullptr));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InsertRemove(benchmark::State& state) {
  Setup& s = get_setup(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  size_t i = 0;
  for (auto _ : state) {
    Rule* r = s.rules[i++ % s.rules.size()].get();
    benchmark::DoNotOptimize(s.cls.remove(r));
    benchmark::DoNotOptimize(s.cls.insert(r, 0).ok());
  }
  state.SetItemsProcessed(state.iterations());
}

void Args(benchmark::internal::Benchmark* b) {
  for (long rules : {1000L, 10000L, 100000L}) {
    for (long shapes : {16L, 64L}) b->Args({rules, shapes});
  }
  b->ArgNames({"rules", "masks"});
}

BENCHMARK(BM_Lookup)->Apply(Args)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_LookupNoWildcards)->Apply(Args);
BENCHMARK(BM_InsertRemove)->Apply(Args);

}  // namespace
}  // namespace grebe::classifier

BENCHMARK_MAIN();
