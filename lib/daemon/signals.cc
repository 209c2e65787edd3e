// The signals every daemon handles the same way.
#include <csignal>

#include "grebe/daemon/daemon.h"
#include "grebe/event/event_loop.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(daemon_signals);

namespace grebe::daemon {

void handle_signals(event::EventLoop& loop, event::SignalWatcher& signals) {
  signals.on(SIGHUP, [] {
    Status s = vlog::reopen_log_file();
    if (!s.ok()) VLOG_WARN("reopening log file failed: %s", s.error().to_string().c_str());
  });
  auto stop = [&loop] { loop.stop(); };
  signals.on(SIGTERM, stop);
  signals.on(SIGINT, stop);
}

}  // namespace grebe::daemon
