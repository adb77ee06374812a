#include "sqs/engine/queue_config.h"

#include <simdjson.h>

#include <array>

#include "common/text.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;

api::ApiError UnknownAttribute(std::string_view name) {
  return api::Error(ErrorCode::kInvalidAttributeName,
                    "Unknown Attribute " + std::string(name) + ".");
}

api::ApiError InvalidValue(std::string_view name) {
  return api::Error(ErrorCode::kInvalidAttributeValue,
                    "Invalid value for the parameter " + std::string(name) + ".");
}

api::ApiError InvalidValue(std::string_view name, std::string_view reason) {
  return api::Error(
      ErrorCode::kInvalidAttributeValue,
      "Invalid value for the parameter " + std::string(name) + ". Reason: " + std::string(reason));
}

}  // namespace

api::ApiResult<std::shared_ptr<const auth::PolicyDocument>> ParseQueuePolicy(
    std::string_view text) {
  auto parsed =
      auth::ParsePolicyDocument(text, auth::PolicyKind::kResource, auth::kSqsQueuePolicyLimits);
  // SQS does not say what is wrong with a policy (security.md §2.8).
  if (!parsed.ok()) return InvalidValue("Policy");
  return std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
}

namespace {

std::optional<bool> ParseBool(std::string_view value) {
  if (EqualsIgnoreCase(value, "true")) return true;
  if (EqualsIgnoreCase(value, "false")) return false;
  return std::nullopt;
}

api::ApiStatus ParseRange(std::string_view name, std::string_view value, int64_t min, int64_t max,
                          int64_t& out) {
  auto n = ParseInt64(value);
  if (!n || *n < min || *n > max) return InvalidValue(name);
  out = *n;
  return {};
}

api::ApiError RedriveError(std::string_view policy, std::string_view reason) {
  return api::Error(ErrorCode::kInvalidParameterValue,
                    "Value " + std::string(policy) +
                        " for parameter RedrivePolicy is invalid. Reason: " + std::string(reason));
}

api::ApiResult<RedrivePolicy> ParseRedrivePolicy(std::string_view text, bool source_is_fifo,
                                                 const QueueTypeLookup& lookup) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return RedriveError(text, "Redrive policy is not a valid JSON map.");
  }
  simdjson::dom::element arn, count;
  if (root["deadLetterTargetArn"].get(arn) != simdjson::SUCCESS) {
    return RedriveError(text,
                        "Redrive policy does not contain mandatory attribute: "
                        "deadLetterTargetArn.");
  }
  if (root["maxReceiveCount"].get(count) != simdjson::SUCCESS) {
    return RedriveError(text,
                        "Redrive policy does not contain mandatory attribute: "
                        "maxReceiveCount.");
  }
  RedrivePolicy policy;
  if (arn.type() != simdjson::dom::element_type::STRING) {
    return RedriveError(text, "Invalid value for deadLetterTargetArn.");
  }
  policy.dead_letter_target_arn = std::string(std::string_view(arn));
  std::optional<int64_t> n;
  std::string count_text;
  if (count.type() == simdjson::dom::element_type::INT64) {
    n = int64_t(count);
    count_text = std::to_string(*n);
  } else if (count.type() == simdjson::dom::element_type::STRING) {
    count_text = std::string(std::string_view(count));
    n = ParseInt64(count_text);
  } else {
    count_text = simdjson::to_string(count);
  }
  if (!n || *n < 1 || *n > 1000) {
    return RedriveError(text, "Invalid value for maxReceiveCount: " + count_text +
                                  ", valid values are from 1 to 1000 both inclusive.");
  }
  policy.max_receive_count = *n;
  std::optional<DeadLetterTarget> target =
      lookup ? lookup(policy.dead_letter_target_arn) : std::nullopt;
  if (!target) return RedriveError(text, "Dead letter target does not exist.");
  if (target->fifo != source_is_fifo) {
    return RedriveError(text, "Dead-letter queue must be same type of queue as the source.");
  }
  if (!target->allows_source) {
    return RedriveError(text,
                        "The dead-letter queue's RedriveAllowPolicy does not allow this queue as "
                        "a source.");
  }
  return policy;
}

