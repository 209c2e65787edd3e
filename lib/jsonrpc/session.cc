// Session: JSON-RPC over a connection kept up by stream::Reconnect, with
// echo keepalive.  The FSM decides when to connect, probe and give up; this
// file performs those actions and reports what happened back to it.
#include "grebe/jsonrpc/session.h"

#include <algorithm>

#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/connection.h"
#include "grebe/stream/reconnect.h"
#include "grebe/stream/stream.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc_session);

namespace grebe::jsonrpc {

struct Session::Impl {
  event::EventLoop& loop;
  std::vector<std::string> remotes;
  Callbacks cb;
  Options opt;
  stream::Reconnect fsm;
  size_t next_remote = 0;
  std::string remote;
  std::unique_ptr<stream::Stream> connecting;
  std::unique_ptr<Connection> conn;
  event::WatchId watch = 0;
  event::TimerId timer = 0;
  Status last_error;
  bool in_step = false;

  Impl(event::EventLoop& l, std::vector<std::string> r, Callbacks c, Options o)
      : loop(l), remotes(std::move(r)), cb(std::move(c)), opt(o), fsm(time_msec()) {
    fsm.set_backoff(static_cast<int>(opt.min_backoff_msec), static_cast<int>(opt.max_backoff_msec));
    fsm.set_probe_interval(static_cast<int>(opt.probe_interval_msec));
  }

  void unwatch() {
    if (watch) loop.unwatch_fd(watch);
    watch = 0;
  }
  void pick_remote() {
    if (remotes.empty()) return;
    remote = remotes[next_remote++ % remotes.size()];
    fsm.set_name(remote);
  }
  void step();
  void start_connect();
  void check_connect();
  void became_connected();
  void on_ready();
  void close(const Error& e);
  Status after_send(Status s);
  void update_events() {
    if (conn && watch) loop.modify_fd(watch, conn->wanted_events());
  }
};

// Runs the FSM's pending actions and re-arms the timer for the next one.
void Session::Impl::step() {
  if (in_step) return;
  in_step = true;
  for (int i = 0; i < 10; i++) {
    long long now = time_msec();
    auto action = fsm.run(now);
    if (action == stream::Reconnect::Action::kNone) break;
    if (action == stream::Reconnect::Action::kConnect) {
      start_connect();
    } else if (action == stream::Reconnect::Action::kDisconnect) {
      fsm.disconnected(now, 0);
      close(Error(ETIMEDOUT, "connection timed out"));
      pick_remote();
    } else if (action == stream::Reconnect::Action::kProbe && conn) {
      if (!conn->send(Message::request("echo", Json::array(), Json("echo"))).ok()) {
        fsm.disconnected(now, conn->status().error().code());
        close(conn->status().error());
      }
      update_events();
    }
  }
  if (timer) loop.cancel_timer(timer);
  timer = 0;
  int t = fsm.timeout(time_msec());
  if (t >= 0)
    timer = loop.add_timer(t, [this] {
      timer = 0;
      // Read first: the FSM probes only once we have tried to receive past
      // the deadline (so a busy owner is not mistaken for a silent peer).
      on_ready();
      step();
    });
  in_step = false;
}

void Session::Impl::start_connect() {
  long long now = time_msec();
  fsm.connecting(now);
  auto s = stream::Stream::open(remote);
  if (!s.ok()) {
    last_error = Status(s.error());
    fsm.connect_failed(now, s.error().code());
    pick_remote();
    return;
  }
  connecting = std::move(*s);
  check_connect();
}

void Session::Impl::check_connect() {
  Status s = connecting->connect();
  if (s.ok()) return became_connected();
  if (s.error().would_block()) {
    unwatch();
    watch = loop.watch_fd(connecting->fd(), connecting->poll_events(stream::Stream::Op::kConnect),
                          [this](uint32_t) {
                            check_connect();
                            step();
                          });
    return;
  }
  unwatch();
  connecting.reset();
  last_error = s;
  fsm.connect_failed(time_msec(), s.error().code());
  pick_remote();
}

void Session::Impl::became_connected() {
  unwatch();
  conn = std::make_unique<Connection>(std::move(connecting), opt.max_message_bytes);
  fsm.connected(time_msec());
  watch = loop.watch_fd(conn->fd(), conn->wanted_events(), [this](uint32_t) {
    on_ready();
    step();
  });
  if (cb.on_connected) cb.on_connected();
}

void Session::Impl::close(const Error& e) {
  unwatch();
  connecting.reset();
  bool was_connected = conn != nullptr;
  conn.reset();
  last_error = Status(e);
  if (was_connected && cb.on_disconnected) cb.on_disconnected(e);
}

void Session::Impl::on_ready() {
  if (!conn) return;
  unsigned gen = fsm.stats(time_msec()).seqno;
  auto fail = [this](const Error& e) {
    fsm.disconnected(time_msec(), e.code());
    close(e);
    pick_remote();
  };
  if (Status s = conn->run(); !s.ok()) return fail(s.error());
  for (int i = 0; i < 50 && conn; i++) {
    size_t before = conn->received_bytes();
    auto msg = conn->recv();
    long long now = time_msec();
    fsm.receive_attempted(now);
    if (conn->received_bytes() != before) fsm.activity(now);
    if (!msg.ok()) return fail(msg.error());
    if (!msg->has_value()) break;
    Message& m = **msg;
    if (m.type == Message::Type::kRequest && m.method == "echo") {
      if (Status s = conn->send(Message::reply(m.params, m.id)); !s.ok()) return fail(s.error());
    } else if (m.type == Message::Type::kReply && m.id == Json("echo")) {
      // The answer to our probe: activity was already noted.
    } else if (cb.on_message) {
      cb.on_message(std::move(m));
      if (gen != fsm.stats(time_msec()).seqno) return;  // the callback reconnected
    }
  }
  update_events();
}

Session::Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks,
                 Options options)
    : impl_(std::make_unique<Impl>(loop, std::move(remotes), std::move(callbacks), options)) {
  impl_->pick_remote();
  impl_->fsm.enable(time_msec());
  impl_->timer = loop.add_timer(0, [this] {
    impl_->timer = 0;
    impl_->step();
  });
}

