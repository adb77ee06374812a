#include "api/action.h"

namespace wharf::api {
namespace {

using enum Action;
constexpr Service kSqs = Service::kSqs;

// IAM action names: batch actions are authorised as their single twin (security.md §2.7).
constexpr std::array<ActionInfo, kActionCount> kActions{{
    {kAddPermission, kSqs, "AddPermission", "sqs:AddPermission", true, false},
    {kCancelMessageMoveTask, kSqs, "CancelMessageMoveTask", "sqs:CancelMessageMoveTask", false,
     true},
    {kChangeMessageVisibility, kSqs, "ChangeMessageVisibility", "sqs:ChangeMessageVisibility", true,
     false},
    {kChangeMessageVisibilityBatch, kSqs, "ChangeMessageVisibilityBatch",
     "sqs:ChangeMessageVisibility", true, true},
    {kCreateQueue, kSqs, "CreateQueue", "sqs:CreateQueue", false, true},
    {kDeleteMessage, kSqs, "DeleteMessage", "sqs:DeleteMessage", true, false},
    {kDeleteMessageBatch, kSqs, "DeleteMessageBatch", "sqs:DeleteMessage", true, true},
    {kDeleteQueue, kSqs, "DeleteQueue", "sqs:DeleteQueue", true, false},
    {kGetQueueAttributes, kSqs, "GetQueueAttributes", "sqs:GetQueueAttributes", true, true},
    {kGetQueueUrl, kSqs, "GetQueueUrl", "sqs:GetQueueUrl", false, true},
    {kListDeadLetterSourceQueues, kSqs, "ListDeadLetterSourceQueues",
     "sqs:ListDeadLetterSourceQueues", true, true},
    {kListMessageMoveTasks, kSqs, "ListMessageMoveTasks", "sqs:ListMessageMoveTasks", false, true},
    {kListQueues, kSqs, "ListQueues", "sqs:ListQueues", false, true},
    {kListQueueTags, kSqs, "ListQueueTags", "sqs:ListQueueTags", true, true},
    {kPurgeQueue, kSqs, "PurgeQueue", "sqs:PurgeQueue", true, false},
    {kReceiveMessage, kSqs, "ReceiveMessage", "sqs:ReceiveMessage", true, true},
    {kRemovePermission, kSqs, "RemovePermission", "sqs:RemovePermission", true, false},
    {kSendMessage, kSqs, "SendMessage", "sqs:SendMessage", true, true},
    {kSendMessageBatch, kSqs, "SendMessageBatch", "sqs:SendMessage", true, true},
    {kSetQueueAttributes, kSqs, "SetQueueAttributes", "sqs:SetQueueAttributes", true, false},
    {kStartMessageMoveTask, kSqs, "StartMessageMoveTask", "sqs:StartMessageMoveTask", false, true},
    {kTagQueue, kSqs, "TagQueue", "sqs:TagQueue", true, false},
    {kUntagQueue, kSqs, "UntagQueue", "sqs:UntagQueue", true, false},
}};
static_assert(kActions.size() == 23, "SQS has 23 actions (sqs-api.md §2)");

constexpr bool TableIsInEnumOrder() {
  for (size_t i = 0; i < kActions.size(); ++i) {
    if (static_cast<size_t>(kActions[i].action) != i) return false;
  }
  return true;
}
static_assert(TableIsInEnumOrder(), "kActions rows must follow the Action enum order");

}  // namespace

const ActionInfo& InfoOf(Action action) { return kActions[static_cast<size_t>(action)]; }
const std::array<ActionInfo, kActionCount>& AllActions() { return kActions; }

std::optional<Action> FindAction(Service service, std::string_view name) {
  for (const ActionInfo& info : kActions) {
    if (info.service == service && info.name == name) return info.action;
  }
  return std::nullopt;
}

}  // namespace wharf::api
