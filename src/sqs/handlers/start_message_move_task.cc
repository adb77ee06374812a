// StartMessageMoveTask (sqs-api.md §2.18, §5.11).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {
namespace {

// The source queue once the input, the caller's permissions and the destination are checked.
ApiResult<std::shared_ptr<QueueBackend>> CheckedSource(SqsService& s, const RequestContext& ctx,
                                                       const a::StartMessageMoveTaskInput& in) {
  if (!in.source_arn || in.source_arn->empty()) return MissingParameter("SourceArn");
  if (!LooksLikeArn(*in.source_arn)) {
    return api::Error(api::ErrorCode::kInvalidParameterValue,
                      "You must use this format to specify the SourceArn: "
                      "arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
  }
  if (in.destination_arn && !LooksLikeArn(*in.destination_arn)) {
    return api::Error(api::ErrorCode::kInvalidParameterValue,
                      "You must use this format to specify the DestinationArn: "
                      "arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
  }
  const auto& rate = in.max_number_of_messages_per_second;
  if (rate && (*rate < 1 || *rate > 500)) {
    return InvalidParameterValue(std::to_string(*rate), "MaxNumberOfMessagesPerSecond",
                                 "Must be between 1 and 500.");
  }
  auto source = s.queues().FindByArn(*in.source_arn);
  if (!source || source->identity().account_id != ctx.account_id) {
    return api::Error(api::ErrorCode::kResourceNotFound,
                      "The resource that you specified for the SourceArn parameter doesn't "
                      "exist.");
  }
  // The task reads and deletes from the dead-letter queue (§2.7).
  const std::string_view source_arn = source->identity().arn;
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, source_arn, ctx.account_id, source.get()));
  for (std::string_view read :
       {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}) {
    WHARF_RETURN_IF_ERROR(s.AuthorizeAction(ctx, read, source_arn, ctx.account_id, source.get()));
  }
  if (!s.IsDeadLetterQueue(*in.source_arn, ctx.account_id)) {
    return api::Error(api::ErrorCode::kInvalidParameterValue,
                      "Source queue must be configured as a Dead Letter Queue.");
  }
  if (in.destination_arn) {
    auto destination = s.queues().FindByArn(*in.destination_arn);
    if (!destination || destination->identity().account_id != ctx.account_id) {
      return api::Error(api::ErrorCode::kResourceNotFound,
                        "The resource that you specified for the DestinationArn parameter "
                        "doesn't exist.");
    }
    if (destination->identity().fifo != source->identity().fifo) {
      return api::Error(api::ErrorCode::kInvalidParameterValue,
                        "The destination queue must be the same type as the source queue.");
    }
    WHARF_RETURN_IF_ERROR(s.AuthorizeAction(ctx, "sqs:SendMessage", destination->identity().arn,
                                            ctx.account_id, destination.get()));
  }
  return source;
}

}  // namespace

void StartMessageMoveTask(SqsService& s, const RequestContext& ctx, a::StartMessageMoveTaskInput in,
                          Reply<a::StartMessageMoveTaskOutput> reply) {
  auto source = CheckedSource(s, ctx, in);
  if (!source.ok()) return reply.Fail(std::move(source).error());
  s.move_tasks().Start(
      *source, std::move(in.destination_arn), in.max_number_of_messages_per_second,
      [reply, source_arn = *in.source_arn](ApiResult<std::string> task) {
        if (!task.ok()) return reply.Fail(std::move(task).error());
        reply.Ok(a::StartMessageMoveTaskOutput{EncodeTaskHandle(*task, source_arn)});
      });
}

}  // namespace wharf::sqs
