// Queue::Peek (queue_inspect.cc): looking at a queue changes nothing — no receive count,
// visibility, timer, FIFO group lock or counter moves because of a peek.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/queue_test_support.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs::testing {
namespace {

using Counts = std::vector<int64_t>;  // {visible, in flight, delayed}

class QueueInspectTest : public QueueFixture {
 protected:
  std::vector<PeekedMessage> Peek(Queue& q, int64_t max = 10) {
    std::optional<api::ApiResult<std::vector<PeekedMessage>>> answer;
    q.Peek(max,
           [&](api::ApiResult<std::vector<PeekedMessage>> r) { answer.emplace(std::move(r)); });
    EXPECT_TRUE(answer.has_value()) << "Peek must complete at once on a MemoryStore";
    if (!answer || !answer->ok()) return {};
    return answer->value();
  }

  std::shared_ptr<Queue> MakeFifo() {
    QueueConfig config;
    config.fifo = true;
    QueueIdentity identity{7, "000000000000", "f.fifo", "arn:aws:sqs:us-east-1:000000000000:f.fifo",
                           true};
    return std::make_shared<Queue>(std::move(identity), std::move(config), api::StringPairs{},
                                   QueueDeps{&clock_, &clock_, &store_, &limits_});
  }

  static std::shared_ptr<const MessageContent> Fifo(const std::string& body,
                                                    const std::string& group) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "id-" + body;
    content->body = body;
    content->group_id = group;
    content->deduplication_id = body;
    return content;
  }
};

