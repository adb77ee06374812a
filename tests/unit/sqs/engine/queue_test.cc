#include "sqs/engine/queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "engine/queue_test_support.h"
#include "sqs/engine/receipt_handle.h"

// The queue engine without handlers: visibility timeouts, ChangeMessageVisibility, delays,
// retention, delete semantics, counters and purge (sqs-api.md §2.10, §2.12, §2.14, §5.3–5.7).
// Long polling is in queue_long_poll_test.cc.

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;
using Counts = std::vector<int64_t>;  // {visible, in flight, delayed}

std::string InvalidHandleText(const std::string& handle) {
  return "The input receipt handle \"" + handle + "\" is not a valid receipt handle.";
}

class QueueTest : public QueueFixture {};

// --- visibility timeout ---------------------------------------------------------------------

TEST_F(QueueTest, ReceivedMessageIsInvisibleUntilTheTimeoutThenReturnsWithANewHandle) {
  QueueConfig config;
  config.visibility_timeout = 30;
  auto q = MakeQueue(config);
  Send(*q, "m1");

  ReceivedMessage first = ReceiveOne(*q);
  EXPECT_EQ(first.content->body, "m1");
  EXPECT_EQ(first.receive_count, 1u);
  EXPECT_TRUE(ReceiveNow(*q).empty()) << "in flight: not receivable";

  clock_.Advance(Seconds(29));
  EXPECT_TRUE(ReceiveNow(*q).empty()) << "29 s into a 30 s timeout";

  clock_.Advance(Seconds(1));
  ReceivedMessage second = ReceiveOne(*q);
  EXPECT_EQ(second.content->body, "m1");
  EXPECT_EQ(second.receive_count, 2u);  // ApproximateReceiveCount
  EXPECT_NE(second.receipt_handle, first.receipt_handle);
  EXPECT_EQ(second.first_receive_millis, first.first_receive_millis);
}

TEST_F(QueueTest, PerReceiveVisibilityTimeoutOverridesTheQueueDefault) {
  QueueConfig config;
  config.visibility_timeout = 300;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceiveOne(*q, /*visibility=*/5);
  clock_.Advance(Seconds(4));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  // The next receive uses the queue value again (300 s), not the earlier override.
  ReceivedMessage again = ReceiveOne(*q);
  EXPECT_EQ(again.receive_count, 2u);
  clock_.Advance(Seconds(299));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 3u);
}

TEST_F(QueueTest, VisibilityTimeoutZeroMakesTheMessageReceivableAtOnce) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage first = ReceiveOne(*q, /*visibility=*/0);
  ReceivedMessage second = ReceiveOne(*q, /*visibility=*/0);
  EXPECT_EQ(second.content->body, "m1");
  EXPECT_EQ(second.receive_count, 2u);
  EXPECT_NE(second.receipt_handle, first.receipt_handle);
}

TEST_F(QueueTest, ReceiveReturnsUpToMaxMessagesInSendOrder) {
  auto q = MakeQueue();
  for (const char* body : {"a", "b", "c", "d"}) Send(*q, body);
  auto got = ReceiveNow(*q, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].content->body, "a");
  EXPECT_EQ(got[1].content->body, "b");
  EXPECT_EQ(got[2].content->body, "c");
  got = ReceiveNow(*q, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].content->body, "d");
}

// --- ChangeMessageVisibility ----------------------------------------------------------------

TEST_F(QueueTest, ChangeVisibilityCountsFromNow) {
  QueueConfig config;
  config.visibility_timeout = 60;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  clock_.Advance(Seconds(15));
  // sqs-api.md §5.4: 15 s into a 60 s timeout, setting 10 hides it for 10 more seconds, not 70.
  ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 10).ok());
  clock_.Advance(Seconds(9));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 2u);
}

TEST_F(QueueTest, ChangeVisibilityExtendsBeyondTheOriginalTimeout) {
  QueueConfig config;
  config.visibility_timeout = 30;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  clock_.Advance(Seconds(20));
  ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 60).ok());
  clock_.Advance(Seconds(30));  // 50 s since receive: past the original 30 s
  EXPECT_TRUE(ReceiveNow(*q).empty());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));
  // Repeated extension keeps it hidden.
  ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 60).ok());
  clock_.Advance(Seconds(59));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 2u);
}

