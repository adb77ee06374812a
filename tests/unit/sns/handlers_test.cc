// The SNS management actions and their errors (sns-fanout.md §2, §3): exact codes and texts.

#include <gtest/gtest.h>

#include "sns_test_support.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::TopicArn;

class SnsHandlersTest : public ::testing::Test {
 protected:
  void ExpectError(const api::ApiStatus& status, api::ErrorCode code, std::string_view message) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, code) << status.error().message;
    EXPECT_EQ(status.error().message, message);
  }
  template <typename T>
  void ExpectError(const api::ApiResult<T>& result, api::ErrorCode code, std::string_view message) {
    ExpectError(result.status(), code, message);
  }

  api::ApiResult<wire::TopicArnOutput> Create(std::string name, api::StringPairs attributes = {},
                                              std::vector<wire::Tag> tags = {}) {
    return s_.Call(&CreateTopic, api::Action::kCreateTopic,
                   wire::CreateTopicInput{std::move(name), std::move(attributes), std::move(tags),
                                          std::nullopt});
  }
  api::ApiResult<wire::SubscriptionArnOutput> Sub(std::string topic, std::string protocol,
                                                  std::string endpoint,
                                                  api::StringPairs attributes = {}) {
    wire::SubscribeInput in;
    in.topic_arn = std::move(topic);
    in.protocol = std::move(protocol);
    in.endpoint = std::move(endpoint);
    in.attributes = std::move(attributes);
    return s_.Call(&Subscribe, api::Action::kSubscribe, std::move(in));
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  testing::Services s_{clock_, store_};
};

TEST_F(SnsHandlersTest, TopicNamesFollowTheRules) {
  constexpr auto kBadName = api::ErrorCode::kSnsInvalidParameter;
  ExpectError(Create("bad name"), kBadName, "Invalid parameter: Topic Name");
  ExpectError(Create(""), kBadName, "Invalid parameter: Topic Name");
  ExpectError(Create(std::string(257, 'a')), kBadName, "Invalid parameter: Topic Name");
  // A .fifo name needs FifoTopic=true, and FifoTopic=true a .fifo name.
  ExpectError(Create("plain.fifo"), kBadName, "Invalid parameter: Topic Name");
  ExpectError(Create("plain", {{"FifoTopic", "true"}}), kBadName, "Invalid parameter: Topic Name");
  EXPECT_TRUE(Create(std::string(256, 'a')).ok());
  auto fifo = Create("ok-_1.fifo", {{"FifoTopic", "true"}});
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(fifo->topic_arn, TopicArn("ok-_1.fifo"));
}

