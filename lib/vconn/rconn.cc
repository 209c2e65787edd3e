// Rconn: reliable OpenFlow connection on an EventLoop.  See
// grebe/vconn/rconn.h.
#include "grebe/vconn/rconn.h"

#include <algorithm>

#include "grebe/event/event_loop.h"
#include "grebe/openflow/ofp_msgs.h"
#include "grebe/openflow/ofp_protocol.h"
#include "grebe/util/byteorder.h"
#include "grebe/util/clock.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(rconn);

namespace grebe::vconn {

namespace {
// Messages handled per run() before yielding to other work on the loop.
constexpr int kMaxRecvPerRun = 50;

// OVS's is_admitted_msg(): does `m` show the peer really is a controller
// (or switch) talking to us, beyond the handshake and configuration?
bool is_admitted_msg(const OfpMsg& m) {
  uint8_t version = m[0], type = m[1];
  if (type <= openflow::kOfptSetConfig && type != openflow::kOfptVendor) return false;
  if (version == openflow::kOfp10) return type != 20 && type != 21;  // queue config
  if (version <= openflow::kOfp13 && (type == 22 || type == 23)) return false;
  if (version >= openflow::kOfp13 && (type == 26 || type == 27)) return false;  // async
  if ((type == 18 || type == 19) && m.size() >= 10) {
    uint16_t mp = load_be16(m.data() + 8);
    // Group stats/desc/features, table features; and from 1.4 table desc
    // and queue desc (OVS's queue-get-config there).
    if (mp == 6 || mp == 7 || mp == 8 || mp == 12) return false;
    if (version >= openflow::kOfp14 && (mp == 14 || mp == 15)) return false;
  }
  return true;
}
}  // namespace

Rconn::Rconn(event::EventLoop& loop, int probe_interval, int max_backoff, uint8_t dscp,
             uint32_t allowed_versions)
    : loop_(loop),
      fsm_(time_msec()),
      dscp_(dscp),
      allowed_versions_(allowed_versions),
      probe_interval_(0) {
  last_admitted_ = time_msec();
  set_max_backoff(max_backoff);
  set_probe_interval(probe_interval);
}

Rconn::~Rconn() {
  in_run_ = true;  // no rescheduling while tearing down
  flush_queue();
  while (!monitors_.empty()) close_monitor(monitors_.size() - 1, 0);
  if (watch_) loop_.unwatch_fd(watch_);
  if (timer_) loop_.cancel_timer(timer_);
}

void Rconn::set_probe_interval(int seconds) {
  probe_interval_ = seconds > 0 ? std::max(5, seconds) : 0;
  fsm_.set_probe_interval(probe_interval_ * 1000);
  reschedule();
}

void Rconn::set_max_backoff(int seconds) {
  int max_ms = seconds > 0 ? std::max(1, seconds) * 1000 : 0;
  fsm_.set_backoff(1000, max_ms);
}

int Rconn::max_backoff() const { return fsm_.max_backoff() / 1000; }

void Rconn::connect(std::string target, std::string name) {
  drop_connection(0, false);
  target_ = std::move(target);
  name_ = name.empty() ? target_ : std::move(name);
  reliable_ = true;
  disconnected_ = false;
  long long now = time_msec();
  fsm_.set_name(name_);
  fsm_.set_quiet(false);
  fsm_.set_max_tries(UINT_MAX);
  fsm_.disable(now);
  fsm_.enable(now);
  run();
}

void Rconn::connect_unreliably(std::unique_ptr<Vconn> vconn, std::string name) {
  drop_connection(0, false);
  target_ = vconn->name();
  name_ = name.empty() ? target_ : std::move(name);
  reliable_ = false;
  disconnected_ = false;
  long long now = time_msec();
  fsm_.set_name(name_);
  fsm_.set_quiet(true);  // accepted connections come and go: DBG, as OVS
  fsm_.disable(now);
  fsm_.set_max_tries(1);
  fsm_.enable(now);
  fsm_.connecting(now);
  vconn_ = std::move(vconn);
  generation_++;
  connecting_ = true;
  run();
}

void Rconn::reconnect() {
  if (vconn_) {
    drop_connection(0, true);
    if (reliable_) fsm_.enable(time_msec());
  }
  reschedule();
}

void Rconn::disconnect() {
  fsm_.disable(time_msec());  // first, so the FSM logs no failed attempt
  drop_connection(0, true);
  target_.clear();
  reliable_ = false;
  disconnected_ = false;
  reschedule();
}

bool Rconn::is_connected() const { return vconn_ && !connecting_ && fsm_.is_connected(); }

unsigned Rconn::n_attempted_connections() const {
  return fsm_.stats(time_msec()).n_attempted_connections;
}

bool Rconn::is_admitted() const { return is_connected() && last_admitted_ >= last_connected_; }

int Rconn::failure_duration() const {
  return is_admitted() ? 0 : static_cast<int>((time_msec() - last_admitted_) / 1000);
}

void Rconn::add_monitor(std::unique_ptr<Vconn> monitor) {
  if (monitors_.size() >= kMaxMonitors) {
    VLOG_DBG("too many monitor connections, discarding %s", monitor->name().c_str());
    return;
  }
  VLOG_INFO("new monitor connection from %s", monitor->name().c_str());
  monitor->set_recv_any_version();
  monitors_.push_back({std::move(monitor), 0});
  run();
}

void Rconn::close_monitor(size_t i, int error) {
  if (error) {
    VLOG_DBG("%s: closing monitor connection to %s (%s)", name_.c_str(),
             monitors_[i].vconn->name().c_str(), retval_to_string(error).c_str());
  }
  if (monitors_[i].watch) loop_.unwatch_fd(monitors_[i].watch);
  monitors_.erase(monitors_.begin() + static_cast<long>(i));
}

void Rconn::copy_to_monitors(const OfpMsg& msg) {
  for (size_t i = 0; i < monitors_.size();) {
    Status s = monitors_[i].vconn->send(msg);
    if (!s.ok() && !s.error().would_block()) {
      close_monitor(i, s.error().code());
      continue;
    }
    i++;
  }
}

// Advances monitors' handshakes and output; drops whatever they send.
void Rconn::run_monitors() {
  for (size_t i = 0; i < monitors_.size();) {
    Vconn& m = *monitors_[i].vconn;
    m.run();
    auto r = m.recv();
    while (r.ok()) r = m.recv();
    if (!r.error().would_block()) {
      close_monitor(i, r.error().code());
      continue;
    }
    i++;
  }
}

bool Rconn::is_alive() const { return !disconnected_ && fsm_.is_enabled(); }

const char* Rconn::state() const {
  if (disconnected_) return "DISCONNECTED";
  if (connecting_ && vconn_) return "CONNECTING";
  std::string_view s = fsm_.state_name();
  if (s == "VOID") return "VOID";
  if (s == "BACKOFF" || s == "RECONNECT") return "BACKOFF";
  if (s == "ACTIVE") return "ACTIVE";
  if (s == "IDLE") return "IDLE";
  return "CONNECTING";
}

std::map<std::string, std::string> Rconn::status_pairs() const {
  std::map<std::string, std::string> pairs;
  long long now = time_msec();
  if (last_error_) pairs["last_error"] = retval_to_string(last_error_);
  pairs["state"] = state();
  if (last_connected_ != LLONG_MIN) {
    pairs["sec_since_connect"] = std::to_string((now - last_connected_) / 1000);
  }
  if (last_disconnected_ != LLONG_MIN) {
    pairs["sec_since_disconnect"] = std::to_string((now - last_disconnected_) / 1000);
  }
  return pairs;
}

Status Rconn::send(OfpMsg msg, PacketCounter* counter) {
  if (!is_connected()) return Error(ENOTCONN);
  if (counter) {
    counter->n_packets++;
    counter->n_bytes += msg.size();
  }
  copy_to_monitors(msg);
  txq_.push_back({std::move(msg), counter});
  // Write now when nothing is ahead of it, as OVS does, so a burst of small
  // messages does not wait for the next loop iteration.
  if (txq_.size() == 1) do_tx_work();
  reschedule();
  return ok_status();
}

Status Rconn::send_with_limit(OfpMsg msg, PacketCounter* counter, unsigned queue_limit) {
  if (counter && counter->n_packets >= queue_limit) return Error(EAGAIN);
  return send(std::move(msg), counter);
}

// Hands queued messages to the vconn while its own backlog is empty, so
// the rconn queue (and the counters) measure what is really waiting.
void Rconn::do_tx_work() {
  while (vconn_ && !connecting_ && !txq_.empty() && vconn_->tx_backlog() == 0) {
    Queued q = std::move(txq_.front());
    txq_.pop_front();
    if (q.counter) {
      q.counter->n_packets--;
      q.counter->n_bytes -= q.msg.size();
    }
    Status s = vconn_->send(std::move(q.msg));
    if (!s.ok() && !s.error().would_block()) {
      drop_connection(s.error().code(), true);
      return;
    }
  }
}

void Rconn::flush_queue() {
  for (Queued& q : txq_) {
    if (q.counter) {
      q.counter->n_packets--;
      q.counter->n_bytes -= q.msg.size();
    }
  }
  txq_.clear();
}

void Rconn::start_connecting(long long now) {
  if (!reliable_) return;
  auto v = Vconn::open(target_, allowed_versions_, dscp_);
  if (!v.ok()) {
    VLOG_WARN("%s: connection failed (%s)", name_.c_str(),
              retval_to_string(v.error().code()).c_str());
    last_error_ = v.error().code();
    fsm_.connect_failed(now, v.error().code());
    return;
  }
  fsm_.connecting(now);
  vconn_ = std::move(*v);
  generation_++;
  connecting_ = true;
}

// Stops watching the fd before the vconn closes it.
void Rconn::close_vconn() {
  if (watch_) {
    loop_.unwatch_fd(watch_);
    watch_ = 0;
  }
  vconn_.reset();
  generation_++;
}

void Rconn::poll_connecting(long long now) {
  Status s = vconn_->connect();
  if (s.ok()) {
    connecting_ = false;
    version_ = vconn_->version();
    last_connected_ = now;
    seqno_++;
    fsm_.connected(now);
    if (handler_.on_connected) handler_.on_connected(version_);
  } else if (!s.error().would_block()) {
    int error = s.error().code();
    last_error_ = error;
    close_vconn();
    connecting_ = false;
    fsm_.connect_failed(now, error);
    if (!reliable_) disconnected_ = true, last_disconnected_ = now;
  }
}

void Rconn::receive_messages(long long now) {
  uint64_t gen = generation_;
  more_input_ = false;
  for (int i = 0; vconn_ && gen == generation_; i++) {
    if (i == kMaxRecvPerRun) {
      more_input_ = true;
      return;
    }
    auto r = vconn_->recv();
    fsm_.receive_attempted(now);
    if (!r.ok()) {
      if (!r.error().would_block()) drop_connection(r.error().code(), true);
      return;
    }
    fsm_.activity(now);
    if (is_admitted_msg(*r)) last_admitted_ = now;
    copy_to_monitors(*r);
    if (handler_.on_message) handler_.on_message(std::move(*r));
  }
}

void Rconn::log_drop(int error) const {
  // stream::Reconnect logs "connection dropped"/"closed by peer" for a
  // connected FSM; only unreliable connections that never connected are
  // left, at DBG like OVS's accepted connections.
  VLOG_DBG("%s: connection ended (%s)", name_.c_str(), retval_to_string(error).c_str());
}

// Closes the vconn (if any) and records why.  `report` tells the FSM and
// the handler (false when replacing the target).
void Rconn::drop_connection(int error, bool report) {
  bool was_connected = vconn_ && !connecting_;
  bool had_vconn = vconn_ != nullptr;
  long long now = time_msec();
  if (had_vconn) {
    vconn_->run();  // push out anything still queued (e.g. an error reply)
    close_vconn();
    last_error_ = error;
    last_disconnected_ = now;
    if (was_connected) seqno_++;
  }
  connecting_ = false;
  version_ = -1;
  flush_queue();
  if (!report || !had_vconn) return;
  log_drop(error);
  fsm_.disconnected(now, error);
  if (!reliable_) disconnected_ = true;
  if (handler_.on_disconnected) handler_.on_disconnected(error);
}

void Rconn::perform(stream::Reconnect::Action action, long long now) {
  switch (action) {
    case stream::Reconnect::Action::kNone:
      break;
    case stream::Reconnect::Action::kConnect:
      start_connecting(now);
      break;
    case stream::Reconnect::Action::kDisconnect:
      if (connecting_) {
        VLOG_INFO("%s: connection timed out", name_.c_str());
        close_vconn();
        connecting_ = false;
        last_error_ = ETIMEDOUT;
        fsm_.connect_failed(now, ETIMEDOUT);
      } else {
        drop_connection(ETIMEDOUT, true);
      }
      break;
    case stream::Reconnect::Action::kProbe:
      if (vconn_ && !connecting_) {
        txq_.push_back(
            {openflow::encode_echo(false, static_cast<uint8_t>(version_), vconn_->next_xid()),
             nullptr});
        do_tx_work();
      }
      break;
  }
}

void Rconn::run() {
  if (in_run_) return;  // a callback called back into us
  in_run_ = true;
  long long now = time_msec();
  run_monitors();
  if (vconn_) {
    vconn_->run();
    if (int error = vconn_->status(); error && !connecting_) drop_connection(error, true);
  }
  if (vconn_ && connecting_) poll_connecting(now);
  if (vconn_ && !connecting_) receive_messages(now);
  do_tx_work();
  // Each action may enable the next (connect failure -> backoff is timed).
  for (int i = 0; i < 4; i++) {
    auto action = fsm_.run(now);
    if (action == stream::Reconnect::Action::kNone) break;
    perform(action, now);
    if (vconn_ && connecting_) poll_connecting(now);
  }
  in_run_ = false;
  reschedule();
}

// Points the fd watch at the current vconn with the events it needs, and
// the timer at the FSM's next deadline.
void Rconn::reschedule() {
  if (in_run_) return;
  int fd = vconn_ ? vconn_->fd() : -1;
  if (watch_ && fd != watch_fd_) {
    loop_.unwatch_fd(watch_);
    watch_ = 0;
  }
  if (fd >= 0) {
    uint32_t events = vconn_->wait_events(!connecting_);
    if (!txq_.empty() && !connecting_) events |= event::kWritable;
    if (!watch_) {
      watch_ = loop_.watch_fd(fd, events, [this](uint32_t) { run(); });
      watch_fd_ = fd;
    } else {
      loop_.modify_fd(watch_, events);
    }
  }
  for (Monitor& m : monitors_) {
    uint32_t events = m.vconn->wait_events(true);
    if (!m.watch) {
      m.watch = loop_.watch_fd(m.vconn->fd(), events, [this](uint32_t) { run(); });
    } else {
      loop_.modify_fd(m.watch, events);
    }
  }
  if (timer_) {
    loop_.cancel_timer(timer_);
    timer_ = 0;
  }
  int timeout = fsm_.timeout(time_msec());
  // Input left behind (the per-run cap, or SSL bytes already decrypted that
  // the fd will not announce): come back at once.
  if (more_input_ || (vconn_ && !connecting_ && vconn_->recv_pending())) timeout = 0;
  if (timeout >= 0) {
    timer_ = loop_.add_timer(timeout, [this] {
      timer_ = 0;
      run();
    });
  }
}

}  // namespace grebe::vconn
