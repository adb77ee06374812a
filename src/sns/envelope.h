#pragma once

// The JSON document SNS puts in an SQS message when delivery is not raw (sns-fanout.md §4.1),
// and the string its signature covers (§4.3). Keys in AWS's order; optional keys are left out,
// never written as null:
//   Type, MessageId, [SequenceNumber], TopicArn, [Subject], Message, Timestamp,
//   [SignatureVersion, Signature, SigningCertURL], UnsubscribeURL, [MessageAttributes]
// Strings are escaped as JSON requires and no more: non-ASCII text stays UTF-8, "/" stays "/".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/sns/actions.h"

namespace wharf::sns {

struct Envelope {
  std::string type = "Notification";
  std::string message_id;
  std::optional<std::string> sequence_number;  // FIFO topics
  std::string topic_arn;
  std::optional<std::string> subject;
  std::string message;
  std::string timestamp;                         // FormatTimestamp
  std::optional<std::string> signature_version;  // "1"/"2"; absent for FIFO topics
  std::optional<std::string> signature;          // base64
  std::optional<std::string> signing_cert_url;
  std::string unsubscribe_url;
  const api::sns::MessageAttributeMap* attributes = nullptr;  // null or empty: no key
};

// "2025-01-15T12:00:00.123Z"
std::string FormatTimestamp(int64_t millis_since_epoch);

// What the signature covers for a Notification: "<name>\n<value>\n" for Message, MessageId,
// Subject (only when present), Timestamp, TopicArn, Type, in that order (§4.3).
std::string StringToSign(const Envelope& envelope);

std::string EncodeEnvelope(const Envelope& envelope);

// Appends `text` as a JSON string literal (with quotes).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace wharf::sns
