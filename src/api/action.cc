#include "api/action.h"

#include "api/service_name.h"

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

constexpr Service kIam = Service::kIam;
constexpr Service kSts = Service::kSts;

// IAM and STS, in enum order after the SQS rows. IAM authorises each call as iam:<Action>;
// sts:GetCallerIdentity is never checked (security.md §3.4).
constexpr std::array<ActionInfo, kIdentityActionCount> kIdentityActions{{
    {kCreateUser, kIam, "CreateUser", "iam:CreateUser", false, true},
    {kGetUser, kIam, "GetUser", "iam:GetUser", false, true},
    {kListUsers, kIam, "ListUsers", "iam:ListUsers", false, true},
    {kDeleteUser, kIam, "DeleteUser", "iam:DeleteUser", false, false},
    {kCreateAccessKey, kIam, "CreateAccessKey", "iam:CreateAccessKey", false, true},
    {kListAccessKeys, kIam, "ListAccessKeys", "iam:ListAccessKeys", false, true},
    {kUpdateAccessKey, kIam, "UpdateAccessKey", "iam:UpdateAccessKey", false, false},
    {kDeleteAccessKey, kIam, "DeleteAccessKey", "iam:DeleteAccessKey", false, false},
    {kPutUserPolicy, kIam, "PutUserPolicy", "iam:PutUserPolicy", false, false},
    {kGetUserPolicy, kIam, "GetUserPolicy", "iam:GetUserPolicy", false, true},
    {kListUserPolicies, kIam, "ListUserPolicies", "iam:ListUserPolicies", false, true},
    {kDeleteUserPolicy, kIam, "DeleteUserPolicy", "iam:DeleteUserPolicy", false, false},
    {kCreatePolicy, kIam, "CreatePolicy", "iam:CreatePolicy", false, true},
    {kGetPolicy, kIam, "GetPolicy", "iam:GetPolicy", false, true},
    {kGetPolicyVersion, kIam, "GetPolicyVersion", "iam:GetPolicyVersion", false, true},
    {kListPolicies, kIam, "ListPolicies", "iam:ListPolicies", false, true},
    {kDeletePolicy, kIam, "DeletePolicy", "iam:DeletePolicy", false, false},
    {kAttachUserPolicy, kIam, "AttachUserPolicy", "iam:AttachUserPolicy", false, false},
    {kDetachUserPolicy, kIam, "DetachUserPolicy", "iam:DetachUserPolicy", false, false},
    {kListAttachedUserPolicies, kIam, "ListAttachedUserPolicies", "iam:ListAttachedUserPolicies",
     false, true},
    {kCreateRole, kIam, "CreateRole", "iam:CreateRole", false, true},
    {kGetRole, kIam, "GetRole", "iam:GetRole", false, true},
    {kListRoles, kIam, "ListRoles", "iam:ListRoles", false, true},
    {kDeleteRole, kIam, "DeleteRole", "iam:DeleteRole", false, false},
    {kUpdateAssumeRolePolicy, kIam, "UpdateAssumeRolePolicy", "iam:UpdateAssumeRolePolicy", false,
     false},
    {kPutRolePolicy, kIam, "PutRolePolicy", "iam:PutRolePolicy", false, false},
    {kGetRolePolicy, kIam, "GetRolePolicy", "iam:GetRolePolicy", false, true},
    {kListRolePolicies, kIam, "ListRolePolicies", "iam:ListRolePolicies", false, true},
    {kDeleteRolePolicy, kIam, "DeleteRolePolicy", "iam:DeleteRolePolicy", false, false},
    {kAttachRolePolicy, kIam, "AttachRolePolicy", "iam:AttachRolePolicy", false, false},
    {kDetachRolePolicy, kIam, "DetachRolePolicy", "iam:DetachRolePolicy", false, false},
    {kListAttachedRolePolicies, kIam, "ListAttachedRolePolicies", "iam:ListAttachedRolePolicies",
     false, true},
    {kCreateGroup, kIam, "CreateGroup", "iam:CreateGroup", false, true},
    {kGetGroup, kIam, "GetGroup", "iam:GetGroup", false, true},
    {kListGroups, kIam, "ListGroups", "iam:ListGroups", false, true},
    {kDeleteGroup, kIam, "DeleteGroup", "iam:DeleteGroup", false, false},
    {kAddUserToGroup, kIam, "AddUserToGroup", "iam:AddUserToGroup", false, false},
    {kRemoveUserFromGroup, kIam, "RemoveUserFromGroup", "iam:RemoveUserFromGroup", false, false},
    {kListGroupsForUser, kIam, "ListGroupsForUser", "iam:ListGroupsForUser", false, true},
    {kPutGroupPolicy, kIam, "PutGroupPolicy", "iam:PutGroupPolicy", false, false},
    {kGetGroupPolicy, kIam, "GetGroupPolicy", "iam:GetGroupPolicy", false, true},
    {kListGroupPolicies, kIam, "ListGroupPolicies", "iam:ListGroupPolicies", false, true},
    {kDeleteGroupPolicy, kIam, "DeleteGroupPolicy", "iam:DeleteGroupPolicy", false, false},
    {kAttachGroupPolicy, kIam, "AttachGroupPolicy", "iam:AttachGroupPolicy", false, false},
    {kDetachGroupPolicy, kIam, "DetachGroupPolicy", "iam:DetachGroupPolicy", false, false},
    {kListAttachedGroupPolicies, kIam, "ListAttachedGroupPolicies", "iam:ListAttachedGroupPolicies",
     false, true},
    {kGetCallerIdentity, kSts, "GetCallerIdentity", "sts:GetCallerIdentity", false, true},
    {kAssumeRole, kSts, "AssumeRole", "sts:AssumeRole", false, true},
    {kGetSessionToken, kSts, "GetSessionToken", "sts:GetSessionToken", false, true},
}};

