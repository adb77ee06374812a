#pragma once

// SQS's permission facts (security.md §2.7, §2.8): which IAM action each API checks and on
// what resource, the owner-only actions that no queue policy can open to another account, and
// the action names AddPermission accepts.

#include <cstdint>
#include <string_view>

#include "api/action.h"

namespace wharf::auth {

// The resource an SQS API is authorised against (§2.7).
enum class SqsResource : uint8_t {
  kQueue,               // the target queue's ARN
  kQueueByName,         // GetQueueUrl: QueueOwnerAWSAccountId (default: caller) + QueueName
  kCallerAccountQueue,  // CreateQueue: arn:aws:sqs:<region>:<caller account>:<QueueName>
  kAll,                 // ListQueues: "*"
  kMoveTaskSource,      // move tasks: the source dead-letter queue's ARN
};

struct SqsPermission {
  api::Action api;
  // The one IAM action checked: batch APIs check their single twin (`sqs:SendMessage` for
  // SendMessageBatch); `sqs:SendMessageBatch` is not an IAM action.
  std::string_view iam_action;
  SqsResource resource;
  bool cross_account;  // false: owner-only, denied to other accounts whatever the queue policy
};

const SqsPermission& SqsPermissionFor(api::Action action);

// True for the owner-only IAM actions of §2.7 (`sqs:SetQueueAttributes`, `sqs:TagQueue`, …),
// compared case-insensitively as IAM actions are.
bool IsOwnerOnlySqsAction(std::string_view iam_action);

// The actions for which the owner's root ignores a Deny in its own queue's policy, so that a
// deny-everything policy can still be read and replaced (security.md §2.6 [rec]).
bool IsLockoutExemptSqsAction(std::string_view iam_action);

enum class AddPermissionAction : uint8_t {
  kAccepted,   // `*` or an action that can be shared
  kOwnerOnly,  // a real SQS action that only the owner may call
  kUnknown,    // not an SQS action (including batch names)
};

// Classifies one `ActionName.N` of AddPermission (unqualified, case-sensitive: "SendMessage").
// Granting SendMessage, DeleteMessage or ChangeMessageVisibility also covers the batch APIs,
// since those check the same IAM action.
AddPermissionAction ClassifyAddPermissionAction(std::string_view name);

}  // namespace wharf::auth
