#include "protocol/query_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "api/sqs/actions.h"
#include "protocol/form.h"

namespace wharf::protocol {
namespace {

using api::ErrorCode;
using api::StringPairs;
namespace sqs = api::sqs;

// Decodes `form` (an x-www-form-urlencoded string) into `input` as the router does: parse,
// stable-sort by name, read.
template <typename T>
api::ApiStatus Decode(std::string_view form, T& input) {
  FormParams params;
  EXPECT_TRUE(ParseForm(form, params)) << form;
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  api::ApiStatus status;
  QueryReader reader(params, std::string(), &status);
  input.Describe(reader);
  return status;
}

template <typename T>
T DecodeOk(std::string_view form) {
  T input{};
  api::ApiStatus status = Decode(form, input);
  EXPECT_TRUE(status.ok()) << form << ": " << (status.ok() ? "" : status.error().message);
  return input;
}

TEST(QueryReaderTest, SendMessageExampleFromTheReference) {
  // sqs-api.md §1.3.4, as botocore sends it.
  auto in = DecodeOk<sqs::SendMessageInput>(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A9324%"
      "2F000000000000%2Fmy-queue&MessageBody=hello+world&DelaySeconds=5&MessageAttribute.1.Name="
      "City&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=Any+"
      "City&MessageAttribute.2.Name=Population&MessageAttribute.2.Value.DataType=Number&"
      "MessageAttribute.2.Value.StringValue=1250800&MessageAttribute.3.Name=Weight&"
      "MessageAttribute.3.Value.DataType=Number.float&MessageAttribute.3.Value.StringValue=3.14&"
      "MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType="
      "String&MessageSystemAttribute.1.Value.StringValue=Root%3D1-5759e988-"
      "bd862e3fe1be46a994272793%3BParent%3D53995c3f42cd8ad8%3BSampled%3D1");
  EXPECT_EQ(in.queue_url, "http://localhost:9324/000000000000/my-queue");
  EXPECT_EQ(in.message_body, "hello world");
  EXPECT_EQ(in.delay_seconds, 5);
  ASSERT_EQ(in.message_attributes.size(), 3u);
  EXPECT_EQ(in.message_attributes[0].first, "City");
  EXPECT_EQ(in.message_attributes[0].second.data_type, "String");
  EXPECT_EQ(in.message_attributes[0].second.string_value, "Any City");
  EXPECT_EQ(in.message_attributes[0].second.binary_value, std::nullopt);
  EXPECT_EQ(in.message_attributes[1].first, "Population");
  EXPECT_EQ(in.message_attributes[1].second.data_type, "Number");
  EXPECT_EQ(in.message_attributes[1].second.string_value, "1250800");
  EXPECT_EQ(in.message_attributes[2].first, "Weight");
  EXPECT_EQ(in.message_attributes[2].second.data_type, "Number.float");
  EXPECT_EQ(in.message_attributes[2].second.string_value, "3.14");
  ASSERT_EQ(in.message_system_attributes.size(), 1u);
  EXPECT_EQ(in.message_system_attributes[0].first, "AWSTraceHeader");
  EXPECT_EQ(in.message_system_attributes[0].second.string_value,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_EQ(in.message_deduplication_id, std::nullopt);
  EXPECT_EQ(in.message_group_id, std::nullopt);
}

TEST(QueryReaderTest, AbsentMembersStayAbsent) {
  auto in = DecodeOk<sqs::SendMessageInput>("QueueUrl=q");
  EXPECT_EQ(in.queue_url, "q");
  EXPECT_EQ(in.message_body, std::nullopt);
  EXPECT_EQ(in.delay_seconds, std::nullopt);
  EXPECT_TRUE(in.message_attributes.empty());
  EXPECT_TRUE(in.message_system_attributes.empty());
}

TEST(QueryReaderTest, EmptyValueIsPresent) {
  auto in = DecodeOk<sqs::SendMessageInput>("QueueUrl=q&MessageBody=");
  EXPECT_EQ(in.message_body, "");
}

TEST(QueryReaderTest, BinaryAttributeValueIsBase64) {
  auto in = DecodeOk<sqs::SendMessageInput>(
      "MessageAttribute.1.Name=Bin&MessageAttribute.1.Value.DataType=Binary&"
      "MessageAttribute.1.Value.BinaryValue=AAH%2F%2Fw%3D%3D");
  ASSERT_EQ(in.message_attributes.size(), 1u);
  EXPECT_EQ(in.message_attributes[0].first, "Bin");
  EXPECT_EQ(in.message_attributes[0].second.data_type, "Binary");
  EXPECT_EQ(in.message_attributes[0].second.binary_value, std::string("\x00\x01\xff\xff", 4));
  EXPECT_EQ(in.message_attributes[0].second.string_value, std::nullopt);
}

TEST(QueryReaderTest, InvalidBase64IsInvalidParameterValue) {
  sqs::SendMessageInput in;
  api::ApiStatus status = Decode(
      "MessageAttribute.1.Name=Bin&MessageAttribute.1.Value.DataType=Binary&"
      "MessageAttribute.1.Value.BinaryValue=%21%21%21",
      in);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue);
}

TEST(QueryReaderTest, BatchEntriesAreSortedByIndexAndGapsIgnored) {
  // Entries 2, 10, 1, 5 in that order: numeric order is 1, 2, 5, 10 (not "1", "10", "2", "5").
  auto in = DecodeOk<sqs::SendMessageBatchInput>(
      "QueueUrl=q"
      "&SendMessageBatchRequestEntry.2.Id=two&SendMessageBatchRequestEntry.2.MessageBody=b2"
      "&SendMessageBatchRequestEntry.10.Id=ten&SendMessageBatchRequestEntry.10.MessageBody=b10"
      "&SendMessageBatchRequestEntry.1.Id=one&SendMessageBatchRequestEntry.1.MessageBody=b1"
      "&SendMessageBatchRequestEntry.1.DelaySeconds=7"
      "&SendMessageBatchRequestEntry.5.Id=five&SendMessageBatchRequestEntry.5.MessageBody=b5"
      "&SendMessageBatchRequestEntry.5.MessageGroupId=g&SendMessageBatchRequestEntry.5."
      "MessageDeduplicationId=d");
  EXPECT_EQ(in.queue_url, "q");
  ASSERT_EQ(in.entries.size(), 4u);
  EXPECT_EQ(in.entries[0].id, "one");
  EXPECT_EQ(in.entries[0].message_body, "b1");
  EXPECT_EQ(in.entries[0].delay_seconds, 7);
  EXPECT_EQ(in.entries[1].id, "two");
  EXPECT_EQ(in.entries[1].message_body, "b2");
  EXPECT_EQ(in.entries[1].delay_seconds, std::nullopt);
  EXPECT_EQ(in.entries[2].id, "five");
  EXPECT_EQ(in.entries[2].message_group_id, "g");
  EXPECT_EQ(in.entries[2].message_deduplication_id, "d");
  EXPECT_EQ(in.entries[3].id, "ten");
  EXPECT_EQ(in.entries[3].message_body, "b10");
}

TEST(QueryReaderTest, BatchEntryAttributesAreNested) {
  auto in = DecodeOk<sqs::SendMessageBatchInput>(
      "SendMessageBatchRequestEntry.2.Id=b"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Name=Second"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.DataType=Number"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.2.Value.StringValue=2"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=First"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Binary"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.BinaryValue=AQID"
      "&SendMessageBatchRequestEntry.1.Id=a"
      "&SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Name=AWSTraceHeader"
      "&SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.StringValue=Root%3D1");
  ASSERT_EQ(in.entries.size(), 2u);
  EXPECT_EQ(in.entries[0].id, "a");
  EXPECT_TRUE(in.entries[0].message_attributes.empty());
  ASSERT_EQ(in.entries[0].message_system_attributes.size(), 1u);
  EXPECT_EQ(in.entries[0].message_system_attributes[0].first, "AWSTraceHeader");
  EXPECT_EQ(in.entries[0].message_system_attributes[0].second.string_value, "Root=1");
  EXPECT_EQ(in.entries[1].id, "b");
  ASSERT_EQ(in.entries[1].message_attributes.size(), 2u);
  EXPECT_EQ(in.entries[1].message_attributes[0].first, "First");
  EXPECT_EQ(in.entries[1].message_attributes[0].second.binary_value, "\x01\x02\x03");
  EXPECT_EQ(in.entries[1].message_attributes[1].first, "Second");
  EXPECT_EQ(in.entries[1].message_attributes[1].second.data_type, "Number");
  EXPECT_EQ(in.entries[1].message_attributes[1].second.string_value, "2");
  EXPECT_TRUE(in.entries[1].message_system_attributes.empty());
}

TEST(QueryReaderTest, CreateQueueAttributesAndTags) {
  auto in = DecodeOk<sqs::CreateQueueInput>(
      "Action=CreateQueue&QueueName=orders.fifo"
      "&Attribute.3.Name=VisibilityTimeout&Attribute.3.Value=60"
      "&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
      "&Attribute.2.Name=Policy&Attribute.2.Value=%7B%22a%22%3A1%7D"
      "&Tag.1.Key=team&Tag.1.Value=core&Tag.4.Key=env&Tag.4.Value=");
  EXPECT_EQ(in.queue_name, "orders.fifo");
  EXPECT_EQ(
      in.attributes,
      (StringPairs{{"FifoQueue", "true"}, {"Policy", "{\"a\":1}"}, {"VisibilityTimeout", "60"}}));
  EXPECT_EQ(in.tags, (StringPairs{{"team", "core"}, {"env", ""}}));
}

TEST(QueryReaderTest, MapEntryWithoutKeyIsSkippedAndWithoutValueIsEmpty) {
  auto in = DecodeOk<sqs::SetQueueAttributesInput>(
      "QueueUrl=q&Attribute.1.Value=orphan&Attribute.2.Name=DelaySeconds");
  EXPECT_EQ(in.attributes, (StringPairs{{"DelaySeconds", ""}}));
}

TEST(QueryReaderTest, ReceiveMessageLists) {
  auto in = DecodeOk<sqs::ReceiveMessageInput>(
      "QueueUrl=q&AttributeName.2=SentTimestamp&AttributeName.1=All"
      "&MessageAttributeName.1=City&MessageAttributeName.2=Pop.*"
      "&MessageSystemAttributeName.1=AWSTraceHeader"
      "&MaxNumberOfMessages=10&VisibilityTimeout=30&WaitTimeSeconds=20"
      "&ReceiveRequestAttemptId=attempt-1");
  EXPECT_EQ(in.queue_url, "q");
  EXPECT_EQ(in.attribute_names, (std::vector<std::string>{"All", "SentTimestamp"}));
  EXPECT_EQ(in.message_attribute_names, (std::vector<std::string>{"City", "Pop.*"}));
  EXPECT_EQ(in.message_system_attribute_names, (std::vector<std::string>{"AWSTraceHeader"}));
  EXPECT_EQ(in.max_number_of_messages, 10);
  EXPECT_EQ(in.visibility_timeout, 30);
  EXPECT_EQ(in.wait_time_seconds, 20);
  EXPECT_EQ(in.receive_request_attempt_id, "attempt-1");
}

TEST(QueryReaderTest, SimilarPrefixesDoNotLeak) {
  // "MessageAttribute.N" (a map elsewhere) must not feed the "MessageAttributeName" list and
  // "Attribute.N.Name" must not feed "AttributeName", nor the other way round.
  auto in = DecodeOk<sqs::ReceiveMessageInput>(
      "AttributeName.1=All&Attribute.1.Name=X&Attribute.1=Y&MessageAttribute.1.Name=Z"
      "&MessageAttribute.1=W&MessageAttributeName.1=City");
  EXPECT_EQ(in.attribute_names, (std::vector<std::string>{"All"}));
  EXPECT_EQ(in.message_attribute_names, (std::vector<std::string>{"City"}));
  auto create = DecodeOk<sqs::CreateQueueInput>(
      "QueueName=q&AttributeName.1=DelaySeconds&Attribute.1.Name=A&Attribute.1.Value=1"
      "&Tags.1.Key=k&TagKey.1=k");
  EXPECT_EQ(create.attributes, (StringPairs{{"A", "1"}}));
  EXPECT_TRUE(create.tags.empty());
}

TEST(QueryReaderTest, NonIndexSuffixesAreIgnored) {
  auto in = DecodeOk<sqs::GetQueueAttributesInput>(
      "QueueUrl=q&AttributeName.0=Zero&AttributeName.x=X&AttributeName.-1=Neg"
      "&AttributeName.=Empty&AttributeName.3=Three&AttributeName.99999999999=Huge");
  EXPECT_EQ(in.attribute_names, (std::vector<std::string>{"Three"}));
}

TEST(QueryReaderTest, FirstOfRepeatedParametersWins) {
  auto in = DecodeOk<sqs::DeleteMessageInput>("QueueUrl=q1&ReceiptHandle=r1&QueueUrl=q2");
  EXPECT_EQ(in.queue_url, "q1");
  EXPECT_EQ(in.receipt_handle, "r1");
}

TEST(QueryReaderTest, OtherListAndMapShapes) {
  auto tag = DecodeOk<sqs::TagQueueInput>(
      "QueueUrl=q&Tag.2.Key=b&Tag.2.Value=2&Tag.1.Key=a&Tag.1.Value=1");
  EXPECT_EQ(tag.tags, (StringPairs{{"a", "1"}, {"b", "2"}}));
  auto untag = DecodeOk<sqs::UntagQueueInput>("QueueUrl=q&TagKey.1=a&TagKey.2=b");
  EXPECT_EQ(untag.tag_keys, (std::vector<std::string>{"a", "b"}));
  auto perm = DecodeOk<sqs::AddPermissionInput>(
      "QueueUrl=q&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage"
      "&ActionName.2=ReceiveMessage");
  EXPECT_EQ(perm.label, "l");
  EXPECT_EQ(perm.account_ids, (std::vector<std::string>{"111122223333"}));
  EXPECT_EQ(perm.actions, (std::vector<std::string>{"SendMessage", "ReceiveMessage"}));
  auto del = DecodeOk<sqs::DeleteMessageBatchInput>(
      "QueueUrl=q&DeleteMessageBatchRequestEntry.1.Id=a"
      "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=AQEB%2Bx%3D%3D");
  ASSERT_EQ(del.entries.size(), 1u);
  EXPECT_EQ(del.entries[0].receipt_handle, "AQEB+x==");
  auto cmv = DecodeOk<sqs::ChangeMessageVisibilityBatchInput>(
      "QueueUrl=q&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
      "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r"
      "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0");
  ASSERT_EQ(cmv.entries.size(), 1u);
  EXPECT_EQ(cmv.entries[0].visibility_timeout, 0);
  auto move = DecodeOk<sqs::StartMessageMoveTaskInput>(
      "SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq"
      "&MaxNumberOfMessagesPerSecond=50");
  EXPECT_EQ(move.source_arn, "arn:aws:sqs:us-east-1:000000000000:dlq");
  EXPECT_EQ(move.destination_arn, std::nullopt);
  EXPECT_EQ(move.max_number_of_messages_per_second, 50);
}

TEST(QueryReaderTest, InvalidIntegerIsInvalidParameterValue) {
  for (std::string_view value : {"ten", "%2B5", "5.0", "", "1e3", "99999999999999999999", "%205"}) {
    sqs::ReceiveMessageInput in;
    api::ApiStatus status = Decode("QueueUrl=q&MaxNumberOfMessages=" + std::string(value), in);
    ASSERT_FALSE(status.ok()) << value;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue) << value;
    EXPECT_EQ(in.max_number_of_messages, std::nullopt) << value;
  }
  sqs::ReceiveMessageInput in;
  api::ApiStatus status = Decode("MaxNumberOfMessages=ten", in);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer.");
  EXPECT_EQ(DecodeOk<sqs::ReceiveMessageInput>("VisibilityTimeout=-1").visibility_timeout, -1);
}

TEST(QueryReaderTest, FirstErrorWins) {
  sqs::ReceiveMessageInput in;
  api::ApiStatus status = Decode("MaxNumberOfMessages=a&VisibilityTimeout=b&WaitTimeSeconds=c", in);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("MaxNumberOfMessages"), std::string::npos)
      << status.error().message;
}

TEST(QueryReaderTest, InvalidIntegerInsideABatchEntry) {
  sqs::ChangeMessageVisibilityBatchInput in;
  api::ApiStatus status = Decode(
      "ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
      "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=soon",
      in);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue);
}

}  // namespace
}  // namespace wharf::protocol
