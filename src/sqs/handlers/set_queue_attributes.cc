// SetQueueAttributes (sqs-api.md §2.6).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void SetQueueAttributes(SqsService& s, const RequestContext& ctx, a::SetQueueAttributesInput in,
                        Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (in.attributes.empty()) return reply.Fail(MissingParameter("Attributes"));
  const QueueIdentity& id = (*queue)->identity();
  (*queue)->SetAttributes(in.attributes, s.TypeLookup(id.arn, id.account_id),
                          AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
