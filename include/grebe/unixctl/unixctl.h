// unixctl: the control socket behind ovs-appctl, wire-compatible with OVS
// (lib/unixctl.c), so stock /usr/bin/ovs-appctl drives Grebe daemons and our
// ovs-appctl drives stock OVS daemons.
//
//   request  {"method":"vlog/set","params":["ANY:dbg"],"id":0}
//   reply    {"result":"...\n","error":null,"id":0}
//   error    {"result":null,"error":"...\n","id":0}
//
// Commands are registered process-wide (any thread, any time) and run on the
// thread of the EventLoop that owns the Server.  Each connection carries one
// request at a time: the next one is read only after the reply.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grebe/util/result.h"

namespace grebe::event {
class EventLoop;
}

namespace grebe::unixctl {

// The way to answer one request.  Copyable, so a handler may keep it and
// answer later (e.g. after a flush completes); only the first answer counts,
// and answering after the client went away is a no-op.  Use from the
// Server's loop thread.
class Reply {
 public:
  // Success with `body` (a trailing newline is added if missing, as OVS).
  void ok(std::string_view body = "") const;
  // Failure with `body`; ovs-appctl prints it on stderr and exits 2.
  void error(std::string_view body) const;
  bool pending() const;
  // The loop the request arrived on (for handlers that finish later).
  event::EventLoop& loop() const;

  struct State;  // implementation detail
  explicit Reply(std::shared_ptr<State> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<State> state_;
};

// argv[0] is the command name, argv[1..] its arguments (all strings).
using Handler = std::function<void(const std::vector<std::string>& argv, const Reply& reply)>;

// Registers `name`.  `usage` is shown by list-commands ("" for none);
// nullopt hides the command.  Registering an existing name again is ignored,
// as in OVS.  Thread-safe.
void register_command(std::string_view name, std::optional<std::string> usage, int min_args,
                      int max_args, Handler handler);
// Names and usages, sorted: what list-commands prints.
std::string list_commands_text();

class Server {
 public:
  // Listens on `path`: nullopt = <rundir>/<program>.<pid>.ctl; a relative
  // path is under <rundir>; "none" = no server (returns nullptr, success).
  // Also registers list-commands and version.  On failure logs and returns
  // "PATH: could not initialize control socket (strerror)".
  static Result<std::unique_ptr<Server>> create(event::EventLoop& loop,
                                                const std::optional<std::string>& path);
  ~Server();  // closes connections and removes the socket file
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const std::string& path() const;
  size_t n_connections() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Client side, for ovs-appctl and tests.  Blocking; one thread.
class Client {
 public:
  // Connects to the socket at `path` (relative = under <rundir>).  Logs
  // "failed to connect to PATH" at WARN on failure, like OVS.
  static Result<std::unique_ptr<Client>> connect(std::string_view path);
  ~Client();

  struct Response {
    bool is_error = false;
    std::string body;  // result or error text
  };
  // Sends one command and waits (timeout_msec -1 = forever).  Transport and
  // protocol failures are errors (kEof-style codes from jsonrpc); a command
  // that failed on the server is a Response with is_error.
  Result<Response> transact(std::string_view command, const std::vector<std::string>& args,
                            long long timeout_msec = -1);

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace grebe::unixctl
