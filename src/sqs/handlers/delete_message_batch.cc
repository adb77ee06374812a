// DeleteMessageBatch (sqs-api.md §2.11).

#include "sqs/handlers/batch_collector.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void DeleteMessageBatch(SqsService& s, const RequestContext& ctx, a::DeleteMessageBatchInput in,
                        Reply<a::DeleteMessageBatchOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (auto shape = ValidateBatch(IdsOf(in.entries), "DeleteMessageBatchRequestEntry",
                                 s.limits().max_batch_entries);
      !shape.ok()) {
    return reply.Fail(std::move(shape).error());
  }
  std::vector<std::string> ids;
  for (const auto& entry : in.entries) ids.push_back(*entry.id);
  auto collector =
      std::make_shared<BatchCollector<a::DeleteMessageBatchOutput>>(std::move(ids), reply);
  for (size_t i = 0; i < in.entries.size(); ++i) {
    const auto& handle = in.entries[i].receipt_handle;
    if (!handle || handle->empty()) {
      collector->EntryDone(i)(MissingParameter("ReceiptHandle"));
      continue;
    }
    (*queue)->Delete(*handle, collector->EntryDone(i));
  }
}

}  // namespace wharf::sqs
