#include "common/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace wharf {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicThreadTest, RunsTheTaskAgainAndAgain) {
  std::mutex mu;
  std::condition_variable ran;
  int runs = 0;
  PeriodicThread thread;
  thread.Start("wharf-test", 1ms, [&] {
    std::lock_guard lock(mu);
    ++runs;
    ran.notify_all();
  });
  std::unique_lock lock(mu);
  // Generous: three runs of a 1 ms period within 30 s even on a loaded machine.
  EXPECT_TRUE(ran.wait_for(lock, 30s, [&] { return runs >= 3; })) << runs;
}

// Stop does not wait out the interval: a thread with an hour's period stops at once, and its
// task never ran (the first run is one interval after Start).
TEST(PeriodicThreadTest, StopWakesTheWaitAndNoRunFollows) {
  std::atomic<int> runs{0};
  PeriodicThread thread;
  thread.Start("wharf-test", std::chrono::hours(1), [&] { runs.fetch_add(1); });
  EXPECT_TRUE(thread.running());
  thread.Stop();
  EXPECT_FALSE(thread.running());
  EXPECT_EQ(runs.load(), 0);
}

TEST(PeriodicThreadTest, StopWaitsForTheRunInProgress) {
  std::mutex mu;
  std::condition_variable changed;
  bool started = false;
  std::atomic<bool> finished{false};
  PeriodicThread thread;
  thread.Start("wharf-test", 1ms, [&] {
    {
      std::lock_guard lock(mu);
      if (started) return;
      started = true;
    }
    changed.notify_all();
    std::this_thread::sleep_for(50ms);  // a slow task: Stop must not return before it ends
    finished = true;
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return started; }));
  }
  thread.Stop();
  EXPECT_TRUE(finished.load());
}

TEST(PeriodicThreadTest, StopWithoutStartAndTwiceIsHarmless) {
  PeriodicThread never_started;
  never_started.Stop();
  PeriodicThread thread;
  thread.Start("wharf-test", std::chrono::hours(1), [] {});
  thread.Stop();
  thread.Stop();
  EXPECT_FALSE(thread.running());
}

// RunSoon brings the next run forward: with an hour's period the task runs only because it was
// asked to, once per request that came while it was not running.
TEST(PeriodicThreadTest, RunSoonRunsTheTaskWithoutWaitingForTheInterval) {
  std::mutex mu;
  std::condition_variable ran;
  int runs = 0;
  PeriodicThread thread;
  thread.Start("wharf-test", std::chrono::hours(1), [&] {
    std::lock_guard lock(mu);
    ++runs;
    ran.notify_all();
  });
  thread.RunSoon();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(ran.wait_for(lock, 30s, [&] { return runs >= 1; }));
  }
  thread.RunSoon();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(ran.wait_for(lock, 30s, [&] { return runs >= 2; }));
  }
  thread.Stop();
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace wharf
