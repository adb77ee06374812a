// Wake-up hints across nodes (storage/postgres/wake.h): the coalescing rule on a ManualClock
// (no server, no sleeps), then notifier and listener against a real PostgreSQL. The two "nodes"
// of a test are two pools/connections of one process on one database, which is what NOTIFY sees
// of two processes too.

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "common/manual_clock.h"
#include "pg_test_support.h"
#include "storage/postgres/statements.h"
#include "storage/postgres/wake.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::Connect;
using testing::ServerUrl;
using testing::SharedOpsDatabase;
using testing::TestOptions;

// ---- WakeCoalescer (no server) ----

TEST(WakeCoalescerTest, FirstSendPublishesLaterOnesInTheWindowBecomeOneAtItsEnd) {
  ManualClock clock;
  WakeCoalescer coalescer(clock, Millis(20));
  EXPECT_TRUE(coalescer.Note(7));
  EXPECT_FALSE(coalescer.NextDue().has_value());  // nothing pending yet
  clock.Advance(Millis(5));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(coalescer.Note(7));
  ASSERT_TRUE(coalescer.NextDue().has_value());
  EXPECT_EQ(*coalescer.NextDue(), MonoTime{} + Millis(20));
  clock.Advance(Millis(14));  // 19 ms: the window is still open
  EXPECT_TRUE(coalescer.TakeDue().empty());
  clock.Advance(Millis(1));  // 20 ms: it ends with sends pending -> exactly one wake-up
  EXPECT_EQ(coalescer.TakeDue(), std::vector<int64_t>{7});
  EXPECT_TRUE(coalescer.TakeDue().empty());
  EXPECT_FALSE(coalescer.NextDue().has_value());
  // The trailing wake-up opened a new window: a send inside it waits for its end again.
  clock.Advance(Millis(10));
  EXPECT_FALSE(coalescer.Note(7));
  clock.Advance(Millis(10));
  EXPECT_EQ(coalescer.TakeDue(), std::vector<int64_t>{7});
  // A window that ends without a send is forgotten; the next send publishes at once.
  clock.Advance(Millis(20));
  EXPECT_TRUE(coalescer.TakeDue().empty());
  EXPECT_EQ(coalescer.open_windows(), 0u);
  EXPECT_TRUE(coalescer.Note(7));
}

TEST(WakeCoalescerTest, QueuesHaveWindowsOfTheirOwn) {
  ManualClock clock;
  WakeCoalescer coalescer(clock, Millis(20));
  EXPECT_TRUE(coalescer.Note(1));
  EXPECT_TRUE(coalescer.Note(2));  // another queue: not coalesced with queue 1
  clock.Advance(Millis(10));
  EXPECT_FALSE(coalescer.Note(1));
  EXPECT_TRUE(coalescer.Note(3));
  clock.Advance(Millis(10));
  EXPECT_EQ(coalescer.TakeDue(), std::vector<int64_t>{1});  // 2 had nothing pending
  clock.Advance(Millis(5));
  EXPECT_FALSE(coalescer.Note(3));  // 3's window (10..30 ms) is still open
  EXPECT_EQ(coalescer.TakeDue(), std::vector<int64_t>{});
}

TEST(WakeCoalescerTest, SendAfterTheWindowEndedPublishesAtOnceAndCoversThePendingOne) {
  ManualClock clock;
  WakeCoalescer coalescer(clock, Millis(20));
  EXPECT_TRUE(coalescer.Note(5));
  EXPECT_FALSE(coalescer.Note(5));
  clock.Advance(Millis(25));       // ended, and TakeDue has not run yet
  EXPECT_TRUE(coalescer.Note(5));  // published now, after both sends committed
  EXPECT_TRUE(coalescer.TakeDue().empty());
  EXPECT_FALSE(coalescer.NextDue().has_value());
}

TEST(WakeCoalescerTest, TakeAllPendingIgnoresTheWindowsEnd) {
  ManualClock clock;
  WakeCoalescer coalescer(clock, Millis(20));
  EXPECT_TRUE(coalescer.Note(1));
  EXPECT_TRUE(coalescer.Note(2));
  EXPECT_FALSE(coalescer.Note(2));
  EXPECT_EQ(coalescer.TakeAllPending(), std::vector<int64_t>{2});
  EXPECT_EQ(coalescer.open_windows(), 0u);
}

// ---- Against PostgreSQL ----

