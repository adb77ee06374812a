// SNS shapes through the protocol layer: routing by the credential scope, the flattened maps
// and wrapped lists SNS uses, and responses and errors in SNS's namespace.

#include <gtest/gtest.h>

#include "api/sns/actions.h"
#include "protocol/protocol.h"
#include "sns/register.h"

namespace wharf::sns {
namespace {

protocol::ParsedRequest ParseSns(std::string body) {
  static std::string kept;
  kept = std::move(body);
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  view.body = &kept;
  view.scope_service = "sns";
  auto parsed = protocol::Parse(view);
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed).value();
}

TEST(SnsWireTest, RoutesByTheCredentialScope) {
  // AddPermission exists in both SQS and SNS: the scope decides (security.md §0).
  auto parsed = ParseSns("Action=Publish&Version=2010-03-31");
  EXPECT_EQ(parsed.action(), api::Action::kPublish);
  EXPECT_EQ(parsed.service(), api::Service::kSns);
  static std::string body = "Action=SendMessage&Version=2010-03-31";
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.body = &body;
  view.scope_service = "sns";
  auto unknown = protocol::Parse(view);
  ASSERT_FALSE(unknown.ok());
  auto encoded = protocol::EncodeRouteError(unknown.error(), "rid");
  EXPECT_EQ(encoded.status, 400);
  EXPECT_EQ(
      encoded.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
      "<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find "
      "operation SendMessage for version 2010-03-31</Message></Error>"
      "<RequestId>rid</RequestId></ErrorResponse>");
}

TEST(SnsWireTest, DecodesSnsFlattening) {
  auto create = ParseSns(
      "Action=CreateTopic&Version=2010-03-31&Name=orders.fifo"
      "&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"
      "&Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=true"
      "&Tags.member.1.Key=team&Tags.member.1.Value=billing");
  api::sns::CreateTopicInput topic;
  ASSERT_TRUE(create.Decode(api::Shape::Of(topic)).ok());
  EXPECT_EQ(topic.name, "orders.fifo");
  ASSERT_EQ(topic.attributes.size(), 2u);
  EXPECT_EQ(topic.attributes[0], (std::pair<std::string, std::string>("FifoTopic", "true")));
  ASSERT_EQ(topic.tags.size(), 1u);
  EXPECT_EQ(topic.tags[0].key, "team");

  auto publish = ParseSns(
      "Action=Publish&Version=2010-03-31&TopicArn=arn&Message=hi&Subject=S"
      "&MessageAttributes.entry.1.Name=store"
      "&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=example_corp"
      "&MessageAttributes.entry.2.Name=blob"
      "&MessageAttributes.entry.2.Value.DataType=Binary"
      "&MessageAttributes.entry.2.Value.BinaryValue=AAE%3D");
  api::sns::PublishInput in;
  ASSERT_TRUE(publish.Decode(api::Shape::Of(in)).ok());
  ASSERT_EQ(in.message_attributes.size(), 2u);
  EXPECT_EQ(in.message_attributes[0].first, "store");
  EXPECT_EQ(in.message_attributes[0].second.string_value, "example_corp");
  EXPECT_EQ(in.message_attributes[1].second.binary_value, std::string("\0\1", 2));

  auto batch = ParseSns(
      "Action=PublishBatch&Version=2010-03-31&TopicArn=arn"
      "&PublishBatchRequestEntries.member.1.Id=m1&PublishBatchRequestEntries.member.1.Message=a"
      "&PublishBatchRequestEntries.member.1.MessageGroupId=g1"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=k"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType=Number"
      "&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue=1");
  api::sns::PublishBatchInput entries;
  ASSERT_TRUE(batch.Decode(api::Shape::Of(entries)).ok());
  ASSERT_EQ(entries.entries.size(), 1u);
  EXPECT_EQ(entries.entries[0].message_group_id, "g1");
  ASSERT_EQ(entries.entries[0].message_attributes.size(), 1u);
  EXPECT_EQ(entries.entries[0].message_attributes[0].second.data_type, "Number");

  auto untag = ParseSns("Action=UntagResource&ResourceArn=arn&TagKeys.member.1=team");
  api::sns::UntagResourceInput keys;
  ASSERT_TRUE(untag.Decode(api::Shape::Of(keys)).ok());
  EXPECT_EQ(keys.tag_keys, std::vector<std::string>{"team"});
}

TEST(SnsWireTest, EncodesWrappedMapsAndLists) {
  api::sns::AttributesOutput attributes;
  attributes.attributes = {{"TopicArn", "arn:t"}, {"FifoTopic", "true"}};
  auto r = protocol::EncodeSuccess(protocol::Protocol::kQuery, api::Action::kGetTopicAttributes,
                                   "rid", api::Shape::Of(attributes));
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
      "<GetTopicAttributesResult><Attributes><entry><key>TopicArn</key><value>arn:t</value>"
      "</entry><entry><key>FifoTopic</key><value>true</value></entry></Attributes>"
      "</GetTopicAttributesResult><ResponseMetadata><RequestId>rid</RequestId>"
      "</ResponseMetadata></GetTopicAttributesResponse>");
  api::sns::ListTopicsOutput topics;
  topics.topics.push_back({"arn:a"});
  r = protocol::EncodeSuccess(protocol::Protocol::kQuery, api::Action::kListTopics, "rid",
                              api::Shape::Of(topics));
  EXPECT_NE(r.body.find("<ListTopicsResult><Topics><member><TopicArn>arn:a</TopicArn></member>"
                        "</Topics></ListTopicsResult>"),
            std::string::npos);
  api::sns::PublishOutput out{"m-1", "10000000000000000001"};
  r = protocol::EncodeSuccess(protocol::Protocol::kQuery, api::Action::kPublish, "rid",
                              api::Shape::Of(out));
  EXPECT_NE(r.body.find("<PublishResult><MessageId>m-1</MessageId><SequenceNumber>"
                        "10000000000000000001</SequenceNumber></PublishResult>"),
            std::string::npos);
  api::sns::Empty empty;
  r = protocol::EncodeSuccess(protocol::Protocol::kQuery, api::Action::kDeleteTopic, "rid",
                              api::Shape::Of(empty));
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteTopicResponse>");
}

TEST(SnsWireTest, ErrorsInSnsNamespaceWithoutDetail) {
  auto r = protocol::EncodeError(protocol::Protocol::kQuery, "rid",
                                 api::Error(api::ErrorCode::kSnsNotFound, "Topic does not exist"),
                                 api::Service::kSns);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
      "<Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist"
      "</Message></Error><RequestId>rid</RequestId></ErrorResponse>");
  r = protocol::EncodeError(protocol::Protocol::kQuery, "rid",
                            api::Error(api::ErrorCode::kSnsAuthorizationError, "no"),
                            api::Service::kSns);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<Code>AuthorizationError</Code>"), std::string::npos);
}

TEST(SnsRegisterTest, EverySnsActionHasAHandler) {
  api::HandlerTable<SnsService> table;
  RegisterHandlers(table);
  for (const api::ActionInfo& info : api::SnsActions()) {
    EXPECT_NE(table.Find(info.action), nullptr) << info.name;
  }
  for (const api::ActionInfo& info : api::AllActions()) {
    EXPECT_EQ(table.Find(info.action), nullptr) << info.name;
  }
}

}  // namespace
}  // namespace wharf::sns
