// grebe-dp-xconnect: the "netdev" datapath alone, between two devices,
// with a miniature handler in place of ovs-vswitchd.  For the datapath
// benchmark and the demo while ovs-vswitchd cannot yet forward.
//
//   grebe-dp-xconnect [--exact] [--pmd-cpu-mask=HEX] DEV1 DEV2
//
// Every miss installs a flow port 1 <-> port 2 and executes the packet:
// one wildcarded megaflow per direction, or with --exact one exact-match
// flow per packet key (what "megaflows disabled" costs).  SIGUSR1 prints
// the datapath flows and statistics to stdout; SIGTERM/SIGINT exit.
#include <poll.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "grebe/dpif/dpif.h"
#include "grebe/netdev/netdev.h"
#include "grebe/odp/odp_actions.h"
#include "grebe/odp/odp_flow.h"
#include "grebe/odp/odp_key.h"

using namespace grebe;

namespace {
std::atomic<bool> stop{false}, dump{false};

dpif::Bytes parse_key(const std::string& text, dpif::Bytes* mask) {
  nl::AttrBuilder k, m;
  (void)odp::odp_flow_from_string(text, k, &m);
  *mask = m.take();
  return k.take();
}

void print_flows(dpif::Dpif& dp) {
  auto d = dp.flow_dump(false);
  auto t = d->thread();
  std::vector<dpif::DpifFlow> flows;
  while (t->next(flows, 64)) {
  }
  for (const auto& f : flows) {
    std::printf("%s, packets:%llu, bytes:%llu, actions:%s\n",
                odp::odp_flow_format(nl::Bytes(f.key.data(), f.key.size()),
                                     nl::Bytes(f.mask.data(), f.mask.size()))
                    .c_str(),
                (unsigned long long)f.stats.n_packets, (unsigned long long)f.stats.n_bytes,
                odp::format_odp_actions(nl::Bytes(f.actions.data(), f.actions.size())).c_str());
  }
  auto s = dp.stats();
  std::printf("lookups: hit:%llu missed:%llu lost:%llu flows:%llu\n", (unsigned long long)s.n_hit,
              (unsigned long long)s.n_missed, (unsigned long long)s.n_lost,
              (unsigned long long)s.n_flows);
  std::fflush(stdout);
}
}  // namespace

int main(int argc, char** argv) {
  bool exact = false;
  std::string mask;
  std::vector<std::string> devs;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--exact") {
      exact = true;
    } else if (a.rfind("--pmd-cpu-mask=", 0) == 0) {
      mask = a.substr(15);
    } else if (a[0] == '-') {
      std::fprintf(stderr, "usage: %s [--exact] [--pmd-cpu-mask=HEX] DEV1 DEV2\n", argv[0]);
      return 2;
    } else {
      devs.push_back(a);
    }
  }
  if (devs.size() != 2) {
    std::fprintf(stderr, "%s: two devices needed\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, [](int) { stop = true; });
  signal(SIGINT, [](int) { stop = true; });
  signal(SIGUSR1, [](int) { dump = true; });
  auto dp = dpif::Dpif::open("netdev", "ovs-netdev", true);
  if (!dp.ok()) {
    std::fprintf(stderr, "%s\n", dp.error().to_string().c_str());
    return 1;
  }
  if (!mask.empty()) (void)(*dp)->set_config({{"pmd-cpu-mask", mask}});
  std::unique_ptr<netdev::Netdev> nd[2];
  for (int i = 0; i < 2; i++) {
    auto n = netdev::Netdev::open(devs[i], "system");
    if (!n.ok()) {
      std::fprintf(stderr, "%s: %s\n", devs[i].c_str(), n.error().to_string().c_str());
      return 1;
    }
    nd[i] = std::move(*n);
    if (!(*dp)->port_add(*nd[i], uint32_t(i + 1)).ok()) return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  dpif::Bytes out_to[3];
  for (int p = 1; p <= 2; p++) {
    nl::AttrBuilder a;
    (void)odp::odp_actions_from_string(std::to_string(3 - p), a);
    out_to[p] = a.take();
  }
  while (!stop) {
    if (dump.exchange(false)) print_flows(**dp);
    pollfd pfd{(*dp)->wait_fd(0), POLLIN, 0};
    ::poll(&pfd, 1, 100);
    std::vector<dpif::Op> ops;
    for (int i = 0; i < 64; i++) {
      auto up = (*dp)->recv(0);
      if (!up.ok()) break;
      std::string text = odp::odp_flow_key_format(nl::Bytes(up->key.data(), up->key.size()));
      int in = text.find("in_port(1)") != std::string::npos ? 1 : 2;
      dpif::Op put;
      put.type = dpif::Op::Type::kPut;
      if (exact) {
        put.put.key = up->key;  // no mask: every field exact
      } else {
        put.put.key = parse_key("recirc_id(0),in_port(" + std::to_string(in) +
                                    "),eth(),eth_type(0x0800/0)",
                                &put.put.mask);
      }
      put.put.actions = out_to[in];
      put.put.flags = dpif::kPutCreate;
      ops.push_back(std::move(put));
      dpif::Op ex;
      ex.type = dpif::Op::Type::kExecute;
      ex.execute.packet = std::move(up->packet);
      ex.execute.key = std::move(up->key);
      ex.execute.actions = out_to[in];
      ops.push_back(std::move(ex));
    }
    if (!ops.empty()) (*dp)->operate(ops);
  }
  for (int i = 2; i >= 1; i--) (void)(*dp)->port_del(uint32_t(i));
  (void)(*dp)->destroy();
  return 0;
}
