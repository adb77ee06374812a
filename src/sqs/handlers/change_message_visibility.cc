// ChangeMessageVisibility (sqs-api.md §2.12, §5.4).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void ChangeMessageVisibility(SqsService& s, const RequestContext& ctx,
                             a::ChangeMessageVisibilityInput in, Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (!in.receipt_handle || in.receipt_handle->empty()) {
    return reply.Fail(MissingParameter("ReceiptHandle"));
  }
  if (auto valid = ValidateVisibilityTimeout(in.visibility_timeout, s.limits()); !valid.ok()) {
    return reply.Fail(std::move(valid).error());
  }
  (*queue)->ChangeVisibility(*in.receipt_handle, *in.visibility_timeout,
                             AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
