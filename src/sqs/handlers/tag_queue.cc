// TagQueue (sqs-api.md §2.22).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void TagQueue(SqsService& s, const RequestContext& ctx, a::TagQueueInput in,
              Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (in.tags.empty()) return reply.Fail(MissingParameter("Tags"));
  if (auto valid = ValidateTags(in.tags); !valid.ok()) return reply.Fail(std::move(valid).error());
  // Count the tags the queue would have afterwards: existing keys are overwritten.
  api::StringPairs current = (*queue)->tags();
  size_t total = current.size();
  for (const auto& [key, value] : in.tags) {
    bool exists = false;
    for (const auto& t : current) exists = exists || t.first == key;
    if (!exists) ++total;
  }
  if (static_cast<int64_t>(total) > s.limits().max_tags) {
    return reply.Fail(
        api::Error(api::ErrorCode::kInvalidParameterValue,
                   "Too many tags added for queue " + (*queue)->identity().name + "."));
  }
  (*queue)->Tag(in.tags, AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
