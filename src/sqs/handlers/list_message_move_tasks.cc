// ListMessageMoveTasks (sqs-api.md §2.20).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::ListMessageMoveTasksOutput> ListMessageMoveTasks(SqsService& s,
                                                              const RequestContext& ctx,
                                                              a::ListMessageMoveTasksInput& in) {
  if (!in.source_arn || in.source_arn->empty()) return MissingParameter("SourceArn");
  if (!LooksLikeArn(*in.source_arn)) {
    return api::Error(api::ErrorCode::kInvalidParameterValue,
                      "You must use this format to specify the SourceArn: "
                      "arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
  }
  if (in.max_results && (*in.max_results < 1 || *in.max_results > 10)) {
    return InvalidParameterValue(std::to_string(*in.max_results), "MaxResults",
                                 "Must be between 1 and 10.");
  }
  auto source = s.queues().FindByArn(*in.source_arn);
  if (!source || source->identity().account_id != ctx.account_id) {
    return api::Error(api::ErrorCode::kResourceNotFound,
                      "The resource that you specified for the SourceArn parameter doesn't "
                      "exist.");
  }
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, source->identity().arn, ctx.account_id, source.get()));
  a::ListMessageMoveTasksOutput out;
  for (const MoveTaskInfo& task :
       s.move_tasks().List(*in.source_arn, static_cast<size_t>(in.max_results.value_or(1)))) {
    a::ListMessageMoveTasksResultEntry entry;
    // The handle is only shown while the task can still be cancelled (§2.20).
    if (task.status == "RUNNING")
      entry.task_handle = EncodeTaskHandle(task.task_id, task.source_arn);
    entry.status = task.status;
    entry.source_arn = task.source_arn;
    entry.destination_arn = task.destination_arn;
    entry.max_number_of_messages_per_second = task.max_per_second;
    entry.approximate_number_of_messages_moved = task.moved;
    entry.approximate_number_of_messages_to_move = task.to_move;
    entry.failure_reason = task.failure_reason;
    entry.started_timestamp = task.started_millis;
    out.results.push_back(std::move(entry));
  }
  return out;
}

}  // namespace wharf::sqs
