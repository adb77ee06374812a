// UntagQueue (sqs-api.md §2.23). Unknown keys are ignored.

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void UntagQueue(SqsService& s, const RequestContext& ctx, a::UntagQueueInput in,
                Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (in.tag_keys.empty()) return reply.Fail(MissingParameter("TagKeys"));
  (*queue)->Untag(in.tag_keys, AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
