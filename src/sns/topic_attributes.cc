#include "sns/topic_attributes.h"

#include <algorithm>
#include <array>

#include "common/text.h"

namespace wharf::sns {
namespace {

// Topic policies may be up to 30 KiB (AWS SNS quotas).
constexpr auth::PolicyLimits kTopicPolicyLimits{.max_size = 30 * 1024};

constexpr std::string_view kEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
    R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
    R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
    R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

// Settable on every topic, then on FIFO topics only.
constexpr std::array<std::string_view, 7> kCommon = {
    "ArchivePolicy", "DeliveryPolicy",   "DisplayName",  "KmsMasterKeyId",
    "Policy",        "SignatureVersion", "TracingConfig"};
constexpr std::array<std::string_view, 2> kFifoOnly = {"ContentBasedDeduplication",
                                                       "FifoThroughputScope"};

bool Contains(const auto& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

using api::Find;

std::string InvalidValue(std::string_view name, std::string_view value, std::string_view rule) {
  std::string reason(name);
  reason.append(": Invalid value [");
  reason.append(value);
  reason.append("]. ");
  reason.append(rule);
  return reason;
}

}  // namespace

api::ApiError AttributeError(AttributeCall call, std::string_view reason) {
  std::string message = call == AttributeCall::kCreate ? "Invalid parameter: Attributes Reason: "
                                                       : "Invalid parameter: ";
  message.append(reason);
  return api::Error(api::ErrorCode::kSnsInvalidParameter, std::move(message));
}

api::ApiStatus ValidateTopicAttribute(std::string_view name, std::string_view value, bool fifo,
                                      AttributeCall call) {
  if (name == "FifoTopic" && call == AttributeCall::kCreate) {
    if (value != "true" && value != "false") {
      return AttributeError(call, InvalidValue(name, value, "Must be true or false."));
    }
    return {};
  }
  const bool known = Contains(kCommon, name) || Contains(kFifoOnly, name);
  if (!known) {
    return api::Error(api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: AttributeName");
  }
  if (Contains(kFifoOnly, name) && !fifo) {
    return AttributeError(call, std::string(name) + ": can only be set for FIFO topics");
  }
  if (name == "Policy") {
    auto parsed = auth::ParsePolicyDocument(value, auth::PolicyKind::kResource, kTopicPolicyLimits);
    if (!parsed.ok()) return AttributeError(call, "Policy Error: " + parsed.error().message);
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") {
      return AttributeError(call, InvalidValue(name, value, "Must be 1 or 2."));
    }
  } else if (name == "TracingConfig") {
    if (value != "PassThrough" && value != "Active") {
      return AttributeError(call,
                            InvalidValue(name, value, "Please use either PassThrough or Active"));
    }
  } else if (name == "ContentBasedDeduplication") {
    if (value != "true" && value != "false") {
      return AttributeError(call, InvalidValue(name, value, "Must be true or false."));
    }
  } else if (name == "FifoThroughputScope") {
    if (value != "Topic" && value != "MessageGroup") {
      return AttributeError(call,
                            InvalidValue(name, value, "Please use either Topic or MessageGroup"));
    }
  } else if (name == "DisplayName" && CodePointCount(value) > 100) {
    return AttributeError(call, "DisplayName: must be at most 100 characters");
  }
  return {};
}

TopicSettings SettingsOf(const TopicRecord& topic) {
  TopicSettings s;
  s.fifo = topic.fifo;
  if (const std::string* v = Find(topic.attributes, "ContentBasedDeduplication")) {
    s.content_based_deduplication = *v == "true";
  }
  if (const std::string* v = Find(topic.attributes, "FifoThroughputScope")) {
    s.dedup_by_group = *v == "MessageGroup";
  }
  if (const std::string* v = Find(topic.attributes, "SignatureVersion")) {
    s.signature_version = *v == "2" ? 2 : 1;
  }
  const std::string* policy = Find(topic.attributes, "Policy");
  if (policy && *policy != DefaultTopicPolicy(topic.arn, topic.account_id)) {
    auto parsed =
        auth::ParsePolicyDocument(*policy, auth::PolicyKind::kResource, kTopicPolicyLimits);
    // Validated when set; a policy that no longer parses (a stricter parser after an upgrade)
    // grants nothing rather than everything.
    s.policy = parsed.ok() ? std::make_shared<const auth::PolicyDocument>(std::move(parsed).value())
                           : std::make_shared<const auth::PolicyDocument>();
  }
  return s;
}

std::optional<std::string> EffectiveTopicAttribute(const TopicRecord& topic,
                                                   std::string_view name) {
  if (const std::string* v = Find(topic.attributes, name)) return *v;
  if (name == "DisplayName") return std::string();
  if (name == "SignatureVersion") return std::string("1");
  if (name == "Policy") return DefaultTopicPolicy(topic.arn, topic.account_id);
  if (topic.fifo && name == "ContentBasedDeduplication") return std::string("false");
  if (topic.fifo && name == "FifoThroughputScope") return std::string("Topic");
  if (name == "FifoTopic") return topic.fifo ? std::optional<std::string>("true") : std::nullopt;
  return std::nullopt;
}

std::string DefaultTopicPolicy(std::string_view topic_arn, std::string_view owner) {
  std::string p = R"({"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":)"
                  R"("__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":[)"
                  R"("SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",)"
                  R"("SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe",)"
                  R"("SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":")";
  p.append(topic_arn);
  p.append(R"(","Condition":{"StringEquals":{"AWS:SourceOwner":")");
  p.append(owner);
  p.append(R"("}}}]})");
  return p;
}

api::StringPairs TopicAttributesOf(const TopicRecord& topic, const SubscriptionCounts& counts) {
  api::StringPairs out;
  for (std::string_view name : kCommon) {
    if (auto v = EffectiveTopicAttribute(topic, name)) out.emplace_back(name, std::move(*v));
  }
  if (topic.fifo) {
    for (std::string_view name : kFifoOnly) {
      if (auto v = EffectiveTopicAttribute(topic, name)) out.emplace_back(name, std::move(*v));
    }
    out.emplace_back("FifoTopic", "true");
  }
  out.emplace_back("EffectiveDeliveryPolicy", kEffectiveDeliveryPolicy);
  out.emplace_back("Owner", topic.account_id);
  out.emplace_back("SubscriptionsConfirmed", std::to_string(counts.confirmed));
  out.emplace_back("SubscriptionsDeleted", std::to_string(counts.deleted));
  out.emplace_back("SubscriptionsPending", std::to_string(counts.pending));
  out.emplace_back("TopicArn", topic.arn);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace wharf::sns
