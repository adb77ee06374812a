#include "protocol/json_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "api/sqs/actions.h"

namespace wharf::protocol {
namespace {

using api::ErrorCode;
using api::StringPairs;
namespace sqs = api::sqs;

template <typename T>
api::ApiStatus Decode(const std::string& body, T& input) {
  return DecodeJson(body, api::Shape::Of(input));
}

template <typename T>
T DecodeOk(const std::string& body) {
  T input{};
  api::ApiStatus status = Decode(body, input);
  EXPECT_TRUE(status.ok()) << body << ": " << (status.ok() ? "" : status.error().message);
  return input;
}

template <typename T>
api::ApiError DecodeError(const std::string& body) {
  T input{};
  api::ApiStatus status = Decode(body, input);
  EXPECT_FALSE(status.ok()) << body;
  return status.ok() ? api::Error(ErrorCode::kInternalFailure, "decoded") : status.error();
}

TEST(JsonReaderTest, SendMessageExampleFromTheReference) {
  // sqs-api.md §1.4.4.
  auto in = DecodeOk<sqs::SendMessageInput>(R"({
    "QueueUrl":"http://localhost:9324/000000000000/my-queue","MessageBody":"hello world",
    "DelaySeconds":5,
    "MessageAttributes":{"City":{"DataType":"String","StringValue":"Any City"},
                         "Population":{"DataType":"Number","StringValue":"1250800"},
                         "Weight":{"DataType":"Number.float","StringValue":"3.14"}},
    "MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}}})");
  EXPECT_EQ(in.queue_url, "http://localhost:9324/000000000000/my-queue");
  EXPECT_EQ(in.message_body, "hello world");
  EXPECT_EQ(in.delay_seconds, 5);
  ASSERT_EQ(in.message_attributes.size(), 3u);
  EXPECT_EQ(in.message_attributes[0].first, "City");
  EXPECT_EQ(in.message_attributes[0].second.data_type, "String");
  EXPECT_EQ(in.message_attributes[0].second.string_value, "Any City");
  EXPECT_EQ(in.message_attributes[1].first, "Population");
  EXPECT_EQ(in.message_attributes[1].second.string_value, "1250800");
  EXPECT_EQ(in.message_attributes[2].first, "Weight");
  EXPECT_EQ(in.message_attributes[2].second.data_type, "Number.float");
  ASSERT_EQ(in.message_system_attributes.size(), 1u);
  EXPECT_EQ(in.message_system_attributes[0].first, "AWSTraceHeader");
  EXPECT_EQ(in.message_system_attributes[0].second.string_value,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
}

TEST(JsonReaderTest, EmptyBodyIsAnEmptyObject) {
  auto in = DecodeOk<sqs::SendMessageInput>("");
  EXPECT_EQ(in.queue_url, std::nullopt);
  EXPECT_EQ(in.message_body, std::nullopt);
  EXPECT_EQ(in.delay_seconds, std::nullopt);
  EXPECT_TRUE(in.message_attributes.empty());
  auto empty = DecodeOk<sqs::SendMessageInput>("{}");
  EXPECT_EQ(empty.queue_url, std::nullopt);
  auto spaced = DecodeOk<sqs::SendMessageInput>(" \n{ }\n ");
  EXPECT_EQ(spaced.queue_url, std::nullopt);
}

TEST(JsonReaderTest, NullMembersAreAbsent) {
  auto in = DecodeOk<sqs::SendMessageInput>(
      R"({"QueueUrl":null,"MessageBody":"b","DelaySeconds":null,"MessageAttributes":null})");
  EXPECT_EQ(in.queue_url, std::nullopt);
  EXPECT_EQ(in.message_body, "b");
  EXPECT_EQ(in.delay_seconds, std::nullopt);
}

TEST(JsonReaderTest, UnknownMembersAreIgnored) {
  auto in = DecodeOk<sqs::SendMessageInput>(
      R"({"Unknown":{"deep":[1,2,{"x":null}]},"QueueUrl":"q","queueurl":"lower","Extra":true})");
  EXPECT_EQ(in.queue_url, "q");
}

TEST(JsonReaderTest, IntegersAsNumbersOrNumericStrings) {
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":5})").delay_seconds, 5);
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":"5"})").delay_seconds, 5);
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":-3})").delay_seconds, -3);
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":"-3"})").delay_seconds, -3);
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":0})").delay_seconds, 0);
  EXPECT_EQ(
      DecodeOk<sqs::SendMessageInput>(R"({"DelaySeconds":9223372036854775807})").delay_seconds,
      INT64_MAX);
}

