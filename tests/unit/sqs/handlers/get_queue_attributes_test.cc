// GetQueueAttributes and SetQueueAttributes through their handlers (§2.5, §2.6, §3.1).

#include <gtest/gtest.h>

#include <map>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class QueueAttributesTest : public SqsServiceTest {
 protected:
  void SetUp() override { url_ = CreateQueue("q"); }

  std::map<std::string, std::string> AllOf(const std::string& url) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : Attributes(url, {"All"})) EXPECT_TRUE(out.emplace(k, v).second) << k;
    return out;
  }

  api::ApiStatus Set(const std::string& url, api::StringPairs attributes) {
    auto r = Run(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, std::move(attributes)});
    if (r.ok()) return {};
    return r.error();
  }

  std::string url_;
};

TEST_F(QueueAttributesTest, AllOnAFreshStandardQueue) {
  const std::string created = std::to_string(clock_.WallMillis() / 1000);
  const std::map<std::string, std::string> expected = {
      {"ApproximateNumberOfMessages", "0"},
      {"ApproximateNumberOfMessagesDelayed", "0"},
      {"ApproximateNumberOfMessagesNotVisible", "0"},
      {"CreatedTimestamp", created},
      {"DelaySeconds", "0"},
      {"LastModifiedTimestamp", created},
      {"MaximumMessageSize", "1048576"},
      {"MessageRetentionPeriod", "345600"},
      {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"SqsManagedSseEnabled", "true"},
      {"VisibilityTimeout", "30"},
  };
  EXPECT_EQ(AllOf(url_), expected);
}

TEST_F(QueueAttributesTest, NoNamesIsAnEmptyResultAndUnknownNamesAreErrors) {
  EXPECT_TRUE(Attributes(url_, {}).empty());
  auto r = Run(&sqs::GetQueueAttributes, a::GetQueueAttributesInput{url_, {"Bogus"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidAttributeName);
  EXPECT_EQ(r.error().message, "Unknown Attribute Bogus.");
  EXPECT_TRUE(Attributes(url_, {"Policy", "FifoQueue"}).empty()) << "unset / FIFO-only: omitted";
}

TEST_F(QueueAttributesTest, SetUpdatesValuesAndLastModified) {
  clock_.Advance(Seconds(10));
  ASSERT_TRUE(Set(url_, {{"VisibilityTimeout", "60"}, {"DelaySeconds", "5"}}).ok());
  auto all = AllOf(url_);
  EXPECT_EQ(all["VisibilityTimeout"], "60");
  EXPECT_EQ(all["DelaySeconds"], "5");
  EXPECT_EQ(all["LastModifiedTimestamp"], std::to_string(clock_.WallMillis() / 1000));
  EXPECT_NE(all["LastModifiedTimestamp"], all["CreatedTimestamp"]);
}

TEST_F(QueueAttributesTest, SetErrors) {
  api::ApiStatus s = Set(url_, {{"FifoQueue", "true"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeName);
  EXPECT_EQ(s.error().message, "Unknown Attribute FifoQueue.");
  s = Set(url_, {{"MessageRetentionPeriod", "59"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeValue);
  s = Set(url_, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kMissingParameter);
  s = Set("http://localhost:9324/000000000000/nope", {{"DelaySeconds", "1"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kQueueDoesNotExist);
}

TEST_F(QueueAttributesTest, RedrivePolicyTargetMustExist) {
  const std::string dlq = CreateQueue("dlq");
  const std::string arn = Attribute(dlq, "QueueArn");
  const std::string policy = R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":3})";
  ASSERT_TRUE(Set(url_, {{"RedrivePolicy", policy}}).ok());
  EXPECT_EQ(Attribute(url_, "RedrivePolicy"), policy);
  auto sources = Run(&sqs::ListDeadLetterSourceQueues,
                     a::ListDeadLetterSourceQueuesInput{dlq, std::nullopt, std::nullopt});
  ASSERT_TRUE(sources.ok());
  EXPECT_EQ(sources->queue_urls, std::vector<std::string>{url_});

  const std::string missing =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:gone","maxReceiveCount":3})";
  api::ApiStatus s = Set(url_, {{"RedrivePolicy", missing}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(s.error().message, "Value " + missing +
                                   " for parameter RedrivePolicy is invalid. Reason: Dead letter "
                                   "target does not exist.");
  ASSERT_TRUE(Set(url_, {{"RedrivePolicy", ""}}).ok());
  EXPECT_EQ(Attribute(url_, "RedrivePolicy"), "<absent>");
}

TEST_F(QueueAttributesTest, RedrivePolicyTargetInAnotherRegionDoesNotExist) {
  const std::string dlq = CreateQueue("dlq");
  const std::string policy =
      R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq","maxReceiveCount":3})";
  api::ApiStatus s = Set(url_, {{"RedrivePolicy", policy}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "Value " + policy +
                                   " for parameter RedrivePolicy is invalid. Reason: Dead letter "
                                   "target does not exist.");
}

TEST_F(QueueAttributesTest, ReducingRetentionExpiresOlderMessagesAtOnce) {
  Send(url_, "old");
  clock_.Advance(Seconds(61));
  Send(url_, "new");
  EXPECT_EQ(Counts(url_), std::make_tuple("2", "0", "0"));
  ASSERT_TRUE(Set(url_, {{"MessageRetentionPeriod", "60"}}).ok());
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "0"));
  a::ReceiveMessageInput in;
  in.queue_url = url_;
  in.max_number_of_messages = 10;
  auto got = Receive(std::move(in));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "new");
}

TEST_F(QueueAttributesTest, CountersThroughTheHandlers) {
  Send(url_, "now");
  Send(url_, "later", {}, 10);
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "1"));
  a::ReceiveMessageInput in;
  in.queue_url = url_;
  auto got = Receive(in);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "1", "1"));
  clock_.Advance(Seconds(10));
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "1", "0"));
  ASSERT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{url_, got[0].receipt_handle}).ok());
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "0"));
}

}  // namespace
}  // namespace wharf::sqs::testing