Session::Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks)
    : Session(loop, std::move(remotes), std::move(callbacks), Options()) {}

Session::Session(event::EventLoop& loop, std::unique_ptr<stream::Stream> accepted,
                 Callbacks callbacks, Options options)
    : impl_(std::make_unique<Impl>(loop, std::vector<std::string>{}, std::move(callbacks),
                                   options)) {
  Impl& i = *impl_;
  i.remote = accepted->name();
  i.fsm.set_name(i.remote);
  i.fsm.set_quiet(true);
  i.fsm.set_max_tries(0);  // never reconnect
  i.connecting = std::move(accepted);
  i.conn = std::make_unique<Connection>(std::move(i.connecting), options.max_message_bytes);
  i.fsm.connected(time_msec());
  i.watch = loop.watch_fd(i.conn->fd(), i.conn->wanted_events(), [this](uint32_t) {
    impl_->on_ready();
    impl_->step();
  });
  i.timer = loop.add_timer(0, [this] {
    impl_->timer = 0;
    impl_->step();
  });
}

Session::~Session() {
  impl_->unwatch();
  if (impl_->timer) impl_->loop.cancel_timer(impl_->timer);
}

Status Session::send(const Message& msg) {
  if (!impl_->conn) return Error(ENOTCONN, "not connected");
  return impl_->after_send(impl_->conn->send(msg));
}

Status Session::send_text(std::string text) {
  if (!impl_->conn) return Error(ENOTCONN, "not connected");
  return impl_->after_send(impl_->conn->send_text(std::move(text)));
}

// Enforces the backlog limit and turns a failed send into a disconnect.
Status Session::Impl::after_send(Status s) {
  if (s.ok() && opt.max_backlog_bytes && conn->backlog() > opt.max_backlog_bytes) {
    VLOG_WARN("%s: backlog of %zu bytes exceeds limit, disconnecting", remote.c_str(),
              conn->backlog());
    s = Error(ENOBUFS, "backlog exceeds " + std::to_string(opt.max_backlog_bytes) + " bytes");
  }
  if (!s.ok()) {
    fsm.disconnected(time_msec(), s.error().code());
    close(s.error());
    pick_remote();
    step();
    return s;
  }
  update_events();
  return ok_status();
}

bool Session::is_connected() const { return impl_->conn != nullptr; }
bool Session::is_alive() const {
  return impl_->conn || impl_->connecting || impl_->fsm.max_tries() > 0;
}
unsigned Session::seqno() const { return impl_->fsm.stats(time_msec()).seqno; }
const std::string& Session::remote() const { return impl_->remote; }
size_t Session::backlog() const { return impl_->conn ? impl_->conn->backlog() : 0; }
Status Session::last_error() const { return impl_->last_error; }

stream::Reconnect::Stats Session::stats() const { return impl_->fsm.stats(time_msec()); }

void Session::set_probe_interval(long long msec) {
  impl_->fsm.set_probe_interval(static_cast<int>(msec));
  impl_->step();  // the next deadline may have moved
}

void Session::set_backoff(long long min_msec, long long max_msec) {
  impl_->fsm.set_backoff(static_cast<int>(min_msec), static_cast<int>(max_msec));
  impl_->step();
}

void Session::force_reconnect() {
  impl_->fsm.force_reconnect(time_msec());
  impl_->step();
}

}  // namespace grebe::jsonrpc
