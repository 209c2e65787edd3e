#include "control.h"

#include <unistd.h>

#include <cstdio>
#include <future>
#include <thread>

#include "client.h"
#include "grebe/daemon/daemon.h"
#include "grebe/event/event_loop.h"
#include "grebe/unixctl/builtins.h"
#include "grebe/unixctl/unixctl.h"

namespace grebe::ovsdb_client {

const daemon::Options& daemon_options();

void start_control_socket() {
  if (!daemon::is_detached()) return;
  std::promise<Status> started;
  auto ready = started.get_future();
  std::thread([&started] {
    event::EventLoop loop;
    auto server = unixctl::Server::create(loop, daemon_options().unixctl_path);
    if (!server.ok()) {
      started.set_value(server.error());
      return;
    }
    unixctl::register_vlog_commands();
    unixctl::register_exit_command([&loop] { loop.stop(); });
    started.set_value(Status());
    loop.run();
    server->reset();  // removes the socket file
    fflush(stdout);
    daemon::remove_pidfile();
    _exit(0);
  }).detach();
  Status st = ready.get();
  if (!st.ok()) fatal(st.error().code(), "failed to create unixctl server");
}

}  // namespace grebe::ovsdb_client
