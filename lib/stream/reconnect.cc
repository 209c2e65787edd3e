// Reconnect FSM.  See grebe/stream/reconnect.h.
#include "grebe/stream/reconnect.h"

#include <algorithm>

#include "grebe/util/result.h"
#include "grebe/util/vlog.h"

VLOG_DEFINE_THIS_MODULE(reconnect);

namespace grebe::stream {

// Routine messages go at INFO, or DBG when quiet (member functions only).
#define RECONNECT_LOG(...) \
  GREBE_VLOG_(quiet_ ? ::grebe::vlog::Level::kDbg : ::grebe::vlog::Level::kInfo, __VA_ARGS__)

Reconnect::Reconnect(long long now)
    : state_entered_(now), last_activity_(now), last_receive_attempt_(now), creation_time_(now) {}

void Reconnect::set_name(std::string name) { name_ = name.empty() ? "void" : std::move(name); }

const char* Reconnect::state_name(State s) {
  switch (s) {
    case kVoid: return "VOID";
    case kBackoff: return "BACKOFF";
    case kConnecting: return "CONNECTING";
    case kActive: return "ACTIVE";
    case kIdle: return "IDLE";
    case kReconnect: return "RECONNECT";
    case kListening: return "LISTENING";
  }
  return "***ERROR***";
}

void Reconnect::set_backoff(int min_backoff, int max_backoff) {
  min_backoff_ = std::max(min_backoff, 1000);
  max_backoff_ = max_backoff ? std::max(max_backoff, 1000) : kDefaultMaxBackoff;
  if (min_backoff_ > max_backoff_) max_backoff_ = min_backoff_;
  // OVS compares against the argument, not the clamped value; so do we.
  if (state_ == kBackoff && backoff_ > max_backoff) backoff_ = max_backoff;
}

void Reconnect::set_probe_interval(int probe_interval) {
  probe_interval_ = probe_interval ? std::max(1000, probe_interval) : 0;
}

void Reconnect::set_passive(bool passive, long long now) {
  if (passive_ == passive) return;
  passive_ = passive;
  bool restart = passive ? (state_ & (kConnecting | kReconnect)) != 0
                         : state_ == kListening && may_retry();
  if (restart) {
    transition(now, kBackoff);
    backoff_ = 0;
  }
}

void Reconnect::enable(long long now) {
  if (state_ == kVoid && may_retry()) {
    transition(now, kBackoff);
    backoff_ = 0;
  }
}

void Reconnect::disable(long long now) {
  if (state_ != kVoid) transition(now, kVoid);
}

void Reconnect::force_reconnect(long long now) {
  if (state_ & (kConnecting | kActive | kIdle)) transition(now, kReconnect);
}

void Reconnect::log_disconnect(int error) const {
  const char* name = name_.c_str();
  if (state_ & (kActive | kIdle)) {
    if (error > 0) {
      VLOG_WARN("%s: connection dropped (%s)", name, errno_string(error).c_str());
    } else if (error == kEof) {
      RECONNECT_LOG("%s: connection closed by peer", name);
    } else {
      RECONNECT_LOG("%s: connection dropped", name);
    }
  } else if (state_ == kListening) {
    if (error > 0) {
      VLOG_WARN("%s: error listening for connections (%s)", name, errno_string(error).c_str());
    } else {
      RECONNECT_LOG("%s: error listening for connections", name);
    }
  } else if (backoff_ < max_backoff_) {
    // At maximum backoff, failures are no longer logged (see back_off()).
    const char* type = passive_ ? "listen" : "connection";
    if (error > 0) {
      VLOG_INFO("%s: %s attempt failed (%s)", name, type, errno_string(error).c_str());
    } else {
      RECONNECT_LOG("%s: %s attempt timed out", name, type);
    }
  }
}

// Chooses the next backoff after a disconnection from the current state.
void Reconnect::back_off() {
  const char* name = name_.c_str();
  if (backoff_free_tries_ > 1) {
    backoff_free_tries_--;
    backoff_ = 0;
  } else if ((state_ & (kActive | kIdle)) &&
             (last_activity_ - last_connected_ >= backoff_ || passive_)) {
    // The connection was up long enough to count as healthy: start over.
    backoff_ = passive_ ? 0 : min_backoff_;
  } else if (backoff_ < min_backoff_) {
    backoff_ = min_backoff_;
  } else if (backoff_ < max_backoff_ / 2) {
    backoff_ *= 2;
    RECONNECT_LOG("%s: waiting %.3g seconds before %s", name, backoff_ / 1000.0,
                  passive_ ? "trying to listen again" : "reconnect");
  } else {
    if (backoff_ < max_backoff_) {
      VLOG_INFO("%s: continuing to %s in the background but suppressing further logging",
                name, passive_ ? "try to listen" : "reconnect");
    }
    backoff_ = max_backoff_;
  }
}

void Reconnect::disconnected(long long now, int error) {
  if (state_ & (kBackoff | kVoid)) return;
  log_disconnect(error);
  if (state_ & (kActive | kIdle)) last_disconnected_ = now;
  if (!may_retry()) {
    transition(now, kVoid);
    return;
  }
  back_off();
  transition(now, kBackoff);
}

void Reconnect::connecting(long long now) {
  if (state_ == kConnecting) return;
  if (passive_) {
    RECONNECT_LOG("%s: listening...", name_.c_str());
  } else if (backoff_ < max_backoff_) {
    RECONNECT_LOG("%s: connecting...", name_.c_str());
  }
  transition(now, kConnecting);
}

void Reconnect::listening(long long now) {
  if (state_ == kListening) return;
  RECONNECT_LOG("%s: listening...", name_.c_str());
  transition(now, kListening);
}

void Reconnect::listen_error(long long now, int error) {
  if (state_ == kListening) disconnected(now, error);
}

void Reconnect::connected(long long now) {
  if (is_connected_state(state_)) return;
  connecting(now);
  RECONNECT_LOG("%s: connected", name_.c_str());
  transition(now, kActive);
  last_connected_ = now;
}

void Reconnect::connect_failed(long long now, int error) {
  connecting(now);
  disconnected(now, error);
}

void Reconnect::activity(long long now) {
  if (state_ == kIdle) transition(now, kActive);
  last_activity_ = now;
}

void Reconnect::transition(long long now, State s) {
  if (state_ == kConnecting) {
    n_attempted_connections_++;
    if (s == kActive) n_successful_connections_++;
  }
  if (is_connected_state(state_) != is_connected_state(s)) {
    if (is_connected_state(state_)) {
      total_connected_duration_ += static_cast<unsigned>(now - last_connected_);
    }
    seqno_++;
  }
  VLOG_DBG("%s: entering %s", name_.c_str(), state_name(s));
  state_ = s;
  state_entered_ = now;
}

// When a probe deadline `base` + interval has passed but the owner has not
// tried to receive since, the traffic that would postpone it may already be
// queued: ask to be woken right away (now + 1) instead of probing.
long long Reconnect::probe_deadline(long long base, long long now) const {
  long long expiration = base + probe_interval_;
  if (now < expiration || last_receive_attempt_ >= expiration) return expiration;
  return now + 1;
}

long long Reconnect::deadline(long long now) const {
  switch (state_) {
    case kVoid:
    case kListening:
      return LLONG_MAX;
    case kBackoff:
      return state_entered_ + backoff_;
    case kConnecting:
      return state_entered_ + std::max(1000, backoff_);
    case kActive:
      if (!probe_interval_) return LLONG_MAX;
      return probe_deadline(std::max(last_activity_, state_entered_), now);
    case kIdle:
      if (!probe_interval_) return LLONG_MAX;
      return probe_deadline(state_entered_, now);
    case kReconnect:
      return state_entered_;
  }
  return LLONG_MAX;
}

Reconnect::Action Reconnect::run(long long now) {
  if (now < deadline(now)) return Action::kNone;
  switch (state_) {
    case kVoid:
    case kListening:
      return Action::kNone;
    case kBackoff:
      return Action::kConnect;
    case kConnecting:
    case kReconnect:
      return Action::kDisconnect;
    case kActive:
      VLOG_DBG("%s: idle %lld ms, sending inactivity probe", name_.c_str(),
               now - std::max(last_activity_, state_entered_));
      transition(now, kIdle);
      return Action::kProbe;
    case kIdle:
      VLOG_ERR("%s: no response to inactivity probe after %.3g seconds, disconnecting",
               name_.c_str(), (now - state_entered_) / 1000.0);
      return Action::kDisconnect;
  }
  return Action::kNone;
}

int Reconnect::timeout(long long now) const {
  long long d = deadline(now);
  if (d == LLONG_MAX) return -1;
  return static_cast<int>(std::clamp<long long>(d - now, 0, INT_MAX));
}

unsigned Reconnect::last_connect_elapsed(long long now) const {
  return last_connected_ == LLONG_MAX ? UINT_MAX : static_cast<unsigned>(now - last_connected_);
}

unsigned Reconnect::last_disconnect_elapsed(long long now) const {
  return last_disconnected_ == LLONG_MAX ? UINT_MAX
                                         : static_cast<unsigned>(now - last_disconnected_);
}

Reconnect::Stats Reconnect::stats(long long now) const {
  Stats s;
  s.creation_time = creation_time_;
  s.last_activity = last_activity_;
  s.last_connected = last_connected_;
  s.last_disconnected = last_disconnected_;
  s.backoff = backoff_;
  s.seqno = seqno_;
  s.is_connected = is_connected();
  s.msec_since_connect = last_connect_elapsed(now);
  s.msec_since_disconnect = last_disconnect_elapsed(now);
  s.total_connected_duration =
      total_connected_duration_ + (is_connected() ? last_connect_elapsed(now) : 0);
  s.n_attempted_connections = n_attempted_connections_;
  s.n_successful_connections = n_successful_connections_;
  s.state = state_name(state_);
  s.state_elapsed = static_cast<unsigned>(now - state_entered_);
  return s;
}

bool Reconnect::may_retry() {
  if (max_tries_ == 0) return false;
  if (max_tries_ != UINT_MAX) max_tries_--;
  return true;
}

}  // namespace grebe::stream