// What a listener received, for tests to wait on.
class WakeLog {
 public:
  void Wake(int64_t queue_id) {
    {
      std::lock_guard lock(mutex_);
      ++wakes_[queue_id];
    }
    changed_.notify_all();
  }
  void MaybeMissed() {
    {
      std::lock_guard lock(mutex_);
      ++maybe_missed_;
    }
    changed_.notify_all();
  }
  int Count(int64_t queue_id) {
    std::lock_guard lock(mutex_);
    return wakes_[queue_id];
  }
  int maybe_missed() {
    std::lock_guard lock(mutex_);
    return maybe_missed_;
  }
  // Waits (generously) until queue_id has at least `count` wake-ups; returns the count.
  int WaitFor(int64_t queue_id, int count, std::chrono::seconds deadline = 15s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, deadline, [&] { return wakes_[queue_id] >= count; });
    return wakes_[queue_id];
  }
  bool WaitForMaybeMissed(std::chrono::seconds deadline = 15s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return maybe_missed_ > 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int64_t, int> wakes_;
  int maybe_missed_ = 0;
};

// The notifier's statistics once `published` reached `count` (the listener can see a wake-up
// before the publishing thread has counted it), or after a generous deadline.
WakeNotifier::Stats StatsOncePublished(const WakeNotifier& notifier, uint64_t count) {
  auto until = std::chrono::steady_clock::now() + 15s;
  while (notifier.stats().published < count && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  return notifier.stats();
}

class PgWakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    database_ = SharedOpsDatabase();
    ASSERT_FALSE(database_.empty());
    // Node A: sends, so it notifies through its pool.
    pool_a_ = std::make_unique<ConnectionPool>(ServerUrl(), TestOptions(database_), 2);
    // Node B: listens on a dedicated connection.
    WakeListenerOptions options;
    options.backoff_initial = 50ms;
    options.backoff_max = 500ms;
    listener_ = std::make_unique<WakeListener>(
        ServerUrl(), TestOptions(database_), [this](int64_t q) { log_.Wake(q); },
        [this] { log_.MaybeMissed(); }, options);
    PG_ASSERT_OK(listener_->Start());
  }
  void TearDown() override {
    if (listener_) listener_->Stop();
  }

  // Queue ids unique to this test run: other tests of the process share the database, and
  // NOTIFY is per database.
  static int64_t NewQueueId() {
    static std::atomic<int64_t> next{static_cast<int64_t>(RandomU64() >> 20)};
    return next++;
  }

  std::string database_;
  SystemClock clock_;
  WakeLog log_;
  std::unique_ptr<ConnectionPool> pool_a_;
  std::unique_ptr<WakeListener> listener_;
};

TEST_F(PgWakeTest, ListenerOfOneNodeIsWokenByTheNotifierOfAnother) {
  WakeNotifier notifier(*pool_a_, clock_);
  int64_t queue = NewQueueId();
  notifier.Note(queue);
  EXPECT_EQ(log_.WaitFor(queue, 1), 1);
  EXPECT_EQ(StatsOncePublished(notifier, 1).published, 1u);
  EXPECT_EQ(log_.maybe_missed(), 0);
}

TEST_F(PgWakeTest, ManySendsToOneQueueInsideTheWindowBecomeOneTrailingWakeUp) {
  // A window far longer than the loop below takes, so every later send lands inside it.
  WakeNotifier notifier(*pool_a_, clock_, Seconds(2));
  int64_t queue = NewQueueId();
  constexpr int kSends = 50;
  for (int i = 0; i < kSends; ++i) notifier.Note(queue);
  // One at once, one at the window's end for the 49 sends that came later.
  EXPECT_EQ(log_.WaitFor(queue, 2), 2);
  std::this_thread::sleep_for(3s);  // a further window: nothing else may arrive
  EXPECT_EQ(log_.Count(queue), 2);
  WakeNotifier::Stats stats = StatsOncePublished(notifier, 2);
  EXPECT_EQ(stats.published, 2u);
  EXPECT_EQ(stats.coalesced, static_cast<uint64_t>(kSends - 1));
  EXPECT_EQ(stats.failed, 0u);
}

TEST_F(PgWakeTest, DifferentQueuesAreNotCoalescedTogether) {
  WakeNotifier notifier(*pool_a_, clock_, Seconds(60));
  int64_t first = NewQueueId();
  int64_t second = NewQueueId();
  notifier.Note(first);
  notifier.Note(second);
  // Both go out at once: with a 60 s window a coalesced one would not arrive in this test.
  EXPECT_EQ(log_.WaitFor(first, 1), 1);
  EXPECT_EQ(log_.WaitFor(second, 1), 1);
  EXPECT_EQ(StatsOncePublished(notifier, 2).coalesced, 0u);
}

