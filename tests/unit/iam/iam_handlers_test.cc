// IAM handlers: authorization of IAM calls, caller defaults, pagination, URL-encoded documents.

#include <gtest/gtest.h>

#include "iam/handlers/handlers.h"
#include "iam/identifiers.h"
#include "test_support.h"

namespace wharf::iam {
namespace {

using api::Action;
using api::ErrorCode;
using testing::kAccount;
using testing::WithAction;

class IamHandlersTest : public ::testing::Test {
 protected:
  testing::Fixture f;
};

TEST_F(IamHandlersTest, RootMayDoEverything) {
  api::iam::CreateUserInput in;
  in.user_name = "alice";
  in.path = "/dev/";
  auto out = CreateUser(f.service, WithAction(f.Root(), Action::kCreateUser), in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->user->arn, "arn:aws:iam::123456789012:user/dev/alice");
  EXPECT_EQ(out->user->create_date, IsoTime(f.clock.WallMillis()));
}

TEST_F(IamHandlersTest, GetUserWithoutANameDescribesTheCallerEvenTheRoot) {
  api::iam::UserNameInput in;
  auto root = GetUser(f.service, WithAction(f.Root(), Action::kGetUser), in);
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(root->user->user_id, "123456789012");
  EXPECT_EQ(root->user->arn, "arn:aws:iam::123456789012:root");
  EXPECT_FALSE(root->user->user_name.has_value());
  EXPECT_FALSE(root->user->path.has_value());

  // A user asking about itself still needs iam:GetUser on its own ARN, as on AWS.
  const std::string key = f.UserWithKey("alice");
  auto alice = GetUser(f.service, WithAction(f.As(key), Action::kGetUser), in);
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(alice.error().message.find("iam:GetUser on resource: "
                                       "arn:aws:iam::123456789012:user/alice"),
            std::string::npos);
}

TEST_F(IamHandlersTest, UsersNeedAnIdentityPolicy) {
  const std::string key = f.UserWithKey("alice");
  api::iam::CreateUserInput in;
  in.user_name = "bob";
  auto denied = CreateUser(f.service, WithAction(f.As(key), Action::kCreateUser), in);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no "
            "identity-based policy allows the iam:CreateUser action");
  ASSERT_TRUE(
      f.store
          .PutInlinePolicy(
              Holder::kUser, kAccount, "alice", "admin",
              R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::123456789012:user/*"}]})")
          .ok());
  EXPECT_TRUE(CreateUser(f.service, WithAction(f.As(key), Action::kCreateUser), in).ok());
  api::iam::ListInput list;
  EXPECT_EQ(ListUsers(f.service, WithAction(f.As(key), Action::kListUsers), list).error().code,
            ErrorCode::kAccessDenied);
}

TEST_F(IamHandlersTest, UserNameDefaultsToTheCaller) {
  const std::string key = f.UserWithKey("alice");
  ASSERT_TRUE(f.store
                  .AttachPolicy(Holder::kUser, kAccount, "alice",
                                "arn:aws:iam::aws:policy/AdministratorAccess")
                  .ok());
  api::iam::UserNameInput in;
  auto me = GetUser(f.service, WithAction(f.As(key), Action::kGetUser), in);
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->user->user_name, "alice");
  auto root = GetUser(f.service, WithAction(f.Root(), Action::kGetUser), in);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->user->arn, "arn:aws:iam::123456789012:root");  // the root describes itself
  auto created = CreateAccessKey(f.service, WithAction(f.As(key), Action::kCreateAccessKey), in);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->access_key->user_name, "alice");
  EXPECT_EQ(created->access_key->status, "Active");
  EXPECT_EQ(created->access_key->secret_access_key.size(), 40u);
}

TEST_F(IamHandlersTest, ListUsersPaginates) {
  for (const char* name : {"a", "b", "c"})
    ASSERT_TRUE(f.store.CreateUser(kAccount, name, "/", {}).ok());
  api::iam::ListInput in;
  in.page.max_items = 2;
  auto ctx = WithAction(f.Root(), Action::kListUsers);
  auto first = ListUsers(f.service, ctx, in);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->users.size(), 2u);
  EXPECT_TRUE(first->is_truncated);
  ASSERT_TRUE(first->marker);
  in.page.marker = first->marker;
  auto second = ListUsers(f.service, ctx, in);
  ASSERT_EQ(second->users.size(), 1u);
  EXPECT_EQ(second->users[0].user_name, "c");
  EXPECT_FALSE(second->is_truncated);
  EXPECT_FALSE(second->marker);
  in.page.max_items = 0;
  EXPECT_EQ(ListUsers(f.service, ctx, in).error().code, ErrorCode::kValidationError);
}

TEST_F(IamHandlersTest, DocumentsComeBackUrlEncoded) {
  ASSERT_TRUE(f.store.CreateUser(kAccount, "alice", "/", {}).ok());
  const std::string doc =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]})";
  api::iam::InlinePolicyInput put;
  put.entity.user_name = "alice";
  put.policy_name = "send";
  put.policy_document = doc;
  ASSERT_TRUE(PutUserPolicy(f.service, WithAction(f.Root(), Action::kPutUserPolicy), put).ok());
  api::iam::InlinePolicyInput get;
  get.entity.user_name = "alice";
  get.policy_name = "send";
  auto out = GetUserPolicy(f.service, WithAction(f.Root(), Action::kGetUserPolicy), get);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->policy_document, UrlEncode(doc));
  EXPECT_EQ(out->policy_document.substr(0, 12), "%7B%22Versio");
  EXPECT_EQ(out->entity.user_name, "alice");
  EXPECT_FALSE(out->entity.role_name);
}

TEST_F(IamHandlersTest, CreateRoleValidatesMaxSessionDuration) {
  api::iam::CreateRoleInput in;
  in.role_name = "r";
  in.assume_role_policy_document =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]})";
  in.max_session_duration = 3599;
  auto ctx = WithAction(f.Root(), Action::kCreateRole);
  EXPECT_EQ(CreateRole(f.service, ctx, in).error().code, ErrorCode::kValidationError);
  in.max_session_duration = 43200;
  auto out = CreateRole(f.service, ctx, in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->role->max_session_duration, 43200);
  EXPECT_EQ(out->role->assume_role_policy_document, UrlEncode(*in.assume_role_policy_document));
}

}  // namespace
}  // namespace wharf::iam