api::ApiStatus ValidateRedriveAllowPolicy(std::string_view text) {
  auto error = [&](std::string_view reason) {
    return api::Error(
        ErrorCode::kInvalidParameterValue,
        "Value " + std::string(text) +
            " for parameter RedriveAllowPolicy is invalid. Reason: " + std::string(reason));
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return error("Amazon SQS can't parse the redrive allow policy.");
  }
  std::string_view permission;
  if (root["redrivePermission"].get(permission) != simdjson::SUCCESS) {
    return error("Redrive allow policy does not contain mandatory attribute: redrivePermission.");
  }
  if (permission != "allowAll" && permission != "denyAll" && permission != "byQueue") {
    return error("Invalid value for redrivePermission.");
  }
  simdjson::dom::array sources;
  bool has_sources = root["sourceQueueArns"].get(sources) == simdjson::SUCCESS;
  if (permission == "byQueue") {
    if (!has_sources || sources.size() == 0) {
      return error("sourceQueueArns must be specified when redrivePermission is byQueue.");
    }
    if (sources.size() > 10) return error("Maximum of 10 sourceQueueArns allowed.");
  } else if (has_sources) {
    return error("sourceQueueArns is only allowed when redrivePermission is byQueue.");
  }
  return {};
}

}  // namespace

bool RedriveAllows(std::string_view redrive_allow_policy, std::string_view source_arn) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(redrive_allow_policy.data(), redrive_allow_policy.size()).get(root) !=
      simdjson::SUCCESS) {
    return true;  // validated when set; an unreadable policy cannot exist
  }
  std::string_view permission;
  if (root["redrivePermission"].get(permission) != simdjson::SUCCESS) return true;
  if (permission == "allowAll") return true;
  if (permission == "denyAll") return false;
  simdjson::dom::array sources;
  if (root["sourceQueueArns"].get(sources) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element arn : sources) {
    std::string_view value;
    if (arn.get(value) == simdjson::SUCCESS && value == source_arn) return true;
  }
  return false;
}

