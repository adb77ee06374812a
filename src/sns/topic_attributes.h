#pragma once

// Topic attributes (sns-fanout.md §3 CreateTopic, Get/SetTopicAttributes): which may be set,
// how each is validated, what they mean once parsed, and the full map GetTopicAttributes shows.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/visitor.h"
#include "auth/policy/policy_document.h"
#include "sns/records.h"

namespace wharf::sns {

// How an attribute error is worded: CreateTopic and Subscribe put the reason after
// "Invalid parameter: Attributes Reason: ", the Set…Attributes actions after
// "Invalid parameter: " (sns-fanout.md §3, RawMessageDelivery's recorded messages).
enum class AttributeCall : uint8_t { kCreate, kSet };
api::ApiError AttributeError(AttributeCall call, std::string_view reason);

// What the topic's attributes mean for publishing and authorization.
struct TopicSettings {
  bool fifo = false;
  bool content_based_deduplication = false;
  bool dedup_by_group = false;  // FifoThroughputScope=MessageGroup
  uint8_t signature_version = 1;
  // The topic's own policy; null while it has the default one, which grants the owner account
  // what its identities' policies allow and nothing to other accounts (sns-fanout.md §3).
  std::shared_ptr<const auth::PolicyDocument> policy;
};

// Validates one attribute of a topic (`fifo` or not) as CreateTopic (`kCreate`, FifoTopic
// allowed) or SetTopicAttributes sees it. Unknown names: "Invalid parameter: AttributeName".
api::ApiStatus ValidateTopicAttribute(std::string_view name, std::string_view value, bool fifo,
                                      AttributeCall call);

// The settings of a topic whose attributes were validated.
TopicSettings SettingsOf(const TopicRecord& topic);

// The value GetTopicAttributes shows for a settable attribute: as set, or its default;
// nullopt for one without a default that is not set.
std::optional<std::string> EffectiveTopicAttribute(const TopicRecord& topic, std::string_view name);

// The default topic policy, as AWS writes it (sns-fanout.md §3).
std::string DefaultTopicPolicy(std::string_view topic_arn, std::string_view owner);

struct SubscriptionCounts {
  int64_t confirmed = 0;
  int64_t pending = 0;
  int64_t deleted = 0;
};
// Every attribute GetTopicAttributes returns, sorted by name.
api::StringPairs TopicAttributesOf(const TopicRecord& topic, const SubscriptionCounts& counts);

}  // namespace wharf::sns
