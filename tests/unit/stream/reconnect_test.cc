// Reconnect FSM scenarios: each row applies one event at an explicit time
// and states what the FSM must look like afterwards.
#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

#include "grebe/stream/reconnect.h"

namespace grebe::stream {
namespace {

using Action = Reconnect::Action;

enum class Op {
  kEnable, kDisable, kRun, kConnecting, kConnected, kConnectFailed, kDisconnected,
  kActivity, kReceiveAttempted, kForceReconnect, kPassive, kActive, kListening, kListenError,
  kNothing,
};

constexpr int kAny = -2;  // "don't check"

struct Step {
  long long t;
  Op op;
  int arg = 0;            // errno for failures
  const char* state = nullptr;
  Action action = Action::kNone;  // checked for kRun only
  int timeout = kAny;
  int backoff = kAny;
};

void apply(Reconnect& r, const Step& s, size_t row) {
  SCOPED_TRACE("row " + std::to_string(row) + " at t=" + std::to_string(s.t));
  Action got = Action::kNone;
  switch (s.op) {
    case Op::kEnable: r.enable(s.t); break;
    case Op::kDisable: r.disable(s.t); break;
    case Op::kRun: got = r.run(s.t); break;
    case Op::kConnecting: r.connecting(s.t); break;
    case Op::kConnected: r.connected(s.t); break;
    case Op::kConnectFailed: r.connect_failed(s.t, s.arg); break;
    case Op::kDisconnected: r.disconnected(s.t, s.arg); break;
    case Op::kActivity: r.activity(s.t); break;
    case Op::kReceiveAttempted: r.receive_attempted(s.t); break;
    case Op::kForceReconnect: r.force_reconnect(s.t); break;
    case Op::kPassive: r.set_passive(true, s.t); break;
    case Op::kActive: r.set_passive(false, s.t); break;
    case Op::kListening: r.listening(s.t); break;
    case Op::kListenError: r.listen_error(s.t, s.arg); break;
    case Op::kNothing: break;
  }
  if (s.op == Op::kRun) {
    EXPECT_EQ(static_cast<int>(got), static_cast<int>(s.action));
  }
  if (s.state) {
    EXPECT_STREQ(r.state_name(), s.state);
  }
  if (s.timeout != kAny) {
    EXPECT_EQ(r.timeout(s.t), s.timeout);
  }
  if (s.backoff != kAny) {
    EXPECT_EQ(r.stats(s.t).backoff, s.backoff);
  }
}

void run_scenario(Reconnect& r, const std::vector<Step>& steps) {
  for (size_t i = 0; i < steps.size(); i++) apply(r, steps[i], i);
}

TEST(Reconnect, NothingHappensUntilEnabled) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kRun, 0, "VOID", Action::kNone, -1},
      {99999, Op::kRun, 0, "VOID", Action::kNone, -1},
  });
  EXPECT_FALSE(r.is_enabled());
}

TEST(Reconnect, QuickConnectThenIdleDisconnect) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable, 0, "BACKOFF", {}, 0, 0},
      {1000, Op::kRun, 0, "BACKOFF", Action::kConnect},
      {1000, Op::kConnected, 0, "ACTIVE", {}, 5000},
      // Probe deadline passed, but we have not tried to receive since: the
      // FSM asks to be woken at once rather than probing.
      {6000, Op::kRun, 0, "ACTIVE", Action::kNone, 1},
      {6000, Op::kReceiveAttempted},
      {6000, Op::kRun, 0, "IDLE", Action::kProbe, 5000},
      {11000, Op::kReceiveAttempted},
      {11000, Op::kRun, 0, "IDLE", Action::kDisconnect, 0},
      {11000, Op::kDisconnected, 0, "BACKOFF", {}, 1000, 1000},
      {12000, Op::kRun, 0, "BACKOFF", Action::kConnect, 0},
  });
  auto st = r.stats(12000);
  EXPECT_EQ(st.n_attempted_connections, 1u);
  EXPECT_EQ(st.n_successful_connections, 1u);
  EXPECT_EQ(st.seqno, 2u);
  EXPECT_FALSE(st.is_connected);
  EXPECT_EQ(st.msec_since_disconnect, 1000u);
  EXPECT_EQ(st.total_connected_duration, 10000u);
}

