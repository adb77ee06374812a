// Messages that change queue under SSE-KMS (security.md §4.2 "internal moves"): a dead-letter
// move and a message move task decrypt with the server's own authority and store the message
// under the destination's settings (sealed under its data key, or in clear). While the key
// cannot be used the message stays where it is, and moves once the key is usable again.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sse_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

std::string RedriveTo(const std::string& dlq, int max_receive_count = 1) {
  return R"({"deadLetterTargetArn":")" + QueueArnOf(dlq) + R"(","maxReceiveCount":)" +
         std::to_string(max_receive_count) + "}";
}

class SseMovesTest : public SseTest {
 protected:
  // A source queue whose messages go to `dlq` on their second receive.
  struct Pair {
    std::string source_url;
    std::string dlq_url;
  };
  Pair MakePair(std::optional<std::string> source_key, std::optional<std::string> dlq_key,
                bool fifo = false) {
    const std::string suffix = fifo ? ".fifo" : "";
    api::StringPairs dlq_attributes;
    api::StringPairs source_attributes;
    if (fifo) {
      for (auto* attrs : {&dlq_attributes, &source_attributes}) {
        attrs->emplace_back("FifoQueue", "true");
        attrs->emplace_back("ContentBasedDeduplication", "true");
      }
    }
    if (dlq_key) dlq_attributes.emplace_back("KmsMasterKeyId", *dlq_key);
    if (source_key) source_attributes.emplace_back("KmsMasterKeyId", *source_key);
    Pair pair;
    pair.dlq_url = CreateQueue("dlq" + suffix, dlq_attributes);
    source_attributes.emplace_back("RedrivePolicy", RedriveTo("dlq" + suffix));
    pair.source_url = CreateQueue("orders" + suffix, source_attributes);
    return pair;
  }

  void SendTo(const std::string& url, const std::string& body, bool fifo = false) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    if (fifo) in.message_group_id = "g";
    auto sent = Run(&sqs::SendMessage, std::move(in));
    ASSERT_TRUE(sent.ok()) << sent.error().message;
  }

  // Receives once (the message comes back at once) and once more, when it is due for the DLQ.
  void ReceiveTwice(const std::string& url) {
    auto first = TryReceive(url, 10, /*visibility=*/0);
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->messages.size(), 1u);
    auto second = TryReceive(url, 10, 0);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_TRUE(second->messages.empty()) << "due for the dead-letter queue, not delivered";
  }

  std::vector<std::string> BodiesIn(const std::string& url) {
    std::vector<std::string> out;
    auto received = TryReceive(url, 10, 0);
    EXPECT_TRUE(received.ok()) << received.error().message;
    if (received.ok()) {
      for (const a::Message& m : received->messages) out.push_back(m.body);
    }
    return out;
  }

  std::string TaskStatus(const std::string& source_arn) {
    auto listed = Run(&sqs::ListMessageMoveTasks, a::ListMessageMoveTasksInput{source_arn, {}});
    if (!listed.ok() || listed->results.empty()) return "<none>";
    return listed->results.front().status;
  }
};

TEST_F(SseMovesTest, ADeadLetterMoveReencryptsUnderTheDeadLetterQueuesKey) {
  Pair pair = MakePair("alias/orders", "alias/dlq");
  SendTo(pair.source_url, "poison");
  ReceiveTwice(pair.source_url);
  EXPECT_EQ(Counts(pair.source_url), std::make_tuple("0", "0", "0"));

  std::vector<ReceivedMessage> raw = RawReceive("dlq", /*visibility=*/0);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_NE(raw[0].content->data_key_id, 0u);
  ASSERT_TRUE(raw[0].data_key);
  EXPECT_EQ(raw[0].data_key->key_arn, kDlqKeyArn);
  EXPECT_EQ(raw[0].content->body.find("poison"), std::string::npos);

  // The server acted on its own authority, in each queue's account and context.
  bool decrypted_source = false, generated_dlq = false;
  for (const auto& call : keys_.calls()) {
    if (call.has_request) continue;
    EXPECT_EQ(call.via_service, "sqs");
    EXPECT_EQ(call.key_account, kAccount);
    if (!call.generate && call.context.at("aws:sqs:arn") == QueueArnOf("orders")) {
      decrypted_source = true;
    }
    if (call.generate && call.key_ref == "alias/dlq" &&
        call.context.at("aws:sqs:arn") == QueueArnOf("dlq")) {
      generated_dlq = true;
    }
  }
  EXPECT_TRUE(decrypted_source);
  EXPECT_TRUE(generated_dlq);

  EXPECT_EQ(BodiesIn(pair.dlq_url), std::vector<std::string>{"poison"});
}