TEST_F(SnsHandlersTest, CreateTopicIsIdempotentOnlyForTheSameAttributesAndTags) {
  auto first = Create("orders", {{"DisplayName", "Orders"}}, {{"team", "billing"}});
  ASSERT_TRUE(first.ok());
  auto same = Create("orders", {{"DisplayName", "Orders"}}, {{"team", "billing"}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->topic_arn, first->topic_arn);
  EXPECT_TRUE(Create("orders").ok()) << "no attributes or tags given: the existing topic";
  ExpectError(Create("orders", {{"DisplayName", "Other"}}), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: Topic already exists with different "
              "attributes");
  ExpectError(Create("orders", {}, {{"team", "other"}}), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Tags Reason: Topic already exists with different tags");
}

TEST_F(SnsHandlersTest, AttributeErrors) {
  ASSERT_TRUE(Create("t").ok());
  ExpectError(Create("u", {{"SignatureVersion", "3"}}), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: SignatureVersion: Invalid value [3]. Must be "
              "1 or 2.");
  ExpectError(Create("u", {{"Bogus", "1"}}), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: AttributeName");
  auto set = [&](std::string name, std::string value) {
    return s_.Call(&SetTopicAttributes, api::Action::kSetTopicAttributes,
                   wire::SetTopicAttributesInput{TopicArn("t"), std::move(name), std::move(value)});
  };
  ExpectError(set("FifoTopic", "true"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: AttributeName");
  ExpectError(set("Bogus", "x"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: AttributeName");
  ExpectError(set("Policy", "{not json"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Policy Error: Syntax errors in policy.");
  ExpectError(set("ContentBasedDeduplication", "true"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: ContentBasedDeduplication: can only be set for FIFO topics");
  EXPECT_TRUE(set("DisplayName", "Shown").ok());
  auto got = s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                     wire::TopicArnInput{TopicArn("t")});
  ASSERT_TRUE(got.ok());
  EXPECT_NE(std::find(got->attributes.begin(), got->attributes.end(),
                      std::pair<std::string, std::string>("DisplayName", "Shown")),
            got->attributes.end());
}

TEST_F(SnsHandlersTest, UnknownAndMalformedTopics) {
  ExpectError(s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                      wire::TopicArnInput{TopicArn("nope")}),
              api::ErrorCode::kSnsNotFound, "Topic does not exist");
  ExpectError(s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                      wire::TopicArnInput{"arn:aws:sns:us-east-1:000000000000"}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5");
  ExpectError(s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                      wire::TopicArnInput{"arn:aws:sqs:us-east-1:000000000000:q"}),
              api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: TopicArn");
  ExpectError(s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes, wire::TopicArnInput{}),
              api::ErrorCode::kValidationError,
              "1 validation error detected: Value null at 'topicArn' failed to satisfy "
              "constraint: Member must not be null");
  ExpectError(Sub(TopicArn("nope"), "sqs", QueueArn("q")), api::ErrorCode::kSnsNotFound,
              "Topic does not exist");
  ExpectError(s_.Call(&ListTagsForResource, api::Action::kListTagsForResource,
                      wire::ResourceArnInput{TopicArn("nope")}),
              api::ErrorCode::kSnsResourceNotFound, "");
  // Deleting what does not exist is not an error.
  EXPECT_TRUE(
      s_.Call(&DeleteTopic, api::Action::kDeleteTopic, wire::TopicArnInput{TopicArn("nope")}).ok());
  // Another account's topic: refused, whether it exists or not (no policy admits the caller).
  ASSERT_TRUE(Create("mine").ok());
  for (const std::string& arn : {TopicArn("mine"), TopicArn("nope")}) {
    auto other = s_.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                         wire::TopicArnInput{arn}, "111122223333");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, api::ErrorCode::kSnsAuthorizationError);
  }
}

TEST_F(SnsHandlersTest, SubscribeRules) {
  ASSERT_TRUE(Create("std").ok());
  ASSERT_TRUE(Create("ord.fifo", {{"FifoTopic", "true"}}).ok());
  ExpectError(Sub(TopicArn("std"), "http", "http://example.com"),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Amazon SNS does not support this protocol string: http");
  ExpectError(Sub(TopicArn("std"), "sqs", "https://sqs.example.com/1/q"),
              api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: SQS endpoint ARN");
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q.fifo")), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
              "subscribed to standard SNS topics");
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"RawMessageDelivery", "yes"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must "
              "be true or false.");
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"FilterPolicyScope", "Body"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. "
              "Please use either MessageBody or MessageAttributes");
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"FilterPolicy", "{oops"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON.");
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q"),
                  {{"RedrivePolicy", R"({"deadLetterTargetArn":"nope"})"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an "
              "invalid arn");
  ExpectError(Sub(TopicArn("ord.fifo"), "sqs", QueueArn("q.fifo"),
                  {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ "
              "for a FIFO Subscription to a FIFO Topic.");
  EXPECT_TRUE(Sub(TopicArn("ord.fifo"), "sqs", QueueArn("q")).ok())
      << "a FIFO topic accepts standard queues";

  auto first = Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"RawMessageDelivery", "true"}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->subscription_arn.rfind(TopicArn("std") + ":", 0), 0u);
  auto again = Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"RawMessageDelivery", "true"}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->subscription_arn, first->subscription_arn) << "same (topic, protocol, endpoint)";
  ExpectError(Sub(TopicArn("std"), "sqs", QueueArn("q"), {{"RawMessageDelivery", "false"}}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Attributes Reason: Subscription already exists with different "
              "attributes");

  auto set = [&](std::string name, std::string value) {
    return s_.Call(&SetSubscriptionAttributes, api::Action::kSetSubscriptionAttributes,
                   wire::SetSubscriptionAttributesInput{first->subscription_arn, std::move(name),
                                                        std::move(value)});
  };
  ExpectError(set("RawMessageDelivery", "maybe"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or "
              "false.");
  ExpectError(set("Protocol", "sqs"), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: AttributeName");
  EXPECT_TRUE(set("RawMessageDelivery", "false").ok());
}

TEST_F(SnsHandlersTest, UnsubscribeAndListing) {
  ASSERT_TRUE(Create("t").ok());
  auto sub = Sub(TopicArn("t"), "sqs", QueueArn("q"));
  ASSERT_TRUE(sub.ok());
  auto by_topic = s_.Call(&ListSubscriptionsByTopic, api::Action::kListSubscriptionsByTopic,
                          wire::ListSubscriptionsByTopicInput{TopicArn("t"), std::nullopt});
  ASSERT_TRUE(by_topic.ok());
  ASSERT_EQ(by_topic->subscriptions.size(), 1u);
  EXPECT_EQ(by_topic->subscriptions[0].protocol, "sqs");
  EXPECT_EQ(by_topic->subscriptions[0].owner, testing::kAccount);
  EXPECT_EQ(by_topic->subscriptions[0].endpoint, QueueArn("q"));
  ExpectError(s_.Call(&ListSubscriptionsByTopic, api::Action::kListSubscriptionsByTopic,
                      wire::ListSubscriptionsByTopicInput{TopicArn("nope"), std::nullopt}),
              api::ErrorCode::kSnsNotFound, "Topic does not exist");
  EXPECT_TRUE(s_.Call(&Unsubscribe, api::Action::kUnsubscribe,
                      wire::SubscriptionArnInput{sub->subscription_arn})
                  .ok());
  ExpectError(s_.Call(&Unsubscribe, api::Action::kUnsubscribe,
                      wire::SubscriptionArnInput{sub->subscription_arn}),
              api::ErrorCode::kSnsNotFound, "Subscription does not exist");
  ExpectError(s_.Call(&GetSubscriptionAttributes, api::Action::kGetSubscriptionAttributes,
                      wire::SubscriptionArnInput{"arn:aws:sns:us-east-1:1"}),
              api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, "
              "not 5");
}

TEST_F(SnsHandlersTest, ListTopicsPagesOf100) {
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(Create("t" + std::to_string(1000 + i)).ok());
  auto first = s_.Call(&ListTopics, api::Action::kListTopics, wire::ListTopicsInput{});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->topics.size(), 100u);
  ASSERT_TRUE(first->next_token);
  auto second =
      s_.Call(&ListTopics, api::Action::kListTopics, wire::ListTopicsInput{first->next_token});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->topics.size(), 50u);
  EXPECT_FALSE(second->next_token);
  EXPECT_EQ(second->topics.front().topic_arn, TopicArn("t1100"));
  ExpectError(
      s_.Call(&ListTopics, api::Action::kListTopics, wire::ListTopicsInput{std::string("!!")}),
      api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: NextToken");
  auto other =
      s_.Call(&ListTopics, api::Action::kListTopics, wire::ListTopicsInput{}, "111122223333");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->topics.empty()) << "only the caller's account";
}

TEST_F(SnsHandlersTest, Tags) {
  ASSERT_TRUE(Create("t").ok());
  auto tag = [&](std::vector<wire::Tag> tags) {
    return s_.Call(&TagResource, api::Action::kSnsTagResource,
                   wire::TagResourceInput{TopicArn("t"), std::move(tags)});
  };
  EXPECT_TRUE(tag({{"a", "1"}, {"b", "2"}}).ok());
  EXPECT_TRUE(tag({{"a", "3"}}).ok());
  ExpectError(tag({{"aws:x", "1"}}), api::ErrorCode::kSnsInvalidParameter,
              "Invalid parameter: Tags Reason: Tag keys can't start with the reserved prefix "
              "'aws:'");
  std::vector<wire::Tag> many;
  for (int i = 0; i < 49; ++i) many.push_back({"k" + std::to_string(i), "v"});
  auto limit = tag(many);
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.error().code, api::ErrorCode::kSnsTagLimitExceeded);
  EXPECT_TRUE(s_.Call(&UntagResource, api::Action::kSnsUntagResource,
                      wire::UntagResourceInput{TopicArn("t"), {"b", "missing"}})
                  .ok());
  auto listed = s_.Call(&ListTagsForResource, api::Action::kListTagsForResource,
                        wire::ResourceArnInput{TopicArn("t")});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->tags.size(), 1u);
  EXPECT_EQ(listed->tags[0].key, "a");
  EXPECT_EQ(listed->tags[0].value, "3");
}

}  // namespace
}  // namespace wharf::sns
