#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "grebe/event/event_loop.h"
#include "grebe/util/clock.h"

namespace grebe::event {
namespace {

// Installs a FakeClock for the duration of a test.
class FakeClockTest : public ::testing::Test {
 protected:
  void SetUp() override { set_clock(&clock_); }
  void TearDown() override { set_clock(nullptr); }
  FakeClock clock_;
};

struct SocketPair {
  int fds[2];
  SocketPair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0); }
  ~SocketPair() {
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
  }
};

TEST_F(FakeClockTest, TimerFiresOnlyWhenClockReachesDeadline) {
  EventLoop loop;
  int fired = 0;
  loop.add_timer(100, [&] { fired++; });
  EXPECT_TRUE(loop.run_once(0));
  EXPECT_EQ(fired, 0);
  clock_.advance(99);
  loop.run_once(0);
  EXPECT_EQ(fired, 0);
  clock_.advance(1);
  loop.run_once(0);
  EXPECT_EQ(fired, 1);
  clock_.advance(1000);
  loop.run_once(0);
  EXPECT_EQ(fired, 1);  // one-shot
  EXPECT_EQ(loop.n_timers(), 0u);
}

TEST_F(FakeClockTest, TimersFireInDeadlineOrderAndCancelWorks) {
  EventLoop loop;
  std::vector<int> order;
  loop.add_timer_at(clock_.monotonic_msec() + 30, [&] { order.push_back(30); });
  TimerId cancelled = loop.add_timer(20, [&] { order.push_back(20); });
  loop.add_timer(10, [&] { order.push_back(10); });
  loop.add_timer(30, [&] { order.push_back(31); });
  loop.cancel_timer(cancelled);
  loop.cancel_timer(cancelled);  // twice is harmless
  clock_.advance(50);
  loop.run_once(0);
  EXPECT_EQ(order, (std::vector<int>{10, 30, 31}));
  loop.cancel_timer(cancelled + 1000);  // unknown id is harmless
}

TEST_F(FakeClockTest, ReArmingALongTimerManyTimesKeepsOnlyTheLastOne) {
  EventLoop loop;
  int fired = 0;
  TimerId id = 0;
  for (int i = 0; i < 100'000; i++) {  // e.g. a probe timer reset per message
    loop.cancel_timer(id);
    id = loop.add_timer(5000 + i % 7, [&] { fired++; });
  }
  EXPECT_EQ(loop.n_timers(), 1u);
  clock_.advance(4999);
  loop.run_once(0);
  EXPECT_EQ(fired, 0);
  clock_.advance(100);
  loop.run_once(0);
  EXPECT_EQ(fired, 1);
}

TEST_F(FakeClockTest, TimerReArmingItselfForNowRunsNextIteration) {
  EventLoop loop;
  int fired = 0;
  std::function<void()> rearm = [&] {
    fired++;
    loop.add_timer(0, rearm);
  };
  loop.add_timer(0, rearm);
  loop.run_once(0);
  EXPECT_EQ(fired, 1);
  loop.run_once(0);
  EXPECT_EQ(fired, 2);
}

TEST_F(FakeClockTest, FrozenClockDoesNotSpinAndWakesOnClockChange) {
  EventLoop loop;
  std::atomic<int> iterations{0};
  std::atomic<bool> fired{false};
  loop.add_hook([&] { iterations++; });
  loop.add_timer(5000, [&] {
    fired = true;
    loop.stop();
  });
  std::thread t([&] { loop.run(); });
  // While the clock is frozen short of the deadline the loop must sleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(iterations.load(), 1);
  EXPECT_FALSE(fired.load());
  clock_.advance(4999);
  EventLoop::notify_clock_changed();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(fired.load());
  clock_.advance(1);
  EventLoop::notify_clock_changed();
  t.join();
  EXPECT_TRUE(fired.load());
  EXPECT_LE(iterations.load(), 4);
}

TEST_F(FakeClockTest, MaxWaitBoundsTheWaitEvenWithFrozenTimers) {
  EventLoop loop;
  loop.add_timer(1'000'000, [] {});
  // Returns (after ~10 ms of real time) rather than blocking forever.
  EXPECT_TRUE(loop.run_once(10));
}

