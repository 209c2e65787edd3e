// Daemon lifecycle as OVS daemons do it: pidfile, --detach, --monitor,
// --no-chdir, --user.  Used by every Grebe daemon's main():
//
//     auto opts = ...parsed with daemon::OptionParser (options.h)...;
//     daemon::daemonize_start(opts);          // forks; returns in the daemon
//     ...open sockets, unixctl server, databases...
//     daemon::daemonize_complete();           // parent of --detach exits 0
//     loop.run();
//
// Threads: call everything here from the main thread before starting other
// threads (fork() copies only the calling thread).  Errors are returned as
// values with OVS's message text; mains report them with fatal().
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "grebe/util/result.h"

namespace grebe::event {
class EventLoop;
class SignalWatcher;
}  // namespace grebe::event

namespace grebe::daemon {

// Capabilities a --user daemon keeps after dropping root (ovs-vswitchd needs
// all three; ovsdb-server none).
struct Capabilities {
  bool net_admin = false;
  bool net_raw = false;
  bool net_bind_service = false;
};

struct Options {
  bool detach = false;
  bool monitor = false;
  bool chdir = true;               // --no-chdir clears it
  bool overwrite_pidfile = false;
  std::optional<std::string> pidfile;  // absolute path once parsed
  std::optional<std::string> user_spec;  // --user USER[:GROUP]
  std::optional<std::string> unixctl_path;  // --unixctl SOCKET (or "none")
  Capabilities capabilities;
};

// <rundir>/<program>.pid
std::string default_pidfile();

// Reads the pid of the live process holding `path` locked (OVS's
// read_pidfile): ENOENT if missing, ESRCH if stale (not locked, or locked by
// a process other than the one it names).  Returns our own pid for our own
// pidfile.  Logs at WARN as OVS does.
Result<pid_t> read_pidfile(const std::string& path);

// Starts daemonization per `opts`: switches user, forks for --detach (the
// parent waits for daemonize_complete() and then exits 0, or exits with the
// child's failing status), forks a monitor for --monitor (which restarts the
// daemon after crash signals and never returns), then creates the pidfile.
// Returns in the daemon process.  Errors: "PIDFILE: already running as pid N,
// aborting" and other pidfile/user failures (the caller should fatal()).
Status daemonize_start(const Options& opts);

// Tells a --detach parent that startup succeeded, then (with --detach) joins
// a new session, chdirs to / unless --no-chdir, and points stdio at
// /dev/null.  Idempotent.
void daemonize_complete();

// True in the process that runs the daemon after daemonize_start().
bool is_detached();
// Keeps standard fd `fd` (0, 1 or 2) open when daemonize_complete() detaches,
// so a detached client (ovsdb-client --detach monitor > file) keeps writing
// to where it was started (OVS's daemon_save_fd()).  Main thread, before
// daemonize_complete().
void daemon_save_fd(int fd);

// Removes the pidfile now (also done automatically at exit and on
// SIGTERM/SIGINT if they reach their default handler).
void remove_pidfile();

// Unlinks `path` when the process exits normally or by a fatal signal.
void unlink_at_exit(const std::string& path);

// Routes the daemon signals through `signals` (on `loop`'s thread): SIGHUP
// reopens the log file (for log rotation), SIGTERM and SIGINT stop `loop` so
// main() returns and exit-time cleanup (pidfile, sockets) runs.
void handle_signals(event::EventLoop& loop, event::SignalWatcher& signals);

// OVS's VLOG_FATAL: logs `message` at EMER (not to the console) and prints
// "PROGRAM: message" on stderr, then exit(1).
[[noreturn]] void fatal(const std::string& message);

// "exit status 3", "killed (Segmentation fault), core dumped": OVS's words
// for a waitpid() status.
std::string process_status_msg(int status);

}  // namespace grebe::daemon
