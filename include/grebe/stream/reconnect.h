// Reconnect: the connection-management state machine behind every
// long-lived connection (controllers, managers, OVSDB clients), with OVS's
// lib/reconnect semantics: exponential backoff between attempts, an
// inactivity probe on idle connections, passive (listening) mode, and the
// statistics shown in the Controller/Manager status columns.
//
// It does no I/O and reads no clock: every call takes `now` (time_msec()),
// the owner performs the Action that run() returns, and reports what
// happened back (connected(), connect_failed(), activity(), ...).  So it is
// tested with plain numbers.
//
// States (state_name()): VOID (disabled), BACKOFF (waiting before the next
// attempt), CONNECTING, ACTIVE (connected, traffic seen recently), IDLE
// (probe sent, waiting for any traffic), RECONNECT (forced reconnect
// pending), LISTENING (passive mode, listener open).
//
// Threads: not thread-safe; owned by one thread.  No method fails.
#pragma once

#include <climits>
#include <string>

namespace grebe::stream {

class Reconnect {
 public:
  static constexpr int kDefaultMinBackoff = 1000;     // ms
  static constexpr int kDefaultMaxBackoff = 8000;     // ms
  static constexpr int kDefaultProbeInterval = 5000;  // ms
  // disconnected()'s `error` for an orderly close by the peer (OVS's EOF).
  static constexpr int kEof = -1;

  enum class Action { kNone = 0, kConnect, kDisconnect, kProbe };

  // A new FSM, disabled (VOID), named "void", with default settings.
  explicit Reconnect(long long now);

  // Name used in log messages ("tcp:1.2.3.4:6653").
  const std::string& name() const { return name_; }
  void set_name(std::string name);
  // Quiet: routine messages (connecting, connected, ...) at DBG not INFO.
  void set_quiet(bool quiet) { quiet_ = quiet; }

  int min_backoff() const { return min_backoff_; }
  int max_backoff() const { return max_backoff_; }
  int probe_interval() const { return probe_interval_; }
  // Backoff bounds in ms: min is at least 1000; max 0 means the default
  // (8000), else at least 1000 and at least min.
  void set_backoff(int min_backoff, int max_backoff);
  // 0 disables probing; otherwise at least 1000 ms.
  void set_probe_interval(int probe_interval);
  // Connection attempts allowed before giving up (back to VOID); UINT_MAX
  // (the default) is unlimited.  Each enable or retry uses one.
  void set_max_tries(unsigned max_tries) { max_tries_ = max_tries; }
  unsigned max_tries() const { return max_tries_; }
  // The first `n` - 1 retries happen without backoff.
  void set_backoff_free_tries(unsigned n) { backoff_free_tries_ = n; }

  bool is_passive() const { return passive_; }
  void set_passive(bool passive, long long now);

  bool is_enabled() const { return state_ != kVoid; }
  void enable(long long now);   // VOID -> BACKOFF (with zero backoff)
  void disable(long long now);  // -> VOID
  // Drop the connection (or attempt) and reconnect: run() says kDisconnect.
  void force_reconnect(long long now);

  // Events reported by the owner.  `error`: 0, a positive errno, or kEof.
  void connecting(long long now);
  void connected(long long now);
  void connect_failed(long long now, int error);
  void disconnected(long long now, int error);
  void listening(long long now);
  void listen_error(long long now, int error);
  // Traffic received: postpones the next probe, and IDLE -> ACTIVE.
  void activity(long long now);
  // The owner tried to receive (whether or not anything came): lets a
  // probe deadline that passed while the owner was busy take effect.
  void receive_attempted(long long now) { last_receive_attempt_ = now; }

  // What to do now: kConnect (open a connection or listener), kDisconnect
  // (close it; then call disconnected()), kProbe (send an echo request; the
  // FSM is now IDLE), or kNone.
  Action run(long long now);
  // Milliseconds until run() may have something to do (0 = now), or -1 if
  // nothing is scheduled.  Register a timer for it on the EventLoop.
  int timeout(long long now) const;

  bool is_connected() const { return is_connected_state(state_); }
  // Milliseconds since the last connected() / disconnect of a connection;
  // UINT_MAX if never.
  unsigned last_connect_elapsed(long long now) const;
  unsigned last_disconnect_elapsed(long long now) const;
  const char* state_name() const { return state_name(state_); }

  // For status columns and `*/show` commands; times in ms.
  struct Stats {
    long long creation_time;
    long long last_activity;
    long long last_connected;     // LLONG_MAX if never
    long long last_disconnected;  // LLONG_MAX if never
    int backoff;
    unsigned seqno;  // bumped on every connect and disconnect
    bool is_connected;
    unsigned msec_since_connect;
    unsigned msec_since_disconnect;
    unsigned total_connected_duration;
    unsigned n_attempted_connections;
    unsigned n_successful_connections;
    const char* state;  // for humans only
    unsigned state_elapsed;
  };
  Stats stats(long long now) const;

 private:
  enum State : unsigned {
    kVoid = 1 << 0,
    kBackoff = 1 << 1,
    kConnecting = 1 << 3,
    kActive = 1 << 4,
    kIdle = 1 << 5,
    kReconnect = 1 << 6,
    kListening = 1 << 7,
  };
  static bool is_connected_state(State s) { return (s & (kActive | kIdle)) != 0; }
  static const char* state_name(State s);

  void transition(long long now, State s);
  long long deadline(long long now) const;
  long long probe_deadline(long long base, long long now) const;
  bool may_retry();
  void log_disconnect(int error) const;
  void back_off();

  std::string name_ = "void";
  int min_backoff_ = kDefaultMinBackoff;
  int max_backoff_ = kDefaultMaxBackoff;
  int probe_interval_ = kDefaultProbeInterval;
  bool passive_ = false;
  bool quiet_ = false;

  State state_ = kVoid;
  long long state_entered_;
  int backoff_ = 0;
  long long last_activity_;
  long long last_connected_ = LLONG_MAX;
  long long last_disconnected_ = LLONG_MAX;
  long long last_receive_attempt_;
  unsigned max_tries_ = UINT_MAX;
  unsigned backoff_free_tries_ = 0;

  long long creation_time_;
  unsigned n_attempted_connections_ = 0;
  unsigned n_successful_connections_ = 0;
  unsigned total_connected_duration_ = 0;
  unsigned seqno_ = 0;
};

}  // namespace grebe::stream
