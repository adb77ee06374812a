// GetQueueStats (Wharf's own, docs/console.md): a queue's counts and cumulative activity at one
// instant, from which the console draws rates. Authorised as sqs:GetQueueAttributes.

#include "api/sqs/wharf_actions.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::GetQueueStatsOutput> GetQueueStats(SqsService& s, const RequestContext& ctx,
                                                a::GetQueueStatsInput& in) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return std::move(queue).error();
  const QueueCounters counters = (*queue)->Counters();
  const QueueActivity activity = (*queue)->Activity();
  a::GetQueueStatsOutput out;
  out.timestamp = s.clock().WallMillis();
  out.visible = counters.visible;
  out.in_flight = counters.in_flight;
  out.delayed = counters.delayed;
  out.sent = static_cast<int64_t>(activity.sent);
  out.received = static_cast<int64_t>(activity.received);
  out.deleted = static_cast<int64_t>(activity.deleted);
  return out;
}

}  // namespace wharf::sqs
