// CreateQueue / GetQueueUrl / DeleteQueue through their handlers (§2.1, §2.2, §2.4, §5.2, §5.8).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class CreateQueueTest : public SqsServiceTest {
 protected:
  api::ApiResult<a::QueueUrlOutput> Create(std::string name, api::StringPairs attributes = {},
                                           api::StringPairs tags = {}) {
    return Run(&sqs::CreateQueue,
               a::CreateQueueInput{std::move(name), std::move(attributes), std::move(tags)});
  }
  void ExpectError(const api::ApiResult<a::QueueUrlOutput>& r, ErrorCode code,
                   const std::string& message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code);
    const std::string text =
        r.error().message.empty() ? std::string(api::InfoOf(code).message) : r.error().message;
    EXPECT_EQ(text, message);
  }
};

TEST_F(CreateQueueTest, ReturnsTheQueueUrlOfTheHostTheClientUsed) {
  auto r = Create("orders");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->queue_url, "http://localhost:9324/000000000000/orders");
  auto url = Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"orders", std::nullopt});
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->queue_url, r->queue_url) << "the same string from CreateQueue and GetQueueUrl";
  auto owner = Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"orders", "000000000000"});
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->queue_url, r->queue_url);
  EXPECT_EQ(Attribute(r->queue_url, "QueueArn"), "arn:aws:sqs:us-east-1:000000000000:orders");
  EXPECT_EQ(Attribute(r->queue_url, "CreatedTimestamp"),
            std::to_string(clock_.WallMillis() / 1000));
}

TEST_F(CreateQueueTest, GetQueueUrlOfAnUnknownQueue) {
  auto r = Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"nope", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist);
  CreateQueue("Orders");
  EXPECT_FALSE(Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"orders", std::nullopt}).ok())
      << "case-sensitive";
}

TEST_F(CreateQueueTest, QueueNameRules) {
  const std::string text =
      "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
  for (std::string bad :
       {std::string("bad name"), std::string("a/b"), std::string("a.b"), std::string(81, 'q'),
        std::string("x.fifo"), std::string("caf\xC3\xA9")}) {
    ExpectError(Create(bad), ErrorCode::kInvalidParameterValue, text);
  }
  EXPECT_TRUE(Create(std::string(80, 'q')).ok());
  EXPECT_TRUE(Create("A-z_0-9").ok());
  auto missing = Run(&sqs::CreateQueue, a::CreateQueueInput{});
  ExpectError(missing, ErrorCode::kMissingParameter,
              "The request must contain the parameter QueueName.");
}

TEST_F(CreateQueueTest, FifoOnlyAttributesOnAStandardQueue) {
  ExpectError(Create("q", {{"FifoQueue", "false"}}), ErrorCode::kInvalidAttributeName,
              "Unknown Attribute FifoQueue.");
  ExpectError(Create("q", {{"ContentBasedDeduplication", "true"}}),
              ErrorCode::kInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication.");
  ExpectError(Create("q", {{"DeduplicationScope", "messageGroup"}}),
              ErrorCode::kInvalidAttributeName,
              "You can specify the DeduplicationScope only when FifoQueue is set to true.");
  ExpectError(Create("q", {{"FifoThroughputLimit", "perQueue"}}), ErrorCode::kInvalidAttributeName,
              "You can specify the FifoThroughputLimit only when FifoQueue is set to true.");
  ExpectError(Create("q", {{"Bogus", "1"}}), ErrorCode::kInvalidAttributeName,
              "Unknown Attribute Bogus.");
  EXPECT_FALSE(Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"q", std::nullopt}).ok())
      << "a rejected CreateQueue creates nothing";
}

TEST_F(CreateQueueTest, IdempotentForEqualAttributesOnly) {
  auto first = Create("q", {{"VisibilityTimeout", "60"}});
  ASSERT_TRUE(first.ok());
  auto same = Create("q", {{"VisibilityTimeout", "60"}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->queue_url, first->queue_url);
  EXPECT_TRUE(Create("q").ok()) << "no attributes: the existing queue";
  ExpectError(Create("q", {{"VisibilityTimeout", "30"}}), ErrorCode::kQueueNameExists,
              "A queue already exists with the same name and a different value for attribute "
              "VisibilityTimeout");
  ExpectError(Create("q", {{"VisibilityTimeout", "99999"}}), ErrorCode::kInvalidAttributeValue,
              "Invalid value for the parameter VisibilityTimeout.");
}

TEST_F(CreateQueueTest, RecreatingADeletedNameWaitsSixtySeconds) {
  const std::string url = CreateQueue("q");
  Send(url, "m1");
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{url}).ok());
  ExpectError(Create("q"), ErrorCode::kQueueDeletedRecently,
              "You must wait 60 seconds after deleting a queue before you can create another "
              "with the same name.");
  clock_.Advance(Seconds(59));
  EXPECT_FALSE(Create("q").ok());
  clock_.Advance(Seconds(1));
  ASSERT_TRUE(Create("q").ok());
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0")) << "the new queue is unrelated";
}

TEST_F(CreateQueueTest, DeletedQueueDoesNotExist) {
  const std::string url = CreateQueue("q");
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{url}).ok());
  auto again = Run(&sqs::DeleteQueue, a::QueueUrlInput{url});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kQueueDoesNotExist);
  a::SendMessageInput send;
  send.queue_url = url;
  send.message_body = "x";
  auto sent = Run(&sqs::SendMessage, std::move(send));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kQueueDoesNotExist);
  auto attrs = Run(&sqs::GetQueueAttributes, a::GetQueueAttributesInput{url, {"All"}});
  ASSERT_FALSE(attrs.ok());
  EXPECT_EQ(attrs.error().code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(CreateQueueTest, TagsGivenAtCreation) {
  auto r = Create("q", {}, {{"env", "dev"}, {"team", ""}});
  ASSERT_TRUE(r.ok());
  auto tags = Run(&sqs::ListQueueTags, a::QueueUrlInput{r->queue_url});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->tags, (api::StringPairs{{"env", "dev"}, {"team", ""}}));
}

}  // namespace
}  // namespace wharf::sqs::testing
