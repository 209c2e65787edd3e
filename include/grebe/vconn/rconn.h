// Rconn: a reliable OpenFlow connection, as OVS's lib/rconn.
//
// A reliable rconn (connect()) keeps reconnecting to its target with
// exponential backoff; an unreliable one (connect_unreliably(), for
// connections accepted from a PVconn) just ends up DISCONNECTED.  While
// connected it sends an echo request after `probe_interval` seconds without
// traffic and drops the connection if nothing arrives for another interval.
// Messages wait in a send queue; each may be charged to a PacketCounter
// (OVS's rconn_packet_counter) so callers can bound what is "in flight"
// with send_with_limit().  The queue is flushed (and counters discharged)
// on disconnect.
//
// The connection/backoff/probe timing is stream::Reconnect's FSM; rconn
// maps its states to OVS's rconn names (state()): VOID, BACKOFF,
// CONNECTING, ACTIVE, IDLE, DISCONNECTED.
//
// Event-loop driven: the Rconn watches its vconn's fd and arms a timer on
// `loop`; received messages are delivered to Handler::on_message.  Every
// method, and every callback, runs on the loop's thread.  Callbacks may
// call any method (send, disconnect, ...) but must not destroy the Rconn.
// Tests with a FakeClock advance it and call notify_clock_changed() (or
// run()) to let timers fire.
#pragma once

#include <climits>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grebe/stream/reconnect.h"
#include "grebe/util/result.h"
#include "grebe/vconn/vconn.h"

namespace grebe::event {
class EventLoop;
}  // namespace grebe::event

namespace grebe::vconn {

// Messages (and bytes) queued in one or more rconns and not yet handed to
// the socket.  Owned by the caller; it must outlive the messages charged to
// it (destroying the rconns, or disconnecting them, discharges them).
struct PacketCounter {
  unsigned n_packets = 0;
  unsigned long long n_bytes = 0;
};

class Rconn {
 public:
  // OpenFlow controller roles, stored for the connection manager (which
  // decides what a slave may do); rconn itself only reports them.
  enum class Role { kEqual, kMaster, kSlave };

  struct Handler {
    std::function<void(OfpMsg&&)> on_message;        // any received message
    std::function<void(int version)> on_connected;   // version negotiated
    std::function<void(int error)> on_disconnected;  // 0 = by request, kEof, errno
  };

  // `probe_interval` seconds (0 = no probes, else at least 5 as OVS),
  // `max_backoff` seconds (0 = 8).  Starts in VOID.
  Rconn(event::EventLoop& loop, int probe_interval, int max_backoff, uint8_t dscp = 48,
        uint32_t allowed_versions = kDefaultVersions);
  ~Rconn();
  Rconn(const Rconn&) = delete;
  Rconn& operator=(const Rconn&) = delete;

  void set_handler(Handler handler) { handler_ = std::move(handler); }

  // Reliable: connects to `target` now and reconnects after every failure.
  // `name` (default: target) appears in logs.
  void connect(std::string target, std::string name = {});
  // Unreliable: takes over an already-open vconn (e.g. accepted); no
  // reconnection once it drops.
  void connect_unreliably(std::unique_ptr<Vconn> vconn, std::string name = {});
  // Drops the connection; a reliable rconn reconnects after backoff.
  void reconnect();
  // Drops the connection and stops (VOID).
  void disconnect();

  // Queues `msg` if connected, charging `counter` (may be null).  Errors:
  // ENOTCONN when not connected (the message is dropped).
  Status send(OfpMsg msg, PacketCounter* counter = nullptr);
  // Same, but drops `msg` with EAGAIN when `counter` already holds
  // `queue_limit` packets.
  Status send_with_limit(OfpMsg msg, PacketCounter* counter, unsigned queue_limit);

  // Maintenance: normally called by the loop's watch and timer; tests may
  // call it directly.
  void run();

  void set_probe_interval(int seconds);
  int probe_interval() const { return probe_interval_; }
  void set_max_backoff(int seconds);
  int max_backoff() const;