TEST_F(SseMovesTest, ADeadLetterQueueWithoutSseKmsStoresThePlaintext) {
  Pair pair = MakePair("alias/orders", std::nullopt);
  SendTo(pair.source_url, "poison");
  ReceiveTwice(pair.source_url);
  std::vector<ReceivedMessage> raw = RawReceive("dlq", 0);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].content->data_key_id, 0u);
  EXPECT_EQ(raw[0].content->body, "poison");
  EXPECT_FALSE(raw[0].data_key);
}

TEST_F(SseMovesTest, APlaintextMessageMovingIntoAnSseKmsQueueIsSealed) {
  Pair pair = MakePair(std::nullopt, "alias/dlq");
  SendTo(pair.source_url, "poison");
  ReceiveTwice(pair.source_url);
  std::vector<ReceivedMessage> raw = RawReceive("dlq", 0);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_NE(raw[0].content->data_key_id, 0u);
  EXPECT_NE(raw[0].content->body, "poison");
  EXPECT_EQ(BodiesIn(pair.dlq_url), std::vector<std::string>{"poison"});
}

TEST_F(SseMovesTest, WithTheKeyDisabledTheMessageStaysInTheSourceUntilItIsEnabled) {
  for (bool fifo : {false, true}) {
    SCOPED_TRACE(fifo ? "fifo" : "standard");
    const std::string suffix = fifo ? ".fifo" : "";
    keys_.SetEnabled(kOrdersKeyArn, true);
    Pair pair = MakePair("alias/orders", "alias/dlq", fifo);
    SendTo(pair.source_url, "poison", fifo);
    auto first = TryReceive(pair.source_url, 10, 0);
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->messages.size(), 1u);

    keys_.SetEnabled(kOrdersKeyArn, false);
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto again = TryReceive(pair.source_url, 10, 0);
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_TRUE(again->messages.empty());
      EXPECT_EQ(Counts(pair.source_url), std::make_tuple("1", "0", "0")) << "not lost, not moved";
      EXPECT_EQ(Counts(pair.dlq_url), std::make_tuple("0", "0", "0"));
    }

    keys_.SetEnabled(kOrdersKeyArn, true);
    auto moved = TryReceive(pair.source_url, 10, 0);
    ASSERT_TRUE(moved.ok());
    EXPECT_TRUE(moved->messages.empty());
    EXPECT_EQ(Counts(pair.source_url), std::make_tuple("0", "0", "0"));
    EXPECT_EQ(BodiesIn(pair.dlq_url), std::vector<std::string>{"poison"});

    ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{pair.source_url}).ok());
    ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{pair.dlq_url}).ok());
    clock_.Advance(Seconds(61));  // the names may be used again
  }
}

