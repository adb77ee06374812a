#pragma once

// What Publish and each PublishBatch entry must satisfy (sns-fanout.md §3 Publish): the message
// (present, not empty, at most 256 KiB with its attributes, UTF-8), Subject, MessageStructure
// (json: the "sqs" or else "default" entry is what queues get), message attributes (names,
// types, values; ParameterValueInvalid) and the FIFO ids. The errors carry SNS's wording.

#include <cstdint>
#include <optional>
#include <string>

#include "api/error.h"
#include "api/sns/actions.h"
#include "sns/records.h"
#include "sns/topic_attributes.h"

namespace wharf::sns {

inline constexpr int64_t kMaxMessageBytes = 262'144;

// The members Publish and a PublishBatch entry have in common.
struct PublishFields {
  std::optional<std::string>& message;
  std::optional<std::string>& subject;
  std::optional<std::string>& message_structure;
  api::sns::MessageAttributeMap& attributes;
  std::optional<std::string>& deduplication_id;
  std::optional<std::string>& group_id;
};

template <typename T>
PublishFields PublishFieldsOf(T& in) {
  return PublishFields{in.message,
                       in.subject,
                       in.message_structure,
                       in.message_attributes,
                       in.message_deduplication_id,
                       in.message_group_id};
}

// Message bytes plus the name, type and value bytes of every attribute.
int64_t PublishedSize(const PublishFields& fields);

// Validates the fields for a topic with `settings` and fills the message part of a publication
// (message, subject, sorted attributes, group and deduplication ids; content-based ids derived).
// `fields` is consumed on success.
api::ApiResult<Publication> BuildPublication(PublishFields fields, const TopicSettings& settings);

// The MessageAttributes rules alone (exposed for tests).
api::ApiStatus ValidateMessageAttributes(api::sns::MessageAttributeMap& attributes);

}  // namespace wharf::sns
