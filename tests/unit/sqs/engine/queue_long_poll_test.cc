// Long polling in the queue engine (sqs-api.md §5.5): a parked receive is answered by every
// event that makes a message visible, or empty when its wait ends — on the ManualClock, which
// runs the engine's timers as the test advances time.

#include <gtest/gtest.h>

#include "engine/queue_test_support.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class QueueLongPollTest : public QueueFixture {
 protected:
  std::shared_ptr<PendingReceive> Park(Queue& q, int64_t wait, int64_t max = 1,
                                       std::optional<int64_t> visibility = std::nullopt) {
    ReceiveOptions options;
    options.max_messages = max;
    options.wait_seconds = wait;
    options.visibility_timeout = visibility;
    auto pending = StartReceive(q, options);
    EXPECT_FALSE(pending->done()) << "nothing visible: the receive must park";
    return pending;
  }
};

TEST_F(QueueLongPollTest, ParkedReceiveIsAnsweredByASendOneSecondLater) {
  auto q = MakeQueue();
  auto pending = Park(*q, 10);
  clock_.Advance(Seconds(1));
  EXPECT_FALSE(pending->done());
  Send(*q, "m1");
  ASSERT_EQ(pending->calls, 1);
  auto got = pending->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].content->body, "m1");
  EXPECT_EQ(got[0].receive_count, 1u);
  // The wait's timer is gone with it: no second answer, no timer left behind.
  clock_.Advance(Seconds(20));
  EXPECT_EQ(pending->calls, 1);
  EXPECT_EQ(clock_.pending_timers(), 0u);
}

TEST_F(QueueLongPollTest, ReceiveDoesNotWaitToFillMaxNumberOfMessages) {
  auto q = MakeQueue();
  Send(*q, "a");
  Send(*q, "b");
  ReceiveOptions options;
  options.max_messages = 10;
  options.wait_seconds = 20;
  auto pending = StartReceive(*q, options);
  ASSERT_TRUE(pending->done());
  EXPECT_EQ(pending->messages().size(), 2u);
}

TEST_F(QueueLongPollTest, ParkedReceiveIsAnsweredByAVisibilityExpiry) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceiveOne(*q, /*visibility=*/5);
  auto pending = Park(*q, 10);
  clock_.Advance(Seconds(4));
  EXPECT_FALSE(pending->done());
  clock_.Advance(Seconds(1));
  ASSERT_EQ(pending->calls, 1);
  auto got = pending->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receive_count, 2u);
}

TEST_F(QueueLongPollTest, ParkedReceiveIsAnsweredWhenADelayEnds) {
  auto q = MakeQueue();
  Send(*q, "m1", 3);
  auto pending = Park(*q, 10);
  clock_.Advance(Seconds(2));
  EXPECT_FALSE(pending->done());
  clock_.Advance(Seconds(1));
  ASSERT_EQ(pending->calls, 1);
  ASSERT_EQ(pending->messages().size(), 1u);
  EXPECT_EQ(pending->messages()[0].content->body, "m1");
}

TEST_F(QueueLongPollTest, ParkedReceiveIsAnsweredByChangeVisibilityToZero) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage held = ReceiveOne(*q, /*visibility=*/30);
  auto pending = Park(*q, 20);
  ASSERT_TRUE(ChangeVisibility(*q, held.receipt_handle, 0).ok());
  ASSERT_EQ(pending->calls, 1) << "returning a message must wake the parked receiver at once";
  ASSERT_EQ(pending->messages().size(), 1u);
  EXPECT_EQ(pending->messages()[0].receive_count, 2u);
}

TEST_F(QueueLongPollTest, ShorterVisibilityRearmsTheWakeUp) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage held = ReceiveOne(*q, /*visibility=*/30);
  auto pending = Park(*q, 20);
  ASSERT_TRUE(ChangeVisibility(*q, held.receipt_handle, 5).ok());
  clock_.Advance(Seconds(5));
  ASSERT_EQ(pending->calls, 1) << "visible after 5 s; the receiver waited for the old deadline";
  EXPECT_EQ(pending->messages().size(), 1u);
}