TEST_F(QueueInspectTest, ShowsEveryStateOldestFirstAndChangesNothing) {
  QueueConfig config;
  config.visibility_timeout = 30;
  auto q = MakeQueue(config);
  Send(*q, "a");
  Send(*q, "b");
  Send(*q, "c", /*delay=*/60);
  ReceivedMessage received = ReceiveOne(*q);  // "a": in flight, receive count 1
  ASSERT_EQ(received.content->body, "a");
  const Counts before = CountsOf(*q);

  for (int round = 0; round < 3; ++round) {
    std::vector<PeekedMessage> peeked = Peek(*q);
    ASSERT_EQ(peeked.size(), 3u);
    EXPECT_EQ(peeked[0].message.content->body, "a");
    EXPECT_EQ(peeked[0].state, MessageState::kInFlight);
    EXPECT_EQ(peeked[0].message.receive_count, 1u);
    EXPECT_EQ(peeked[0].visible_at_millis, clock_.WallMillis() + 30'000);
    EXPECT_EQ(peeked[1].message.content->body, "b");
    EXPECT_EQ(peeked[1].state, MessageState::kVisible);
    EXPECT_EQ(peeked[1].message.receive_count, 0u);
    EXPECT_EQ(peeked[2].message.content->body, "c");
    EXPECT_EQ(peeked[2].state, MessageState::kDelayed);
    EXPECT_EQ(peeked[2].visible_at_millis, clock_.WallMillis() + 60'000);
    for (const PeekedMessage& p : peeked) {
      EXPECT_TRUE(p.message.receipt_handle.empty()) << "a peek hands out no receipt handle";
    }
  }
  EXPECT_EQ(CountsOf(*q), before);

  // The receive after the peeks sees what it would have seen without them.
  ReceivedMessage next = ReceiveOne(*q);
  EXPECT_EQ(next.content->body, "b");
  EXPECT_EQ(next.receive_count, 1u);
  EXPECT_TRUE(ReceiveNow(*q).empty()) << "a stays in flight, c stays delayed";
  // The in-flight message's handle still deletes: the peek did not re-issue it.
  EXPECT_TRUE(Delete(*q, received.receipt_handle).ok());
}

TEST_F(QueueInspectTest, ReportsDueMessagesVisibleAndLeavesOutExpiredOnes) {
  QueueConfig config;
  config.visibility_timeout = 10;
  config.message_retention_period = 120;
  auto q = MakeQueue(config);
  Send(*q, "old");
  clock_.Advance(Seconds(100));
  Send(*q, "young");
  ReceiveNow(*q, 2);  // both in flight for 10 s
  clock_.Advance(Seconds(10));
  std::vector<PeekedMessage> peeked = Peek(*q);
  ASSERT_EQ(peeked.size(), 2u);
  EXPECT_EQ(peeked[0].state, MessageState::kVisible) << "its visibility timeout is over";
  EXPECT_EQ(peeked[0].visible_at_millis, 0);
  clock_.Advance(Seconds(15));  // "old" is now 125 s old
  peeked = Peek(*q);
  ASSERT_EQ(peeked.size(), 1u);
  EXPECT_EQ(peeked[0].message.content->body, "young");
  EXPECT_EQ(peeked[0].message.receive_count, 1u);
}

TEST_F(QueueInspectTest, HonoursMax) {
  auto q = MakeQueue();
  for (const char* body : {"1", "2", "3", "4"}) Send(*q, body);
  std::vector<PeekedMessage> peeked = Peek(*q, 2);
  ASSERT_EQ(peeked.size(), 2u);
  EXPECT_EQ(peeked[0].message.content->body, "1");
  EXPECT_EQ(peeked[1].message.content->body, "2");
}

TEST_F(QueueInspectTest, FifoPeekShowsABlockedGroupWithoutUnblockingIt) {
  auto q = MakeFifo();
  std::vector<NewMessage> batch;
  batch.push_back(NewMessage{Fifo("g1-first", "g1"), std::nullopt});
  batch.push_back(NewMessage{Fifo("g1-second", "g1"), std::nullopt});
  ASSERT_FALSE(SendBatch(*q, std::move(batch)).has_value());
  ReceivedMessage head = ReceiveOne(*q);
  ASSERT_EQ(head.content->body, "g1-first");

  std::vector<PeekedMessage> peeked = Peek(*q);
  ASSERT_EQ(peeked.size(), 2u);
  EXPECT_EQ(peeked[0].message.content->body, "g1-first");
  EXPECT_EQ(peeked[0].state, MessageState::kInFlight);
  EXPECT_EQ(peeked[1].message.content->body, "g1-second");
  EXPECT_EQ(peeked[1].state, MessageState::kVisible);
  EXPECT_EQ(peeked[1].message.receive_count, 0u);
  EXPECT_LT(peeked[0].message.seq, peeked[1].message.seq);

  EXPECT_TRUE(ReceiveNow(*q).empty()) << "the group is still locked by its in-flight head";
  ASSERT_TRUE(Delete(*q, head.receipt_handle).ok());
  ReceivedMessage second = ReceiveOne(*q);
  EXPECT_EQ(second.content->body, "g1-second");
  EXPECT_EQ(second.receive_count, 1u);
}

TEST_F(QueueInspectTest, PeeksMoveNoCounter) {
  auto q = MakeQueue();
  Send(*q, "a");
  Send(*q, "b");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Peek(*q).size(), 2u);
  const QueueMetrics& metrics = q->metrics();
  EXPECT_EQ(metrics.sent.load(), 2u);
  EXPECT_EQ(metrics.received.load(), 0u);
  EXPECT_EQ(metrics.empty_receives.load(), 0u);
  EXPECT_EQ(metrics.deleted.load(), 0u);
}

TEST_F(QueueInspectTest, ClosedQueueAnswersQueueDoesNotExist) {
  auto q = MakeQueue();
  q->Close();
  std::optional<api::ApiResult<std::vector<PeekedMessage>>> answer;
  q->Peek(10, [&](api::ApiResult<std::vector<PeekedMessage>> r) { answer.emplace(std::move(r)); });
  ASSERT_TRUE(answer.has_value());
  ASSERT_FALSE(answer->ok());
  EXPECT_EQ(answer->error().code, api::ErrorCode::kQueueDoesNotExist);
}

}  // namespace
}  // namespace wharf::sqs::testing
