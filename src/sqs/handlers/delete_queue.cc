// DeleteQueue (sqs-api.md §2.4).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void DeleteQueue(SqsService& s, const RequestContext& ctx, a::QueueUrlInput in,
                 Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  s.queues().Remove(*queue);
  std::vector<storage::Record> records;
  if (s.store().durable()) {
    records.push_back({storage::RecordType::kQueueDelete, (*queue)->identity().id, 0, {}});
  }
  if (records.empty()) return reply.Ok({});
  s.store().Commit(std::move(records), [reply](storage::StorageStatus status) {
    if (status.ok()) {
      reply.Ok({});
    } else {
      reply.Fail(FromStorageError(status.error()));
    }
  });
}

}  // namespace wharf::sqs
