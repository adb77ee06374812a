#pragma once

// Typed inputs and outputs of every SQS action (sqs-api.md §2 and Appendix A). Member names are
// the service model's; `flat` names are the Query parameter / XML element names where they
// differ (§1.3.1, §1.3.2).

#include <optional>
#include <string>
#include <vector>

#include "api/sqs/message_types.h"
#include "api/visitor.h"

namespace wharf::api::sqs {

struct Empty {
  void Describe(Visitor&) {}
};

// --- queues -------------------------------------------------------------------------------

struct CreateQueueInput {
  std::optional<std::string> queue_name;
  StringPairs attributes;
  StringPairs tags;
  void Describe(Visitor& v) {
    v.String("QueueName", queue_name);
    v.StringMap({"Attributes", "Attribute"}, kNameValue, attributes);
    v.StringMap({"tags", "Tag"}, kKeyValue, tags);
  }
};
struct QueueUrlOutput {  // CreateQueue, GetQueueUrl
  std::string queue_url;
  void Describe(Visitor& v) { v.String("QueueUrl", queue_url); }
};

struct GetQueueUrlInput {
  std::optional<std::string> queue_name;
  std::optional<std::string> queue_owner_account_id;
  void Describe(Visitor& v) {
    v.String("QueueName", queue_name);
    v.String("QueueOwnerAWSAccountId", queue_owner_account_id);
  }
};

struct ListQueuesInput {
  std::optional<std::string> queue_name_prefix;
  std::optional<std::string> next_token;
  std::optional<int64_t> max_results;
  void Describe(Visitor& v) {
    v.String("QueueNamePrefix", queue_name_prefix);
    v.String("NextToken", next_token);
    v.Int("MaxResults", max_results);
  }
};
struct ListQueuesOutput {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;
  void Describe(Visitor& v) {
    v.StringList({"QueueUrls", "QueueUrl"}, queue_urls);
    v.String("NextToken", next_token);
  }
};

struct QueueUrlInput {  // DeleteQueue, PurgeQueue, ListQueueTags
  std::optional<std::string> queue_url;
  void Describe(Visitor& v) { v.String("QueueUrl", queue_url); }
};

struct GetQueueAttributesInput {
  std::optional<std::string> queue_url;
  std::vector<std::string> attribute_names;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.StringList({"AttributeNames", "AttributeName"}, attribute_names);
  }
};
struct GetQueueAttributesOutput {
  StringPairs attributes;
  void Describe(Visitor& v) { v.StringMap({"Attributes", "Attribute"}, kNameValue, attributes); }
};

struct SetQueueAttributesInput {
  std::optional<std::string> queue_url;
  StringPairs attributes;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.StringMap({"Attributes", "Attribute"}, kNameValue, attributes);
  }
};

struct ListQueueTagsOutput {
  StringPairs tags;
  void Describe(Visitor& v) { v.StringMap({"Tags", "Tag"}, kKeyValue, tags); }
};

struct TagQueueInput {
  std::optional<std::string> queue_url;
  StringPairs tags;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.StringMap({"Tags", "Tag"}, kKeyValue, tags);
  }
};

struct UntagQueueInput {
  std::optional<std::string> queue_url;
  std::vector<std::string> tag_keys;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.StringList({"TagKeys", "TagKey"}, tag_keys);
  }
};

struct AddPermissionInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> label;
  std::vector<std::string> account_ids;
  std::vector<std::string> actions;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("Label", label);
    v.StringList({"AWSAccountIds", "AWSAccountId"}, account_ids);
    v.StringList({"Actions", "ActionName"}, actions);
  }
};

struct RemovePermissionInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> label;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("Label", label);
  }
};

struct ListDeadLetterSourceQueuesInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> next_token;
  std::optional<int64_t> max_results;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("NextToken", next_token);
    v.Int("MaxResults", max_results);
  }
};
struct ListDeadLetterSourceQueuesOutput {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;
  void Describe(Visitor& v) {
    v.StringList({"queueUrls", "QueueUrl"}, queue_urls, /*keep_empty=*/true);
    v.String("NextToken", next_token);
  }
};

// --- messages -------------------------------------------------------------------------------

