// RemovePermission (sqs-api.md §2.16): removes the statement with the label from the queue's
// Policy; the attribute disappears with its last statement. Owner-only (security.md §2.7).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/queue_policy_edit.h"

namespace wharf::sqs {

void RemovePermission(SqsService& s, const RequestContext& ctx, a::RemovePermissionInput in,
                      Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (!in.label) return reply.Fail(MissingParameter("Label"));
  // Captured by value: the edit may run after this returns (QueueBackend::EditPolicy).
  (*queue)->EditPolicy(
      [label = *in.label](const std::optional<std::string>& current) {
        return RemovePermissionFrom(current, label);
      },
      AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