TEST(Reconnect, ActivityPostponesProbeAndEndsIdle) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnected, 0, "ACTIVE", {}, 5000},
      {3000, Op::kActivity, 0, "ACTIVE", {}, 5000},  // deadline 8000
      {7999, Op::kReceiveAttempted},
      {7999, Op::kRun, 0, "ACTIVE", Action::kNone, 1},
      {8000, Op::kReceiveAttempted},
      {8000, Op::kRun, 0, "IDLE", Action::kProbe},
      {9000, Op::kActivity, 0, "ACTIVE", {}, 5000},  // echo reply arrived
      {14000, Op::kReceiveAttempted},
      {14000, Op::kRun, 0, "IDLE", Action::kProbe},
  });
}

TEST(Reconnect, BackoffDoublesUpToMaxOnFailures) {
  Reconnect r(1000);
  r.set_name("tcp:1.2.3.4:6653");
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kRun, 0, "BACKOFF", Action::kConnect},
      {1000, Op::kConnecting, 0, "CONNECTING", {}, 1000},
      {2000, Op::kRun, 0, "CONNECTING", Action::kDisconnect},  // attempt timed out
      {2000, Op::kConnectFailed, ETIMEDOUT, "BACKOFF", {}, 1000, 1000},
      {2999, Op::kRun, 0, "BACKOFF", Action::kNone, 1},
      {3000, Op::kRun, 0, "BACKOFF", Action::kConnect},
      {3000, Op::kConnecting},
      {3500, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 2000, 2000},
      {5500, Op::kRun, 0, "BACKOFF", Action::kConnect},
      {5500, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 4000, 4000},
      {9500, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 8000, 8000},
      {17500, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 8000, 8000},
      // A connection attempt at this backoff may take as long as the backoff.
      {25500, Op::kConnecting, 0, "CONNECTING", {}, 8000},
  });
  EXPECT_EQ(r.stats(25500).n_attempted_connections, 5u);
  EXPECT_EQ(r.stats(25500).n_successful_connections, 0u);
}

TEST(Reconnect, HealthyConnectionResetsBackoffShortOneDoesNot) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, kAny, 1000},
      {2000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, kAny, 2000},
      // Connected, but dropped with no traffic: counts as a failure.
      {4000, Op::kConnected, 0, "ACTIVE"},
      {4100, Op::kDisconnected, Reconnect::kEof, "BACKOFF", {}, 4000, 4000},
      // Connected and traffic flowed for longer than the backoff: reset.
      {8100, Op::kConnected},
      {13000, Op::kActivity},
      {13000, Op::kDisconnected, ECONNRESET, "BACKOFF", {}, 1000, 1000},
  });
}

TEST(Reconnect, ForceReconnect) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kForceReconnect, 0, "BACKOFF"},  // nothing to drop yet
      {1000, Op::kConnected, 0, "ACTIVE"},
      {1500, Op::kForceReconnect, 0, "RECONNECT", {}, 0},
      {1500, Op::kRun, 0, "RECONNECT", Action::kDisconnect},
      {1500, Op::kDisconnected, 0, "BACKOFF"},
  });
}

TEST(Reconnect, PassiveMode) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kPassive},
      {1000, Op::kEnable, 0, "BACKOFF", {}, 0},
      {1000, Op::kRun, 0, "BACKOFF", Action::kConnect},
      {1000, Op::kListening, 0, "LISTENING", {}, -1},
      {50000, Op::kRun, 0, "LISTENING", Action::kNone, -1},
      {50000, Op::kConnected, 0, "ACTIVE"},
      // A passive FSM retries listening at once after a healthy session.
      {51000, Op::kDisconnected, Reconnect::kEof, "BACKOFF", {}, 0, 0},
      {51000, Op::kListening, 0, "LISTENING"},
      {51000, Op::kListenError, EADDRINUSE, "BACKOFF", {}, 1000, 1000},
      {52000, Op::kListening},
      {52000, Op::kListenError, EADDRINUSE, "BACKOFF", {}, 2000, 2000},
      // Switching to active while listening restarts with no backoff.
      {53000, Op::kListening},
      {53000, Op::kActive, 0, "BACKOFF", {}, 0, 0},
  });
  EXPECT_FALSE(r.is_passive());
}