TEST(EventLoop, StoppedProcessClockFiresOnlyOnWarp) {
  // Stopping the process clock cannot be undone, so do it in a child.
  EXPECT_EXIT(
      {
        EventLoop loop;
        process_clock().stop();
        int iterations = 0;
        bool fired = false;
        loop.add_hook([&] { iterations++; });
        loop.add_timer(2000, [&] { fired = true; });
        std::thread warper([] {
          usleep(100'000);
          process_clock().warp(2000);
          EventLoop::notify_clock_changed();
        });
        while (!fired && iterations < 100) loop.run_once(-1);
        warper.join();
        _exit(fired && iterations <= 3 ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(EventLoop, RealClockTimerFires) {
  EventLoop loop;
  bool fired = false;
  loop.add_timer(5, [&] { fired = true; });
  for (int i = 0; i < 100 && !fired; i++) loop.run_once(1000);
  EXPECT_TRUE(fired);
}

TEST(EventLoop, CrossThreadPostRunsEverythingOnLoopThread) {
  EventLoop loop;
  constexpr int kThreads = 4, kPerThread = 500;
  int count = 0;  // touched only on the loop thread
  std::thread::id loop_thread = std::this_thread::get_id();
  bool wrong_thread = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; i++) {
        loop.post([&] {
          if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
          if (++count == kThreads * kPerThread) loop.stop();
        });
      }
    });
  }
  loop.run();
  for (auto& t : threads) t.join();
  EXPECT_EQ(count, kThreads * kPerThread);
  EXPECT_FALSE(wrong_thread);
  EXPECT_TRUE(loop.stopped());
}

TEST(EventLoop, WakeFromAnotherThreadEndsAnInfiniteWait) {
  EventLoop loop;
  std::thread t([&] {
    usleep(20'000);
    loop.wake();
  });
  EXPECT_TRUE(loop.run_once(-1));
  t.join();
}

TEST(EventLoop, FdReadinessIsLevelTriggered) {
  EventLoop loop;
  SocketPair sp;
  uint32_t seen = 0;
  int calls = 0;
  WatchId id = loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t revents) {
    seen = revents;
    calls++;
  });
  loop.run_once(0);
  EXPECT_EQ(calls, 0);
  ASSERT_EQ(write(sp.fds[1], "x", 1), 1);
  loop.run_once(1000);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, kReadable);
  loop.run_once(1000);  // not drained: still readable
  EXPECT_EQ(calls, 2);
  char c;
  ASSERT_EQ(read(sp.fds[0], &c, 1), 1);
  loop.run_once(0);
  EXPECT_EQ(calls, 2);
  loop.unwatch_fd(id);
  loop.unwatch_fd(id);
  EXPECT_EQ(loop.n_watches(), 0u);
}

TEST(EventLoop, TwoWatchesOnOneFdEachGetTheirEvents) {
  EventLoop loop;
  SocketPair sp;
  int reads = 0, writes = 0;
  loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t r) { reads += (r & kReadable) != 0; });
  WatchId w = loop.watch_fd(sp.fds[0], kWritable, [&](uint32_t r) {
    EXPECT_EQ(r & kReadable, 0u);
    writes++;
  });
  loop.run_once(0);
  EXPECT_EQ(reads, 0);
  EXPECT_EQ(writes, 1);
  loop.modify_fd(w, 0);  // dormant
  ASSERT_EQ(write(sp.fds[1], "x", 1), 1);
  loop.run_once(0);
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(writes, 1);
}

TEST(EventLoop, CallbackMayRemoveItselfAndOthers) {
  EventLoop loop;
  SocketPair sp;
  ASSERT_EQ(write(sp.fds[1], "x", 1), 1);
  int a_calls = 0, b_calls = 0;
  WatchId a = 0, b = 0;
  a = loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t) {
    a_calls++;
    loop.unwatch_fd(a);
    loop.unwatch_fd(b);
  });
  b = loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t) { b_calls++; });
  loop.run_once(0);
  loop.run_once(0);
  EXPECT_EQ(a_calls, 1);
  EXPECT_EQ(b_calls, 0);
}

TEST(EventLoop, HangupIsReportedAndDormantWatchDoesNotSpin) {
  EventLoop loop;
  SocketPair sp;
  uint32_t seen = 0;
  WatchId id = loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t r) { seen |= r; });
  close(sp.fds[1]);
  sp.fds[1] = -1;
  loop.run_once(1000);
  EXPECT_TRUE(seen & kHangup);
  EXPECT_TRUE(seen & kReadable);
  // With no interest left, a hung-up fd must not make run_once(-1) return.
  loop.modify_fd(id, 0);
  seen = 0;
  loop.add_timer(30, [] {});
  int iterations = 0;
  loop.add_hook([&] { iterations++; });
  while (loop.n_timers() > 0) loop.run_once(-1);
  EXPECT_LE(iterations, 2);
  EXPECT_EQ(seen, 0u);
}

TEST(EventLoop, FdNumberReuseAfterCloseIsHandled) {
  EventLoop loop;
  int calls = 0;
  {
    SocketPair sp;
    loop.watch_fd(sp.fds[0], kReadable, [&](uint32_t) { calls++; });
    // closed without unwatching: epoll forgets it; the loop must cope
  }
  SocketPair sp2;  // likely gets the same fd numbers
  loop.watch_fd(sp2.fds[0], kReadable, [&](uint32_t) { calls += 100; });
  ASSERT_EQ(write(sp2.fds[1], "x", 1), 1);
  loop.run_once(1000);
  EXPECT_GE(calls, 100);
}

TEST(EventLoop, HooksRunEveryIterationAndCanBeRemoved) {
  EventLoop loop;
  int a = 0, b = 0;
  uint64_t ha = loop.add_hook([&] { a++; });
  loop.add_hook([&] { b++; });
  loop.run_once(0);
  loop.run_once(0);
  loop.remove_hook(ha);
  loop.run_once(0);
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 3);
}

TEST(EventLoop, PostAfterDestructionIsDropped) {
  auto loop = std::make_unique<EventLoop>();
  bool ran = false;
  loop->post([&] { ran = true; });
  loop.reset();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace grebe::event
