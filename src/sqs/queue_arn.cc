#include "sqs/queue_arn.h"

namespace wharf::sqs {

std::string_view PartitionOf(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

std::string QueueArnOf(std::string_view region, std::string_view account, std::string_view name) {
  std::string arn = "arn:";
  arn.append(PartitionOf(region));
  arn.append(":sqs:");
  arn.append(region);
  arn.push_back(':');
  arn.append(account);
  arn.push_back(':');
  arn.append(name);
  return arn;
}

std::optional<QueueArn> ParseQueueArn(std::string_view arn) {
  std::string_view parts[6];
  size_t start = 0;
  for (int i = 0; i < 6; ++i) {
    size_t colon = i < 5 ? arn.find(':', start) : std::string_view::npos;
    if (i < 5 && colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[2] != "sqs") return std::nullopt;
  return QueueArn{parts[1], parts[3], parts[4], parts[5]};
}

std::optional<QueueArn> ParseQueueArnIn(std::string_view region, std::string_view arn) {
  auto parsed = ParseQueueArn(arn);
  if (!parsed || parsed->partition != PartitionOf(region) || parsed->region != region) {
    return std::nullopt;
  }
  return parsed;
}

}  // namespace wharf::sqs