TEST_F(QueueTest, ChangeVisibilityToZeroMakesTheMessageVisibleAtOnce) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));
  ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 0).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  ReceivedMessage again = ReceiveOne(*q);
  EXPECT_EQ(again.receive_count, 2u);
}

TEST_F(QueueTest, ChangeVisibilityOfADeletedMessageIsInvalidParameterValue) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  ASSERT_TRUE(Delete(*q, m.receipt_handle).ok());
  api::ApiStatus status = ChangeVisibility(*q, m.receipt_handle, 10);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(status.error().message,
            "Value " + m.receipt_handle +
                " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change.");
}

TEST_F(QueueTest, ChangeVisibilityWithAGarbageHandleIsReceiptHandleIsInvalid) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceiveOne(*q);
  api::ApiStatus status = ChangeVisibility(*q, "garbage", 10);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(status.error().message, InvalidHandleText("garbage"));
}

TEST_F(QueueTest, ChangeVisibilityIsCappedAtTwelveHoursSinceTheReceive) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  // At the receive itself the whole 12 h is available.
  ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 43'200).ok());
  clock_.Advance(Seconds(100));
  // 100 + 43100 = 43200: exactly the limit.
  EXPECT_TRUE(ChangeVisibility(*q, m.receipt_handle, 43'100).ok());
  api::ApiStatus status = ChangeVisibility(*q, m.receipt_handle, 43'101);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(status.error().message,
            "Value 43101 for parameter VisibilityTimeout is invalid. Reason: Total "
            "VisibilityTimeout for the message is beyond the limit [43200 seconds].");
  // The rejected change did not alter the deadline: visible 43100 s after the last change.
  clock_.Advance(Seconds(43'099));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 2u);
}

TEST_F(QueueTest, ChangeVisibilityAfterTheTimeoutRanOutSucceedsAndLeavesTheMessageVisible) {
  QueueConfig config;
  config.visibility_timeout = 10;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  clock_.Advance(Seconds(10));
  EXPECT_TRUE(ChangeVisibility(*q, m.receipt_handle, 100).ok());  // §2.12: success
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 2u);
}

// --- delete -----------------------------------------------------------------------------------

TEST_F(QueueTest, DeleteTwiceSucceeds) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  EXPECT_TRUE(Delete(*q, m.receipt_handle).ok());
  EXPECT_TRUE(Delete(*q, m.receipt_handle).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
}

TEST_F(QueueTest, StaleHandleAfterReReceiveStillDeletesOnAStandardQueue) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage first = ReceiveOne(*q, /*visibility=*/0);
  ReceivedMessage second = ReceiveOne(*q);
  ASSERT_NE(first.receipt_handle, second.receipt_handle);
  EXPECT_TRUE(Delete(*q, first.receipt_handle).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  clock_.Advance(Seconds(3600));
  EXPECT_TRUE(ReceiveNow(*q).empty()) << "the message must be gone, not merely hidden";
}

TEST_F(QueueTest, HandleWhoseTimeoutExpiredStillDeletesTheMessage) {
  QueueConfig config;
  config.visibility_timeout = 5;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  clock_.Advance(Seconds(6));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  EXPECT_TRUE(Delete(*q, m.receipt_handle).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
}

TEST_F(QueueTest, GarbageHandleIsReceiptHandleIsInvalidWithTheHandleQuoted) {
  auto q = MakeQueue();
  for (std::string garbage : {"garbage", "AQEBexample==", "INVALID", "a\"b"}) {
    api::ApiStatus status = Delete(*q, garbage);
    ASSERT_FALSE(status.ok()) << garbage;
    EXPECT_EQ(status.error().code, ErrorCode::kReceiptHandleIsInvalid);
    EXPECT_EQ(status.error().message, InvalidHandleText(garbage));
  }
}

TEST_F(QueueTest, HandleFromAnotherQueueIsReceiptHandleIsInvalid) {
  auto q1 = MakeQueue({}, /*id=*/1, "q1");
  auto q2 = MakeQueue({}, /*id=*/2, "q2");
  Send(*q1, "m1");
  Send(*q2, "m2");
  ReceivedMessage from_q1 = ReceiveOne(*q1);
  ReceiveOne(*q2);
  api::ApiStatus status = Delete(*q2, from_q1.receipt_handle);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(status.error().message, InvalidHandleText(from_q1.receipt_handle));
  status = ChangeVisibility(*q2, from_q1.receipt_handle, 0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(CountsOf(*q1), (Counts{0, 1, 0})) << "nothing happened to the message in q1";
}

TEST_F(QueueTest, ForgedNonceIsReceiptHandleIsInvalid) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  auto decoded = DecodeReceiptHandle(m.receipt_handle);
  ASSERT_TRUE(decoded);
  ReceiptHandle forged = *decoded;
  forged.nonce ^= 1;
  EXPECT_EQ(Delete(*q, EncodeReceiptHandle(forged)).error().code,
            ErrorCode::kReceiptHandleIsInvalid);
  forged = *decoded;
  forged.receive_count += 1;  // a receive that has not happened yet
  EXPECT_EQ(Delete(*q, EncodeReceiptHandle(forged)).error().code,
            ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));
}

// --- delays -----------------------------------------------------------------------------------

TEST_F(QueueTest, QueueDelaySecondsDelaysEveryNewMessage) {
  QueueConfig config;
  config.delay_seconds = 10;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 1}));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(9));
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 1}));
  EXPECT_TRUE(ReceiveNow(*q).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "m1");
}

