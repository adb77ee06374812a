#pragma once

// One handler per SQS action, each in its own file with the same shape: validate the typed
// input, call the engine, build the typed output. Synchronous handlers return their output;
// asynchronous ones answer through Reply once the engine (and the store) are done.

#include "api/handler_table.h"
#include "api/sqs/actions.h"
#include "api/sqs/wharf_actions.h"
#include "sqs/service.h"

namespace wharf::sqs {

namespace a = api::sqs;
using api::ApiResult;
using api::Reply;
using api::RequestContext;

void CreateQueue(SqsService& s, const RequestContext& ctx, a::CreateQueueInput in,
                 Reply<a::QueueUrlOutput> reply);
ApiResult<a::QueueUrlOutput> GetQueueUrl(SqsService& s, const RequestContext& ctx,
                                         a::GetQueueUrlInput& in);
ApiResult<a::ListQueuesOutput> ListQueues(SqsService& s, const RequestContext& ctx,
                                          a::ListQueuesInput& in);
void DeleteQueue(SqsService& s, const RequestContext& ctx, a::QueueUrlInput in,
                 Reply<a::Empty> reply);
ApiResult<a::GetQueueAttributesOutput> GetQueueAttributes(SqsService& s, const RequestContext& ctx,
                                                          a::GetQueueAttributesInput& in);
void SetQueueAttributes(SqsService& s, const RequestContext& ctx, a::SetQueueAttributesInput in,
                        Reply<a::Empty> reply);
void PurgeQueue(SqsService& s, const RequestContext& ctx, a::QueueUrlInput in,
                Reply<a::Empty> reply);
void AddPermission(SqsService& s, const RequestContext& ctx, a::AddPermissionInput in,
                   Reply<a::Empty> reply);
void RemovePermission(SqsService& s, const RequestContext& ctx, a::RemovePermissionInput in,
                      Reply<a::Empty> reply);
void TagQueue(SqsService& s, const RequestContext& ctx, a::TagQueueInput in, Reply<a::Empty> reply);
void UntagQueue(SqsService& s, const RequestContext& ctx, a::UntagQueueInput in,
                Reply<a::Empty> reply);
ApiResult<a::ListQueueTagsOutput> ListQueueTags(SqsService& s, const RequestContext& ctx,
                                                a::QueueUrlInput& in);
ApiResult<a::ListDeadLetterSourceQueuesOutput> ListDeadLetterSourceQueues(
    SqsService& s, const RequestContext& ctx, a::ListDeadLetterSourceQueuesInput& in);

// Asynchronous: with shared tasks the answer waits for leases and durable writes.
void StartMessageMoveTask(SqsService& s, const RequestContext& ctx, a::StartMessageMoveTaskInput in,
                          Reply<a::StartMessageMoveTaskOutput> reply);
void CancelMessageMoveTask(SqsService& s, const RequestContext& ctx,
                           a::CancelMessageMoveTaskInput in,
                           Reply<a::CancelMessageMoveTaskOutput> reply);
ApiResult<a::ListMessageMoveTasksOutput> ListMessageMoveTasks(SqsService& s,
                                                              const RequestContext& ctx,
                                                              a::ListMessageMoveTasksInput& in);

void SendMessage(SqsService& s, const RequestContext& ctx, a::SendMessageInput in,
                 Reply<a::SendMessageOutput> reply);
void SendMessageBatch(SqsService& s, const RequestContext& ctx, a::SendMessageBatchInput in,
                      Reply<a::SendMessageBatchOutput> reply);
void ReceiveMessage(SqsService& s, const RequestContext& ctx, a::ReceiveMessageInput in,
                    Reply<a::ReceiveMessageOutput> reply);
void DeleteMessage(SqsService& s, const RequestContext& ctx, a::DeleteMessageInput in,
                   Reply<a::Empty> reply);
void DeleteMessageBatch(SqsService& s, const RequestContext& ctx, a::DeleteMessageBatchInput in,
                        Reply<a::DeleteMessageBatchOutput> reply);
void ChangeMessageVisibility(SqsService& s, const RequestContext& ctx,
                             a::ChangeMessageVisibilityInput in, Reply<a::Empty> reply);
void ChangeMessageVisibilityBatch(SqsService& s, const RequestContext& ctx,
                                  a::ChangeMessageVisibilityBatchInput in,
                                  Reply<a::ChangeMessageVisibilityBatchOutput> reply);

// Wharf's own (api::WharfActions(), docs/console.md).
void PeekMessages(SqsService& s, const RequestContext& ctx, a::PeekMessagesInput in,
                  Reply<a::PeekMessagesOutput> reply);
ApiResult<a::GetQueueStatsOutput> GetQueueStats(SqsService& s, const RequestContext& ctx,
                                                a::GetQueueStatsInput& in);

}  // namespace wharf::sqs