TEST_F(PgWakeTest, PendingWakeUpsArePublishedWhenTheNotifierStops) {
  int64_t queue = NewQueueId();
  {
    WakeNotifier notifier(*pool_a_, clock_, Seconds(60));
    notifier.Note(queue);
    notifier.Note(queue);  // pending until the window's end, 60 s away
  }
  EXPECT_EQ(log_.WaitFor(queue, 2), 2);
}

TEST_F(PgWakeTest, ListenerSurvivesATerminatedBackendAndReportsPossiblyMissedWakeUps) {
  int old_pid = listener_->backend_pid();
  ASSERT_NE(old_pid, 0);
  {
    PG_ASSERT_OK_AND_ASSIGN(Connection admin, Connect(database_));
    static const Statement kTerminate{"test_terminate", "SELECT pg_terminate_backend($1)", 1};
    PG_ASSERT_OK_AND_ASSIGN(Rows rows, admin.Execute(kTerminate, {Param::Int(old_pid)}));
    ASSERT_EQ(rows.Text(0, 0), "t");
  }
  ASSERT_TRUE(log_.WaitForMaybeMissed());
  EXPECT_GE(listener_->reconnects(), 1u);
  // Listening again on a new backend: a wake-up sent now arrives.
  auto until = std::chrono::steady_clock::now() + 15s;
  while (listener_->backend_pid() == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(listener_->backend_pid(), 0);
  EXPECT_NE(listener_->backend_pid(), old_pid);
  WakeNotifier notifier(*pool_a_, clock_);
  int64_t queue = NewQueueId();
  notifier.Note(queue);
  EXPECT_EQ(log_.WaitFor(queue, 1), 1);
}

TEST_F(PgWakeTest, NoCallbackAfterStopAndPayloadsThatAreNoQueueIdAreIgnored) {
  PG_ASSERT_OK_AND_ASSIGN(Connection other, Connect(database_));
  static const Statement kForeign{"test_foreign_notify", "SELECT pg_notify('sqs_wake', $1)", 1};
  PG_ASSERT_OK_AND_ASSIGN(Rows foreign, other.Execute(kForeign, {Param::Text("not-a-queue")}));
  int64_t queue = NewQueueId();
  PG_ASSERT_OK_AND_ASSIGN(Rows marker,
                          other.Execute(kForeign, {Param::Text(std::to_string(queue))}));
  // Notifications arrive in commit order: once the marker is here, the foreign one was read.
  EXPECT_EQ(log_.WaitFor(queue, 1), 1);
  EXPECT_EQ(listener_->bad_payloads(), 1u);

  listener_->Stop();
  EXPECT_EQ(listener_->backend_pid(), 0);
  int64_t after = NewQueueId();
  PG_ASSERT_OK_AND_ASSIGN(Rows late, other.Execute(kForeign, {Param::Text(std::to_string(after))}));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(log_.Count(after), 0);
}

// PgObjectStore NOTIFYs wharf_objects after each write; a listener asked to (the server's, for
// its ObjectsWatcher) hears it and takes nothing on that channel for a queue wake-up.
TEST_F(PgWakeTest, ObjectChangesReachAListenerThatAskedForThem) {
  std::mutex mu;
  std::condition_variable changed;
  int changes = 0;
  WakeListenerOptions options;
  options.on_objects_changed = [&] {
    {
      std::lock_guard lock(mu);
      ++changes;
    }
    changed.notify_all();
  };
  WakeListener objects_listener(
      ServerUrl(), TestOptions(database_), [](int64_t) {}, [] {}, options);
  PG_ASSERT_OK(objects_listener.Start());
  PG_ASSERT_OK_AND_ASSIGN(Connection other, Connect(database_));
  PG_ASSERT_OK_AND_ASSIGN(Rows notified, other.Execute(sql::kNotifyObjects));
  {
    std::unique_lock lock(mu);
    EXPECT_TRUE(changed.wait_for(lock, 15s, [&] { return changes >= 1; }));
  }
  objects_listener.Stop();
  EXPECT_EQ(objects_listener.bad_payloads(), 0u);
  EXPECT_EQ(listener_->bad_payloads(), 0u) << "the fixture's listener does not LISTEN on it";
}

}  // namespace
}  // namespace wharf::storage::pg