TEST_F(QueueTest, PerMessageDelayOverridesTheQueueDelay) {
  QueueConfig config;
  config.delay_seconds = 10;
  auto q = MakeQueue(config);
  Send(*q, "five", 5);
  Send(*q, "zero", 0);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 1}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "zero");
  clock_.Advance(Seconds(5));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 1, 0}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "five");
}

TEST_F(QueueTest, ChangingTheQueueDelayIsNotRetroactiveOnAStandardQueue) {
  auto q = MakeQueue();
  Send(*q, "before");
  ASSERT_TRUE(SetAttributes(*q, {{"DelaySeconds", "10"}}).ok());
  Send(*q, "after");
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 1}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "before");
}

// --- retention --------------------------------------------------------------------------------

TEST_F(QueueTest, MessagesExpireAfterTheRetentionPeriod) {
  QueueConfig config;
  config.message_retention_period = 60;
  auto q = MakeQueue(config);
  Send(*q, "old");
  clock_.Advance(Seconds(30));
  Send(*q, "young");
  clock_.Advance(Seconds(29));
  EXPECT_EQ(CountsOf(*q), (Counts{2, 0, 0}));
  clock_.Advance(Seconds(1));  // "old" is 60 s old
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "young");
}

TEST_F(QueueTest, InFlightMessagesExpireTooAndTheirHandleStillDeletes) {
  QueueConfig config;
  config.message_retention_period = 60;
  config.visibility_timeout = 600;
  auto q = MakeQueue(config);
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));
  clock_.Advance(Seconds(60));
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  EXPECT_TRUE(Delete(*q, m.receipt_handle).ok());  // §5.3: deleting it afterwards succeeds
  clock_.Advance(Seconds(600));
  EXPECT_TRUE(ReceiveNow(*q).empty());
}

TEST_F(QueueTest, DelayedMessagesExpireTooAndLeaveTheDelayedCounter) {
  QueueConfig config;
  config.message_retention_period = 60;
  auto q = MakeQueue(config);
  Send(*q, "m1", 120);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 1}));
  clock_.Advance(Seconds(60));
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  clock_.Advance(Seconds(60));
  EXPECT_TRUE(ReceiveNow(*q).empty());
}

TEST_F(QueueTest, ReducingRetentionExpiresOlderMessagesAtOnce) {
  auto q = MakeQueue();  // default retention: 4 days
  Send(*q, "old");
  clock_.Advance(Seconds(120));
  Send(*q, "new");
  EXPECT_EQ(CountsOf(*q), (Counts{2, 0, 0}));
  ASSERT_TRUE(SetAttributes(*q, {{"MessageRetentionPeriod", "60"}}).ok());
  EXPECT_EQ(q->config().message_retention_period, 60);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  EXPECT_EQ(ReceiveOne(*q).content->body, "new");
  clock_.Advance(Seconds(60));
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
}

// --- counters ---------------------------------------------------------------------------------