TEST_F(SseMovesTest, AMoveTaskReencryptsUnderTheSourceQueuesKey) {
  Pair pair = MakePair("alias/orders", "alias/dlq");
  for (const char* body : {"a", "b", "c"}) SendTo(pair.source_url, body);
  auto first = TryReceive(pair.source_url, 10, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->messages.size(), 3u);
  auto second = TryReceive(pair.source_url, 10, 0);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Counts(pair.dlq_url), std::make_tuple("3", "0", "0"));

  auto started = Run(&sqs::StartMessageMoveTask,
                     a::StartMessageMoveTaskInput{QueueArnOf("dlq"), std::nullopt, std::nullopt});
  ASSERT_TRUE(started.ok()) << started.error().message;
  for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
  EXPECT_EQ(TaskStatus(QueueArnOf("dlq")), "COMPLETED");
  EXPECT_EQ(Counts(pair.dlq_url), std::make_tuple("0", "0", "0"));
  // No more dead-lettering, so the receives below do not send them back.
  ASSERT_TRUE(Run(&sqs::SetQueueAttributes,
                  a::SetQueueAttributesInput{pair.source_url, {{"RedrivePolicy", ""}}})
                  .ok());

  std::vector<ReceivedMessage> raw = RawReceive("orders", 0);
  ASSERT_EQ(raw.size(), 3u);
  for (const ReceivedMessage& r : raw) {
    ASSERT_TRUE(r.data_key);
    EXPECT_EQ(r.data_key->key_arn, kOrdersKeyArn);
  }
  std::vector<std::string> bodies = BodiesIn(pair.source_url);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SseMovesTest, AMoveTaskWaitsForADisabledKeyAndFinishesOnceItIsEnabled) {
  Pair pair = MakePair(std::nullopt, "alias/dlq");
  SendTo(pair.source_url, "poison");
  ReceiveTwice(pair.source_url);
  ASSERT_EQ(Counts(pair.dlq_url), std::make_tuple("1", "0", "0"));

  keys_.SetEnabled(kDlqKeyArn, false);
  auto started = Run(&sqs::StartMessageMoveTask,
                     a::StartMessageMoveTaskInput{QueueArnOf("dlq"), std::nullopt, std::nullopt});
  ASSERT_TRUE(started.ok()) << started.error().message;
  for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
  EXPECT_EQ(TaskStatus(QueueArnOf("dlq")), "RUNNING");
  EXPECT_EQ(Counts(pair.dlq_url), std::make_tuple("1", "0", "0")) << "still where it was";
  EXPECT_EQ(Counts(pair.source_url), std::make_tuple("0", "0", "0"));

  keys_.SetEnabled(kDlqKeyArn, true);
  for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
  EXPECT_EQ(TaskStatus(QueueArnOf("dlq")), "COMPLETED");
  std::vector<ReceivedMessage> raw = RawReceive("orders", 0);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].content->data_key_id, 0u) << "the source has no SSE-KMS: stored in clear";
  EXPECT_EQ(raw[0].content->body, "poison");
}

TEST_F(SseMovesTest, AFifoMoveTaskKeepsGroupOrderAcrossReencryption) {
  Pair pair = MakePair("alias/orders", "alias/dlq", /*fifo=*/true);
  for (const char* body : {"1", "2", "3"}) {
    SendTo(pair.source_url, body, /*fifo=*/true);
    // Each message reaches the DLQ before the next is sent, so the DLQ holds them in order.
    auto first = TryReceive(pair.source_url, 10, 0);
    ASSERT_TRUE(first.ok());
    auto second = TryReceive(pair.source_url, 10, 0);
    ASSERT_TRUE(second.ok());
  }
  ASSERT_EQ(Counts(pair.dlq_url), std::make_tuple("3", "0", "0"));
  auto started =
      Run(&sqs::StartMessageMoveTask,
          a::StartMessageMoveTaskInput{QueueArnOf("dlq.fifo"), std::nullopt, std::nullopt});
  ASSERT_TRUE(started.ok()) << started.error().message;
  for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
  EXPECT_EQ(TaskStatus(QueueArnOf("dlq.fifo")), "COMPLETED");
  EXPECT_EQ(BodiesIn(pair.source_url), (std::vector<std::string>{"1", "2", "3"}));
}

}  // namespace
}  // namespace wharf::sqs::testing
