// DeleteMessage (sqs-api.md §2.10).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void DeleteMessage(SqsService& s, const RequestContext& ctx, a::DeleteMessageInput in,
                   Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (!in.receipt_handle || in.receipt_handle->empty()) {
    return reply.Fail(MissingParameter("ReceiptHandle"));
  }
  (*queue)->Delete(*in.receipt_handle, AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
