#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "grebe/event/event_loop.h"

namespace grebe::event {
namespace {

TEST(Seq, ReadChangesAfterChange) {
  Seq seq;
  uint64_t before = seq.read();
  seq.change();
  EXPECT_NE(seq.read(), before);
}

TEST(Seq, WaitFiresImmediatelyWhenAlreadyChanged) {
  EventLoop loop;
  Seq seq;
  uint64_t seen = seq.read();
  seq.change();
  bool fired = false;
  seq.wait(loop, seen, [&] { fired = true; });
  loop.run_once(0);
  EXPECT_TRUE(fired);
}

TEST(Seq, WaitFiresOnceOnLoopThreadAfterCrossThreadChange) {
  EventLoop loop;
  Seq seq;
  int fired = 0;
  std::thread::id loop_thread = std::this_thread::get_id();
  bool right_thread = false;
  seq.wait(loop, seq.read(), [&] {
    fired++;
    right_thread = std::this_thread::get_id() == loop_thread;
    loop.stop();
  });
  loop.run_once(0);
  EXPECT_EQ(fired, 0);
  std::thread t([&] {
    seq.change();
    seq.change();
  });
  loop.run();
  t.join();
  loop.run_once(0);
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(right_thread);
}

TEST(Seq, WaiterOnDestroyedLoopIsDropped) {
  Seq seq;
  bool fired = false;
  {
    EventLoop loop;
    seq.wait(loop, seq.read(), [&] { fired = true; });
  }
  seq.change();  // must not touch the dead loop
  EXPECT_FALSE(fired);
}

TEST(SignalWatcher, RaisedSignalRunsCallbackOnLoop) {
  EventLoop loop;
  int usr1 = 0, usr2 = 0;
  {
    SignalWatcher signals(loop);
    signals.on(SIGUSR1, [&] { usr1++; });
    signals.on(SIGUSR2, [&] { usr2++; });
    raise(SIGUSR1);
    for (int i = 0; i < 10 && usr1 == 0; i++) loop.run_once(1000);
    EXPECT_EQ(usr1, 1);
    EXPECT_EQ(usr2, 0);
    raise(SIGUSR2);
    for (int i = 0; i < 10 && usr2 == 0; i++) loop.run_once(1000);
    EXPECT_EQ(usr2, 1);
    // Pending at destruction: discarded, not delivered with default action.
    raise(SIGUSR1);
  }
  EXPECT_EQ(usr1, 1);
  EXPECT_EQ(loop.n_watches(), 0u);
}

}  // namespace
}  // namespace grebe::event
