// ListQueueTags (sqs-api.md §2.21).

#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::ListQueueTagsOutput> ListQueueTags(SqsService& s, const RequestContext& ctx,
                                                a::QueueUrlInput& in) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return std::move(queue).error();
  return a::ListQueueTagsOutput{(*queue)->tags()};
}

}  // namespace wharf::sqs
