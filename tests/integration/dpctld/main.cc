// grebe-dpctld: the smallest daemon that answers `ovs-appctl dpctl/*` (and
// netdev-dummy/receive) over in-process dummy datapaths, so the unixctl
// side of lib/dpctl is tested end to end with real sockets and both our
// and stock ovs-appctl.  Datapaths are polled every 20 ms, and
// `dpctld/run` polls them until idle so tests need not wait on timers.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/dpctl/dpctl.h"
#include "grebe/dpif/dpif.h"
#include "grebe/dpif/netdev_dummy_commands.h"
#include "grebe/event/event_loop.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(dpctld);

namespace {

using namespace grebe;

// Polls every dummy datapath until none has work; returns packets handled.
size_t run_datapaths(dpctl::DatapathHost& host) {
  size_t total = 0;
  auto names = host.enumerate("dummy");
  if (!names.ok()) return 0;
  for (const std::string& name : *names) {
    auto dp = dpif::Dpif::open("dummy", name, false);
    if (!dp.ok()) continue;
    for (int i = 0; i < 1000; i++) {
      size_t n = (*dp)->run();
      if (!n) break;
      total += n;
    }
  }
  return total;
}

void poll_every(event::EventLoop& loop, dpctl::DatapathHost& host) {
  run_datapaths(host);
  loop.add_timer(20, [&loop, &host] { poll_every(loop, host); });
}

void register_dummy_commands(dpctl::DatapathHost& host) {
  auto wrap = [](auto fn) {
    return [fn](const std::vector<std::string>& argv, const unixctl::Reply& reply) {
      auto r = fn(std::vector<std::string>(argv.begin() + 1, argv.end()));
      if (r.ok()) {
        reply.ok(*r);
      } else {
        reply.error(r.error().message());
      }
    };
  };
  unixctl::register_command("netdev-dummy/receive",
                            "name [--qid queue_id] packet|flow [--len packet_len]", 2, INT_MAX,
                            wrap(netdev::netdev_dummy_receive_command));
  unixctl::register_command("netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2,
                            wrap(netdev::netdev_dummy_set_admin_state_command));
  unixctl::register_command("dpctld/run", std::nullopt, 0, 0,
                            [&host](const std::vector<std::string>&, const unixctl::Reply& reply) {
                              reply.ok(std::to_string(run_datapaths(host)));
                            });
}

}  // namespace

int main(int argc, char* argv[]) {
  set_program_name(argv[0]);
  std::string head = program_name() + ": dpctl test daemon\nusage: " + program_name() +
                     " [OPTIONS]\n";
  auto opts = daemon::parse_command_line(argc, argv, head);
  if (!opts.ok()) {
    if (!opts.error().message().empty())
      std::fprintf(stderr, "%s: %s\n", program_name().c_str(), opts.error().message().c_str());
    return EXIT_FAILURE;
  }
  if (Status s = daemon::daemonize_start(*opts); !s.ok()) daemon::fatal(s.error().message());

  event::EventLoop loop;
  event::SignalWatcher signals(loop);
  daemon::handle_signals(loop, signals);
  auto server = unixctl::Server::create(loop, opts->unixctl_path);
  if (!server.ok()) daemon::fatal(server.error().to_string());
  unixctl::register_builtin_commands(loop, [&loop] { loop.stop(); });
  auto host = std::make_shared<dpctl::DatapathHost>();
  dpctl::register_dpctl_unixctl(host);
  register_dummy_commands(*host);
  poll_every(loop, *host);
  daemon::daemonize_complete();
  loop.run();
  VLOG_INFO("exiting");
  return 0;
}
