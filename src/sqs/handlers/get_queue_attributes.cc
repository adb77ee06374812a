// GetQueueAttributes (sqs-api.md §2.5).

#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::GetQueueAttributesOutput> GetQueueAttributes(SqsService& s, const RequestContext& ctx,
                                                          a::GetQueueAttributesInput& in) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return std::move(queue).error();
  QueueCounters counters = (*queue)->Counters();
  auto attributes =
      RenderAttributes((*queue)->config(), counters, (*queue)->identity().arn, in.attribute_names);
  if (!attributes.ok()) return std::move(attributes).error();
  return a::GetQueueAttributesOutput{std::move(attributes).value()};
}

}  // namespace wharf::sqs
