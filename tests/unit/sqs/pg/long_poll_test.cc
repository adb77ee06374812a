// LongPollHub (src/sqs/pg/long_poll.h) with a fake queue: which receives share a fetch, how the
// fetched messages are handed out, and when parked receives run again. No database: these run
// in every unit-test step, not only against PostgreSQL.

#include "sqs/pg/long_poll.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/manual_clock.h"

namespace wharf::sqs::pg {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kBound = seconds(20);  // how long an expected event may take on a loaded machine

// A queue of numbered messages that fetches take from, recording how many each asked for. A
// fetch may be held (gate) to let a test act while it runs.
class FakeQueue {
 public:
  void Add(int count) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < count; ++i) available_.push_back(next_++);
  }
  // Takes what is there, then (if held) waits before answering, as a receive statement whose
  // snapshot was taken before a later send committed.
  LongPollHub::Messages Fetch(int max) {
    std::unique_lock lock(mu_);
    asked_.push_back(max);
    std::vector<ReceivedMessage> out;
    while (!available_.empty() && static_cast<int>(out.size()) < max) {
      ReceivedMessage m;
      m.seq = static_cast<uint64_t>(available_.front());
      available_.pop_front();
      out.push_back(std::move(m));
    }
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (fail_) return api::Error(api::ErrorCode::kServiceUnavailable, "database down");
    return out;
  }
  std::vector<int> asked() const {
    std::lock_guard lock(mu_);
    return asked_;
  }
  // Waits until `count` fetches have started.
  bool WaitForFetches(size_t count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kBound, [&] { return asked_.size() >= count; });
  }
  void Hold(bool held) {
    std::lock_guard lock(mu_);
    held_ = held;
    changed_.notify_all();
  }
  void Fail() {
    std::lock_guard lock(mu_);
    fail_ = true;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<int> available_;
  std::vector<int> asked_;
  int next_ = 1;
  bool held_ = false;
  bool fail_ = false;
};

// One receive's answer, waited for with a bound.
struct Answered {
  std::promise<LongPollHub::Messages> promise;
  std::future<LongPollHub::Messages> future = promise.get_future();
  bool Ready() { return future.wait_for(milliseconds(0)) == std::future_status::ready; }
  // The answer, or (a failure, not a hang) an error when none came within the bound.
  LongPollHub::Messages Get() {
    if (future.wait_for(kBound) != std::future_status::ready) {
      ADD_FAILURE() << "no answer";
      return api::Error(api::ErrorCode::kInternalFailure, "no answer");
    }
    return future.get();
  }
};

std::vector<uint64_t> SeqsOf(const std::vector<ReceivedMessage>& messages) {
  std::vector<uint64_t> seqs;
  for (const auto& m : messages) seqs.push_back(m.seq);
  return seqs;
}

class LongPollHubTest : public ::testing::Test {
 protected:
  // Starts a receive of `want` messages waiting `wait`, and waits until it has parked (or
  // answered, when the queue had messages).
  std::shared_ptr<Answered> Start(FakeQueue& queue, std::string key, int want,
                                  Duration wait = seconds(20), int64_t queue_id = 1) {
    auto answered = std::make_shared<Answered>();
    const size_t parked_before = hub_.parked();
    const size_t fetches_before = queue.asked().size();
    LongPollHub::Receive r;
    r.queue_id = queue_id;
    r.share_key = std::move(key);
    r.want = want;
    r.deadline = clock_.Now() + wait;
    r.fetch = [&queue](int max) { return queue.Fetch(max); };
    r.answer = [answered](LongPollHub::Messages m) { answered->promise.set_value(std::move(m)); };
    hub_.Start(std::move(r));
    EXPECT_TRUE(queue.WaitForFetches(fetches_before + 1));
    WaitFor([&] { return hub_.parked() > parked_before || answered->Ready(); });
    return answered;
  }
  template <typename Pred>
  void WaitFor(Pred pred) {
    const auto until = std::chrono::steady_clock::now() + kBound;
    while (!pred() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(2));
    }
    EXPECT_TRUE(pred()) << "timed out";
  }

  ManualClock clock_;
  WorkerPool workers_{4};
  LongPollHub hub_{clock_, clock_, workers_, seconds(1)};

  void TearDown() override { hub_.Close(); }
};

TEST_F(LongPollHubTest, AReceiveThatFindsMessagesAnswersAtOnceWithItsWant) {
  FakeQueue queue;
  queue.Add(15);
  auto a = Start(queue, "v", 10);
  auto got = a->Get();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 10u);
  EXPECT_EQ(queue.asked(), std::vector<int>{10});
  EXPECT_EQ(hub_.parked(), 0u);
}

TEST_F(LongPollHubTest, ParkedReceivesSharingAKeyAreServedByOneFetchInParkingOrder) {
  FakeQueue queue;
  auto a = Start(queue, "v30", 3);
  auto b = Start(queue, "v30", 10);
  auto c = Start(queue, "v30", 2);
  ASSERT_EQ(hub_.parked(), 3u);
  queue.Add(12);
  hub_.Wake(1);
  ASSERT_TRUE(queue.WaitForFetches(4));
  auto got_a = a->Get();
  auto got_b = b->Get();
  ASSERT_TRUE(got_a.ok() && got_b.ok());
  EXPECT_EQ(SeqsOf(*got_a), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(SeqsOf(*got_b), (std::vector<uint64_t>{4, 5, 6, 7, 8, 9, 10, 11, 12}));
  // One fetch for the three (3 + 10 + 2), after the three that parked them.
  EXPECT_EQ(queue.asked(), (std::vector<int>{3, 10, 2, 15}));
  // The fetch came back short of 15: nothing left for c, which parks again.
  WaitFor([&] { return hub_.parked() == 1u; });
  EXPECT_FALSE(c->Ready());
}

TEST_F(LongPollHubTest, DifferentKeysAndUnsharedReceivesFetchSeparately) {
  FakeQueue queue;
  auto a = Start(queue, "v30", 1);
  auto b = Start(queue, "v60", 1);
  auto c = Start(queue, "", 1);
  auto d = Start(queue, "", 1);
  queue.Add(4);
  hub_.Wake(1);
  for (auto* answered : {a.get(), b.get(), c.get(), d.get()}) {
    auto got = answered->Get();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->size(), 1u);
  }
  EXPECT_EQ(queue.asked(), (std::vector<int>(8, 1)));  // four to park them, four after the wake
}