TEST_F(QueueLongPollTest, LongerVisibilityKeepsTheReceiverParked) {
  auto q = MakeQueue();
  Send(*q, "m1");
  ReceivedMessage held = ReceiveOne(*q, /*visibility=*/5);
  auto pending = Park(*q, 20);
  ASSERT_TRUE(ChangeVisibility(*q, held.receipt_handle, 15).ok());
  clock_.Advance(Seconds(5));
  EXPECT_FALSE(pending->done()) << "woken for the old deadline, but the message is still hidden";
  clock_.Advance(Seconds(10));
  ASSERT_EQ(pending->calls, 1);
  EXPECT_EQ(pending->messages().size(), 1u);
}

TEST_F(QueueLongPollTest, UnansweredReceiveCompletesEmptyExactlyWhenItsWaitEnds) {
  auto q = MakeQueue();
  auto pending = Park(*q, 10);
  clock_.Advance(Seconds(10) - Millis(1));
  EXPECT_FALSE(pending->done());
  clock_.Advance(Millis(1));
  ASSERT_EQ(pending->calls, 1);
  ASSERT_TRUE(pending->result->ok());
  EXPECT_TRUE(pending->messages().empty());
  clock_.Advance(Seconds(60));
  EXPECT_EQ(pending->calls, 1);
}

TEST_F(QueueLongPollTest, QueueReceiveMessageWaitTimeSecondsIsTheDefaultWait) {
  QueueConfig config;
  config.receive_message_wait_time_seconds = 5;
  auto q = MakeQueue(config);
  ReceiveOptions options;  // no WaitTimeSeconds: the queue's 5 s
  auto pending = StartReceive(*q, options);
  EXPECT_FALSE(pending->done());
  clock_.Advance(Seconds(5));
  EXPECT_EQ(pending->calls, 1);
  // An explicit 0 is a short poll even on a long-polling queue.
  options.wait_seconds = 0;
  EXPECT_TRUE(StartReceive(*q, options)->done());
}

TEST_F(QueueLongPollTest, TwoParkedReceiversAndOneMessageOnlyOneGetsIt) {
  auto q = MakeQueue();
  auto first = Park(*q, 20);
  auto second = Park(*q, 20);
  clock_.Advance(Seconds(1));
  Send(*q, "only");
  ASSERT_EQ(first->calls, 1) << "the longest-waiting receiver is served first";
  EXPECT_EQ(first->messages().size(), 1u);
  EXPECT_FALSE(second->done()) << "the other receiver stays parked";
  Send(*q, "next");
  ASSERT_EQ(second->calls, 1);
  ASSERT_EQ(second->messages().size(), 1u);
  EXPECT_EQ(second->messages()[0].content->body, "next");
}

TEST_F(QueueLongPollTest, TheReceiverLeftOverCompletesEmptyAtItsOwnDeadline) {
  auto q = MakeQueue();
  auto first = Park(*q, 20);
  clock_.Advance(Seconds(5));
  auto second = Park(*q, 20);  // deadline t=25
  Send(*q, "only");
  EXPECT_EQ(first->messages().size(), 1u);
  clock_.Advance(Seconds(19));  // t=24
  EXPECT_FALSE(second->done());
  clock_.Advance(Seconds(1));  // t=25
  ASSERT_EQ(second->calls, 1);
  EXPECT_TRUE(second->messages().empty());
  // The message stayed with the first receiver all along.
  EXPECT_EQ(CountsOf(*q), (std::vector<int64_t>{0, 1, 0}));
}

TEST_F(QueueLongPollTest, ParkedReceiverTakesUpToItsMaxFromOneBatch) {
  auto q = MakeQueue();
  auto pending = Park(*q, 20, /*max=*/10);
  std::vector<NewMessage> batch;
  for (const char* body : {"a", "b", "c"}) batch.push_back(NewMessage{Content(body), {}});
  ASSERT_FALSE(SendBatch(*q, std::move(batch)).has_value());
  ASSERT_EQ(pending->calls, 1);
  EXPECT_EQ(pending->messages().size(), 3u);
}

TEST_F(QueueLongPollTest, ParkedReceiverAppliesItsOwnVisibilityTimeout) {
  QueueConfig config;
  config.visibility_timeout = 300;
  auto q = MakeQueue(config);
  auto pending = Park(*q, 20, 1, /*visibility=*/5);
  Send(*q, "m1");
  ASSERT_EQ(pending->messages().size(), 1u);
  clock_.Advance(Seconds(5));
  EXPECT_EQ(ReceiveOne(*q).receive_count, 2u);
}