namespace {

bool IsFifoOnly(std::string_view name) {
  return name == "FifoQueue" || name == "ContentBasedDeduplication" ||
         name == "DeduplicationScope" || name == "FifoThroughputLimit";
}

constexpr std::array<std::string_view, 6> kReadOnly = {
    "QueueArn",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
};

// Applies one attribute to `c`. Called on a scratch copy; errors abandon the copy.
api::ApiStatus ApplyOne(QueueConfig& c, std::string_view name, std::string_view value,
                        AttributeMode mode, const Limits& limits, const QueueTypeLookup& lookup) {
  if (name == "DelaySeconds") {
    return ParseRange(name, value, 0, limits.max_delay_seconds, c.delay_seconds);
  }
  if (name == "MaximumMessageSize") {
    return ParseRange(name, value, limits.min_message_size, limits.max_message_size,
                      c.maximum_message_size);
  }
  if (name == "MessageRetentionPeriod") {
    return ParseRange(name, value, limits.min_retention_seconds, limits.max_retention_seconds,
                      c.message_retention_period);
  }
  if (name == "ReceiveMessageWaitTimeSeconds") {
    return ParseRange(name, value, 0, limits.max_wait_time_seconds,
                      c.receive_message_wait_time_seconds);
  }
  if (name == "VisibilityTimeout") {
    return ParseRange(name, value, 0, limits.max_visibility_timeout, c.visibility_timeout);
  }
  if (name == "Policy") {
    if (value.empty()) {  // removes the policy (§2.8)
      c.policy.reset();
      c.policy_document.reset();
      return {};
    }
    auto document = ParseQueuePolicy(value);
    if (!document.ok()) return std::move(document).error();
    c.policy = std::string(value);
    c.policy_document = std::move(document).value();
    return {};
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) {
      c.redrive_policy.reset();
      return {};
    }
    auto policy = ParseRedrivePolicy(value, c.fifo, lookup);
    if (!policy.ok()) return std::move(policy).error();
    c.redrive_policy = std::move(policy).value();
    return {};
  }
  if (name == "RedriveAllowPolicy") {
    if (value.empty()) {
      c.redrive_allow_policy.reset();
      return {};
    }
    WHARF_RETURN_IF_ERROR(ValidateRedriveAllowPolicy(value));
    c.redrive_allow_policy = std::string(value);
    return {};
  }
  if (name == "KmsMasterKeyId") {
    // Not validated here: AWS accepts any key id and reports a bad one at send/receive time
    // (security.md §4.1). "" turns SSE-KMS off and leaves the queue unencrypted: it does not
    // fall back to SSE-SQS (SqsManagedSseEnabled stays false).
    if (value.empty()) {
      c.kms_master_key_id.reset();
    } else {
      c.kms_master_key_id = std::string(value);
      c.sqs_managed_sse_enabled = false;
    }
    return {};
  }
  if (name == "KmsDataKeyReusePeriodSeconds") {
    return ParseRange(name, value, 60, 86'400, c.kms_data_key_reuse_period_seconds);
  }
  if (name == "SqsManagedSseEnabled") {
    auto b = ParseBool(value);
    if (!b) return InvalidValue(name);
    c.sqs_managed_sse_enabled = *b;
    if (*b) c.kms_master_key_id.reset();
    return {};
  }
  if (IsFifoOnly(name) && !c.fifo) {
    if (name == "DeduplicationScope" || name == "FifoThroughputLimit") {
      return api::Error(
          ErrorCode::kInvalidAttributeName,
          "You can specify the " + std::string(name) + " only when FifoQueue is set to true.");
    }
    return UnknownAttribute(name);
  }
  if (name == "FifoQueue") {
    auto b = ParseBool(value);
    if (!b) return InvalidValue(name);
    if (!*b) return InvalidValue(name, "Modifying queue type is not supported.");
    (void)mode;
    return {};
  }
  if (name == "ContentBasedDeduplication") {
    auto b = ParseBool(value);
    if (!b) return InvalidValue(name);
    c.content_based_deduplication = *b;
    return {};
  }
  if (name == "DeduplicationScope") {
    if (value != "queue" && value != "messageGroup") return InvalidValue(name);
    c.deduplication_scope = std::string(value);
    return {};
  }
  if (name == "FifoThroughputLimit") {
    if (value != "perQueue" && value != "perMessageGroupId") return InvalidValue(name);
    c.fifo_throughput_limit = std::string(value);
    return {};
  }
  return UnknownAttribute(name);
}

std::string Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string SerializeRedrivePolicy(const RedrivePolicy& policy) {
  return R"({"deadLetterTargetArn":")" + policy.dead_letter_target_arn + R"(","maxReceiveCount":)" +
         std::to_string(policy.max_receive_count) + "}";
}

api::ApiStatus ApplyAttributes(QueueConfig& config, const api::StringPairs& attributes,
                               AttributeMode mode, const Limits& limits,
                               const QueueTypeLookup& lookup) {
  QueueConfig scratch = config;
  bool kms_given = false;
  bool sse_sqs_true_given = false;
  for (const auto& [name, value] : attributes) {
    if (name == "KmsMasterKeyId" && !value.empty()) kms_given = true;
    if (name == "SqsManagedSseEnabled" && EqualsIgnoreCase(value, "true"))
      sse_sqs_true_given = true;
  }
  if (kms_given && sse_sqs_true_given) {
    return api::Error(ErrorCode::kInvalidAttributeName,
                      "You can use one type of server-side encryption (SSE) at one time. You can "
                      "either enable KMS SSE or SQS SSE.");
  }
  for (const auto& [name, value] : attributes) {
    for (std::string_view ro : kReadOnly) {
      if (name == ro) return UnknownAttribute(name);
    }
  }
  for (const auto& [name, value] : attributes) {
    WHARF_RETURN_IF_ERROR(ApplyOne(scratch, name, value, mode, limits, lookup));
  }
  if (scratch.fifo && scratch.fifo_throughput_limit == "perMessageGroupId" &&
      scratch.deduplication_scope != "messageGroup") {
    return InvalidValue("FifoThroughputLimit",
                        "The perMessageGroupId value is allowed only when the value for "
                        "DeduplicationScope is messageGroup.");
  }
  config = std::move(scratch);
  return {};
}

std::optional<std::string> ReportedValue(const QueueConfig& c, std::string_view name) {
  if (name == "DelaySeconds") return std::to_string(c.delay_seconds);
  if (name == "MaximumMessageSize") return std::to_string(c.maximum_message_size);
  if (name == "MessageRetentionPeriod") return std::to_string(c.message_retention_period);
  if (name == "ReceiveMessageWaitTimeSeconds") {
    return std::to_string(c.receive_message_wait_time_seconds);
  }
  if (name == "VisibilityTimeout") return std::to_string(c.visibility_timeout);
  if (name == "Policy") return c.policy;
  if (name == "RedrivePolicy") {
    if (!c.redrive_policy) return std::nullopt;
    return SerializeRedrivePolicy(*c.redrive_policy);
  }
  if (name == "RedriveAllowPolicy") return c.redrive_allow_policy;
  if (name == "KmsMasterKeyId") return c.kms_master_key_id;
  if (name == "KmsDataKeyReusePeriodSeconds") {
    // Reported only while SSE-KMS is configured, like KmsMasterKeyId (security.md §4.1).
    if (!c.kms_master_key_id) return std::nullopt;
    return std::to_string(c.kms_data_key_reuse_period_seconds);
  }
  if (name == "SqsManagedSseEnabled") return Bool(c.sqs_managed_sse_enabled);
  if (name == "CreatedTimestamp") return std::to_string(c.created_timestamp);
  if (name == "LastModifiedTimestamp") return std::to_string(c.last_modified_timestamp);
  if (!c.fifo) return std::nullopt;
  if (name == "FifoQueue") return Bool(true);
  if (name == "ContentBasedDeduplication") return Bool(c.content_based_deduplication);
  if (name == "DeduplicationScope") return c.deduplication_scope;
  if (name == "FifoThroughputLimit") return c.fifo_throughput_limit;
  return std::nullopt;
}

bool AttributeMatches(const QueueConfig& config, std::string_view name, std::string_view given) {
  if (name == "FifoQueue") {
    auto b = ParseBool(given);
    return b && *b == config.fifo;
  }
  QueueConfig scratch = config;
  Limits limits;
  // The DLQ's existence was checked when the policy was set; compare the values only.
  QueueTypeLookup any = [&](std::string_view) {
    return std::optional<DeadLetterTarget>(DeadLetterTarget{config.fifo, true});
  };
  api::StringPairs one{{std::string(name), std::string(given)}};
  if (!ApplyAttributes(scratch, one, AttributeMode::kSet, limits, any).ok()) return false;
  return ReportedValue(scratch, name) == ReportedValue(config, name) &&
         scratch.sqs_managed_sse_enabled == config.sqs_managed_sse_enabled;
}

api::ApiResult<api::StringPairs> RenderAttributes(const QueueConfig& c,
                                                  const QueueCounters& counters,
                                                  std::string_view queue_arn,
                                                  const std::vector<std::string>& names) {
  // The order AWS lists them in for "All".
  static constexpr std::array<std::string_view, 21> kAll = {
      "QueueArn",
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed",
      "CreatedTimestamp",
      "LastModifiedTimestamp",
      "VisibilityTimeout",
      "MaximumMessageSize",
      "MessageRetentionPeriod",
      "DelaySeconds",
      "ReceiveMessageWaitTimeSeconds",
      "Policy",
      "RedrivePolicy",
      "RedriveAllowPolicy",
      "KmsMasterKeyId",
      "KmsDataKeyReusePeriodSeconds",
      "SqsManagedSseEnabled",
      "FifoQueue",
      "ContentBasedDeduplication",
      "DeduplicationScope",
      "FifoThroughputLimit",
  };
  std::array<bool, kAll.size()> wanted{};
  for (const std::string& name : names) {
    if (name == "All") {
      wanted.fill(true);
      continue;
    }
    bool known = false;
    for (size_t i = 0; i < kAll.size(); ++i) {
      if (kAll[i] == name) {
        wanted[i] = true;
        known = true;
      }
    }
    if (!known) return UnknownAttribute(name);
  }
  api::StringPairs out;
  for (size_t i = 0; i < kAll.size(); ++i) {
    if (!wanted[i]) continue;
    std::string_view name = kAll[i];
    std::optional<std::string> value;
    if (name == "QueueArn") {
      value = std::string(queue_arn);
    } else if (name == "ApproximateNumberOfMessages") {
      value = std::to_string(counters.visible);
    } else if (name == "ApproximateNumberOfMessagesNotVisible") {
      value = std::to_string(counters.in_flight);
    } else if (name == "ApproximateNumberOfMessagesDelayed") {
      value = std::to_string(counters.delayed);
    } else {
      value = ReportedValue(c, name);
    }
    if (value) out.emplace_back(std::string(name), std::move(*value));
  }
  return out;
}

}  // namespace wharf::sqs
