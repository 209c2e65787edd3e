// unixctl server: accepts control connections and dispatches requests to
// registered commands.
#include <unistd.h>

#include <algorithm>
#include <list>

#include "grebe/daemon/options.h"
#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/stream.h"
#include "grebe/unixctl/unixctl.h"
#include "grebe/util/coverage.h"
#include "grebe/util/dirs.h"
#include "grebe/util/vlog.h"
#include "registry.h"

namespace grebe::unixctl {
// Client and server log as one module, "unixctl", as in OVS.
grebe::vlog::Module& unixctl_vlog_module() {
  static grebe::vlog::Module m("unixctl");
  return m;
}
}  // namespace grebe::unixctl
static grebe::vlog::Module& vlog_this_module_ = grebe::unixctl::unixctl_vlog_module();
COVERAGE_DEFINE(unixctl_received);
COVERAGE_DEFINE(unixctl_replied);

namespace grebe::unixctl {

using jsonrpc::Json;
using jsonrpc::Message;

namespace {
grebe::vlog::RateLimit rl(5, 5);

// JSON text for logs; never throws (invalid UTF-8 is replaced).
std::string to_text(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }
}

struct ConnState {
  std::unique_ptr<jsonrpc::Connection> rpc;
  event::WatchId watch = 0;
  bool busy = false;  // a request is awaiting its reply
  Server::Impl* server = nullptr;
};

struct Reply::State {
  event::EventLoop* loop = nullptr;
  std::weak_ptr<ConnState> conn;
  Json id;
  bool answered = false;
};

struct Server::Impl {
  event::EventLoop& loop;
  std::unique_ptr<stream::PassiveStream> listener;
  event::WatchId listen_watch = 0;
  std::string path;
  std::list<std::shared_ptr<ConnState>> conns;

