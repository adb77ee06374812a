// GetQueueUrl (sqs-api.md §2.2).

#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::QueueUrlOutput> GetQueueUrl(SqsService& s, const RequestContext& ctx,
                                         a::GetQueueUrlInput& in) {
  if (!in.queue_name || in.queue_name->empty()) return MissingParameter("QueueName");
  const std::string& account = in.queue_owner_account_id && !in.queue_owner_account_id->empty()
                                   ? *in.queue_owner_account_id
                                   : ctx.account_id;
  // Another account's queue is reachable when its policy grants sqs:GetQueueUrl (§2.7).
  auto queue = s.ResolveQueueByName(ctx, account, *in.queue_name);
  if (!queue.ok()) return std::move(queue).error();
  return a::QueueUrlOutput{s.QueueUrlOf(ctx, **queue)};
}

}  // namespace wharf::sqs
