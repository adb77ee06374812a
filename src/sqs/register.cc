#include "sqs/register.h"

#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void RegisterHandlers(api::HandlerTable<SqsService>& table) {
  using api::Action;
  table.Add<&CreateQueue>(Action::kCreateQueue);
  table.Add<&GetQueueUrl>(Action::kGetQueueUrl);
  table.Add<&ListQueues>(Action::kListQueues);
  table.Add<&DeleteQueue>(Action::kDeleteQueue);
  table.Add<&GetQueueAttributes>(Action::kGetQueueAttributes);
  table.Add<&SetQueueAttributes>(Action::kSetQueueAttributes);
  table.Add<&PurgeQueue>(Action::kPurgeQueue);
  table.Add<&AddPermission>(Action::kAddPermission);
  table.Add<&RemovePermission>(Action::kRemovePermission);
  table.Add<&TagQueue>(Action::kTagQueue);
  table.Add<&UntagQueue>(Action::kUntagQueue);
  table.Add<&ListQueueTags>(Action::kListQueueTags);
  table.Add<&ListDeadLetterSourceQueues>(Action::kListDeadLetterSourceQueues);
  table.Add<&StartMessageMoveTask>(Action::kStartMessageMoveTask);
  table.Add<&CancelMessageMoveTask>(Action::kCancelMessageMoveTask);
  table.Add<&ListMessageMoveTasks>(Action::kListMessageMoveTasks);
  table.Add<&SendMessage>(Action::kSendMessage);
  table.Add<&SendMessageBatch>(Action::kSendMessageBatch);
  table.Add<&ReceiveMessage>(Action::kReceiveMessage);
  table.Add<&DeleteMessage>(Action::kDeleteMessage);
  table.Add<&DeleteMessageBatch>(Action::kDeleteMessageBatch);
  table.Add<&ChangeMessageVisibility>(Action::kChangeMessageVisibility);
  table.Add<&ChangeMessageVisibilityBatch>(Action::kChangeMessageVisibilityBatch);
  // Wharf's own (docs/console.md).
  table.Add<&PeekMessages>(Action::kPeekMessages);
  table.Add<&GetQueueStats>(Action::kGetQueueStats);
}

}  // namespace wharf::sqs
