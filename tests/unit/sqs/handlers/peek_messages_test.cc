// PeekMessages and GetQueueStats through their handlers (Wharf's own actions, docs/console.md):
// what a peek reports, that it leaves ApproximateReceiveCount and visibility alone, validation.

#include <gtest/gtest.h>

#include <map>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class PeekMessagesTest : public SqsServiceTest {
 protected:
  api::ApiResult<a::PeekMessagesOutput> Peek(const std::string& url,
                                             std::optional<int64_t> max = std::nullopt) {
    return Run(&sqs::PeekMessages, a::PeekMessagesInput{url, max});
  }
  static std::map<std::string, std::string> AttributesOf(const a::PeekedMessage& m) {
    return {m.attributes.begin(), m.attributes.end()};
  }
};

TEST_F(PeekMessagesTest, ReportsStatesAndLeavesReceiveCountAlone) {
  const std::string url = CreateQueue("q", {{"VisibilityTimeout", "30"}});
  Send(url, "first", {{"Color", StringAttr("String", "blue")}});
  Send(url, "second");
  Send(url, "later", {}, /*delay=*/120);
  a::ReceiveMessageInput in;
  in.queue_url = url;
  ASSERT_EQ(Receive(in).size(), 1u);

  for (int i = 0; i < 2; ++i) {
    auto out = Peek(url);
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_EQ(out->messages.size(), 3u);
    const a::PeekedMessage& first = out->messages[0];
    EXPECT_EQ(first.body, "first");
    EXPECT_EQ(first.state, "InFlight");
    EXPECT_EQ(first.visible_at, clock_.WallMillis() + 30'000);
    EXPECT_EQ(AttributesOf(first)["ApproximateReceiveCount"], "1");
    EXPECT_EQ(AttributesOf(first)["SentTimestamp"], std::to_string(clock_.WallMillis()));
    ASSERT_EQ(first.message_attributes.size(), 1u);
    EXPECT_EQ(first.message_attributes[0].first, "Color");
    EXPECT_EQ(out->messages[1].state, "Visible");
    EXPECT_FALSE(out->messages[1].visible_at.has_value());
    EXPECT_EQ(AttributesOf(out->messages[1])["ApproximateReceiveCount"], "0");
    EXPECT_EQ(out->messages[2].state, "Delayed");
  }
  EXPECT_EQ(Counts(url), std::make_tuple("1", "1", "1"));

  a::ReceiveMessageInput again;
  again.queue_url = url;
  again.attribute_names = {"ApproximateReceiveCount"};
  auto received = Receive(again);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "second");
  EXPECT_EQ(FindPair(received[0].attributes, "ApproximateReceiveCount") != nullptr
                ? *FindPair(received[0].attributes, "ApproximateReceiveCount")
                : "",
            "1");
}

TEST_F(PeekMessagesTest, FifoMessagesCarryTheirGroupAndSequenceNumber) {
  const std::string url =
      CreateQueue("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  a::SendMessageInput in;
  in.queue_url = url;
  in.message_body = "hello";
  in.message_group_id = "g";
  auto sent = Run(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  auto out = Peek(url);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->messages.size(), 1u);
  auto attributes = AttributesOf(out->messages[0]);
  EXPECT_EQ(attributes["MessageGroupId"], "g");
  EXPECT_EQ(attributes["SequenceNumber"], sent->sequence_number.value_or("?"));
  EXPECT_FALSE(attributes["MessageDeduplicationId"].empty());
}

TEST_F(PeekMessagesTest, ValidatesMaxAndTheQueue) {
  const std::string url = CreateQueue("q");
  for (int64_t bad : {0, 101, -1}) {
    auto out = Peek(url, bad);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidParameterValue);
  }
  for (int i = 0; i < 12; ++i) Send(url, "m" + std::to_string(i));
  EXPECT_EQ(Peek(url)->messages.size(), 10u) << "default 10";
  EXPECT_EQ(Peek(url, 100)->messages.size(), 12u);
  auto missing = Peek("http://localhost:9324/000000000000/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(PeekMessagesTest, QueueStatsCountActivity) {
  const std::string url = CreateQueue("q");
  Send(url, "a");
  Send(url, "b");
  a::ReceiveMessageInput in;
  in.queue_url = url;
  in.max_number_of_messages = 10;
  auto received = Receive(in);
  ASSERT_EQ(received.size(), 2u);
  auto deleted = Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, received[0].receipt_handle});
  ASSERT_TRUE(deleted.ok());
  auto stats = Run(&sqs::GetQueueStats, a::GetQueueStatsInput{url});
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->timestamp, clock_.WallMillis());
  EXPECT_EQ(stats->sent, 2);
  EXPECT_EQ(stats->received, 2);
  EXPECT_EQ(stats->deleted, 1);
  EXPECT_EQ(stats->visible, 0);
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->delayed, 0);
}

}  // namespace
}  // namespace wharf::sqs::testing
