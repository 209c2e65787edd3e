// Session: reconnecting JSON-RPC client with echo keepalive.
#include "grebe/jsonrpc/session.h"

#include <algorithm>

#include "grebe/event/event_loop.h"
#include "grebe/jsonrpc/connection.h"
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
  size_t next_remote = 0;
  std::string remote;
  std::unique_ptr<stream::Stream> connecting;
  std::unique_ptr<Connection> conn;
  event::WatchId watch = 0;
  event::TimerId timer = 0;
  long long backoff = 0;
  long long connected_at = 0;
  long long last_activity = 0;
  bool probe_sent = false;
  unsigned seqno = 0;
  Status last_error;

  Impl(event::EventLoop& l, std::vector<std::string> r, Callbacks c, Options o)
      : loop(l), remotes(std::move(r)), cb(std::move(c)), opt(o) {}

  void clear_watch_and_timer() {
    if (watch) loop.unwatch_fd(watch);
    if (timer) loop.cancel_timer(timer);
    watch = timer = 0;
  }
  void set_timer(long long delay, std::function<void()> fn) {
    if (timer) loop.cancel_timer(timer);
    timer = loop.add_timer(std::max(0LL, delay), [this, fn = std::move(fn)] {
      timer = 0;
      fn();
    });
  }

  void attempt();
  void check_connect();
  void became_connected();
  void on_ready();
  void arm_probe();
  void on_probe_timer();
  void drop(const Error& e, bool was_connected);
  void update_events() {
    if (conn && watch) loop.modify_fd(watch, conn->wanted_events());
  }
};

void Session::Impl::attempt() {
  if (remotes.empty()) return;
  remote = remotes[next_remote++ % remotes.size()];
  VLOG_INFO("%s: connecting...", remote.c_str());
  auto s = stream::Stream::open(remote);
  if (!s.ok()) return drop(s.error(), false);
  connecting = std::move(*s);
  // A connection attempt gets as long as the current backoff to finish.
  set_timer(std::max(backoff, opt.min_backoff_msec),
            [this] { drop(Error(ETIMEDOUT, "connection timed out"), false); });
  check_connect();
}

void Session::Impl::check_connect() {
  Status s = connecting->connect();
  if (s.ok()) return became_connected();
  if (!s.error().would_block()) return drop(s.error(), false);
  if (watch) loop.unwatch_fd(watch);
  watch = loop.watch_fd(connecting->fd(), connecting->poll_events(stream::Stream::Op::kConnect),
                        [this](uint32_t) { check_connect(); });
}

void Session::Impl::became_connected() {
  clear_watch_and_timer();
  conn = std::make_unique<Connection>(std::move(connecting), opt.max_message_bytes);
  seqno++;
  connected_at = last_activity = time_msec();
  probe_sent = false;
  VLOG_INFO("%s: connected", remote.c_str());
  watch = loop.watch_fd(conn->fd(), conn->wanted_events(), [this](uint32_t) { on_ready(); });
  arm_probe();
  if (cb.on_connected) cb.on_connected();
}

void Session::Impl::on_ready() {
  unsigned gen = seqno;
  if (Status s = conn->run(); !s.ok()) return drop(s.error(), true);
  for (int i = 0; i < 50; i++) {
    size_t before = conn->received_bytes();
    auto msg = conn->recv();
    if (conn->received_bytes() != before) {
      last_activity = time_msec();
      probe_sent = false;
    }
    if (!msg.ok()) return drop(msg.error(), true);
    if (!msg->has_value()) break;
    Message& m = **msg;
    if (m.type == Message::Type::kRequest && m.method == "echo") {
      if (Status s = conn->send(Message::reply(m.params, m.id)); !s.ok())
        return drop(s.error(), true);
    } else if (m.type == Message::Type::kReply && m.id == Json("echo")) {
      // Our probe's answer: activity was already noted.
    } else if (cb.on_message) {
      cb.on_message(std::move(m));
      if (gen != seqno || !conn) return;  // the callback reconnected
    }
  }
  update_events();
}

