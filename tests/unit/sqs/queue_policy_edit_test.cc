// AddPermission/RemovePermission policy edits (sqs-api.md §2.15–2.16, security.md §2.8).

#include "sqs/queue_policy_edit.h"

#include <gtest/gtest.h>

#include "sqs/engine/queue_config.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;

constexpr std::string_view kArn = "arn:aws:sqs:us-east-1:123456789012:orders";

PermissionGrant Grant(std::string_view label, std::vector<std::string> accounts,
                      std::vector<std::string> actions) {
  return PermissionGrant{label, std::move(accounts), std::move(actions)};
}

TEST(QueuePolicyEditTest, FirstGrantWritesThePolicyAwsWrites) {
  auto policy = AddPermissionTo(
      std::nullopt, kArn,
      Grant("crossaccountpermission", {"111122223333", "123456789012"}, {"ReceiveMessage"}));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(*policy,
            R"({"Version":"2008-10-17","Id":"arn:aws:sqs:us-east-1:123456789012:orders/)"
            R"(SQSDefaultPolicy","Statement":[{"Sid":"crossaccountpermission","Effect":"Allow",)"
            R"("Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::123456789012:)"
            R"(root"]},"Action":"SQS:ReceiveMessage","Resource":"arn:aws:sqs:us-east-1:)"
            R"(123456789012:orders"}]})");
  // What AddPermission writes is a valid queue policy.
  EXPECT_TRUE(ParseQueuePolicy(*policy).ok());
}

TEST(QueuePolicyEditTest, AppendsToAPolicySetByHandKeepingItsOtherMembers) {
  const std::string mine =
      R"({"Version":"2012-10-17","Id":"mine","Statement":{"Sid":"own","Effect":"Allow",)"
      R"("Principal":"*","Action":"sqs:GetQueueUrl","Resource":"*"}})";
  auto policy = AddPermissionTo(mine, kArn, Grant("b", {"111122223333"}, {"*"}));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(*policy,
            R"({"Version":"2012-10-17","Id":"mine","Statement":[{"Sid":"own","Effect":"Allow",)"
            R"("Principal":"*","Action":"sqs:GetQueueUrl","Resource":"*"},{"Sid":"b",)"
            R"("Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},)"
            R"("Action":"SQS:*","Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]})");

  auto removed = RemovePermissionFrom(*policy, "b");
  ASSERT_TRUE(removed.ok());
  ASSERT_TRUE(removed->has_value());
  EXPECT_EQ(**removed,
            R"({"Version":"2012-10-17","Id":"mine","Statement":[{"Sid":"own","Effect":"Allow",)"
            R"("Principal":"*","Action":"sqs:GetQueueUrl","Resource":"*"}]})");
  auto last = RemovePermissionFrom(**removed, "own");
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->has_value()) << "the Policy attribute goes with its last statement";
}

struct BadGrant {
  const char* name;
  PermissionGrant grant;
  ErrorCode code;
  const char* message;
};

class QueuePolicyEditErrorTest : public ::testing::TestWithParam<BadGrant> {};

TEST_P(QueuePolicyEditErrorTest, IsRefusedAsAwsRefusesIt) {
  const std::string existing =
      *AddPermissionTo(std::nullopt, kArn, Grant("taken", {"111122223333"}, {"SendMessage"}));
  auto policy = AddPermissionTo(existing, kArn, GetParam().grant);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, GetParam().code);
  EXPECT_EQ(policy.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, QueuePolicyEditErrorTest,
    ::testing::Values(
        BadGrant{"DuplicateLabel", Grant("taken", {"111122223333"}, {"ReceiveMessage"}),
                 ErrorCode::kInvalidParameterValue,
                 "Value taken for parameter Label is invalid. Reason: Already exists."},
        BadGrant{"LabelCharacters", Grant("a b", {"111122223333"}, {"SendMessage"}),
                 ErrorCode::kInvalidParameterValue,
                 "Value a b for parameter Label is invalid. Reason: Can only include "
                 "alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
        BadGrant{"OwnerOnlyAction", Grant("x", {"111122223333"}, {"SetQueueAttributes"}),
                 ErrorCode::kInvalidParameterValue,
                 "Value SQS:SetQueueAttributes for parameter ActionName is invalid. Reason: Only "
                 "the queue owner is allowed to invoke this action."},
        BadGrant{"BatchName", Grant("x", {"111122223333"}, {"SendMessageBatch"}),
                 ErrorCode::kInvalidParameterValue,
                 "Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please "
                 "refer to the appropriate WSDL for a list of valid actions."},
        BadGrant{"EightActions",
                 Grant("x", {"111122223333"},
                       {"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                        "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
                        "PurgeQueue"}),
                 ErrorCode::kOverLimit, "8 Actions were found, maximum allowed is 7."},
        BadGrant{"NotAnAccount", Grant("x", {"arn:aws:iam::111122223333:user/bob"}, {"*"}),
                 ErrorCode::kInvalidParameterValue,
                 "Value arn:aws:iam::111122223333:user/bob for parameter AWSAccountIds is "
                 "invalid. Reason: AddPermission does not support adding a non-account "
                 "principal."},
        BadGrant{"NoAccounts", Grant("x", {}, {"*"}), ErrorCode::kMissingParameter,
                 "The request must contain the parameter AWSAccountIds."},
        BadGrant{"NoActions", Grant("x", {"111122223333"}, {}), ErrorCode::kMissingParameter,
                 "The request must contain the parameter Actions."}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(QueuePolicyEditTest, RemovingAnUnknownLabelIsInvalidParameterValue) {
  for (const std::optional<std::string>& policy :
       {std::optional<std::string>(),
        std::optional<std::string>(
            *AddPermissionTo(std::nullopt, kArn, Grant("a", {"111122223333"}, {"*"})))}) {
    auto removed = RemovePermissionFrom(policy, "b");
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(removed.error().message,
              "Value b for parameter Label is invalid. Reason: can't find label.");
  }
}

}  // namespace
}  // namespace wharf::sqs
