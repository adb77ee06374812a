#include "common/manual_clock.h"

#include <gtest/gtest.h>

#include <vector>

namespace wharf {
namespace {

int64_t MillisOf(MonoTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TEST(ManualClockTest, TimeMovesOnlyOnAdvance) {
  ManualClock clock(1'000);
  const MonoTime start = clock.Now();
  EXPECT_EQ(clock.WallMillis(), 1'000);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(Millis(1'500));
  EXPECT_EQ(clock.Now() - start, Millis(1'500));
  EXPECT_EQ(clock.WallMillis(), 2'500);
  clock.Advance(Seconds(2));
  EXPECT_EQ(clock.Now() - start, Millis(3'500));
  EXPECT_EQ(clock.WallMillis(), 4'500);
}

TEST(ManualClockTest, RunsDueTimersInDeadlineOrderAtTheirDeadline) {
  ManualClock clock;
  const MonoTime t0 = clock.Now();
  std::vector<std::pair<int, int64_t>> ran;  // (tag, ms since t0 when it ran)
  auto record = [&](int tag) {
    return [&, tag] { ran.emplace_back(tag, MillisOf(clock.Now()) - MillisOf(t0)); };
  };
  clock.ScheduleAt(t0 + Millis(30), record(30));
  clock.ScheduleAt(t0 + Millis(10), record(10));
  clock.ScheduleAt(t0 + Millis(50), record(50));
  clock.ScheduleAt(t0 + Millis(20), record(20));
  EXPECT_EQ(clock.pending_timers(), 4u);

  clock.Advance(Millis(9));
  EXPECT_TRUE(ran.empty());

  clock.Advance(Millis(21));  // now t0+30: 10, 20 and 30 (exactly at the target) are due
  EXPECT_EQ(ran, (std::vector<std::pair<int, int64_t>>{{10, 10}, {20, 20}, {30, 30}}));
  EXPECT_EQ(clock.Now(), t0 + Millis(30));
  EXPECT_EQ(clock.pending_timers(), 1u);

  clock.Advance(Millis(100));
  ASSERT_EQ(ran.size(), 4u);
  EXPECT_EQ(ran[3], (std::pair<int, int64_t>{50, 50}));
  EXPECT_EQ(clock.Now(), t0 + Millis(130));  // time ends at the target, not the last deadline
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ManualClockTest, EqualDeadlinesRunInSchedulingOrder) {
  ManualClock clock;
  std::vector<int> ran;
  const MonoTime at = clock.Now() + Seconds(1);
  for (int i = 0; i < 5; ++i) clock.ScheduleAt(at, [&ran, i] { ran.push_back(i); });
  clock.Advance(Seconds(1));
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ManualClockTest, CancelPreventsFiring) {
  ManualClock clock;
  std::vector<int> ran;
  const MonoTime t0 = clock.Now();
  TimerId a = clock.ScheduleAt(t0 + Millis(10), [&] { ran.push_back(1); });
  TimerId b = clock.ScheduleAt(t0 + Millis(20), [&] { ran.push_back(2); });
  EXPECT_NE(a, b);
  clock.Cancel(a);
  EXPECT_EQ(clock.pending_timers(), 1u);
  clock.Cancel(a);         // twice: no-op
  clock.Cancel(b + 1000);  // unknown: no-op
  EXPECT_EQ(clock.pending_timers(), 1u);
  clock.Advance(Millis(50));
  EXPECT_EQ(ran, (std::vector<int>{2}));
  clock.Cancel(b);  // after it fired: no-op
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ManualClockTest, TimersScheduledFromACallback) {
  ManualClock clock;
  const MonoTime t0 = clock.Now();
  std::vector<std::pair<int, MonoTime>> ran;
  clock.ScheduleAt(t0 + Millis(10), [&] {
    ran.emplace_back(1, clock.Now());
    // Due within the same Advance: runs in it, at its own deadline, after the t0+15 timer.
    clock.ScheduleAt(clock.Now() + Millis(10), [&] { ran.emplace_back(3, clock.Now()); });
    // Beyond the Advance target: stays pending.
    clock.ScheduleAt(clock.Now() + Millis(100), [&] { ran.emplace_back(4, clock.Now()); });
    // Already due ("in the past"): runs next, without moving time backwards.
    clock.ScheduleAt(t0, [&] { ran.emplace_back(2, clock.Now()); });
  });
  clock.ScheduleAt(t0 + Millis(15), [&] { ran.emplace_back(5, clock.Now()); });

  clock.Advance(Millis(50));
  ASSERT_EQ(ran.size(), 4u);
  EXPECT_EQ(ran[0], std::make_pair(1, t0 + Millis(10)));
  EXPECT_EQ(ran[1], std::make_pair(2, t0 + Millis(10)));
  EXPECT_EQ(ran[2], std::make_pair(5, t0 + Millis(15)));
  EXPECT_EQ(ran[3], std::make_pair(3, t0 + Millis(20)));
  EXPECT_EQ(clock.pending_timers(), 1u);
  EXPECT_EQ(clock.Now(), t0 + Millis(50));

  clock.Advance(Millis(60));
  ASSERT_EQ(ran.size(), 5u);
  EXPECT_EQ(ran[4], std::make_pair(4, t0 + Millis(110)));
}

TEST(ManualClockTest, CallbackMayCancelALaterDueTimer) {
  ManualClock clock;
  const MonoTime t0 = clock.Now();
  std::vector<int> ran;
  TimerId later = 0;
  clock.ScheduleAt(t0 + Millis(10), [&] {
    ran.push_back(1);
    clock.Cancel(later);
  });
  later = clock.ScheduleAt(t0 + Millis(20), [&] { ran.push_back(2); });
  clock.Advance(Millis(30));
  EXPECT_EQ(ran, (std::vector<int>{1}));
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ManualClockTest, AdvanceZeroRunsTimersDueNow) {
  ManualClock clock;
  int runs = 0;
  clock.ScheduleAt(clock.Now(), [&] { ++runs; });
  clock.ScheduleAt(clock.Now() + Millis(1), [&] { ++runs; });
  clock.Advance(Duration::zero());
  EXPECT_EQ(runs, 1);
}

TEST(ManualClockTest, TimeNeverMovesBackwards) {
  // A callback may itself advance the clock (a test helper that drains work, say). When the
  // outer Advance resumes, its own target is already in the past; the clock must stay put.
  ManualClock clock;
  const MonoTime t0 = clock.Now();
  clock.ScheduleAt(t0 + Seconds(1), [&] { clock.Advance(Seconds(20)); });
  clock.Advance(Seconds(10));
  EXPECT_EQ(clock.Now(), t0 + Seconds(21));
  EXPECT_GE(clock.WallMillis(), 1'700'000'000'000 + 21'000);
}

TEST(ManualClockTest, IsUsableThroughItsInterfaces) {
  ManualClock manual;
  Clock& clock = manual;
  Scheduler& scheduler = manual;
  bool ran = false;
  scheduler.ScheduleAt(clock.Now() + Seconds(5), [&] { ran = true; });
  manual.Advance(Seconds(4));
  EXPECT_FALSE(ran);
  manual.Advance(Seconds(1));
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace wharf