TEST_F(QueueLongPollTest, PurgeLeavesReceiversParked) {
  auto q = MakeQueue();
  Send(*q, "delayed", 5);
  auto pending = Park(*q, 20);
  ASSERT_TRUE(Purge(*q).ok());
  clock_.Advance(Seconds(5));
  EXPECT_FALSE(pending->done()) << "the purged delayed message must not be delivered";
  Send(*q, "fresh");
  ASSERT_EQ(pending->messages().size(), 1u);
  EXPECT_EQ(pending->messages()[0].content->body, "fresh");
}

TEST_F(QueueLongPollTest, DeletingTheQueueAnswersParkedReceiversEmpty) {
  auto q = MakeQueue();
  auto first = Park(*q, 20);
  auto second = Park(*q, 20);
  q->Close();
  for (const auto& pending : {first, second}) {
    ASSERT_EQ(pending->calls, 1);
    ASSERT_TRUE(pending->result->ok());
    EXPECT_TRUE(pending->messages().empty());
  }
  clock_.Advance(Seconds(30));
  EXPECT_EQ(first->calls, 1);
  EXPECT_EQ(second->calls, 1);
  // The closed queue refuses new work.
  ReceiveOptions options;
  options.wait_seconds = 0;
  auto late = StartReceive(*q, options);
  ASSERT_TRUE(late->done());
  EXPECT_EQ(late->result->error().code, ErrorCode::kQueueDoesNotExist);
  std::vector<NewMessage> batch;
  batch.push_back(NewMessage{Content("x"), {}});
  std::optional<api::ApiError> refused = SendBatch(*q, std::move(batch));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(QueueLongPollTest, ADroppedQueueDoesNotRunItsTimers) {
  auto q = MakeQueue();
  auto pending = Park(*q, 20);
  q->Close();
  q.reset();  // the last reference: timers hold only weak pointers
  clock_.Advance(Seconds(60));
  EXPECT_EQ(pending->calls, 1);
}

// --- FIFO queues: the same wake-ups must reach receivers parked on a FIFO queue ---------------

class FifoLongPollTest : public QueueLongPollTest {
 protected:
  std::shared_ptr<Queue> MakeFifoQueue() {
    QueueConfig config;
    config.fifo = true;
    QueueIdentity identity{7, "000000000000", "q.fifo", "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                           /*fifo=*/true};
    return std::make_shared<Queue>(std::move(identity), std::move(config), api::StringPairs{},
                                   QueueDeps{&clock_, &clock_, &store_, &limits_});
  }
  void SendFifo(Queue& q, const std::string& body, const std::string& group = "g1") {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "id-" + body;
    content->body = body;
    content->group_id = group;
    content->deduplication_id = "dedup-" + body;
    std::vector<NewMessage> batch;
    batch.push_back(NewMessage{std::move(content), std::nullopt});
    ASSERT_FALSE(SendBatch(q, std::move(batch)).has_value());
  }
};

TEST_F(FifoLongPollTest, ShortPollSeesAFifoMessage) {
  auto q = MakeFifoQueue();
  SendFifo(*q, "m1");
  EXPECT_EQ(ReceiveOne(*q).content->body, "m1");
}

TEST_F(FifoLongPollTest, ParkedReceiveIsAnsweredByASend) {
  auto q = MakeFifoQueue();
  auto pending = Park(*q, 10);
  clock_.Advance(Seconds(1));
  SendFifo(*q, "m1");
  ASSERT_EQ(pending->calls, 1) << "§5.5: a message sent 1 s into a 10 s wait is returned by it";
  ASSERT_EQ(pending->messages().size(), 1u);
  EXPECT_EQ(pending->messages()[0].content->body, "m1");
}

TEST_F(FifoLongPollTest, ParkedReceiveIsAnsweredWhenTheHeadBecomesVisibleAgain) {
  auto q = MakeFifoQueue();
  SendFifo(*q, "m1");
  ReceivedMessage held = ReceiveOne(*q, /*visibility=*/5);
  auto by_expiry = Park(*q, 10);
  clock_.Advance(Seconds(5));
  ASSERT_EQ(by_expiry->calls, 1) << "visibility expiry must wake the FIFO receiver";
  ASSERT_EQ(by_expiry->messages().size(), 1u);
  auto by_change = Park(*q, 10);
  ASSERT_TRUE(ChangeVisibility(*q, by_expiry->messages()[0].receipt_handle, 0).ok());
  ASSERT_EQ(by_change->calls, 1) << "ChangeMessageVisibility to 0 must wake the FIFO receiver";
  (void)held;
}

}  // namespace
}  // namespace wharf::sqs::testing
