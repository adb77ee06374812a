#include "sqs/pg/dead_letter_target.h"

#include <string>

#include "sqs/handlers/common.h"  // InvalidParameterValue
#include "sqs/pg/pg_backend.h"
#include "sqs/queue_arn.h"

namespace wharf::sqs::pg {

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
