#include "sns/identifiers.h"

#include <algorithm>

#include "sqs/queue_arn.h"

namespace wharf::sns {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsAccountId(std::string_view account) {
  return account.size() == 12 &&
         std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

api::ApiError InvalidParameter(std::string_view what) {
  return api::Error(api::ErrorCode::kSnsInvalidParameter,
                    "Invalid parameter: " + std::string(what));
}

api::ApiError MissingMember(std::string_view member) {
  return api::Error(api::ErrorCode::kValidationError,
                    "1 validation error detected: Value null at '" + std::string(member) +
                        "' failed to satisfy constraint: Member must not be null");
}

bool HasFifoSuffix(std::string_view name) {
  return name.size() >= kFifoSuffix.size() &&
         name.substr(name.size() - kFifoSuffix.size()) == kFifoSuffix;
}

bool IsValidTopicName(std::string_view name, bool fifo) {
  if (fifo) {
    if (!HasFifoSuffix(name)) return false;
    name.remove_suffix(kFifoSuffix.size());
  }
  return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), IsNameChar);
}

std::string TopicArnOf(std::string_view region, std::string_view account, std::string_view name) {
  std::string arn = "arn:";
  arn.append(sqs::PartitionOf(region));
  arn.append(":sns:");
  arn.append(region);
  arn.push_back(':');
  arn.append(account);
  arn.push_back(':');
  arn.append(name);
  return arn;
}

api::ApiResult<ArnParts> ParseArn(std::string_view arn, std::string_view parameter) {
  std::string_view parts[6];
  size_t count = 0;
  size_t start = 0;
  while (count < 6) {
    const size_t colon = count < 5 ? arn.find(':', start) : std::string_view::npos;
    parts[count++] = arn.substr(start, colon == std::string_view::npos ? arn.npos : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (count < 6) {
    return InvalidParameter(std::string(parameter) +
                            " Reason: An ARN must have at least 6 elements, not " +
                            std::to_string(count));
  }
  if (parts[0] != "arn" ||
      std::any_of(parts + 1, parts + 6, [](std::string_view p) { return p.empty(); })) {
    return InvalidParameter(parameter);
  }
  return ArnParts{parts[1], parts[2], parts[3], parts[4], parts[5]};
}

api::ApiResult<TopicRef> ParseTopicArn(std::string_view arn, std::string_view parameter) {
  WHARF_ASSIGN_OR_RETURN(const ArnParts parts, ParseArn(arn, parameter));
  if (parts.service != "sns" || parts.resource.find(':') != std::string_view::npos) {
    return InvalidParameter(parameter);
  }
  return TopicRef{std::string(parts.region), std::string(parts.account),
                  std::string(parts.resource)};
}

api::ApiResult<SubscriptionRef> ParseSubscriptionArn(std::string_view arn) {
  constexpr std::string_view kParameter = "SubscriptionArn";
  WHARF_ASSIGN_OR_RETURN(const ArnParts parts, ParseArn(arn, kParameter));
  const size_t colon = parts.resource.rfind(':');
  if (parts.service != "sns" || colon == std::string_view::npos || colon == 0 ||
      colon + 1 == parts.resource.size()) {
    return InvalidParameter(kParameter);
  }
  SubscriptionRef ref;
  ref.topic = TopicRef{std::string(parts.region), std::string(parts.account),
                       std::string(parts.resource.substr(0, colon))};
  ref.topic_arn = std::string(arn.substr(0, arn.size() - (parts.resource.size() - colon)));
  return ref;
}

bool ParseQueueArn(std::string_view arn, QueueRef& out) {
  auto parts = ParseArn(arn, "Endpoint");
  if (!parts.ok() || parts->service != "sqs" || !IsAccountId(parts->account) ||
      parts->resource.find(':') != std::string_view::npos) {
    return false;
  }
  out.account = std::string(parts->account);
  out.name = std::string(parts->resource);
  return true;
}

}  // namespace wharf::sns
