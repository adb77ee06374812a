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
  PermissionGrant grant{*in.label, std::move(in.account_ids), std::move(in.actions)};
  const std::string arn = (*queue)->identity().arn;
  (*queue)->EditPolicy(
      [&grant, &arn](
          const std::optional<std::string>& current) -> api::ApiResult<std::optional<std::string>> {
        auto edited = AddPermissionTo(current, arn, grant);
        if (!edited.ok()) return std::move(edited).error();
        return std::optional<std::string>(std::move(edited).value());
      },
      AnswerEmpty(std::move(reply)));
}

}  // namespace wharf::sqs
