#pragma once

// A RedrivePolicy's deadLetterTargetArn as the queue row needs it: the dead-letter queue's
// queue_id (the row's dlq_id column, which the receive statements redrive by), read when the
// policy is stored (CreateQueue, SetQueueAttributes).

#include <cstdint>
#include <optional>
#include <string_view>

#include "api/error.h"
#include "api/visitor.h"
#include "sqs/engine/queue_config.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

// The queue_id of the queue `policy` names, for a source queue of type `source_fifo`. The
// request's check (ApplyAttributes with the service's lookup) saw that queue; when it is gone by
// now, or was recreated as the other type, the answer is the error that check gives, quoting the
// RedrivePolicy of `attributes` (the request's, as the client sent it; the policy's serialized
// form when it has none). A failed read is FromPgError's.
api::ApiResult<int64_t> ResolveDeadLetterQueue(storage::pg::PgQueueOps& ops,
                                               const RedrivePolicy& policy,
                                               const api::StringPairs& attributes,
                                               bool source_fifo);

}  // namespace wharf::sqs::pg