TEST(JsonReaderTest, WrongTypesAreSerializationExceptions) {
  const std::string bad_bodies[] = {
      R"({"DelaySeconds":"abc"})",
      R"({"DelaySeconds":"5.0"})",
      R"({"DelaySeconds":"+5"})",
      R"({"DelaySeconds":"9223372036854775808"})",
      R"({"DelaySeconds":9223372036854775808})",
      R"({"DelaySeconds":1e30})",
      R"({"DelaySeconds":5.5})",
      R"({"DelaySeconds":true})",
      R"({"DelaySeconds":[5]})",
      R"({"DelaySeconds":{}})",
      R"({"MessageBody":{}})",
      R"({"MessageBody":["a"]})",
      R"({"QueueUrl":{"a":"b"}})",
      R"({"MessageAttributes":[]})",
      R"({"MessageAttributes":"City"})",
      R"({"MessageAttributes":{"City":"Any City"}})",
      R"({"MessageAttributes":{"City":{"StringValue":{}}}})",
      R"({"MessageAttributes":{"Bin":{"DataType":"Binary","BinaryValue":"!!!"}}})",
      R"({"MessageAttributes":{"Bin":{"DataType":"Binary","BinaryValue":5}}})",
  };
  for (const std::string& body : bad_bodies) {
    EXPECT_EQ(DecodeError<sqs::SendMessageInput>(body).code, ErrorCode::kSerializationException)
        << body;
  }
  EXPECT_EQ(DecodeError<sqs::SendMessageBatchInput>(R"({"Entries":{}})").code,
            ErrorCode::kSerializationException);
  EXPECT_EQ(DecodeError<sqs::SendMessageBatchInput>(R"({"Entries":["a"]})").code,
            ErrorCode::kSerializationException);
  EXPECT_EQ(
      DecodeError<sqs::SendMessageBatchInput>(R"({"Entries":[{"Id":"a","DelaySeconds":"x"}]})")
          .code,
      ErrorCode::kSerializationException);
  EXPECT_EQ(DecodeError<sqs::ReceiveMessageInput>(R"({"AttributeNames":"All"})").code,
            ErrorCode::kSerializationException);
  EXPECT_EQ(DecodeError<sqs::ReceiveMessageInput>(R"({"AttributeNames":[{"a":1}]})").code,
            ErrorCode::kSerializationException);
  EXPECT_EQ(DecodeError<sqs::CreateQueueInput>(R"({"Attributes":["a"]})").code,
            ErrorCode::kSerializationException);
  EXPECT_EQ(DecodeError<sqs::CreateQueueInput>(R"({"Attributes":{"A":{"x":1}}})").code,
            ErrorCode::kSerializationException);
}

TEST(JsonReaderTest, SerializationMessageNamesTheMember) {
  api::ApiError error = DecodeError<sqs::SendMessageInput>(R"({"DelaySeconds":"abc"})");
  EXPECT_NE(error.message.find("DelaySeconds"), std::string::npos) << error.message;
}

TEST(JsonReaderTest, MalformedJsonIsSerializationException) {
  for (const std::string& body :
       {std::string("{"), std::string("}"), std::string("{\"QueueUrl\":}"),
        std::string("{\"QueueUrl\":\"q\",}"), std::string("not json"), std::string("{} x"),
        std::string("{}{}"), std::string("{'QueueUrl':'q'}"), std::string("{\"QueueUrl\":\"q"),
        std::string(" "), std::string("[]"), std::string("\"string\""), std::string("5"),
        std::string("null"), std::string("{\"MessageBody\":\"\xff\"}"),
        std::string("{\"MessageBody\":\"a\nb\"}")}) {
    EXPECT_EQ(DecodeError<sqs::SendMessageInput>(body).code, ErrorCode::kSerializationException)
        << testing::PrintToString(body);
  }
}

TEST(JsonReaderTest, StringEscapesAreDecoded) {
  auto in = DecodeOk<sqs::SendMessageInput>(
      R"({"MessageBody":"a\"b\\c\/d\n\r\t\u00e9\u2713\ud83d\ude00\u0000"})");
  EXPECT_EQ(in.message_body,
            std::string("a\"b\\c/d\n\r\t\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80\0", 20));
}

