#pragma once

// SNS identifiers (sns-fanout.md §2): topic names and ARNs, subscription ARNs, the queue ARNs
// subscriptions point at, and the errors SNS gives for malformed ones.

#include <string>
#include <string_view>

#include "api/error.h"

namespace wharf::sns {

inline constexpr std::string_view kFifoSuffix = ".fifo";

// 1–256 of [A-Za-z0-9_-]; a FIFO topic's name is such a stem followed by ".fifo".
bool IsValidTopicName(std::string_view name, bool fifo);
bool HasFifoSuffix(std::string_view name);

// arn:<partition>:sns:<region>:<account>:<name>
std::string TopicArnOf(std::string_view region, std::string_view account, std::string_view name);

// The six colon-separated parts of an ARN; the resource keeps any further colons.
struct ArnParts {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;
};
// InvalidParameter "Invalid parameter: <parameter> Reason: An ARN must have at least 6
// elements, not <n>" when it has fewer parts; "Invalid parameter: <parameter>" when it does not
// start with "arn:" or a part is empty.
api::ApiResult<ArnParts> ParseArn(std::string_view arn, std::string_view parameter);

struct TopicRef {
  std::string region;
  std::string account;
  std::string name;
};
// A topic ARN: an SNS ARN whose resource is a topic name (no colon).
api::ApiResult<TopicRef> ParseTopicArn(std::string_view arn, std::string_view parameter);

struct SubscriptionRef {
  TopicRef topic;
  std::string topic_arn;
};
// <topic ARN>:<id>
api::ApiResult<SubscriptionRef> ParseSubscriptionArn(std::string_view arn);

struct QueueRef {
  std::string account;
  std::string name;
};
// arn:<partition>:sqs:<region>:<account>:<queue name>; false when it is not one.
bool ParseQueueArn(std::string_view arn, QueueRef& out);

// "Invalid parameter: <what>"
api::ApiError InvalidParameter(std::string_view what);

// ValidationError "1 validation error detected: Value null at '<member>' failed to satisfy
// constraint: Member must not be null": a required member is missing (sns-fanout.md §3).
api::ApiError MissingMember(std::string_view member);

}  // namespace wharf::sns
