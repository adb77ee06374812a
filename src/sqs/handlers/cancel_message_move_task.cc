// CancelMessageMoveTask (sqs-api.md §2.19).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void CancelMessageMoveTask(SqsService& s, const RequestContext& ctx,
                           a::CancelMessageMoveTaskInput in,
                           Reply<a::CancelMessageMoveTaskOutput> reply) {
  if (!in.task_handle || in.task_handle->empty()) {
    return reply.Fail(MissingParameter("TaskHandle"));
  }
  auto handle = DecodeTaskHandle(*in.task_handle);
  if (!handle) {
    return reply.Fail(api::Error(api::ErrorCode::kInvalidParameterValue,
                                 "Value for parameter TaskHandle is invalid."));
  }
  auto source = s.queues().FindByArn(handle->second);
  if (!source || source->identity().account_id != ctx.account_id) {
    return reply.Fail(api::Error(api::ErrorCode::kResourceNotFound,
                                 "The resource that you specified for the SourceArn parameter "
                                 "doesn't exist."));
  }
  if (auto allowed = s.Authorize(ctx, source->identity().arn, ctx.account_id, source.get());
      !allowed.ok()) {
    return reply.Fail(std::move(allowed).error());
  }
  // Shared tasks answer once the cancel (or its request to another node) is durable.
  s.move_tasks().Cancel(handle->second, handle->first, [reply](ApiResult<int64_t> moved) {
    if (!moved.ok()) return reply.Fail(std::move(moved).error());
    a::CancelMessageMoveTaskOutput out;
    out.approximate_number_of_messages_moved = *moved;
    reply.Ok(std::move(out));
  });
}

}  // namespace wharf::sqs