TEST_F(LongPollHubTest, AWakeOfManyReceivesRunsOneCappedFetchAndMoreOnlyWhileFull) {
  FakeQueue queue;
  std::vector<std::shared_ptr<Answered>> receives;
  for (int i = 0; i < 25; ++i) receives.push_back(Start(queue, "v", 10));
  ASSERT_EQ(hub_.parked(), 25u);
  const size_t parking_fetches = queue.asked().size();

  // Nothing there: one fetch for the first 100 messages' worth, and everyone stays parked.
  hub_.Wake(1);
  ASSERT_TRUE(queue.WaitForFetches(parking_fetches + 1));
  WaitFor([&] { return hub_.parked() == 25u; });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(queue.asked().size(), parking_fetches + 1) << "one query per wake-up, not 25";
  EXPECT_EQ(queue.asked().back(), LongPollHub::kMaxSharedWant);

  // 230 messages: full fetches of 100, 100, then the last 5 receives' 50 (30 found).
  queue.Add(230);
  hub_.Wake(1);
  ASSERT_TRUE(queue.WaitForFetches(parking_fetches + 4));
  // The longest-waiting first: the 23 that started first, though the first ten ran last time.
  for (int i = 0; i < 23; ++i) {
    auto got = receives[i]->Get();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->size(), 10u) << i;
  }
  WaitFor([&] { return hub_.parked() == 2u; });
  EXPECT_FALSE(receives[23]->Ready());
  EXPECT_FALSE(receives[24]->Ready());
  const std::vector<int> asked = queue.asked();
  EXPECT_EQ(std::vector<int>(asked.begin() + parking_fetches + 1, asked.end()),
            (std::vector<int>{100, 100, 50}));
}

TEST_F(LongPollHubTest, AReCheckTakesTheOtherParkedReceivesOfItsKeyAlong) {
  FakeQueue queue;
  auto a = Start(queue, "v", 1);
  auto b = Start(queue, "v", 1);
  ASSERT_EQ(hub_.parked(), 2u);
  queue.Add(2);  // visible by time: no wake-up
  clock_.Advance(seconds(1));
  ASSERT_TRUE(a->Get().ok());
  ASSERT_TRUE(b->Get().ok());
  EXPECT_EQ(queue.asked(), (std::vector<int>{1, 1, 2})) << "one re-check fetch for both";
}

TEST_F(LongPollHubTest, AReceiveWhoseWaitEndedAnswersEmptyWhileOthersKeepWaiting) {
  FakeQueue queue;
  auto short_wait = Start(queue, "v", 5, seconds(2));
  auto long_wait = Start(queue, "v", 5, seconds(20));
  clock_.Advance(seconds(1));
  WaitFor([&] { return queue.asked().size() == 3u && hub_.parked() == 2u; });
  clock_.Advance(seconds(1));
  auto got = short_wait->Get();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  WaitFor([&] { return hub_.parked() == 1u; });
  EXPECT_FALSE(long_wait->Ready());
}

// The generation rule: a fetch that looked before a send committed, and came back empty after
// that send's wake-up, runs again at once. Without it the receive would sleep until its next
// re-check, which never comes here (the clock does not move).
TEST_F(LongPollHubTest, AWakeDuringAFetchThatFindsNothingRunsItAgain) {
  FakeQueue queue;
  queue.Hold(true);
  LongPollHub::Receive r;
  auto answered = std::make_shared<Answered>();
  r.queue_id = 1;
  r.share_key = "v";
  r.want = 1;
  r.deadline = clock_.Now() + seconds(20);
  r.fetch = [&queue](int max) { return queue.Fetch(max); };
  r.answer = [answered](LongPollHub::Messages m) { answered->promise.set_value(std::move(m)); };
  hub_.Start(std::move(r));
  ASSERT_TRUE(queue.WaitForFetches(1));  // looked: nothing there
  queue.Add(1);
  hub_.Wake(1);  // the send's wake-up, while the fetch is still running
  queue.Hold(false);
  auto got = answered->Get();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(SeqsOf(*got), std::vector<uint64_t>{1});
  EXPECT_EQ(queue.asked().size(), 2u);
}

TEST_F(LongPollHubTest, AFetchErrorAnswersEveryReceiveItServed) {
  FakeQueue queue;
  auto a = Start(queue, "v", 1);
  auto b = Start(queue, "v", 1);
  queue.Fail();
  hub_.Wake(1);
  auto got_a = a->Get();
  auto got_b = b->Get();
  ASSERT_FALSE(got_a.ok());
  ASSERT_FALSE(got_b.ok());
  EXPECT_EQ(got_a.error().code, api::ErrorCode::kServiceUnavailable);
  EXPECT_EQ(hub_.parked(), 0u);
}

}  // namespace
}  // namespace wharf::sqs::pg