void Session::Impl::arm_probe() {
  if (opt.probe_interval_msec <= 0 || !conn) return;
  long long base = probe_sent ? last_activity + 2 * opt.probe_interval_msec
                              : last_activity + opt.probe_interval_msec;
  set_timer(base - time_msec(), [this] { on_probe_timer(); });
}

void Session::Impl::on_probe_timer() {
  if (!conn) return;
  long long idle = time_msec() - last_activity;
  if (!probe_sent && idle >= opt.probe_interval_msec) {
    VLOG_DBG("%s: idle %lld ms, sending inactivity probe", remote.c_str(), idle);
    probe_sent = true;
    if (Status s = conn->send(Message::request("echo", Json::array(), Json("echo"))); !s.ok())
      return drop(s.error(), true);
    update_events();
  } else if (probe_sent && idle >= 2 * opt.probe_interval_msec) {
    VLOG_ERR("%s: no response to inactivity probe after %.3g seconds, disconnecting",
             remote.c_str(), opt.probe_interval_msec / 1000.0);
    return drop(Error(ETIMEDOUT, "inactivity probe timeout"), true);
  }
  arm_probe();
}

void Session::Impl::drop(const Error& e, bool was_connected) {
  clear_watch_and_timer();
  long long now = time_msec();
  if (was_connected) {
    VLOG_INFO("%s: connection dropped (%s)", remote.c_str(), e.to_string().c_str());
    // A connection that lasted at least one backoff period was healthy:
    // reconnect at once rather than keep growing the delay.
    backoff = now - connected_at >= backoff ? 0 : backoff;
  } else {
    VLOG_INFO("%s: connection attempt failed (%s)", remote.c_str(), e.to_string().c_str());
    backoff = backoff ? std::min(backoff * 2, opt.max_backoff_msec) : opt.min_backoff_msec;
  }
  conn.reset();
  connecting.reset();
  last_error = Status(e);
  if (backoff) VLOG_INFO("%s: waiting %.3g seconds before reconnect", remote.c_str(), backoff / 1000.0);
  set_timer(backoff, [this] { attempt(); });
  if (was_connected) {
    seqno++;
    if (cb.on_disconnected) cb.on_disconnected(e);
  }
}

Session::Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks,
                 Options options)
    : impl_(std::make_unique<Impl>(loop, std::move(remotes), std::move(callbacks), options)) {
  impl_->set_timer(0, [this] { impl_->attempt(); });
}

Session::Session(event::EventLoop& loop, std::vector<std::string> remotes, Callbacks callbacks)
    : Session(loop, std::move(remotes), std::move(callbacks), Options()) {}

Session::~Session() { impl_->clear_watch_and_timer(); }

Status Session::send(const Message& msg) {
  if (!impl_->conn) return Error(ENOTCONN, "not connected");
  Status s = impl_->conn->send(msg);
  if (s.ok() && impl_->opt.max_backlog_bytes && impl_->conn->backlog() > impl_->opt.max_backlog_bytes)
    s = Error(ENOBUFS, "backlog exceeds " + std::to_string(impl_->opt.max_backlog_bytes) + " bytes");
  if (!s.ok()) {
    impl_->drop(s.error(), true);
    return s;
  }
  impl_->update_events();
  return ok_status();
}

bool Session::is_connected() const { return impl_->conn != nullptr; }
unsigned Session::seqno() const { return impl_->seqno; }
const std::string& Session::remote() const { return impl_->remote; }
size_t Session::backlog() const { return impl_->conn ? impl_->conn->backlog() : 0; }
Status Session::last_error() const { return impl_->last_error; }

void Session::force_reconnect() {
  if (impl_->conn) {
    impl_->drop(Error(ECONNABORTED, "reconnect forced"), true);
  }
  impl_->backoff = 0;
  impl_->set_timer(0, [this] { impl_->attempt(); });
}

}  // namespace grebe::jsonrpc
