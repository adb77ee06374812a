#include "sns/subscription_attributes.h"

#include <simdjson.h>

#include <algorithm>
#include <array>

#include "sns/identifiers.h"
#include "sns/subscription_filter.h"

namespace wharf::sns {
namespace {

// Settable on sqs subscriptions. DeliveryPolicy, SubscriptionRoleArn and ReplayPolicy play no
// part in SQS delivery; they are kept and shown as set (sns-fanout.md §3).
constexpr std::array<std::string_view, 7> kSettable = {
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",  "RawMessageDelivery",
    "RedrivePolicy",  "ReplayPolicy", "SubscriptionRoleArn"};

using api::Find;

// deadLetterTargetArn of a RedrivePolicy; nullopt when the policy is not a JSON object with a
// string member of that name.
std::optional<std::string> DeadLetterTarget(std::string_view policy) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(policy);
  simdjson::dom::object root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string_view arn;
  if (root["deadLetterTargetArn"].get(arn) != simdjson::SUCCESS) return std::nullopt;
  return std::string(arn);
}

}  // namespace

api::ApiStatus ValidateSubscriptionAttribute(std::string_view name, std::string_view value,
                                             bool fifo, const api::StringPairs& attributes,
                                             AttributeCall call) {
  if (std::find(kSettable.begin(), kSettable.end(), name) == kSettable.end()) {
    return api::Error(api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: AttributeName");
  }
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false") {
      return AttributeError(call, "RawMessageDelivery: Invalid value [" + std::string(value) +
                                      "]. Must be true or false.");
    }
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return AttributeError(call, "FilterPolicyScope: Invalid value [" + std::string(value) +
                                      "]. Please use either MessageBody or MessageAttributes");
    }
  } else if (name == "RedrivePolicy") {
    std::optional<std::string> target = DeadLetterTarget(value);
    QueueRef queue;
    if (!target || !ParseQueueArn(*target, queue)) {
      return AttributeError(call, "RedrivePolicy: deadLetterTargetArn is an invalid arn");
    }
    if (fifo && !HasFifoSuffix(queue.name)) {
      return AttributeError(
          call,
          "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.");
    }
  }
  if (name == "FilterPolicy" || name == "FilterPolicyScope") {
    // The policy is judged for its scope, so a new scope re-checks the current policy.
    api::StringPairs with = attributes;
    std::erase_if(with, [name](const auto& p) { return p.first == name; });
    with.emplace_back(std::string(name), std::string(value));
    auto filter = SubscriptionFilter::Of(with);
    if (!filter.ok()) return AttributeError(call, filter.error());
  }
  return {};
}

SubscriptionSettings SubscriptionSettingsOf(const SubscriptionRecord& subscription) {
  SubscriptionSettings s;
  if (const std::string* raw = Find(subscription.attributes, "RawMessageDelivery")) {
    s.raw = *raw == "true";
  }
  if (const std::string* redrive = Find(subscription.attributes, "RedrivePolicy")) {
    s.dead_letter_arn = DeadLetterTarget(*redrive);
  }
  return s;
}

api::StringPairs SubscriptionAttributesOf(const SubscriptionRecord& s) {
  api::StringPairs out = s.attributes;
  if (!Find(out, "RawMessageDelivery")) out.emplace_back("RawMessageDelivery", "false");
  if (Find(out, "FilterPolicy") && !Find(out, "FilterPolicyScope")) {
    out.emplace_back("FilterPolicyScope", "MessageAttributes");
  }
  out.emplace_back("ConfirmationWasAuthenticated", "true");
  out.emplace_back("Endpoint", s.endpoint);
  out.emplace_back("Owner", s.owner);
  out.emplace_back("PendingConfirmation", "false");
  out.emplace_back("Protocol", s.protocol);
  out.emplace_back("SubscriptionArn", s.arn);
  out.emplace_back("SubscriptionPrincipal", s.principal);
  out.emplace_back("TopicArn", s.topic_arn);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace wharf::sns
