// CancelMessageMoveTask (sqs-api.md §2.19).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::CancelMessageMoveTaskOutput> CancelMessageMoveTask(SqsService& s,
                                                                const RequestContext& ctx,
                                                                a::CancelMessageMoveTaskInput& in) {
  if (!in.task_handle || in.task_handle->empty()) return MissingParameter("TaskHandle");
  auto handle = DecodeTaskHandle(*in.task_handle);
  if (!handle) {
    return api::Error(api::ErrorCode::kInvalidParameterValue,
                      "Value for parameter TaskHandle is invalid.");
  }
  auto source = s.queues().FindByArn(handle->second);
  if (!source || source->identity().account_id != ctx.account_id) {
    return api::Error(api::ErrorCode::kResourceNotFound,
                      "The resource that you specified for the SourceArn parameter doesn't "
                      "exist.");
  }
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, source->identity().arn, ctx.account_id, source.get()));
  auto moved = s.move_tasks().Cancel(handle->second, handle->first);
  if (!moved.ok()) return std::move(moved).error();
  a::CancelMessageMoveTaskOutput out;
  out.approximate_number_of_messages_moved = *moved;
  return out;
}

}  // namespace wharf::sqs