struct SendMessageInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> message_body;
  std::optional<int64_t> delay_seconds;
  MessageAttributeMap message_attributes;
  MessageAttributeMap message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("MessageBody", message_body);
    v.Int("DelaySeconds", delay_seconds);
    Map(v, {"MessageAttributes", "MessageAttribute"}, kNameValue, message_attributes);
    Map(v, {"MessageSystemAttributes", "MessageSystemAttribute"}, kNameValue,
        message_system_attributes);
    v.String("MessageDeduplicationId", message_deduplication_id);
    v.String("MessageGroupId", message_group_id);
  }
};
struct SendMessageOutput {
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> md5_of_message_system_attributes;
  std::optional<std::string> sequence_number;
  void Describe(Visitor& v) {
    v.String("MessageId", message_id);
    v.String("MD5OfMessageBody", md5_of_message_body);
    v.String("MD5OfMessageAttributes", md5_of_message_attributes);
    v.String("MD5OfMessageSystemAttributes", md5_of_message_system_attributes);
    v.String("SequenceNumber", sequence_number);
  }
};

struct SendMessageBatchRequestEntry {
  std::optional<std::string> id;
  std::optional<std::string> message_body;
  std::optional<int64_t> delay_seconds;
  MessageAttributeMap message_attributes;
  MessageAttributeMap message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("MessageBody", message_body);
    v.Int("DelaySeconds", delay_seconds);
    Map(v, {"MessageAttributes", "MessageAttribute"}, kNameValue, message_attributes);
    Map(v, {"MessageSystemAttributes", "MessageSystemAttribute"}, kNameValue,
        message_system_attributes);
    v.String("MessageDeduplicationId", message_deduplication_id);
    v.String("MessageGroupId", message_group_id);
  }
};
struct SendMessageBatchInput {
  std::optional<std::string> queue_url;
  std::vector<SendMessageBatchRequestEntry> entries;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    List(v, {"Entries", "SendMessageBatchRequestEntry"}, entries);
  }
};
struct SendMessageBatchResultEntry {
  std::string id;
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> md5_of_message_system_attributes;
  std::optional<std::string> sequence_number;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("MessageId", message_id);
    v.String("MD5OfMessageBody", md5_of_message_body);
    v.String("MD5OfMessageAttributes", md5_of_message_attributes);
    v.String("MD5OfMessageSystemAttributes", md5_of_message_system_attributes);
    v.String("SequenceNumber", sequence_number);
  }
};
struct SendMessageBatchOutput {
  std::vector<SendMessageBatchResultEntry> successful;
  std::vector<BatchResultErrorEntry> failed;
  void Describe(Visitor& v) {
    List(v, {"Successful", "SendMessageBatchResultEntry"}, successful);
    List(v, {"Failed", "BatchResultErrorEntry"}, failed);
  }
};

struct ReceiveMessageInput {
  std::optional<std::string> queue_url;
  std::vector<std::string> attribute_names;
  std::vector<std::string> message_system_attribute_names;
  std::vector<std::string> message_attribute_names;
  std::optional<int64_t> max_number_of_messages;
  std::optional<int64_t> visibility_timeout;
  std::optional<int64_t> wait_time_seconds;
  std::optional<std::string> receive_request_attempt_id;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    // Query clients send both lists as AttributeName.N (sqs-api.md §1.3.1).
    v.StringList({"AttributeNames", "AttributeName"}, attribute_names);
    v.StringList({"MessageSystemAttributeNames", "MessageSystemAttributeName"},
                 message_system_attribute_names);
    v.StringList({"MessageAttributeNames", "MessageAttributeName"}, message_attribute_names);
    v.Int("MaxNumberOfMessages", max_number_of_messages);
    v.Int("VisibilityTimeout", visibility_timeout);
    v.Int("WaitTimeSeconds", wait_time_seconds);
    v.String("ReceiveRequestAttemptId", receive_request_attempt_id);
  }
};
struct ReceiveMessageOutput {
  std::vector<Message> messages;
  void Describe(Visitor& v) { List(v, {"Messages", "Message"}, messages); }
};

struct DeleteMessageInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> receipt_handle;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("ReceiptHandle", receipt_handle);
  }
};

