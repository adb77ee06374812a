#include <gtest/gtest.h>

#include "engine/queue_test_support.h"
#include "sqs/engine/queue.h"

// The CloudWatch counters a queue keeps for /metrics (docs/metrics.md), and the figures
// Counters() adds for it: what counts as sent and deleted, SentMessageSize, the age of the
// oldest message and the parked receivers.

namespace wharf::sqs::testing {
namespace {

class QueueMetricsTest : public QueueFixture {
 protected:
  std::shared_ptr<Queue> MakeFifo() {
    QueueConfig config;
    config.fifo = true;
    QueueIdentity identity{7, "000000000000", "f.fifo", "arn:aws:sqs:us-east-1:000000000000:f.fifo",
                           true};
    return std::make_shared<Queue>(std::move(identity), std::move(config), api::StringPairs{},
                                   QueueDeps{&clock_, &clock_, &store_, &limits_});
  }

  static uint64_t Sent(const Queue& q) { return q.metrics().sent.load(); }
  static uint64_t Deleted(const Queue& q) { return q.metrics().deleted.load(); }
};

TEST_F(QueueMetricsTest, SendsCountWithTheirSizes) {
  auto q = MakeQueue();
  Send(*q, "abc");
  std::vector<NewMessage> batch;
  batch.push_back(NewMessage{Content(std::string(5000, 'x')), {}});
  batch.push_back(NewMessage{Content("y"), {}});
  batch.back().size = 70'000;  // what AWS counts: body plus attributes
  ASSERT_FALSE(SendBatch(*q, std::move(batch)).has_value());
  EXPECT_EQ(Sent(*q), 3u);
  HistogramSnapshot sizes = q->metrics().sent_size.Snapshot();
  EXPECT_EQ(sizes.count(), 3u);
  EXPECT_EQ(sizes.sum, 3u + 5000u + 70'000u);
  EXPECT_EQ(sizes.counts[0], 1u) << "abc: up to 1 KiB";
  EXPECT_EQ(sizes.counts[2], 1u) << "5000 bytes: up to 16 KiB";
  EXPECT_EQ(sizes.counts[4], 1u) << "70000 bytes: up to 256 KiB";
}

TEST_F(QueueMetricsTest, FifoDuplicatesAreNotSentAgain) {
  auto q = MakeFifo();
  auto fifo = [](const std::string& body) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "id-" + body;
    content->body = body;
    content->group_id = "g";
    content->deduplication_id = "same";
    return content;
  };
  std::vector<NewMessage> batch;
  batch.push_back(NewMessage{fifo("a"), std::nullopt});
  batch.push_back(NewMessage{fifo("b"), std::nullopt});  // same deduplication id
  ASSERT_FALSE(SendBatch(*q, std::move(batch)).has_value());
  EXPECT_EQ(Sent(*q), 1u);
  EXPECT_EQ(q->metrics().sent_size.Snapshot().count(), 1u);
}

TEST_F(QueueMetricsTest, DeletesCountValidHandlesRepeatsIncluded) {
  auto q = MakeQueue();
  Send(*q, "m");
  ReceivedMessage r = ReceiveOne(*q);
  ASSERT_TRUE(Delete(*q, r.receipt_handle).ok());
  ASSERT_TRUE(Delete(*q, r.receipt_handle).ok()) << "a repeated delete succeeds";
  EXPECT_FALSE(Delete(*q, "not-a-handle").ok());
  EXPECT_EQ(Deleted(*q), 2u);
}

TEST_F(QueueMetricsTest, ReceivesAreCountedByTheCaller) {
  auto q = MakeQueue();
  q->CountReceive(3);
  q->CountReceive(0);
  q->CountReceive(1);
  EXPECT_EQ(q->metrics().received.load(), 4u);
  EXPECT_EQ(q->metrics().empty_receives.load(), 1u);
}

TEST_F(QueueMetricsTest, AgeOfTheOldestMessageInWholeSeconds) {
  auto q = MakeQueue();
  EXPECT_EQ(q->Counters().oldest_age_seconds, 0) << "empty";
  Send(*q, "old");
  clock_.Advance(Millis(2500));
  Send(*q, "new");
  EXPECT_EQ(q->Counters().oldest_age_seconds, 2);
  clock_.Advance(Seconds(10));
  EXPECT_EQ(q->Counters().oldest_age_seconds, 12);
  // In flight still counts: the message is still in the queue.
  ReceivedMessage oldest = ReceiveOne(*q);
  EXPECT_EQ(oldest.content->body, "old");
  EXPECT_EQ(q->Counters().oldest_age_seconds, 12);
  ASSERT_TRUE(Delete(*q, oldest.receipt_handle).ok());
  EXPECT_EQ(q->Counters().oldest_age_seconds, 10) << "the next oldest";
}

TEST_F(QueueMetricsTest, ParkedReceiversAreCounted) {
  auto q = MakeQueue();
  ReceiveOptions options;
  options.wait_seconds = 5;
  auto first = StartReceive(*q, options);
  auto second = StartReceive(*q, options);
  EXPECT_EQ(q->Counters().waiters, 2);
  Send(*q, "wake");
  EXPECT_TRUE(first->done());
  EXPECT_EQ(q->Counters().waiters, 1);
  clock_.Advance(Seconds(5));
  EXPECT_TRUE(second->done());
  EXPECT_EQ(q->Counters().waiters, 0);
}

}  // namespace
}  // namespace wharf::sqs::testing