  const std::string& name() const { return name_; }
  const std::string& target() const { return target_; }
  bool is_reliable() const { return reliable_; }
  // Connected, connecting, or (reliable) about to retry.
  bool is_alive() const;
  bool is_connected() const;
  // OVS's state name: VOID, BACKOFF, CONNECTING, ACTIVE, IDLE, DISCONNECTED.
  const char* state() const;
  int version() const { return version_; }  // -1 when not connected
  // The error behind the last disconnection: 0 (by request), kEof, errno.
  int last_error() const { return last_error_; }
  // Bumped on every connect and disconnect.
  unsigned connection_seqno() const { return seqno_; }
  // time_msec() of the last connect / disconnect, LLONG_MIN if never.
  long long last_connection() const { return last_connected_; }
  long long last_disconnect() const { return last_disconnected_; }
  // Connection attempts so far (stream::Reconnect's statistics).
  unsigned n_attempted_connections() const;
  // Messages waiting in the send queue.
  size_t txq_len() const { return txq_.size(); }

  // Admission (for fail-open): connected and, since connecting, the peer
  // sent something beyond the handshake (OVS's is_admitted_msg(): not
  // hello, error, echo, features, config, queue/async config, or group /
  // table-features / table-desc multiparts).
  bool is_admitted() const;
  // Seconds since the connection was last admitted (0 while admitted).
  int failure_duration() const;

  // Snoop: mirrors every message sent or received to `monitor` (typically
  // accepted on <bridge>.snoop) until it fails.  At most 8; more are
  // closed.  Messages the monitor sends are discarded.
  void add_monitor(std::unique_ptr<Vconn> monitor);
  size_t n_monitors() const { return monitors_.size(); }

  // The Controller/Manager "status" pairs as ovs-vswitchd fills them:
  // last_error (only if non-zero), state, sec_since_connect,
  // sec_since_disconnect (each only once it happened).
  std::map<std::string, std::string> status_pairs() const;

  Role role() const { return role_; }
  void set_role(Role role) { role_ = role; }

 private:
  struct Queued {
    OfpMsg msg;
    PacketCounter* counter;
  };
  struct Monitor {
    std::unique_ptr<Vconn> vconn;
    uint64_t watch = 0;
  };
  static constexpr size_t kMaxMonitors = 8;

  void start_connecting(long long now);
  void poll_connecting(long long now);
  void receive_messages(long long now);
  void do_tx_work();
  void perform(stream::Reconnect::Action action, long long now);
  void drop_connection(int error, bool report);
  void flush_queue();
  void close_vconn();
  void reschedule();
  void log_drop(int error) const;
  void copy_to_monitors(const OfpMsg& msg);
  void run_monitors();
  void close_monitor(size_t i, int error);

  event::EventLoop& loop_;
  stream::Reconnect fsm_;
  Handler handler_;
  std::string target_;
  std::string name_ = "void";
  uint8_t dscp_;
  uint32_t allowed_versions_;
  int probe_interval_;
  bool reliable_ = false;
  bool disconnected_ = false;  // unreliable connection ended
  bool connecting_ = false;    // vconn_ still in hello exchange
  Role role_ = Role::kEqual;

  std::unique_ptr<Vconn> vconn_;
  uint64_t generation_ = 0;  // bumped whenever vconn_ changes
  std::deque<Queued> txq_;
  int version_ = -1;
  int last_error_ = 0;
  unsigned seqno_ = 0;
  long long last_connected_ = LLONG_MIN;
  long long last_disconnected_ = LLONG_MIN;
  long long last_admitted_ = 0;
  std::vector<Monitor> monitors_;

  uint64_t watch_ = 0;
  int watch_fd_ = -1;
  uint64_t timer_ = 0;
  bool in_run_ = false;
  bool more_input_ = false;  // stopped reading at the per-run cap
};

}  // namespace grebe::vconn
