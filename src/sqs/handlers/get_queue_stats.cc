// GetQueueStats (Wharf's own, docs/console.md): a queue's counts and its CloudWatch counters
// (QueueMetrics, the same /metrics exports) at one instant, from which the console draws rates.
// Authorised as sqs:GetQueueAttributes.

#include "api/sqs/wharf_actions.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::GetQueueStatsOutput> GetQueueStats(SqsService& s, const RequestContext& ctx,
                                                a::GetQueueStatsInput& in) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return std::move(queue).error();
  const QueueCounters counters = (*queue)->Counters();
  const QueueMetrics& metrics = (*queue)->metrics();
  a::GetQueueStatsOutput out;
  out.timestamp = s.clock().WallMillis();
  out.visible = counters.visible;
  out.in_flight = counters.in_flight;
  out.delayed = counters.delayed;
  out.sent = static_cast<int64_t>(metrics.sent.load(std::memory_order_relaxed));
  out.received = static_cast<int64_t>(metrics.received.load(std::memory_order_relaxed));
  out.deleted = static_cast<int64_t>(metrics.deleted.load(std::memory_order_relaxed));
  return out;
}

}  // namespace wharf::sqs