TEST_F(QueueTest, CountersFollowEveryTransition) {
  QueueConfig config;
  config.visibility_timeout = 30;
  auto q = MakeQueue(config);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  Send(*q, "now");
  Send(*q, "later", 10);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 1}));  // sent, one delayed
  ReceivedMessage now = ReceiveOne(*q);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 1}));  // received
  clock_.Advance(Seconds(10));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 1, 0}));  // delay ended
  ASSERT_TRUE(ChangeVisibility(*q, now.receipt_handle, 0).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{2, 0, 0}));  // returned by ChangeMessageVisibility
  auto both = ReceiveNow(*q, 10);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 2, 0}));
  ASSERT_TRUE(Delete(*q, both[0].receipt_handle).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));  // deleted
  clock_.Advance(Seconds(30));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));  // visibility expired
  Send(*q, "delayed", 900);
  ReceiveOne(*q);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 1}));
  ASSERT_TRUE(Purge(*q).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));  // purged
}

// --- purge ------------------------------------------------------------------------------------

TEST_F(QueueTest, PurgeRemovesVisibleInFlightAndDelayedMessages) {
  auto q = MakeQueue({}, 1, "orders");
  Send(*q, "in-flight-1");
  Send(*q, "in-flight-2");
  Send(*q, "delayed", 60);
  ReceiveNow(*q, 1);
  ReceivedMessage in_flight = ReceiveOne(*q);
  Send(*q, "visible");
  EXPECT_EQ(CountsOf(*q), (Counts{1, 2, 1}));
  ASSERT_TRUE(Purge(*q).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  clock_.Advance(Seconds(3600));
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  // §5.7: handles of purged messages are stale; deleting with them succeeds.
  EXPECT_TRUE(Delete(*q, in_flight.receipt_handle).ok());
}

TEST_F(QueueTest, SecondPurgeWithinSixtySecondsIsPurgeQueueInProgress) {
  auto q = MakeQueue({}, 1, "orders");
  ASSERT_TRUE(Purge(*q).ok());
  Send(*q, "survivor");
  clock_.Advance(Seconds(59));
  api::ApiStatus status = Purge(*q);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kPurgeQueueInProgress);
  EXPECT_EQ(status.error().message,
            "Only one PurgeQueue operation on orders is allowed every 60 seconds.");
  EXPECT_EQ(api::InfoOf(ErrorCode::kPurgeQueueInProgress).http_status, 403);
  EXPECT_EQ(api::InfoOf(ErrorCode::kPurgeQueueInProgress).query_code,
            "AWS.SimpleQueueService.PurgeQueueInProgress");
  // The rejected purge removed nothing and did not restart the window.
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0}));
  clock_.Advance(Seconds(1));
  EXPECT_TRUE(Purge(*q).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
}

// --- in-flight limit ---------------------------------------------------------------------------

TEST_F(QueueTest, StandardQueueAtTheInFlightLimitAnswersOverLimit) {
  limits_.max_inflight_standard = 2;  // ~120,000 on AWS (§2.9)
  auto q = MakeQueue();
  for (const char* body : {"a", "b", "c"}) Send(*q, body);
  ASSERT_EQ(ReceiveNow(*q, 2).size(), 2u);
  ReceiveOptions options;
  options.wait_seconds = 0;
  auto over = StartReceive(*q, options);
  ASSERT_TRUE(over->done());
  ASSERT_FALSE(over->result->ok());
  EXPECT_EQ(over->result->error().code, ErrorCode::kOverLimit);
  EXPECT_EQ(api::InfoOf(ErrorCode::kOverLimit).http_status, 403);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 2, 0})) << "nothing was taken";
}

// --- concurrency contract ---------------------------------------------------------------------

// queue.h: "no lock is held across a call into the store or a completion". A completion that
// calls back into the queue (as a reply path might) must not find its lock held. The probe runs
// on another thread, so a held lock shows as a timeout instead of a self-deadlock; the bounded
// wait is reached only when the contract is broken.
class LockProbe {
 public:
  explicit LockProbe(Queue& q) : q_(q) {}
  ~LockProbe() {
    if (probe_.valid()) probe_.wait();
  }
  void Check() {
    probe_ = std::async(std::launch::async, [this] { (void)q_.tags(); });
    lock_was_free_ = probe_.wait_for(std::chrono::seconds(2)) == std::future_status::ready;
  }
  bool lock_was_free() const { return lock_was_free_; }