TEST(Reconnect, SwitchingToPassiveWhileConnectingRestarts) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnecting, 0, "CONNECTING"},
      {1200, Op::kPassive, 0, "BACKOFF", {}, 0, 0},
  });
}

TEST(Reconnect, MaxTriesGivesUp) {
  Reconnect r(1000);
  r.set_max_tries(2);
  run_scenario(r, {
      {1000, Op::kEnable, 0, "BACKOFF"},  // uses one try
      {1000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF"},  // uses the other
      {2000, Op::kConnectFailed, ECONNREFUSED, "VOID", {}, -1},
      {9000, Op::kRun, 0, "VOID", Action::kNone},
      {9000, Op::kEnable, 0, "VOID"},  // no tries left
  });
  EXPECT_EQ(r.max_tries(), 0u);
  EXPECT_FALSE(r.is_enabled());
}

TEST(Reconnect, BackoffFreeTries) {
  Reconnect r(1000);
  r.set_backoff_free_tries(3);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 0, 0},
      {1000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 0, 0},
      {1000, Op::kConnectFailed, ECONNREFUSED, "BACKOFF", {}, 1000, 1000},
  });
}

TEST(Reconnect, NoProbeWhenIntervalIsZero) {
  Reconnect r(1000);
  r.set_probe_interval(0);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnected, 0, "ACTIVE", {}, -1},
      {1'000'000, Op::kReceiveAttempted},
      {1'000'000, Op::kRun, 0, "ACTIVE", Action::kNone, -1},
  });
}

TEST(Reconnect, DisableFromAnyState) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnected, 0, "ACTIVE"},
      {2000, Op::kDisable, 0, "VOID", {}, -1},
      {2000, Op::kDisconnected, 0, "VOID"},  // ignored once disabled
  });
  EXPECT_EQ(r.stats(2000).total_connected_duration, 1000u);
}

TEST(Reconnect, SettingsAreClamped) {
  Reconnect r(0);
  EXPECT_EQ(r.min_backoff(), 1000);
  EXPECT_EQ(r.max_backoff(), 8000);
  EXPECT_EQ(r.probe_interval(), 5000);
  r.set_backoff(500, 500);
  EXPECT_EQ(r.min_backoff(), 1000);
  EXPECT_EQ(r.max_backoff(), 1000);
  r.set_backoff(3000, 0);
  EXPECT_EQ(r.min_backoff(), 3000);
  EXPECT_EQ(r.max_backoff(), 8000);
  r.set_backoff(9000, 2000);
  EXPECT_EQ(r.max_backoff(), 9000);
  r.set_probe_interval(10);
  EXPECT_EQ(r.probe_interval(), 1000);
  r.set_name("");
  EXPECT_EQ(r.name(), "void");
}

TEST(Reconnect, StatsAcrossTwoConnections) {
  Reconnect r(1000);
  run_scenario(r, {
      {1000, Op::kEnable},
      {1000, Op::kConnecting},
      {1000, Op::kConnected},
      {4000, Op::kDisconnected, ECONNRESET},
      {6000, Op::kConnected},
  });
  auto st = r.stats(7000);
  EXPECT_EQ(st.creation_time, 1000);
  EXPECT_EQ(st.last_connected, 6000);
  EXPECT_EQ(st.last_disconnected, 4000);
  EXPECT_TRUE(st.is_connected);
  EXPECT_EQ(st.seqno, 3u);
  EXPECT_EQ(st.n_attempted_connections, 2u);
  EXPECT_EQ(st.n_successful_connections, 2u);
  EXPECT_EQ(st.msec_since_connect, 1000u);
  EXPECT_EQ(st.msec_since_disconnect, 3000u);
  EXPECT_EQ(st.total_connected_duration, 4000u);
  EXPECT_STREQ(st.state, "ACTIVE");
  EXPECT_EQ(st.state_elapsed, 1000u);
  Reconnect fresh(0);
  EXPECT_EQ(fresh.last_connect_elapsed(5), UINT_MAX);
  EXPECT_EQ(fresh.last_disconnect_elapsed(5), UINT_MAX);
}

}  // namespace
}  // namespace grebe::stream
