// AddPermission (sqs-api.md §2.15): a statement granting accounts actions on the queue, added
// to its Policy. Owner-only (security.md §2.7).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/queue_policy_edit.h"

namespace wharf::sqs {

void AddPermission(SqsService& s, const RequestContext& ctx, a::AddPermissionInput in,
                   Reply<a::Empty> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (!in.label) return reply.Fail(MissingParameter("Label"));
  // Captured by value: the edit may run after this returns (QueueBackend::EditPolicy).
  (*queue)->EditPolicy(
      [label = *in.label, accounts = std::move(in.account_ids), actions = std::move(in.actions),
       arn = (*queue)->identity().arn](
          const std::optional<std::string>& current) -> api::ApiResult<std::optional<std::string>> {
        auto edited = AddPermissionTo(current, arn, PermissionGrant{label, accounts, actions});
        if (!edited.ok()) return std::move(edited).error();
        return std::optional<std::string>(std::move(edited).value());
      },
      AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
