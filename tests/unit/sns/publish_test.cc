// Publish and PublishBatch inputs (sns-fanout.md §3): SNS's codes and texts for every rule.

#include <gtest/gtest.h>

#include "sns/publish_validation.h"
#include "sns_test_support.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::TopicArn;

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = s_.CreateTopic("std");
    fifo_ = s_.CreateTopic("ord.fifo", {{"FifoTopic", "true"}});
  }
  api::ApiStatus Publish(std::function<void(wire::PublishInput&)> edit) {
    wire::PublishInput in;
    in.topic_arn = topic_;
    in.message = "hello";
    edit(in);
    return s_.Publish(std::move(in)).status();
  }
  void Expect(const api::ApiStatus& status, api::ErrorCode code, std::string_view message) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, code) << status.error().message;
    EXPECT_EQ(status.error().message, message);
  }
  static wire::MessageAttributeValue Attr(std::optional<std::string> type,
                                          std::optional<std::string> text,
                                          std::optional<std::string> bytes = std::nullopt) {
    return wire::MessageAttributeValue{std::move(type), std::move(text), std::move(bytes)};
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  testing::Services s_{clock_, store_};
  std::string topic_, fifo_;
};

constexpr auto kInvalid = api::ErrorCode::kSnsInvalidParameter;
constexpr auto kValue = api::ErrorCode::kSnsParameterValueInvalid;

TEST_F(PublishTest, MessageSubjectAndStructure) {
  Expect(Publish([](auto& in) { in.message = ""; }), kInvalid, "Invalid parameter: Empty message");
  Expect(Publish([](auto& in) { in.message.reset(); }), api::ErrorCode::kValidationError,
         "1 validation error detected: Value null at 'message' failed to satisfy constraint: "
         "Member must not be null");
  Expect(Publish([](auto& in) { in.message = std::string(kMaxMessageBytes + 1, 'x'); }), kInvalid,
         "Invalid parameter: Message too long");
  EXPECT_TRUE(Publish([](auto& in) { in.message = std::string(kMaxMessageBytes, 'x'); }).ok());
  Expect(Publish([](auto& in) {
           in.message = std::string(kMaxMessageBytes - 5, 'x');
           in.message_attributes.emplace_back("a", Attr("String", "123"));
         }),
         kInvalid, "Invalid parameter: Message too long");
  Expect(Publish([](auto& in) { in.subject = "two\nlines"; }), kInvalid,
         "Invalid parameter: Subject");
  Expect(Publish([](auto& in) { in.subject = std::string(100, 's'); }), kInvalid,
         "Invalid parameter: Subject");
  EXPECT_TRUE(Publish([](auto& in) { in.subject = std::string(99, 's'); }).ok());
  Expect(Publish([](auto& in) {
           in.message_structure = "json";
           in.message = "not json";
         }),
         kInvalid, "Invalid parameter: Message Structure - JSON message body failed to parse");
  Expect(Publish([](auto& in) {
           in.message_structure = "json";
           in.message = R"({"sqs2":"x"})";
         }),
         kInvalid, "Invalid parameter: Message Structure - No default entry in JSON message body");
  Expect(Publish([](auto& in) { in.topic_arn.reset(); }), kInvalid,
         "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  Expect(Publish([](auto& in) { in.topic_arn = TopicArn("nope"); }), api::ErrorCode::kSnsNotFound,
         "Topic does not exist");
  EXPECT_TRUE(Publish([this](auto& in) {
                in.topic_arn.reset();
                in.target_arn = topic_;
              }).ok())
      << "TargetArn names a topic too";
}

TEST_F(PublishTest, MessageAttributes) {
  auto with = [&](std::string name, wire::MessageAttributeValue value) {
    return Publish([&](auto& in) { in.message_attributes.emplace_back(name, value); });
  };
  Expect(with("a", Attr("Strin", "x")), kValue,
         "The message attribute 'a' has an invalid message attribute type, the set of supported "
         "type prefixes is Binary, Number, and String.");
  Expect(with("a", Attr(std::nullopt, "x")), api::ErrorCode::kValidationError,
         "1 validation error detected: Value null at 'messageAttributes.a.member.dataType' failed "
         "to satisfy constraint: Member must not be null");
  Expect(with("a", Attr("Number", std::nullopt, "\x01")), kValue,
         "The message attribute 'a' with type 'Number' must use field 'String'.");
  Expect(with("a", Attr("Binary", "x")), kValue,
         "The message attribute 'a' with type 'Binary' must use field 'Binary'.");
  Expect(with("a", Attr("String", "")), kValue,
         "The message attribute 'a' must contain non-empty message attribute value for message "
         "attribute type 'String'.");
  Expect(with("a^b", Attr("String", "x")), kValue,
         "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can "
         "only include alphanumeric characters, hyphens, underscores, or dots.");
  Expect(with(".a", Attr("String", "x")), kValue,
         "Invalid message attribute name starting with character '.' was found.");
  Expect(with("a..b", Attr("String", "x")), kValue,
         "Message attribute name can not have successive '.' character.");
  Expect(with("n", Attr("Number", "twelve")), kValue,
         "Could not cast message attribute 'n' value to number.");
  Expect(with("arr", Attr("String.Array", R"(["a",{"b":1}])")), kValue,
         "The message attribute 'arr' with type 'String.Array' must be a JSON array of strings, "
         "numbers, booleans or null.");
  EXPECT_TRUE(with("arr", Attr("String.Array", R"(["a",1,true,null])")).ok());
  EXPECT_TRUE(with("n", Attr("Number.float", "-1.5e3")).ok()) << "custom type suffixes pass";
}

