#pragma once

// SNS state as plain records: what the topic store keeps per topic and subscription, and what
// the outbox keeps per published message until every delivery is done. Each is a keyed object
// in the store (record_codec.h; docs/storage-format.md).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/sns/actions.h"
#include "api/visitor.h"

namespace wharf::sns {

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct TopicRecord {
  std::string account_id;
  std::string name;
  std::string arn;
  bool fifo = false;  // fixed at creation
  // The settable attributes as set (DisplayName, Policy, SignatureVersion, …; topic_attributes.h),
  // sorted by name. Absent ones have their defaults.
  api::StringPairs attributes;
  std::vector<Tag> tags;  // in the order given
  int64_t created_ms = 0;
};

struct SubscriptionRecord {
  std::string arn;        // <topic ARN>:<uuid>
  std::string topic_arn;  // the topic it belongs to
  std::string owner;      // account of the caller who subscribed
  std::string principal;  // ARN of that caller (SubscriptionPrincipal)
  std::string protocol;   // "sqs"
  std::string endpoint;   // the queue ARN
  // The settable attributes as set (RawMessageDelivery, FilterPolicy, RedrivePolicy, …;
  // subscription_attributes.h), sorted by name.
  api::StringPairs attributes;
  int64_t created_ms = 0;
};

// One published message, durable from before Publish is acknowledged until it has been
// delivered (or dead-lettered) to every subscription it was published to.
struct Publication {
  uint64_t sequence = 0;  // publish order over the whole server; FIFO SequenceNumber
  std::string topic_arn;
  std::string topic_account;
  bool fifo = false;
  std::string message_id;
  int64_t timestamp_ms = 0;
  std::optional<std::string> subject;
  std::string message;  // for SQS subscriptions: the "sqs" (else "default") entry of a JSON
                        // structure, or the message as published
  api::sns::MessageAttributeMap attributes;  // sorted by name
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;  // FIFO: as given or derived from the body
  bool dedup_by_group = false;                  // FIFO: the topic deduplicates per message group
  // Where the topic's SNS endpoint is (UnsubscribeURL, SigningCertURL): scheme://host[:port].
  std::string endpoint;
  uint8_t signature_version = 1;  // the topic's SignatureVersion at publish time
  // The subscriptions it goes to: those of the topic when it was published.
  std::vector<std::string> subscription_arns;
};

}  // namespace wharf::sns