struct DeleteMessageBatchRequestEntry {
  std::optional<std::string> id;
  std::optional<std::string> receipt_handle;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("ReceiptHandle", receipt_handle);
  }
};
struct DeleteMessageBatchInput {
  std::optional<std::string> queue_url;
  std::vector<DeleteMessageBatchRequestEntry> entries;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    List(v, {"Entries", "DeleteMessageBatchRequestEntry"}, entries);
  }
};
struct DeleteMessageBatchOutput {
  std::vector<BatchResultIdEntry> successful;
  std::vector<BatchResultErrorEntry> failed;
  void Describe(Visitor& v) {
    List(v, {"Successful", "DeleteMessageBatchResultEntry"}, successful);
    List(v, {"Failed", "BatchResultErrorEntry"}, failed);
  }
};

struct ChangeMessageVisibilityInput {
  std::optional<std::string> queue_url;
  std::optional<std::string> receipt_handle;
  std::optional<int64_t> visibility_timeout;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.String("ReceiptHandle", receipt_handle);
    v.Int("VisibilityTimeout", visibility_timeout);
  }
};

struct ChangeMessageVisibilityBatchRequestEntry {
  std::optional<std::string> id;
  std::optional<std::string> receipt_handle;
  std::optional<int64_t> visibility_timeout;
  void Describe(Visitor& v) {
    v.String("Id", id);
    v.String("ReceiptHandle", receipt_handle);
    v.Int("VisibilityTimeout", visibility_timeout);
  }
};
struct ChangeMessageVisibilityBatchInput {
  std::optional<std::string> queue_url;
  std::vector<ChangeMessageVisibilityBatchRequestEntry> entries;
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    List(v, {"Entries", "ChangeMessageVisibilityBatchRequestEntry"}, entries);
  }
};
struct ChangeMessageVisibilityBatchOutput {
  std::vector<BatchResultIdEntry> successful;
  std::vector<BatchResultErrorEntry> failed;
  void Describe(Visitor& v) {
    List(v, {"Successful", "ChangeMessageVisibilityBatchResultEntry"}, successful);
    List(v, {"Failed", "BatchResultErrorEntry"}, failed);
  }
};

// --- message move tasks ----------------------------------------------------------------------

struct StartMessageMoveTaskInput {
  std::optional<std::string> source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int64_t> max_number_of_messages_per_second;
  void Describe(Visitor& v) {
    v.String("SourceArn", source_arn);
    v.String("DestinationArn", destination_arn);
    v.Int("MaxNumberOfMessagesPerSecond", max_number_of_messages_per_second);
  }
};
struct StartMessageMoveTaskOutput {
  std::string task_handle;
  void Describe(Visitor& v) { v.String("TaskHandle", task_handle); }
};

struct CancelMessageMoveTaskInput {
  std::optional<std::string> task_handle;
  void Describe(Visitor& v) { v.String("TaskHandle", task_handle); }
};
struct CancelMessageMoveTaskOutput {
  int64_t approximate_number_of_messages_moved = 0;
  void Describe(Visitor& v) {
    v.Int("ApproximateNumberOfMessagesMoved", approximate_number_of_messages_moved);
  }
};

struct ListMessageMoveTasksInput {
  std::optional<std::string> source_arn;
  std::optional<int64_t> max_results;
  void Describe(Visitor& v) {
    v.String("SourceArn", source_arn);
    v.Int("MaxResults", max_results);
  }
};
struct ListMessageMoveTasksResultEntry {
  std::optional<std::string> task_handle;
  std::string status;
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int64_t> max_number_of_messages_per_second;
  int64_t approximate_number_of_messages_moved = 0;
  int64_t approximate_number_of_messages_to_move = 0;
  std::optional<std::string> failure_reason;
  int64_t started_timestamp = 0;
  void Describe(Visitor& v) {
    v.String("TaskHandle", task_handle);
    v.String("Status", status);
    v.String("SourceArn", source_arn);
    v.String("DestinationArn", destination_arn);
    v.Int("MaxNumberOfMessagesPerSecond", max_number_of_messages_per_second);
    v.Int("ApproximateNumberOfMessagesMoved", approximate_number_of_messages_moved);
    v.Int("ApproximateNumberOfMessagesToMove", approximate_number_of_messages_to_move);
    v.String("FailureReason", failure_reason);
    v.Int("StartedTimestamp", started_timestamp);
  }
};
struct ListMessageMoveTasksOutput {
  std::vector<ListMessageMoveTasksResultEntry> results;
  void Describe(Visitor& v) { List(v, {"Results", "ListMessageMoveTasksResultEntry"}, results); }
};

}  // namespace wharf::api::sqs
