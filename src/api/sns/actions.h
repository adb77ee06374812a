#pragma once

// Typed inputs and outputs of the SNS actions Wharf serves (sns-fanout.md §3). SNS speaks AWS
// Query only, and wraps both its lists and its maps:
//   lists  Tags.member.N.Key            → <Tags><member><Key>…</Key></member></Tags>
//   maps   Attributes.entry.N.key/value → <Attributes><entry><key>…</key><value>…</value>…
//   message attributes  MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue
// Required members are optional here so a missing one is reported with SNS's own error.

#include <optional>
#include <string>
#include <vector>

#include "api/visitor.h"

namespace wharf::api::sns {

// Topic and subscription attribute maps: lower-case key/value (sns-fanout.md §1).
inline constexpr MapNames kEntryKeyValue{"key", "value"};

struct Empty {
  void Describe(Visitor&) {}
};

struct Tag {
  std::string key;
  std::string value;
  void Describe(Visitor& v) {
    v.String("Key", key);
    v.String("Value", value);
  }
};

// --- topics ----------------------------------------------------------------------------------

struct CreateTopicInput {
  std::optional<std::string> name;
  StringPairs attributes;
  std::vector<Tag> tags;
  std::optional<std::string> data_protection_policy;
  void Describe(Visitor& v) {
    v.String("Name", name);
    v.StringMap({"Attributes", "Attributes.entry"}, kEntryKeyValue, attributes);
    List(v, {"Tags", "Tags.member"}, tags);
    v.String("DataProtectionPolicy", data_protection_policy);
  }
};
struct TopicArnOutput {  // CreateTopic
  std::string topic_arn;
  void Describe(Visitor& v) { v.String("TopicArn", topic_arn); }
};

struct TopicArnInput {  // DeleteTopic, GetTopicAttributes
  std::optional<std::string> topic_arn;
  void Describe(Visitor& v) { v.String("TopicArn", topic_arn); }
};

struct ListTopicsInput {
  std::optional<std::string> next_token;
  void Describe(Visitor& v) { v.String("NextToken", next_token); }
};
struct TopicEntry {
  std::string topic_arn;
  void Describe(Visitor& v) { v.String("TopicArn", topic_arn); }
};
struct ListTopicsOutput {
  std::vector<TopicEntry> topics;
  std::optional<std::string> next_token;
  void Describe(Visitor& v) {
    List(v, {"Topics", "Topics.member"}, topics);
    v.String("NextToken", next_token);
  }
};

struct AttributesOutput {  // GetTopicAttributes, GetSubscriptionAttributes
  StringPairs attributes;
  void Describe(Visitor& v) {
    v.StringMap({"Attributes", "Attributes.entry"}, kEntryKeyValue, attributes);
  }
};

struct SetTopicAttributesInput {
  std::optional<std::string> topic_arn;
  std::optional<std::string> attribute_name;
  std::optional<std::string> attribute_value;
  void Describe(Visitor& v) {
    v.String("TopicArn", topic_arn);
    v.String("AttributeName", attribute_name);
    v.String("AttributeValue", attribute_value);
  }
};

// --- subscriptions -----------------------------------------------------------------------------

struct SubscribeInput {
  std::optional<std::string> topic_arn;
  std::optional<std::string> protocol;
  std::optional<std::string> endpoint;
  StringPairs attributes;
  std::optional<std::string> return_subscription_arn;  // "true"/"false", read by the handler
  void Describe(Visitor& v) {
    v.String("TopicArn", topic_arn);
    v.String("Protocol", protocol);
    v.String("Endpoint", endpoint);
    v.StringMap({"Attributes", "Attributes.entry"}, kEntryKeyValue, attributes);
    v.String("ReturnSubscriptionArn", return_subscription_arn);
  }
};
struct SubscriptionArnOutput {  // Subscribe
  std::string subscription_arn;
  void Describe(Visitor& v) { v.String("SubscriptionArn", subscription_arn); }
};

struct SubscriptionArnInput {  // Unsubscribe, GetSubscriptionAttributes
  std::optional<std::string> subscription_arn;
  void Describe(Visitor& v) { v.String("SubscriptionArn", subscription_arn); }
};

struct SetSubscriptionAttributesInput {
  std::optional<std::string> subscription_arn;
  std::optional<std::string> attribute_name;
  std::optional<std::string> attribute_value;
  void Describe(Visitor& v) {
    v.String("SubscriptionArn", subscription_arn);
    v.String("AttributeName", attribute_name);
    v.String("AttributeValue", attribute_value);
  }
};

struct ListSubscriptionsInput {
  std::optional<std::string> next_token;
  void Describe(Visitor& v) { v.String("NextToken", next_token); }
};
struct ListSubscriptionsByTopicInput {
  std::optional<std::string> topic_arn;
  std::optional<std::string> next_token;
  void Describe(Visitor& v) {
    v.String("TopicArn", topic_arn);
    v.String("NextToken", next_token);
  }
};
struct Subscription {
  std::string subscription_arn;
  std::string owner;
  std::string protocol;
  std::string endpoint;
  std::string topic_arn;
  void Describe(Visitor& v) {
    v.String("SubscriptionArn", subscription_arn);
    v.String("Owner", owner);
    v.String("Protocol", protocol);
    v.String("Endpoint", endpoint);
    v.String("TopicArn", topic_arn);
  }
};
struct ListSubscriptionsOutput {  // ListSubscriptions, ListSubscriptionsByTopic
  std::vector<Subscription> subscriptions;
  std::optional<std::string> next_token;
  void Describe(Visitor& v) {
    List(v, {"Subscriptions", "Subscriptions.member"}, subscriptions);
    v.String("NextToken", next_token);
  }
};

// --- publishing --------------------------------------------------------------------------------

struct MessageAttributeValue {
  std::optional<std::string> data_type;
  std::optional<std::string> string_value;
  std::optional<std::string> binary_value;  // raw bytes (base64 on the wire)
  void Describe(Visitor& v) {
    v.String("DataType", data_type);
    v.String("StringValue", string_value);
    v.Blob("BinaryValue", binary_value);
  }
};
using MessageAttributeMap = std::vector<std::pair<std::string, MessageAttributeValue>>;

struct PublishInput {
  std::optional<std::string> topic_arn;
  std::optional<std::string> target_arn;
  std::optional<std::string> phone_number;
  std::optional<std::string> message;
  std::optional<std::string> subject;
  std::optional<std::string> message_structure;
  MessageAttributeMap message_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
  void Describe(Visitor& v) {
    v.String("TopicArn", topic_arn);
    v.String("TargetArn", target_arn);
    v.String("PhoneNumber", phone_number);
    v.String("Message", message);
    v.String("Subject", subject);
    v.String("MessageStructure", message_structure);
    Map(v, {"MessageAttributes", "MessageAttributes.entry"}, kNameValue, message_attributes);
    v.String("MessageDeduplicationId", message_deduplication_id);
    v.String("MessageGroupId", message_group_id);
  }
};
struct PublishOutput {
  std::string message_id;
  std::optional<std::string> sequence_number;  // FIFO topics only
  void Describe(Visitor& v) {
    v.String("MessageId", message_id);
    v.String("SequenceNumber", sequence_number);
  }
};

struct PublishBatchRequestEntry {
  std::optional<std::string> id;
  std::optional<std::string> message;
  std::optional<std::string> subject;
  std::optional<std::string> message_structure;
  MessageAttributeMap message_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("Message", message);
    v.String("Subject", subject);
    v.String("MessageStructure", message_structure);
    Map(v, {"MessageAttributes", "MessageAttributes.entry"}, kNameValue, message_attributes);
    v.String("MessageDeduplicationId", message_deduplication_id);
    v.String("MessageGroupId", message_group_id);
  }
};
struct PublishBatchInput {
  std::optional<std::string> topic_arn;
  std::vector<PublishBatchRequestEntry> entries;
  void Describe(Visitor& v) {
    v.String("TopicArn", topic_arn);
    List(v, {"PublishBatchRequestEntries", "PublishBatchRequestEntries.member"}, entries);
  }
};
struct PublishBatchResultEntry {
  std::string id;
  std::string message_id;
  std::optional<std::string> sequence_number;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("MessageId", message_id);
    v.String("SequenceNumber", sequence_number);
  }
};
struct BatchResultErrorEntry {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = true;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("Code", code);
    v.String("Message", message);
    v.Bool("SenderFault", sender_fault);
  }
};
struct PublishBatchOutput {
  std::vector<PublishBatchResultEntry> successful;
  std::vector<BatchResultErrorEntry> failed;
  void Describe(Visitor& v) {
    List(v, {"Successful", "Successful.member"}, successful);
    List(v, {"Failed", "Failed.member"}, failed);
  }
};

// --- tags --------------------------------------------------------------------------------------

struct TagResourceInput {
  std::optional<std::string> resource_arn;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("ResourceArn", resource_arn);
    List(v, {"Tags", "Tags.member"}, tags);
  }
};
struct UntagResourceInput {
  std::optional<std::string> resource_arn;
  std::vector<std::string> tag_keys;
  void Describe(Visitor& v) {
    v.String("ResourceArn", resource_arn);
    v.StringList({"TagKeys", "TagKeys.member"}, tag_keys);
  }
};
struct ResourceArnInput {  // ListTagsForResource
  std::optional<std::string> resource_arn;
  void Describe(Visitor& v) { v.String("ResourceArn", resource_arn); }
};
struct ListTagsForResourceOutput {
  std::vector<Tag> tags;
  void Describe(Visitor& v) { List(v, {"Tags", "Tags.member"}, tags); }
};

}  // namespace wharf::api::sns