TEST(JsonReaderTest, BinaryAttributeValueIsBase64) {
  auto in = DecodeOk<sqs::SendMessageInput>(
      R"({"MessageAttributes":{"Bin":{"DataType":"Binary","BinaryValue":"AAH//w=="}}})");
  ASSERT_EQ(in.message_attributes.size(), 1u);
  EXPECT_EQ(in.message_attributes[0].second.binary_value, std::string("\x00\x01\xff\xff", 4));
  EXPECT_EQ(in.message_attributes[0].second.string_value, std::nullopt);
}

TEST(JsonReaderTest, SendMessageBatchKeepsArrayOrder) {
  auto in = DecodeOk<sqs::SendMessageBatchInput>(R"({"QueueUrl":"q","Entries":[
      {"Id":"two","MessageBody":"b2","DelaySeconds":"3"},
      {"Id":"one","MessageBody":"b1","MessageGroupId":"g","MessageDeduplicationId":"d",
       "MessageAttributes":{"A":{"DataType":"String","StringValue":"x"}}}]})");
  EXPECT_EQ(in.queue_url, "q");
  ASSERT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.entries[0].id, "two");
  EXPECT_EQ(in.entries[0].delay_seconds, 3);
  EXPECT_EQ(in.entries[1].id, "one");
  EXPECT_EQ(in.entries[1].message_group_id, "g");
  EXPECT_EQ(in.entries[1].message_deduplication_id, "d");
  ASSERT_EQ(in.entries[1].message_attributes.size(), 1u);
  EXPECT_EQ(in.entries[1].message_attributes[0].second.string_value, "x");
}

TEST(JsonReaderTest, CreateQueueAttributesAndLowerCaseTags) {
  auto in = DecodeOk<sqs::CreateQueueInput>(
      R"({"QueueName":"orders","Attributes":{"VisibilityTimeout":"60","DelaySeconds":"0"},
          "tags":{"team":"core","env":""}})");
  EXPECT_EQ(in.queue_name, "orders");
  EXPECT_EQ(in.attributes, (StringPairs{{"VisibilityTimeout", "60"}, {"DelaySeconds", "0"}}));
  EXPECT_EQ(in.tags, (StringPairs{{"team", "core"}, {"env", ""}}));
  // The model spells CreateQueue's member "tags"; "Tags" is not it.
  EXPECT_TRUE(DecodeOk<sqs::CreateQueueInput>(R"({"Tags":{"a":"b"}})").tags.empty());
  // TagQueue's member is "Tags".
  EXPECT_EQ(DecodeOk<sqs::TagQueueInput>(R"({"QueueUrl":"q","Tags":{"a":"b"}})").tags,
            (StringPairs{{"a", "b"}}));
}

TEST(JsonReaderTest, ReceiveMessageLists) {
  auto in = DecodeOk<sqs::ReceiveMessageInput>(
      R"({"QueueUrl":"q","AttributeNames":["All","SentTimestamp"],
          "MessageSystemAttributeNames":["AWSTraceHeader"],"MessageAttributeNames":["City"],
          "MaxNumberOfMessages":10,"VisibilityTimeout":"30","WaitTimeSeconds":20,
          "ReceiveRequestAttemptId":"r"})");
  EXPECT_EQ(in.attribute_names, (std::vector<std::string>{"All", "SentTimestamp"}));
  EXPECT_EQ(in.message_system_attribute_names, (std::vector<std::string>{"AWSTraceHeader"}));
  EXPECT_EQ(in.message_attribute_names, (std::vector<std::string>{"City"}));
  EXPECT_EQ(in.max_number_of_messages, 10);
  EXPECT_EQ(in.visibility_timeout, 30);
  EXPECT_EQ(in.wait_time_seconds, 20);
  EXPECT_EQ(in.receive_request_attempt_id, "r");
  EXPECT_TRUE(
      DecodeOk<sqs::ReceiveMessageInput>(R"({"AttributeNames":[]})").attribute_names.empty());
}

TEST(JsonReaderTest, FirstErrorWins) {
  sqs::ReceiveMessageInput in;
  api::ApiStatus status = Decode(R"({"QueueUrl":{},"MaxNumberOfMessages":"x"})", in);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("QueueUrl"), std::string::npos) << status.error().message;
}

TEST(JsonReaderTest, BodyWithoutPaddingCapacity) {
  // simdjson wants padding after the document; a string without spare capacity must still work.
  std::string body = R"({"QueueUrl":"q","MessageBody":"b"})";
  body.shrink_to_fit();
  auto in = DecodeOk<sqs::SendMessageInput>(body);
  EXPECT_EQ(in.queue_url, "q");
  EXPECT_EQ(in.message_body, "b");
}

}  // namespace
}  // namespace wharf::protocol
