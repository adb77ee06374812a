// auth::Authorizer: what it gathers for the evaluator (principal from the verified key, identity
// and session policies, the request's condition keys) and what it answers (AccessDenied in IAM's
// wording, the audit record). The evaluation itself is covered by policy_evaluator_test.cc.

#include "auth/authorizer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/manual_clock.h"

namespace wharf::auth {
namespace {

using api::ErrorCode;

constexpr std::string_view kQueue = "arn:aws:sqs:us-east-1:123456789012:orders";
constexpr std::string_view kOwner = "123456789012";

std::shared_ptr<const PolicyDocument> Parse(std::string_view json, PolicyKind kind) {
  auto parsed = ParsePolicyDocument(json, kind);
  EXPECT_TRUE(parsed.ok()) << json;
  return std::make_shared<const PolicyDocument>(std::move(parsed).value());
}

class FixedPolicies final : public IdentityPolicySource {
 public:
  std::vector<NamedPolicy> PoliciesOf(const RequestPrincipal& principal) const override {
    auto it = by_arn.find(principal.arn);
    return it == by_arn.end() ? std::vector<NamedPolicy>{} : it->second;
  }
  std::map<std::string, std::vector<NamedPolicy>> by_arn;
};

std::shared_ptr<const AccessKey> RootKeyOf(std::string_view account) {
  auto key = std::make_shared<AccessKey>();
  key->access_key_id = "AKIAROOT";
  key->principal = RootPrincipal(account);
  return key;
}

std::shared_ptr<const AccessKey> UserKey(std::string_view account, std::string_view name) {
  auto key = std::make_shared<AccessKey>();
  key->access_key_id = "AKIAUSER";
  key->principal.type = PrincipalType::kUser;
  key->principal.account_id = std::string(account);
  key->principal.arn = "arn:aws:iam::" + std::string(account) + ":user/" + std::string(name);
  key->principal.user_name = std::string(name);
  key->principal.unique_id = "AIDAEXAMPLE";
  return key;
}

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest()
      : authorizer_(&identities_, clock_,
                    [this](const AuditRecord& r) { audit_.push_back(FormatAuditRecord(r)); }) {}

  api::RequestContext Context(std::shared_ptr<const AccessKey> caller) {
    api::RequestContext ctx;
    ctx.request_id = "req-1";
    ctx.account_id = caller ? caller->principal.account_id : std::string(kOwner);
    ctx.access_key_id = caller ? caller->access_key_id : "";
    ctx.caller = std::move(caller);
    ctx.source_ip = "10.1.2.3";
    return ctx;
  }

  static ResourceAccess Access(std::string_view action, const PolicyDocument* policy = nullptr) {
    ResourceAccess a;
    a.action = action;
    a.resource = kQueue;
    a.resource_account = kOwner;
    a.resource_policy = policy;
    a.resource_policy_name = "queue policy";
    return a;
  }

  ManualClock clock_{1'735'689'600'000};  // 2025-01-01T00:00:00Z
  FixedPolicies identities_;
  std::vector<std::string> audit_;
  Authorizer authorizer_;
};

TEST_F(AuthorizerTest, RootOfTheOwningAccountIsAllowedWithoutAPolicy) {
  const auto ctx = Context(RootKeyOf(kOwner));
  const Decision d = authorizer_.Decide(ctx, Access("sqs:SendMessage"));
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.basis, DecisionBasis::kAccountRoot);
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:DeleteQueue")).ok());
}

TEST_F(AuthorizerTest, WithoutAVerifiedCallerTheRequestActsAsTheRootOfItsAccount) {
  EXPECT_TRUE(authorizer_.Authorize(Context(nullptr), Access("sqs:SendMessage")).ok());
}

TEST_F(AuthorizerTest, AnExplicitDenyInTheQueuePolicyAppliesToTheOwnersRootToo) {
  auto policy = Parse(R"({"Version":"2012-10-17","Statement":[{"Sid":"nosend","Effect":"Deny",
      "Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]})",
                      PolicyKind::kResource);
  const auto ctx = Context(RootKeyOf(kOwner));
  auto denied = authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get()));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:root is not authorized to perform: sqs:sendmessage "
            "on resource: arn:aws:sqs:us-east-1:123456789012:orders with an explicit deny in a "
            "resource-based policy");
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:ReceiveMessage", policy.get())).ok());
}

TEST_F(AuthorizerTest, AnotherAccountNeedsTheQueuePolicy) {
  const auto ctx = Context(RootKeyOf("111122223333"));
  auto denied = authorizer_.Authorize(ctx, Access("sqs:SendMessage"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::111122223333:root is not authorized to perform: sqs:sendmessage "
            "on resource: arn:aws:sqs:us-east-1:123456789012:orders because no resource-based "
            "policy allows the sqs:sendmessage action");
  auto policy = Parse(R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},
      "Action":"sqs:SendMessage"}]})",
                      PolicyKind::kResource);
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get())).ok());
  EXPECT_FALSE(authorizer_.Authorize(ctx, Access("sqs:ReceiveMessage", policy.get())).ok());
}

