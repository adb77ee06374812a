#include "api/action.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wharf::api {
namespace {

struct ExpectedAction {
  Action action;
  std::string_view name;
  std::string_view iam_action;
  bool targets_queue;
  bool has_output;
};

// sqs-api.md §2 (actions), §1.3.2 (actions without output), security.md §2.7 (IAM names: the
// batch actions are authorised as their single twin).
constexpr ExpectedAction kExpected[] = {
    {Action::kAddPermission, "AddPermission", "sqs:AddPermission", true, false},
    {Action::kCancelMessageMoveTask, "CancelMessageMoveTask", "sqs:CancelMessageMoveTask", false,
     true},
    {Action::kChangeMessageVisibility, "ChangeMessageVisibility", "sqs:ChangeMessageVisibility",
     true, false},
    {Action::kChangeMessageVisibilityBatch, "ChangeMessageVisibilityBatch",
     "sqs:ChangeMessageVisibility", true, true},
    {Action::kCreateQueue, "CreateQueue", "sqs:CreateQueue", false, true},
    {Action::kDeleteMessage, "DeleteMessage", "sqs:DeleteMessage", true, false},
    {Action::kDeleteMessageBatch, "DeleteMessageBatch", "sqs:DeleteMessage", true, true},
    {Action::kDeleteQueue, "DeleteQueue", "sqs:DeleteQueue", true, false},
    {Action::kGetQueueAttributes, "GetQueueAttributes", "sqs:GetQueueAttributes", true, true},
    {Action::kGetQueueUrl, "GetQueueUrl", "sqs:GetQueueUrl", false, true},
    {Action::kListDeadLetterSourceQueues, "ListDeadLetterSourceQueues",
     "sqs:ListDeadLetterSourceQueues", true, true},
    {Action::kListMessageMoveTasks, "ListMessageMoveTasks", "sqs:ListMessageMoveTasks", false,
     true},
    {Action::kListQueues, "ListQueues", "sqs:ListQueues", false, true},
    {Action::kListQueueTags, "ListQueueTags", "sqs:ListQueueTags", true, true},
    {Action::kPurgeQueue, "PurgeQueue", "sqs:PurgeQueue", true, false},
    {Action::kReceiveMessage, "ReceiveMessage", "sqs:ReceiveMessage", true, true},
    {Action::kRemovePermission, "RemovePermission", "sqs:RemovePermission", true, false},
    {Action::kSendMessage, "SendMessage", "sqs:SendMessage", true, true},
    {Action::kSendMessageBatch, "SendMessageBatch", "sqs:SendMessage", true, true},
    {Action::kSetQueueAttributes, "SetQueueAttributes", "sqs:SetQueueAttributes", true, false},
    {Action::kStartMessageMoveTask, "StartMessageMoveTask", "sqs:StartMessageMoveTask", false,
     true},
    {Action::kTagQueue, "TagQueue", "sqs:TagQueue", true, false},
    {Action::kUntagQueue, "UntagQueue", "sqs:UntagQueue", true, false},
};
static_assert(std::size(kExpected) == kActionCount);

TEST(ActionTableTest, HasTwentyThreeActions) {
  EXPECT_EQ(kActionCount, 23u);
  EXPECT_EQ(AllActions().size(), 23u);
}

TEST(ActionTableTest, EveryRowInActionOrder) {
  for (size_t i = 0; i < kActionCount; ++i) {
    const ExpectedAction& want = kExpected[i];
    const ActionInfo& row = AllActions()[i];
    SCOPED_TRACE(std::string(want.name));
    EXPECT_EQ(static_cast<size_t>(row.action), i);
    EXPECT_EQ(row.action, want.action);
    EXPECT_EQ(row.service, Service::kSqs);
    EXPECT_EQ(row.name, want.name);
    EXPECT_EQ(row.iam_action, want.iam_action);
    EXPECT_EQ(row.targets_queue, want.targets_queue);
    EXPECT_EQ(row.has_output, want.has_output);
    EXPECT_EQ(&InfoOf(want.action), &row);
  }
}

TEST(ActionTableTest, NamesAreUnique) {
  std::set<std::string_view> names;
  for (const ActionInfo& row : AllActions()) EXPECT_TRUE(names.insert(row.name).second);
}

TEST(FindActionTest, FindsEveryActionByItsWireName) {
  for (const ExpectedAction& want : kExpected) {
    auto found = FindAction(Service::kSqs, want.name);
    ASSERT_TRUE(found.has_value()) << want.name;
    EXPECT_EQ(*found, want.action) << want.name;
  }
}

TEST(FindActionTest, UnknownNames) {
  for (std::string_view name :
       {"", "FooBar", "sendmessage", "SENDMESSAGE", "SendMessage ", " SendMessage", "SendMessag",
        "SendMessageBatchX", "AmazonSQS.SendMessage", "sqs:SendMessage", "GetQueueURL"}) {
    EXPECT_EQ(FindAction(Service::kSqs, name), std::nullopt) << "[" << name << "]";
  }
}

}  // namespace
}  // namespace wharf::api

