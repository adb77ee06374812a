#include "auth/policy/sqs_permissions.h"

#include <algorithm>
#include <array>

#include "common/text.h"

namespace wharf::auth {
namespace {

using enum api::Action;
using enum SqsResource;

// security.md §2.7, one row per api::Action in enum order. The IAM action names repeat
// api::ActionInfo::iam_action on purpose: this is the security table, and a unit test checks
// the two agree.
constexpr std::array<SqsPermission, api::kActionCount> kPermissions{{
    {kAddPermission, "sqs:AddPermission", kQueue, false},
    {kCancelMessageMoveTask, "sqs:CancelMessageMoveTask", kMoveTaskSource, false},
    {kChangeMessageVisibility, "sqs:ChangeMessageVisibility", kQueue, true},
    {kChangeMessageVisibilityBatch, "sqs:ChangeMessageVisibility", kQueue, true},
    {kCreateQueue, "sqs:CreateQueue", kCallerAccountQueue, false},
    {kDeleteMessage, "sqs:DeleteMessage", kQueue, true},
    {kDeleteMessageBatch, "sqs:DeleteMessage", kQueue, true},
    {kDeleteQueue, "sqs:DeleteQueue", kQueue, false},
    {kGetQueueAttributes, "sqs:GetQueueAttributes", kQueue, true},
    {kGetQueueUrl, "sqs:GetQueueUrl", kQueueByName, true},
    {kListDeadLetterSourceQueues, "sqs:ListDeadLetterSourceQueues", kQueue, true},
    {kListMessageMoveTasks, "sqs:ListMessageMoveTasks", kMoveTaskSource, false},
    {kListQueues, "sqs:ListQueues", kAll, false},
    {kListQueueTags, "sqs:ListQueueTags", kQueue, false},
    {kPurgeQueue, "sqs:PurgeQueue", kQueue, true},
    {kReceiveMessage, "sqs:ReceiveMessage", kQueue, true},
    {kRemovePermission, "sqs:RemovePermission", kQueue, false},
    {kSendMessage, "sqs:SendMessage", kQueue, true},
    {kSendMessageBatch, "sqs:SendMessage", kQueue, true},
    {kSetQueueAttributes, "sqs:SetQueueAttributes", kQueue, false},
    {kStartMessageMoveTask, "sqs:StartMessageMoveTask", kMoveTaskSource, false},
    {kTagQueue, "sqs:TagQueue", kQueue, false},
    {kUntagQueue, "sqs:UntagQueue", kQueue, false},
}};

// Wharf's own actions (api::WharfActions()), authorised as the SQS permission they are a form
// of (docs/console.md).
constexpr std::array<SqsPermission, api::kWharfActionCount> kWharfPermissions{{
    {kPeekMessages, "sqs:ReceiveMessage", kQueue, true},
    {kGetQueueStats, "sqs:GetQueueAttributes", kQueue, true},
}};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < kPermissions.size(); ++i) {
    if (static_cast<size_t>(kPermissions[i].api) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kPermissions rows must follow the api::Action enum order");

// What AddPermission shares (§2.8); everything else that SQS checks is owner-only.
constexpr std::array<std::string_view, 9> kShareable{
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
};

}  // namespace

const SqsPermission& SqsPermissionFor(api::Action action) {
  const auto i = static_cast<size_t>(action);
  if (i < kPermissions.size()) return kPermissions[i];
  for (const SqsPermission& row : kWharfPermissions) {
    if (row.api == action) return row;
  }
  // Unreachable: only SQS handlers ask, and every SQS action has a row above. Owner-only and
  // named like no SQS permission, should that ever change.
  static constexpr SqsPermission kNone{kUntagQueue, "wharf:NotAnSqsAction", kQueue, false};
  return kNone;
}

bool IsOwnerOnlySqsAction(std::string_view iam_action) {
  return std::any_of(kPermissions.begin(), kPermissions.end(), [&](const SqsPermission& row) {
    return !row.cross_account && EqualsIgnoreCase(row.iam_action, iam_action);
  });
}

bool IsLockoutExemptSqsAction(std::string_view iam_action) {
  return EqualsIgnoreCase(iam_action, "sqs:GetQueueAttributes") ||
         EqualsIgnoreCase(iam_action, "sqs:SetQueueAttributes");
}

AddPermissionAction ClassifyAddPermissionAction(std::string_view name) {
  if (std::find(kShareable.begin(), kShareable.end(), name) != kShareable.end()) {
    return AddPermissionAction::kAccepted;
  }
  for (const SqsPermission& row : kPermissions) {
    // Only names that are IAM actions count as real: "SendMessageBatch" is not one.
    if (!row.cross_account && row.iam_action.substr(4) == name) {
      return AddPermissionAction::kOwnerOnly;
    }
  }
  return AddPermissionAction::kUnknown;
}

}  // namespace wharf::auth
