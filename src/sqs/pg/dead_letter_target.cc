#include "sqs/pg/dead_letter_target.h"

#include <string>

#include "sqs/handlers/common.h"  // InvalidParameterValue
#include "sqs/pg/pg_backend.h"

namespace wharf::sqs::pg {

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

api::ApiResult<int64_t> ResolveDeadLetterQueue(storage::pg::PgQueueOps& ops,
                                               const RedrivePolicy& policy,
                                               const api::StringPairs& attributes,
                                               bool source_fifo) {
  // The reasons ApplyAttributes gives (queue_config.cc, ParseRedrivePolicy).
  auto refused = [&](std::string_view reason) {
    for (const auto& [attr, value] : attributes) {
      if (attr == "RedrivePolicy") return InvalidParameterValue(value, attr, reason);
    }
    return InvalidParameterValue(SerializeRedrivePolicy(policy), "RedrivePolicy", reason);
  };
  auto arn = ParseQueueArn(policy.dead_letter_target_arn);
  if (!arn) return refused("Dead letter target does not exist.");
  auto row = ops.GetQueue(std::string(arn->account), std::string(arn->name));
  if (!row.ok()) return FromPgError("resolve_dead_letter_queue", row.error());
  if (!row->has_value()) return refused("Dead letter target does not exist.");
  if ((*row)->config.fifo != source_fifo) {
    return refused("Dead-letter queue must be same type of queue as the source.");
  }
  return (*row)->queue_id;
}

}  // namespace wharf::sqs::pg
