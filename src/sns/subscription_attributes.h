#pragma once

// Subscription attributes of `sqs` subscriptions (sns-fanout.md §3 Subscribe and
// Get/SetSubscriptionAttributes): validation, what they mean, and what GetSubscriptionAttributes
// shows. The filter policy itself is judged by subscription_filter.h.

#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/visitor.h"
#include "sns/records.h"
#include "sns/topic_attributes.h"

namespace wharf::sns {

// What a subscription's attributes mean for delivery.
struct SubscriptionSettings {
  bool raw = false;                            // RawMessageDelivery
  std::optional<std::string> dead_letter_arn;  // RedrivePolicy.deadLetterTargetArn
};

// Validates one attribute as Subscribe (`kCreate`) or SetSubscriptionAttributes sees it, for a
// subscription of a FIFO topic to a FIFO queue or not (`fifo`: the DLQ must be FIFO too).
// `attributes` are the subscription's others (the filter policy is checked with its scope).
api::ApiStatus ValidateSubscriptionAttribute(std::string_view name, std::string_view value,
                                             bool fifo, const api::StringPairs& attributes,
                                             AttributeCall call);

SubscriptionSettings SubscriptionSettingsOf(const SubscriptionRecord& subscription);

// Every attribute GetSubscriptionAttributes returns, sorted by name.
api::StringPairs SubscriptionAttributesOf(const SubscriptionRecord& subscription);

}  // namespace wharf::sns