namespace wharf::api {
namespace {

TEST(IdentityActionTest, IamAndStsRowsFollowTheSqsRows) {
  EXPECT_EQ(kAllActionCount, kActionCount + IdentityActions().size() + KmsActions().size() +
                                 SnsActions().size() + WharfActions().size());
  size_t iam = 0, sts = 0;
  std::set<std::string_view> names;
  for (size_t i = 0; i < IdentityActions().size(); ++i) {
    const ActionInfo& row = IdentityActions()[i];
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(static_cast<size_t>(row.action), kActionCount + i);
    EXPECT_EQ(&InfoOf(row.action), &row);
    EXPECT_FALSE(row.targets_queue);
    EXPECT_TRUE(names.insert(row.name).second);
    const std::string prefix = row.service == Service::kIam ? "iam:" : "sts:";
    EXPECT_EQ(row.iam_action, prefix + std::string(row.name));
    EXPECT_EQ(FindAction(row.service, row.name), row.action);
    EXPECT_FALSE(FindAction(Service::kSqs, row.name));
    (row.service == Service::kIam ? iam : sts)++;
  }
  EXPECT_EQ(iam, 46u);
  EXPECT_EQ(sts, 3u);
  EXPECT_FALSE(FindAction(Service::kIam, "SendMessage"));
  EXPECT_FALSE(FindAction(Service::kSts, "CreateUser"));
  // Actions without output answer with only ResponseMetadata (security.md §3.1).
  EXPECT_FALSE(InfoOf(Action::kDeleteUser).has_output);
  EXPECT_FALSE(InfoOf(Action::kPutUserPolicy).has_output);
  EXPECT_TRUE(InfoOf(Action::kCreateAccessKey).has_output);
  EXPECT_TRUE(InfoOf(Action::kGetCallerIdentity).has_output);
}

TEST(KmsActionTest, KmsRowsFollowTheIdentityRows) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < KmsActions().size(); ++i) {
    const ActionInfo& row = KmsActions()[i];
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(static_cast<size_t>(row.action), kActionCount + IdentityActions().size() + i);
    EXPECT_EQ(&InfoOf(row.action), &row);
    EXPECT_EQ(row.service, Service::kKms);
    EXPECT_FALSE(row.targets_queue);
    EXPECT_TRUE(names.insert(row.name).second);
    // kms:<Action>, except ReEncrypt, which checks kms:ReEncryptFrom and kms:ReEncryptTo.
    EXPECT_EQ(row.iam_action, row.action == Action::kReEncrypt ? std::string("kms:ReEncryptFrom")
                                                               : "kms:" + std::string(row.name));
    EXPECT_EQ(FindAction(Service::kKms, row.name), row.action);
    EXPECT_FALSE(FindAction(Service::kSqs, row.name));
    EXPECT_FALSE(FindAction(Service::kIam, row.name));
  }
  EXPECT_EQ(KmsActions().size(), 27u);
  EXPECT_FALSE(FindAction(Service::kKms, "SendMessage"));
  EXPECT_FALSE(FindAction(Service::kKms, "encrypt"));
}

}  // namespace
}  // namespace wharf::api

namespace wharf::api {
namespace {

TEST(SnsActionTest, SnsRowsFollowTheKmsRows) {
  EXPECT_EQ(kAllActionCount, kActionCount + IdentityActions().size() + KmsActions().size() +
                                 SnsActions().size() + WharfActions().size());
  EXPECT_EQ(SnsActions().size(), 16u);
  std::set<std::string_view> names;
  for (size_t i = 0; i < SnsActions().size(); ++i) {
    const ActionInfo& row = SnsActions()[i];
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(row.service, Service::kSns);
    EXPECT_EQ(static_cast<size_t>(row.action),
              kActionCount + IdentityActions().size() + KmsActions().size() + i);
    EXPECT_EQ(&InfoOf(row.action), &row);
    EXPECT_FALSE(row.targets_queue);
    EXPECT_TRUE(names.insert(row.name).second);
    EXPECT_EQ(FindAction(Service::kSns, row.name), row.action);
    EXPECT_FALSE(FindAction(Service::kSqs, row.name));
    EXPECT_FALSE(FindAction(Service::kIam, row.name));
    EXPECT_EQ(FindAction(Service::kKms, row.name).has_value(),
              row.name == "TagResource" || row.name == "UntagResource");
    if (row.action == Action::kPublishBatch) {
      EXPECT_EQ(row.iam_action, "sns:Publish") << "no separate batch permission";
    } else {
      EXPECT_EQ(row.iam_action, "sns:" + std::string(row.name));
    }
  }
  EXPECT_FALSE(FindAction(Service::kSns, "SendMessage"));
  EXPECT_FALSE(FindAction(Service::kSns, "publish"));
  EXPECT_FALSE(InfoOf(Action::kDeleteTopic).has_output);
  EXPECT_TRUE(InfoOf(Action::kPublish).has_output);
}

}  // namespace
}  // namespace wharf::api

namespace wharf::api {
namespace {

// Wharf's own SQS actions: found only under the Wharf. target prefix, authorised as existing SQS
// permissions (docs/console.md).
TEST(WharfActionTest, WharfRowsFollowTheSnsRowsAndAreNotSqsWireNames) {
  ASSERT_EQ(WharfActions().size(), 2u);
  for (size_t i = 0; i < WharfActions().size(); ++i) {
    const ActionInfo& row = WharfActions()[i];
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(static_cast<size_t>(row.action), kAllActionCount - WharfActions().size() + i);
    EXPECT_EQ(&InfoOf(row.action), &row);
    EXPECT_EQ(row.service, Service::kSqs);
    EXPECT_TRUE(row.targets_queue);
    EXPECT_EQ(FindWharfAction(row.name), row.action);
    // Not reachable as an AWS action name, by either protocol.
    EXPECT_FALSE(FindAction(Service::kSqs, row.name));
  }
  EXPECT_EQ(InfoOf(Action::kPeekMessages).iam_action, "sqs:ReceiveMessage");
  EXPECT_EQ(InfoOf(Action::kGetQueueStats).iam_action, "sqs:GetQueueAttributes");
  EXPECT_FALSE(FindWharfAction("ReceiveMessage"));
  EXPECT_FALSE(FindWharfAction("peekmessages"));
}

}  // namespace
}  // namespace wharf::api