  explicit Impl(event::EventLoop& l) : loop(l) {}
  void accept_ready();
  void conn_ready(const std::shared_ptr<ConnState>& c);
  void process(const std::shared_ptr<ConnState>& c, Message& request);
  void update(ConnState& c) {
    uint32_t ev = (c.busy ? 0 : event::kReadable) | (c.rpc->backlog() ? event::kWritable : 0);
    loop.modify_fd(c.watch, ev);
  }
  void kill(const std::shared_ptr<ConnState>& c) {
    loop.unwatch_fd(c->watch);
    conns.remove(c);
  }
};

// Sends the one reply a request gets (OVS appends a newline to a non-empty
// body), then lets the connection read its next request.
static void send_reply(Reply::State* state, bool success, std::string_view body) {
  if (!state || state->answered) return;
  state->answered = true;
  COVERAGE_INC(unixctl_replied);
  auto c = state->conn.lock();
  if (!c) return;  // the client went away
  std::string text(body);
  if (!text.empty() && text.back() != '\n') text += '\n';
  VLOG_DBG("replying with %s, id=%s: \"%s\"", success ? "success" : "error",
           to_text(state->id).c_str(), text.c_str());
  (void)c->rpc->send(success ? Message::reply(text, state->id)
                             : Message::error_reply(text, state->id));
  c->busy = false;
  // More requests may already be buffered: look at them on the next turn.
  std::weak_ptr<ConnState> weak = c;
  Server::Impl* server = c->server;
  server->loop.post([server, weak] {
    if (auto conn = weak.lock()) server->conn_ready(conn);
  });
}

void Reply::ok(std::string_view body) const { send_reply(state_.get(), true, body); }
void Reply::error(std::string_view body) const { send_reply(state_.get(), false, body); }

bool Reply::pending() const { return state_ && !state_->answered; }
event::EventLoop& Reply::loop() const { return *state_->loop; }

void Server::Impl::accept_ready() {
  for (int i = 0; i < 10; i++) {
    auto s = listener->accept();
    if (!s.ok()) {
      if (!s.error().would_block())
        VLOG_WARN_RL(&rl, "%s: accept failed: %s", listener->name().c_str(),
                     errno_string(s.error().code()).c_str());
      return;
    }
    auto c = std::make_shared<ConnState>();
    c->rpc = std::make_unique<jsonrpc::Connection>(std::move(*s));
    c->server = this;
    std::weak_ptr<ConnState> weak = c;
    c->watch = loop.watch_fd(c->rpc->fd(), event::kReadable, [this, weak](uint32_t) {
      if (auto conn = weak.lock()) conn_ready(conn);
    });
    conns.push_back(std::move(c));
  }
}

void Server::Impl::conn_ready(const std::shared_ptr<ConnState>& c) {
  std::shared_ptr<ConnState> keep = c;  // handlers may drop the connection
  if (!c->rpc->run().ok()) return kill(c);
  for (int i = 0; i < 10 && !c->busy; i++) {
    auto msg = c->rpc->recv();
    if (!msg.ok()) return kill(c);  // EOF or garbage: the error was logged
    if (!msg->has_value()) break;
    if ((*msg)->type != Message::Type::kRequest) {
      VLOG_WARN_RL(&rl, "%s: received unexpected %s message", c->rpc->name().c_str(),
                   jsonrpc::type_to_string((*msg)->type));
      return kill(c);
    }
    process(c, **msg);
    if (!c->rpc->status().ok()) return kill(c);
  }
  if (std::find(conns.begin(), conns.end(), c) != conns.end()) update(*c);
}

void Server::Impl::process(const std::shared_ptr<ConnState>& c, Message& request) {
  COVERAGE_INC(unixctl_received);
  VLOG_DBG("received request %s%s, id=%s", request.method.c_str(), to_text(request.params).c_str(),
           to_text(request.id).c_str());
  auto state = std::make_shared<Reply::State>();
  state->loop = &loop;
  state->conn = c;
  state->id = request.id;
  c->busy = true;
  Reply reply(state);
  const std::string& name = request.method;
  auto cmd = find_command(name);
  int n = static_cast<int>(request.params.size());
  if (!cmd) {
    return reply.error("\"" + name +
                       "\" is not a valid command (use \"list-commands\" to see a list of valid "
                       "commands)");
  }
  if (n < cmd->min_args)
    return reply.error("\"" + name + "\" command requires at least " +
                       std::to_string(cmd->min_args) + " arguments");
  if (n > cmd->max_args)
    return reply.error("\"" + name + "\" command takes at most " +
                       std::to_string(cmd->max_args) + " arguments");
  std::vector<std::string> argv{name};
  for (const Json& p : request.params) {
    if (!p.is_string()) return reply.error("\"" + name + "\" command has non-string argument");
    argv.push_back(p.get<std::string>());
  }
  cmd->handler(argv, reply);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  for (auto& c : impl_->conns) impl_->loop.unwatch_fd(c->watch);
  impl_->conns.clear();
  impl_->loop.unwatch_fd(impl_->listen_watch);
  // Destroying a punix listener removes the socket file.
}

Result<std::unique_ptr<Server>> Server::create(event::EventLoop& loop,
                                               const std::optional<std::string>& path) {
  if (path && *path == "none") return std::unique_ptr<Server>();
  std::string abs = path ? abs_file_name(ovs_rundir(), *path)
                         : ovs_rundir() + "/" + program_name() + "." +
                               std::to_string(static_cast<long>(getpid())) + ".ctl";
  auto listener = stream::PassiveStream::open("punix:" + abs);
  if (!listener.ok()) {
    int code = listener.error().code();
    std::string msg = abs + ": could not initialize control socket";
    VLOG_ERR("%s (%s)", msg.c_str(), errno_string(code).c_str());
    return Error(code, msg);
  }
  register_command("list-commands", "", 0, 0,
                   [](const std::vector<std::string>&, const Reply& r) { r.ok(list_commands_text()); });
  register_command("version", "", 0, 0, [](const std::vector<std::string>&, const Reply& r) {
    r.ok(daemon::version_line());
  });
  auto impl = std::make_unique<Impl>(loop);
  impl->listener = std::move(*listener);
  impl->path = abs;
  Impl* raw = impl.get();
  impl->listen_watch =
      loop.watch_fd(raw->listener->fd(), event::kReadable, [raw](uint32_t) { raw->accept_ready(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

const std::string& Server::path() const { return impl_->path; }
size_t Server::n_connections() const { return impl_->conns.size(); }

}  // namespace grebe::unixctl
