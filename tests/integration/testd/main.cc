// grebe-testd: the smallest real Grebe daemon, for integration tests of the
// daemon plumbing (pidfile, --detach, --monitor, logging, unixctl).  It does
// nothing but run its event loop and answer control commands.
#include <cstdio>
#include <cstdlib>

#include "grebe/daemon/daemon.h"
#include "grebe/daemon/options.h"
#include "grebe/event/event_loop.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/coverage.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(testd);
COVERAGE_DEFINE(testd_iteration);

int main(int argc, char* argv[]) {
  using namespace grebe;
  set_program_name(argv[0]);
  std::string head = program_name() + ": Grebe test daemon\nusage: " + program_name() +
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
  unsigned long long iterations = 0;
  unixctl::add_memory_reporter([&iterations](std::map<std::string, unsigned long long>& u) {
    u["iterations"] = iterations;
  });
  loop.add_hook([&iterations] {
    iterations++;
    COVERAGE_INC(testd_iteration);
  });
  VLOG_INFO("%s", daemon::version_line().c_str());
  daemon::daemonize_complete();
  loop.run();
  VLOG_INFO("exiting");
  return 0;
}
