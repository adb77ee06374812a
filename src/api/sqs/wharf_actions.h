#pragma once

// Typed inputs and outputs of Wharf's own SQS actions (api::WharfActions(), docs/console.md):
// AWS JSON 1.0 with X-Amz-Target: Wharf.<Action>, member names in the style of SQS's.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/sqs/message_types.h"
#include "api/visitor.h"

namespace wharf::api::sqs {

// PeekMessages: the oldest messages of a queue in every state, without receiving them.
struct PeekMessagesInput {
  std::optional<std::string> queue_url;
  std::optional<int64_t> max_number_of_messages;  // 1..100, default 10
  void Describe(Visitor& v) {
    v.String("QueueUrl", queue_url);
    v.Int("MaxNumberOfMessages", max_number_of_messages);
  }
};
struct PeekedMessage {
  std::string message_id;
  std::string md5_of_body;
  std::string body;
  std::string state;                  // "Visible", "InFlight" or "Delayed"
  std::optional<int64_t> visible_at;  // epoch millis when an in-flight or delayed one returns
  StringPairs attributes;             // system attributes, as ReceiveMessage names them
  MessageAttributeMap message_attributes;
  void Describe(Visitor& v) {
    v.String("MessageId", message_id);
    v.String("MD5OfBody", md5_of_body);
    v.String("Body", body);
    v.String("State", state);
    v.Int("VisibleAt", visible_at);
    v.StringMap({"Attributes", "Attribute"}, kNameValue, attributes);
    Map(v, {"MessageAttributes", "MessageAttribute"}, kNameValue, message_attributes);
  }
};
struct PeekMessagesOutput {
  std::vector<PeekedMessage> messages;
  void Describe(Visitor& v) { ListKeepEmpty(v, {"Messages", "Message"}, messages); }
};

// GetQueueStats: the approximate counts GetQueueAttributes reports and the queue's cumulative
// CloudWatch counters (the ones /metrics exports, since the server started), at one instant, so
// a client can compute rates.
struct GetQueueStatsInput {
  std::optional<std::string> queue_url;
  void Describe(Visitor& v) { v.String("QueueUrl", queue_url); }
};
struct GetQueueStatsOutput {
  int64_t timestamp = 0;  // epoch millis
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
  int64_t sent = 0;
  int64_t received = 0;
  int64_t deleted = 0;
  void Describe(Visitor& v) {
    v.Int("Timestamp", timestamp);
    v.Int("ApproximateNumberOfMessages", visible);
    v.Int("ApproximateNumberOfMessagesNotVisible", in_flight);
    v.Int("ApproximateNumberOfMessagesDelayed", delayed);
    v.Int("NumberOfMessagesSent", sent);
    v.Int("NumberOfMessagesReceived", received);
    v.Int("NumberOfMessagesDeleted", deleted);
  }
};

}  // namespace wharf::api::sqs