constexpr Service kKms = Service::kKms;

// KMS authorises each call as kms:<Action> (ReEncrypt checks kms:ReEncryptFrom on the source key
// and kms:ReEncryptTo on the destination). JSON only, so `has_output` only matters to Query.
constexpr std::array<ActionInfo, kKmsActionCount> kKmsActions{{
    {kCreateKey, kKms, "CreateKey", "kms:CreateKey", false, true},
    {kDescribeKey, kKms, "DescribeKey", "kms:DescribeKey", false, true},
    {kListKeys, kKms, "ListKeys", "kms:ListKeys", false, true},
    {kUpdateKeyDescription, kKms, "UpdateKeyDescription", "kms:UpdateKeyDescription", false, false},
    {kCreateAlias, kKms, "CreateAlias", "kms:CreateAlias", false, false},
    {kUpdateAlias, kKms, "UpdateAlias", "kms:UpdateAlias", false, false},
    {kDeleteAlias, kKms, "DeleteAlias", "kms:DeleteAlias", false, false},
    {kListAliases, kKms, "ListAliases", "kms:ListAliases", false, true},
    {kEncrypt, kKms, "Encrypt", "kms:Encrypt", false, true},
    {kDecrypt, kKms, "Decrypt", "kms:Decrypt", false, true},
    {kReEncrypt, kKms, "ReEncrypt", "kms:ReEncryptFrom", false, true},
    {kGenerateDataKey, kKms, "GenerateDataKey", "kms:GenerateDataKey", false, true},
    {kGenerateDataKeyWithoutPlaintext, kKms, "GenerateDataKeyWithoutPlaintext",
     "kms:GenerateDataKeyWithoutPlaintext", false, true},
    {kGenerateRandom, kKms, "GenerateRandom", "kms:GenerateRandom", false, true},
    {kEnableKey, kKms, "EnableKey", "kms:EnableKey", false, false},
    {kDisableKey, kKms, "DisableKey", "kms:DisableKey", false, false},
    {kScheduleKeyDeletion, kKms, "ScheduleKeyDeletion", "kms:ScheduleKeyDeletion", false, true},
    {kCancelKeyDeletion, kKms, "CancelKeyDeletion", "kms:CancelKeyDeletion", false, true},
    {kGetKeyPolicy, kKms, "GetKeyPolicy", "kms:GetKeyPolicy", false, true},
    {kPutKeyPolicy, kKms, "PutKeyPolicy", "kms:PutKeyPolicy", false, false},
    {kEnableKeyRotation, kKms, "EnableKeyRotation", "kms:EnableKeyRotation", false, false},
    {kDisableKeyRotation, kKms, "DisableKeyRotation", "kms:DisableKeyRotation", false, false},
    {kGetKeyRotationStatus, kKms, "GetKeyRotationStatus", "kms:GetKeyRotationStatus", false, true},
    {kRotateKeyOnDemand, kKms, "RotateKeyOnDemand", "kms:RotateKeyOnDemand", false, true},
    {kTagResource, kKms, "TagResource", "kms:TagResource", false, false},
    {kUntagResource, kKms, "UntagResource", "kms:UntagResource", false, false},
    {kListResourceTags, kKms, "ListResourceTags", "kms:ListResourceTags", false, true},
}};

constexpr Service kSns = Service::kSns;

