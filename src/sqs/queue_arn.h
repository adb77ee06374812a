#pragma once

// Queue ARNs, as every catalog makes and reads them: arn:<partition>:sqs:<region>:<account>:<name>.

#include <optional>
#include <string>
#include <string_view>

namespace wharf::sqs {

// The partition of a region: "aws", "aws-cn", "aws-us-gov".
std::string_view PartitionOf(std::string_view region);

// The ARN of queue `account`/`name` in `region`.
std::string QueueArnOf(std::string_view region, std::string_view account, std::string_view name);

// The parts of a queue ARN (views into it); nullopt when it has not six parts or is no SQS ARN.
struct QueueArn {
  std::string_view partition;
  std::string_view region;
  std::string_view account;
  std::string_view name;
};
std::optional<QueueArn> ParseQueueArn(std::string_view arn);

// The account and name of `arn` when it names a queue in `region` (and its partition); nullopt
// for a malformed ARN or one of another region: queues live in the one region Wharf serves.
std::optional<QueueArn> ParseQueueArnIn(std::string_view region, std::string_view arn);

}  // namespace wharf::sqs