TEST_F(AuthorizerTest, AnIamUserGetsWhatItsIdentityPoliciesAllow) {
  const auto key = UserKey(kOwner, "producer");
  identities_.by_arn[key->principal.arn] = {
      {"user/producer/send-only", Parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
           "Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:${aws:PrincipalAccount}:*"}]})",
                                        PolicyKind::kIdentity)}};
  const auto ctx = Context(key);
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:SendMessage")).ok());
  auto denied = authorizer_.Authorize(ctx, Access("sqs:ReceiveMessage"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:user/producer is not authorized to perform: "
            "sqs:receivemessage on resource: arn:aws:sqs:us-east-1:123456789012:orders because no "
            "identity-based policy allows the sqs:receivemessage action");
}

TEST_F(AuthorizerTest, SessionPoliciesNarrowWhatTheIdentityAllows) {
  auto key = std::make_shared<AccessKey>(*UserKey(kOwner, "worker"));
  identities_.by_arn[key->principal.arn] = {
      {"user/worker/all", Parse(R"({"Statement":[{"Effect":"Allow","Action":"sqs:*",
           "Resource":"*"}]})",
                                PolicyKind::kIdentity)}};
  key->session_policies.push_back(
      Parse(R"({"Statement":[{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}]})",
            PolicyKind::kIdentity));
  const auto ctx = Context(key);
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:ReceiveMessage")).ok());
  auto denied = authorizer_.Authorize(ctx, Access("sqs:SendMessage"));
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message.find("because no session policy allows"), std::string::npos)
      << denied.error().message;
}

TEST_F(AuthorizerTest, RequestConditionKeysReachThePolicies) {
  auto policy = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"tls-only","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*",
       "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
      {"Sid":"office","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sqs:*",
       "Condition":{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"},
                    "DateGreaterThan":{"aws:CurrentTime":"2025-06-01T00:00:00Z"}}}]})",
                      PolicyKind::kResource);
  auto ctx = Context(RootKeyOf("111122223333"));
  ctx.secure_transport = true;
  EXPECT_FALSE(authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get())).ok())
      << "2025-01-01 is before the DateGreaterThan";
  clock_.Advance(Seconds(200 * 86'400));
  EXPECT_TRUE(authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get())).ok());
  ctx.secure_transport = false;
  EXPECT_FALSE(authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get())).ok())
      << "plain HTTP is denied by the tls-only statement";
  ctx.secure_transport = true;
  ctx.source_ip = "192.168.0.9";
  EXPECT_FALSE(authorizer_.Authorize(ctx, Access("sqs:SendMessage", policy.get())).ok());
}

TEST_F(AuthorizerTest, ServiceKeysFromTheCallerOfAuthorizeAreConditionKeys) {
  auto policy = Parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"111122223333"},"Action":"sqs:SendMessage",
      "Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:orders"}}}]})",
                      PolicyKind::kResource);
  const auto ctx = Context(RootKeyOf("111122223333"));
  ResourceAccess access = Access("sqs:SendMessage", policy.get());
  EXPECT_FALSE(authorizer_.Authorize(ctx, access).ok());
  access.condition_keys = {{"aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:orders"}};
  EXPECT_TRUE(authorizer_.Authorize(ctx, access).ok());
}

TEST_F(AuthorizerTest, EveryDecisionIsAudited) {
  auto policy = Parse(R"({"Statement":[{"Sid":"deny-purge","Effect":"Deny","Principal":"*",
      "Action":"sqs:PurgeQueue"}]})",
                      PolicyKind::kResource);
  const auto ctx = Context(RootKeyOf(kOwner));
  ASSERT_FALSE(authorizer_.Authorize(ctx, Access("sqs:PurgeQueue", policy.get())).ok());
  ASSERT_TRUE(authorizer_.Authorize(ctx, Access("sqs:SendMessage")).ok());
  ASSERT_EQ(audit_.size(), 2u);
  EXPECT_EQ(audit_[0],
            "audit request=req-1 principal=arn:aws:iam::123456789012:root key=AKIAROOT "
            "action=sqs:PurgeQueue resource=arn:aws:sqs:us-east-1:123456789012:orders "
            "decision=explicit-deny reason=\"" +
                std::string(DescribeBasis(DecisionBasis::kDenyInResourcePolicy)) +
                "\" policy=\"queue policy\" statement=deny-purge");
  EXPECT_NE(audit_[1].find("decision=allow"), std::string::npos) << audit_[1];
}

}  // namespace
}  // namespace wharf::auth
