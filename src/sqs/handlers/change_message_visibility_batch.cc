// ChangeMessageVisibilityBatch (sqs-api.md §2.13).

#include "sqs/handlers/batch_collector.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void ChangeMessageVisibilityBatch(SqsService& s, const RequestContext& ctx,
                                  a::ChangeMessageVisibilityBatchInput in,
                                  Reply<a::ChangeMessageVisibilityBatchOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (auto shape = ValidateBatch(IdsOf(in.entries), "ChangeMessageVisibilityBatchRequestEntry",
                                 s.limits().max_batch_entries);
      !shape.ok()) {
    return reply.Fail(std::move(shape).error());
  }
  std::vector<std::string> ids;
  for (const auto& entry : in.entries) ids.push_back(*entry.id);
  auto collector = std::make_shared<BatchCollector<a::ChangeMessageVisibilityBatchOutput>>(
      std::move(ids), reply);
  for (size_t i = 0; i < in.entries.size(); ++i) {
    const auto& entry = in.entries[i];
    if (!entry.receipt_handle || entry.receipt_handle->empty()) {
      collector->EntryDone(i)(MissingParameter("ReceiptHandle"));
      continue;
    }
    // A missing timeout fails the entry, not the batch (sqs-api.md §2.13).
    if (auto valid = ValidateVisibilityTimeout(entry.visibility_timeout, s.limits()); !valid.ok()) {
      collector->EntryDone(i)(std::move(valid));
      continue;
    }
    (*queue)->ChangeVisibility(*entry.receipt_handle, *entry.visibility_timeout,
                               collector->EntryDone(i));
  }
}

}  // namespace wharf::sqs