TEST_F(PublishTest, FifoRules) {
  auto fifo = [&](std::function<void(wire::PublishInput&)> edit) {
    return Publish([&](auto& in) {
      in.topic_arn = fifo_;
      edit(in);
    });
  };
  Expect(fifo([](auto& in) { in.message_deduplication_id = "d"; }), kInvalid,
         "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  Expect(fifo([](auto& in) { in.message_group_id = "g"; }), kInvalid,
         "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
         "MessageDeduplicationId provided explicitly");
  EXPECT_TRUE(fifo([](auto& in) {
                in.message_group_id = "g";
                in.message_deduplication_id = "d";
              }).ok());
  Expect(Publish([](auto& in) { in.message_deduplication_id = "d"; }), kInvalid,
         "Invalid parameter: MessageDeduplicationId Reason: The request includes "
         "MessageDeduplicationId parameter that is not valid for this topic type");
  EXPECT_TRUE(Publish([](auto& in) { in.message_group_id = "g"; }).ok())
      << "standard topics accept a group id (fair queues)";
}

TEST_F(PublishTest, BatchShapeAndPerEntryFailures) {
  auto batch = [&](std::vector<wire::PublishBatchRequestEntry> entries, std::string topic = "") {
    return s_.Call(&PublishBatch, api::Action::kPublishBatch,
                   wire::PublishBatchInput{topic.empty() ? topic_ : topic, std::move(entries)});
  };
  auto entry = [](std::string id, std::optional<std::string> message) {
    wire::PublishBatchRequestEntry e;
    e.id = std::move(id);
    e.message = std::move(message);
    return e;
  };
  Expect(batch({}).status(), api::ErrorCode::kSnsEmptyBatchRequest,
         "");  // catalog default is used on the wire
  std::vector<wire::PublishBatchRequestEntry> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(entry("e" + std::to_string(i), "m"));
  EXPECT_EQ(batch(eleven).error().code, api::ErrorCode::kSnsTooManyEntriesInBatchRequest);
  EXPECT_EQ(batch({entry("a", "m"), entry("a", "m")}).error().code,
            api::ErrorCode::kSnsBatchEntryIdsNotDistinct);
  Expect(batch({entry("bad id", "m")}).status(), api::ErrorCode::kSnsInvalidBatchEntryId,
         "The Id of a batch entry in the batch request contains an impermissible character: bad "
         "id");
  Expect(batch({entry(std::string(81, 'i'), "m")}).status(),
         api::ErrorCode::kSnsInvalidBatchEntryId,
         "The Id of a batch entry in the batch request is too long: " + std::string(81, 'i'));
  EXPECT_EQ(batch({entry("a", std::string(200'000, 'x')), entry("b", std::string(70'000, 'y'))})
                .error()
                .code,
            api::ErrorCode::kSnsBatchRequestTooLong);
  Expect(batch({entry("a", "m")}, fifo_).status(), kInvalid,
         "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");

  auto mixed = batch({entry("ok", "fine"), entry("empty", ""), entry("ok2", "also fine")});
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->successful.size(), 2u);
  EXPECT_EQ(mixed->successful[0].id, "ok");
  EXPECT_EQ(mixed->successful[1].id, "ok2");
  EXPECT_NE(mixed->successful[0].message_id, mixed->successful[1].message_id);
  ASSERT_EQ(mixed->failed.size(), 1u);
  EXPECT_EQ(mixed->failed[0].id, "empty");
  EXPECT_EQ(mixed->failed[0].code, "InvalidParameter");
  EXPECT_EQ(mixed->failed[0].message, "Invalid parameter: Empty message");
  EXPECT_TRUE(mixed->failed[0].sender_fault);
}

}  // namespace
}  // namespace wharf::sns
