// DeleteQueue (sqs-api.md §2.4).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void DeleteQueue(SqsService& s, const RequestContext& ctx, a::QueueUrlInput in,
                 Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  s.queues().Remove(*queue, AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
