#pragma once

// The action table: every action Wharf knows, with its wire name, service, IAM action name,
// batch twin and whether it targets a queue. One row per action; a unit test checks every row
// has a handler.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wharf::api {

enum class Service : uint8_t { kSqs, kIam, kSts, kKms, kSns };

enum class Action : uint8_t {
  kAddPermission,
  kCancelMessageMoveTask,
  kChangeMessageVisibility,
  kChangeMessageVisibilityBatch,
  kCreateQueue,
  kDeleteMessage,
  kDeleteMessageBatch,
  kDeleteQueue,
  kGetQueueAttributes,
  kGetQueueUrl,
  kListDeadLetterSourceQueues,
  kListMessageMoveTasks,
  kListQueues,
  kListQueueTags,
  kPurgeQueue,
  kReceiveMessage,
  kRemovePermission,
  kSendMessage,
  kSendMessageBatch,
  kSetQueueAttributes,
  kStartMessageMoveTask,
  kTagQueue,
  kUntagQueue,
  // IAM (security.md §3.3), then STS (§3.4). They follow the SQS rows so that the SQS-indexed
  // tables (kActionCount, AllActions(), auth's SqsPermissionFor) keep their meaning.
  kCreateUser,
  kGetUser,
  kListUsers,
  kDeleteUser,
  kCreateAccessKey,
  kListAccessKeys,
  kUpdateAccessKey,
  kDeleteAccessKey,
  kPutUserPolicy,
  kGetUserPolicy,
  kListUserPolicies,
  kDeleteUserPolicy,
  kCreatePolicy,
  kGetPolicy,
  kGetPolicyVersion,
  kListPolicies,
  kDeletePolicy,
  kAttachUserPolicy,
  kDetachUserPolicy,
  kListAttachedUserPolicies,
  kCreateRole,
  kGetRole,
  kListRoles,
  kDeleteRole,
  kUpdateAssumeRolePolicy,
  kPutRolePolicy,
  kGetRolePolicy,
  kListRolePolicies,
  kDeleteRolePolicy,
  kAttachRolePolicy,
  kDetachRolePolicy,
  kListAttachedRolePolicies,
  kCreateGroup,
  kGetGroup,
  kListGroups,
  kDeleteGroup,
  kAddUserToGroup,
  kRemoveUserFromGroup,
  kListGroupsForUser,
  kPutGroupPolicy,
  kGetGroupPolicy,
  kListGroupPolicies,
  kDeleteGroupPolicy,
  kAttachGroupPolicy,
  kDetachGroupPolicy,
  kListAttachedGroupPolicies,
  kGetCallerIdentity,
  kAssumeRole,
  kGetSessionToken,
  // KMS (security.md §4.4), AWS JSON 1.1 only.
  kCreateKey,
  kDescribeKey,
  kListKeys,
  kUpdateKeyDescription,
  kCreateAlias,
  kUpdateAlias,
  kDeleteAlias,
  kListAliases,
  kEncrypt,
  kDecrypt,
  kReEncrypt,
  kGenerateDataKey,
  kGenerateDataKeyWithoutPlaintext,
  kGenerateRandom,
  kEnableKey,
  kDisableKey,
  kScheduleKeyDeletion,
  kCancelKeyDeletion,
  kGetKeyPolicy,
  kPutKeyPolicy,
  kEnableKeyRotation,
  kDisableKeyRotation,
  kGetKeyRotationStatus,
  kRotateKeyOnDemand,
  kTagResource,
  kUntagResource,
  kListResourceTags,
  // SNS (sns-fanout.md §3), after the KMS rows.
  kCreateTopic,
  kDeleteTopic,
  kListTopics,
  kGetTopicAttributes,
  kSetTopicAttributes,
  kSubscribe,
  kUnsubscribe,
  kListSubscriptions,
  kListSubscriptionsByTopic,
  kGetSubscriptionAttributes,
  kSetSubscriptionAttributes,
  kPublish,
  kPublishBatch,
  kSnsTagResource,
  kSnsUntagResource,
  kListTagsForResource,
  // Wharf's own SQS actions, after the SNS rows: what the console needs and the SQS API cannot
  // do. AWS JSON 1.0 only, X-Amz-Target: Wharf.<Action> (a prefix AWS never uses), authorised
  // as the SQS permission in their row (docs/console.md).
  kPeekMessages,
  kGetQueueStats,
};
// The SQS actions: the first kActionCount rows.
inline constexpr size_t kActionCount = static_cast<size_t>(Action::kUntagQueue) + 1;
// The IAM and STS actions follow them.
inline constexpr size_t kIdentityActionCount =
    static_cast<size_t>(Action::kGetSessionToken) + 1 - kActionCount;
// Then KMS.
inline constexpr size_t kKmsActionCount =
    static_cast<size_t>(Action::kListResourceTags) + 1 - kActionCount - kIdentityActionCount;
// Then SNS.
inline constexpr size_t kSnsActionCount = static_cast<size_t>(Action::kListTagsForResource) + 1 -
                                          kActionCount - kIdentityActionCount - kKmsActionCount;
// Then Wharf's own.
inline constexpr size_t kWharfActionCount = static_cast<size_t>(Action::kGetQueueStats) + 1 -
                                            kActionCount - kIdentityActionCount - kKmsActionCount -
                                            kSnsActionCount;
// Every action of every service (HandlerTable size).
inline constexpr size_t kAllActionCount =
    kActionCount + kIdentityActionCount + kKmsActionCount + kSnsActionCount + kWharfActionCount;

struct ActionInfo {
  Action action;
  Service service;
  std::string_view name;        // wire name: Action=<name>, X-Amz-Target: AmazonSQS.<name>
  std::string_view iam_action;  // permission checked for it, e.g. "sqs:SendMessage", "iam:GetUser"
  bool targets_queue;           // input carries a QueueUrl naming the resource (SQS only)
  bool has_output;              // Query responses carry a <NameResult> element
};

const ActionInfo& InfoOf(Action action);
// The SQS rows only.
const std::array<ActionInfo, kActionCount>& AllActions();
// The IAM and STS rows.
const std::array<ActionInfo, kIdentityActionCount>& IdentityActions();
// The KMS rows.
const std::array<ActionInfo, kKmsActionCount>& KmsActions();
// The SNS rows.
const std::array<ActionInfo, kSnsActionCount>& SnsActions();
// Wharf's own SQS actions (service kSqs, but not found by FindAction: only by FindWharfAction,
// so the Query protocol and X-Amz-Target: AmazonSQS.<name> never reach them).
const std::array<ActionInfo, kWharfActionCount>& WharfActions();
std::optional<Action> FindWharfAction(std::string_view name);
// Looks up an action of `service` by its wire name (case-sensitive, as AWS is).
std::optional<Action> FindAction(Service service, std::string_view name);

}  // namespace wharf::api