 private:
  Queue& q_;
  std::future<void> probe_;
  bool lock_was_free_ = false;
};

TEST_F(QueueTest, ErrorCompletionsRunWithoutTheQueueLockHeld) {
  auto q = MakeQueue();
  ASSERT_TRUE(Purge(*q).ok());
  {
    LockProbe probe(*q);
    q->Purge([&](api::ApiStatus) { probe.Check(); });  // PurgeQueueInProgress
    EXPECT_TRUE(probe.lock_was_free()) << "Purge error completion ran under the queue lock";
  }
  Send(*q, "m1");
  ReceivedMessage m = ReceiveOne(*q);
  ASSERT_TRUE(Delete(*q, m.receipt_handle).ok());
  {
    LockProbe probe(*q);
    q->ChangeVisibility(m.receipt_handle, 5, [&](api::ApiStatus) { probe.Check(); });
    EXPECT_TRUE(probe.lock_was_free()) << "ChangeVisibility error completion under the lock";
  }
  {
    LockProbe probe(*q);
    q->SetAttributes(
        {{"VisibilityTimeout", "-1"}},
        [](std::string_view) { return std::optional<DeadLetterTarget>(); },
        [&](api::ApiStatus) { probe.Check(); });
    EXPECT_TRUE(probe.lock_was_free()) << "SetAttributes error completion under the lock";
  }
}

// --- the backend seam (ADR 0002) ---------------------------------------------------------------

// A queue of some other QueueBackend implementation: only its identity is ever read.
class ForeignBackend final : public QueueBackend {
 public:
  const QueueIdentity& identity() const override { return identity_; }
  QueueConfig config() const override { return {}; }
  SendRules send_rules() const override { return {}; }
  std::shared_ptr<const auth::PolicyDocument> policy() const override { return nullptr; }
  api::StringPairs tags() const override { return {}; }
  QueueCounters Counters() override { return {}; }
  const QueueMetrics& metrics() const override { return metrics_; }
  void CountReceive(size_t) override {}
  void SetAttributes(const api::StringPairs&, const QueueTypeLookup&, Done) override {}
  void EditPolicy(const PolicyEdit&, Done) override {}
  void Tag(const api::StringPairs&, Done) override {}
  void Untag(const std::vector<std::string>&, Done) override {}
  void Purge(Done) override {}
  void Send(std::vector<NewMessage>, SendDone) override {}
  void Receive(const ReceiveOptions&, ReceiveDone) override {}
  void Delete(std::string_view, Done) override {}
  void ChangeVisibility(std::string_view, int64_t, Done) override {}
  void ReturnUndelivered(const std::vector<ReceivedMessage>&) override {}
  void Peek(int64_t, PeekDone) override {}
  void MoveOut(int64_t, const std::shared_ptr<QueueBackend>&, MoveDone) override {}

 private:
  QueueIdentity identity_{7, "000000000000", "elsewhere",
                          "arn:aws:sqs:us-east-1:000000000000:elsewhere", false};
  QueueMetrics metrics_;
};

TEST_F(QueueTest, MoveOutRefusesADestinationOfAnotherBackendAndMovesNothing) {
  auto q = MakeQueue();
  Send(*q, "m1");
  std::optional<api::ApiResult<int64_t>> result;
  q->MoveOut(10, std::make_shared<ForeignBackend>(),
             [&](api::ApiResult<int64_t> r) { result.emplace(std::move(r)); });
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok()) << "not taken for \"no destination\" (back to the sources)";
  EXPECT_EQ(result->error().code, ErrorCode::kInternalFailure);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0})) << "the message stays visible where it was";
}

TEST_F(QueueTest, MoveOutThroughTheSeamMovesToAnEngineDestination) {
  auto source = MakeQueue({}, 1, "source");
  auto destination = MakeQueue({}, 2, "destination");
  Send(*source, "m1");
  std::optional<api::ApiResult<int64_t>> result;
  const std::shared_ptr<QueueBackend> as_backend = destination;
  source->MoveOut(10, as_backend, [&](api::ApiResult<int64_t> r) { result.emplace(std::move(r)); });
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->error().message;
  EXPECT_EQ(result->value(), 1);
  EXPECT_EQ(ReceiveOne(*destination).content->body, "m1");
}

}  // namespace
}  // namespace wharf::sqs::testing