// SNS (sns-fanout.md §3), in enum order after the KMS rows. PublishBatch is authorised as
// sns:Publish: there is no separate batch permission.
constexpr std::array<ActionInfo, kSnsActionCount> kSnsActions{{
    {kCreateTopic, kSns, "CreateTopic", "sns:CreateTopic", false, true},
    {kDeleteTopic, kSns, "DeleteTopic", "sns:DeleteTopic", false, false},
    {kListTopics, kSns, "ListTopics", "sns:ListTopics", false, true},
    {kGetTopicAttributes, kSns, "GetTopicAttributes", "sns:GetTopicAttributes", false, true},
    {kSetTopicAttributes, kSns, "SetTopicAttributes", "sns:SetTopicAttributes", false, false},
    {kSubscribe, kSns, "Subscribe", "sns:Subscribe", false, true},
    {kUnsubscribe, kSns, "Unsubscribe", "sns:Unsubscribe", false, false},
    {kListSubscriptions, kSns, "ListSubscriptions", "sns:ListSubscriptions", false, true},
    {kListSubscriptionsByTopic, kSns, "ListSubscriptionsByTopic", "sns:ListSubscriptionsByTopic",
     false, true},
    {kGetSubscriptionAttributes, kSns, "GetSubscriptionAttributes", "sns:GetSubscriptionAttributes",
     false, true},
    {kSetSubscriptionAttributes, kSns, "SetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
     false, false},
    {kPublish, kSns, "Publish", "sns:Publish", false, true},
    {kPublishBatch, kSns, "PublishBatch", "sns:Publish", false, true},
    {kSnsTagResource, kSns, "TagResource", "sns:TagResource", false, true},
    {kSnsUntagResource, kSns, "UntagResource", "sns:UntagResource", false, true},
    {kListTagsForResource, kSns, "ListTagsForResource", "sns:ListTagsForResource", false, true},
}};

// Wharf's own, served to signed JSON 1.0 requests only. Each is authorised as an existing SQS
// permission on the queue, so no policy needs a new action name: peeking is reading messages
// (sqs:ReceiveMessage), the counters are queue attributes (sqs:GetQueueAttributes).
constexpr std::array<ActionInfo, kWharfActionCount> kWharfActions{{
    {kPeekMessages, kSqs, "PeekMessages", "sqs:ReceiveMessage", true, true},
    {kGetQueueStats, kSqs, "GetQueueStats", "sqs:GetQueueAttributes", true, true},
}};

template <size_t N>
constexpr bool TableIsInEnumOrder(const std::array<ActionInfo, N>& table, size_t first) {
  for (size_t i = 0; i < table.size(); ++i) {
    if (static_cast<size_t>(table[i].action) != first + i) return false;
  }
  return true;
}
static_assert(TableIsInEnumOrder(kActions, 0), "kActions rows must follow the Action enum order");
static_assert(TableIsInEnumOrder(kIdentityActions, kActionCount),
              "kIdentityActions rows must follow the Action enum order");
static_assert(TableIsInEnumOrder(kKmsActions, kActionCount + kIdentityActionCount),
              "kKmsActions rows must follow the Action enum order");
static_assert(TableIsInEnumOrder(kSnsActions,
                                 kActionCount + kIdentityActionCount + kKmsActionCount),
              "kSnsActions rows must follow the Action enum order");
static_assert(TableIsInEnumOrder(kWharfActions, kActionCount + kIdentityActionCount +
                                                    kKmsActionCount + kSnsActionCount),
              "kWharfActions rows must follow the Action enum order");

}  // namespace

const ActionInfo& InfoOf(Action action) {
  const auto i = static_cast<size_t>(action);
  if (i < kActionCount) return kActions[i];
  if (i < kActionCount + kIdentityActionCount) return kIdentityActions[i - kActionCount];
  if (i < kActionCount + kIdentityActionCount + kKmsActionCount) {
    return kKmsActions[i - kActionCount - kIdentityActionCount];
  }
  if (i < kActionCount + kIdentityActionCount + kKmsActionCount + kSnsActionCount) {
    return kSnsActions[i - kActionCount - kIdentityActionCount - kKmsActionCount];
  }
  return kWharfActions[i - kActionCount - kIdentityActionCount - kKmsActionCount - kSnsActionCount];
}
const std::array<ActionInfo, kActionCount>& AllActions() { return kActions; }
const std::array<ActionInfo, kIdentityActionCount>& IdentityActions() { return kIdentityActions; }
const std::array<ActionInfo, kKmsActionCount>& KmsActions() { return kKmsActions; }
const std::array<ActionInfo, kSnsActionCount>& SnsActions() { return kSnsActions; }
const std::array<ActionInfo, kWharfActionCount>& WharfActions() { return kWharfActions; }

std::optional<Action> FindWharfAction(std::string_view name) {
  for (const ActionInfo& info : kWharfActions) {
    if (info.name == name) return info.action;
  }
  return std::nullopt;
}

std::optional<Action> FindAction(Service service, std::string_view name) {
  const auto find = [&](const auto& table) -> std::optional<Action> {
    for (const ActionInfo& info : table) {
      if (info.service == service && info.name == name) return info.action;
    }
    return std::nullopt;
  };
  if (service == Service::kSqs) return find(kActions);
  if (service == Service::kKms) return find(kKmsActions);
  if (service == Service::kSns) return find(kSnsActions);
  return find(kIdentityActions);
}

std::string_view ServiceName(Service service) {
  switch (service) {
    case Service::kSqs:
      return "sqs";
    case Service::kIam:
      return "iam";
    case Service::kSts:
      return "sts";
    case Service::kKms:
      return "kms";
    case Service::kSns:
      return "sns";
  }
  return "sqs";
}

}  // namespace wharf::api
