// IAM/STS shapes through the protocol layer: Query decoding of wrapped lists, XML encoding with
// IAM's envelope, nested elements and <member> lists.

#include <gtest/gtest.h>

#include <algorithm>

#include "api/iam/actions.h"
#include "api/sts/actions.h"
#include "protocol/protocol.h"

namespace wharf::iam {
namespace {

using protocol::EncodeError;
using protocol::EncodeSuccess;
using protocol::Protocol;

protocol::ParsedRequest ParseIam(std::string body, std::string_view service = "iam") {
  static std::string kept;
  kept = std::move(body);
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  view.body = &kept;
  view.scope_service = service;
  auto parsed = protocol::Parse(view);
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed).value();
}

TEST(IamWireTest, RoutesByCredentialScope) {
  auto iam = ParseIam("Action=ListUsers&Version=2010-05-08");
  EXPECT_EQ(iam.action(), api::Action::kListUsers);
  EXPECT_EQ(iam.service(), api::Service::kIam);
  auto sts = ParseIam("Action=GetCallerIdentity&Version=2011-06-15", "sts");
  EXPECT_EQ(sts.action(), api::Action::kGetCallerIdentity);
  EXPECT_EQ(sts.service(), api::Service::kSts);

  static std::string body = "Action=DeleteQueue&Version=2010-05-08";
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.body = &body;
  view.scope_service = "sts";
  auto unknown = protocol::Parse(view);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().error.code, api::ErrorCode::kInvalidAction);
  EXPECT_EQ(unknown.error().service, api::Service::kSts);
  auto encoded = protocol::EncodeRouteError(unknown.error(), "rid");
  EXPECT_EQ(encoded.status, 400);
  EXPECT_EQ(
      encoded.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
      "<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find "
      "operation DeleteQueue for version 2011-06-15</Message></Error>"
      "<RequestId>rid</RequestId></ErrorResponse>");
}

TEST(IamWireTest, DecodesWrappedListsAndTheirMembers) {
  auto parsed = ParseIam(
      "Action=AssumeRole&RoleArn=arn&RoleSessionName=s&PolicyArns.member.2.arn=b&PolicyArns."
      "member.1.arn=a&Tags.member.1.Key=k&Tags.member.1.Value=v&DurationSeconds=900",
      "sts");
  api::sts::AssumeRoleInput in;
  ASSERT_TRUE(parsed.Decode(api::Shape::Of(in)).ok());
  ASSERT_EQ(in.policy_arns.size(), 2u);
  EXPECT_EQ(in.policy_arns[0].arn, "a");
  EXPECT_EQ(in.policy_arns[1].arn, "b");
  ASSERT_EQ(in.tags.size(), 1u);
  EXPECT_EQ(in.tags[0].key, "k");
  EXPECT_EQ(in.duration_seconds, 900);
}

TEST(IamWireTest, EncodesIamResponses) {
  api::iam::ListUsersOutput out;
  out.users.push_back({"/", "bob", "AIDAX", "arn:aws:iam::1:user/bob", "2025-01-15T12:00:00Z", {}});
  auto r = EncodeSuccess(Protocol::kQuery, api::Action::kListUsers, "rid", api::Shape::Of(out));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)"
      "<ListUsersResult><Users><member><Path>/</Path><UserName>bob</UserName>"
      "<UserId>AIDAX</UserId><Arn>arn:aws:iam::1:user/bob</Arn>"
      "<CreateDate>2025-01-15T12:00:00Z</CreateDate></member></Users>"
      "<IsTruncated>false</IsTruncated></ListUsersResult>"
      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>");

  api::iam::ListUsersOutput empty;
  auto e = EncodeSuccess(Protocol::kQuery, api::Action::kListUsers, "rid", api::Shape::Of(empty));
  EXPECT_NE(e.body.find("<Users></Users>"), std::string::npos);

  api::iam::Empty none;
  auto d = EncodeSuccess(Protocol::kQuery, api::Action::kDeleteUser, "rid", api::Shape::Of(none));
  EXPECT_EQ(
      d.body,
      R"(<?xml version="1.0"?><DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)"
      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteUserResponse>");
}

TEST(IamWireTest, EncodesNestedStsStructures) {
  api::sts::AssumeRoleOutput out;
  out.credentials = api::sts::Credentials{"ASIA1", "secret", "token", "2025-01-15T13:00:00Z"};
  out.assumed_role_user = api::sts::AssumedRoleUser{"AROA1:s", "arn:aws:sts::1:assumed-role/r/s"};
  auto r = EncodeSuccess(Protocol::kQuery, api::Action::kAssumeRole, "rid", api::Shape::Of(out));
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
      "<AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
      "<SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>"
      "<Expiration>2025-01-15T13:00:00Z</Expiration></Credentials>"
      "<AssumedRoleUser><AssumedRoleId>AROA1:s</AssumedRoleId>"
      "<Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleResult>"
      "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></AssumeRoleResponse>");
}

TEST(IamWireTest, IamErrorsHaveNoDetail) {
  auto r = EncodeError(
      Protocol::kQuery, "rid",
      api::Error(api::ErrorCode::kNoSuchEntity, "The user with name carol cannot be found."),
      api::Service::kIam);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">)"
      "<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name "
      "carol cannot be found.</Message></Error><RequestId>rid</RequestId></ErrorResponse>");
}

TEST(IamWireTest, EveryIdentityActionHasAHandlerRowAndService) {
  for (const api::ActionInfo& info : api::IdentityActions()) {
    EXPECT_NE(info.service, api::Service::kSqs) << info.name;
    auto found = api::FindAction(info.service, info.name);
    ASSERT_TRUE(found) << info.name;
    EXPECT_EQ(*found, info.action);
    EXPECT_FALSE(api::FindAction(api::Service::kSqs, info.name)) << info.name;
  }
}

}  // namespace
}  // namespace wharf::iam
