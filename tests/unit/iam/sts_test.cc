// STS through its handlers, with a ManualClock: GetCallerIdentity for every principal type,
// AssumeRole's rules (security.md §3.4) and the temporary keys' lifetime (§1.9).

#include <gtest/gtest.h>

#include "iam/handlers/handlers.h"
#include "iam/identifiers.h"
#include "test_support.h"

namespace wharf::iam {
namespace {

using api::Action;
using api::ErrorCode;
using testing::kAccount;
using testing::kOther;
using testing::WithAction;

constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/consumer";

std::string TrustFor(const std::string& principal) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" +
         principal + R"("},"Action":"sts:AssumeRole"}]})";
}

constexpr char kAllowAssume[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]})";

class StsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_key_ = f.UserWithKey("alice");
    alice_ = WithAction(f.As(alice_key_), Action::kAssumeRole);
  }

  void MakeRole(const std::string& trust, int64_t max_session = 3600) {
    ASSERT_TRUE(f.store.CreateRole(kAccount, "consumer", "/", trust, "", max_session, {}).ok());
  }

  api::ApiResult<api::sts::AssumeRoleOutput> Assume(const api::RequestContext& ctx,
                                                    std::optional<int64_t> duration = {},
                                                    std::string session = "worker-1") {
    api::sts::AssumeRoleInput in;
    in.role_arn = kRoleArn;
    in.role_session_name = session;
    in.duration_seconds = duration;
    return AssumeRole(f.service, WithAction(ctx, Action::kAssumeRole), in);
  }

  testing::Fixture f;
  std::string alice_key_;
  api::RequestContext alice_;
};

TEST_F(StsTest, GetCallerIdentityOfRootUserAndSession) {
  api::sts::Empty none;
  auto root = GetCallerIdentity(f.service, f.Root(), none);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->user_id, kAccount);
  EXPECT_EQ(root->account, kAccount);
  EXPECT_EQ(root->arn, "arn:aws:iam::123456789012:root");

  auto user = GetCallerIdentity(f.service, alice_, none);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->user_id, f.store.GetUser(kAccount, "alice")->id);
  EXPECT_EQ(user->arn, "arn:aws:iam::123456789012:user/alice");

  MakeRole(TrustFor("arn:aws:iam::123456789012:user/alice"));
  auto out = Assume(alice_);
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto session = f.As(out->credentials->access_key_id, out->credentials->session_token);
  auto who = GetCallerIdentity(f.service, session, none);
  ASSERT_TRUE(who.ok());
  const std::string role_id = f.store.GetRole(kAccount, "consumer")->id;
  EXPECT_EQ(who->user_id, role_id + ":worker-1");
  EXPECT_EQ(who->account, kAccount);
  EXPECT_EQ(who->arn, "arn:aws:sts::123456789012:assumed-role/consumer/worker-1");
}

TEST_F(StsTest, GetCallerIdentityIsNeverDenied) {
  ASSERT_TRUE(
      f.store
          .PutInlinePolicy(
              Holder::kUser, kAccount, "alice", "deny",
              R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})")
          .ok());
  api::sts::Empty none;
  EXPECT_TRUE(GetCallerIdentity(f.service, alice_, none).ok());
}

TEST_F(StsTest, AssumeRoleIssuesTemporaryCredentials) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:user/alice"));
  auto out = Assume(alice_, 900);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const auto& creds = *out->credentials;
  EXPECT_EQ(creds.access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(creds.access_key_id.size(), 20u);
  EXPECT_EQ(creds.secret_access_key.size(), 40u);
  EXPECT_FALSE(creds.session_token.empty());
  EXPECT_EQ(creds.expiration, IsoTime(f.clock.WallMillis() + 900'000));
  EXPECT_EQ(out->assumed_role_user->arn,
            "arn:aws:sts::123456789012:assumed-role/consumer/worker-1");
  EXPECT_EQ(out->assumed_role_user->assumed_role_id.substr(0, 4), "AROA");

  const int64_t now = f.clock.WallMillis();
  auto key = f.sessions.Lookup(creds.access_key_id, creds.session_token, now);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->secret, creds.secret_access_key);
  EXPECT_EQ((*key)->principal.type, auth::PrincipalType::kAssumedRole);
  EXPECT_EQ((*key)->principal.role_arn, kRoleArn);
  // The token must come with the key, and be the key's own.
  EXPECT_EQ(f.sessions.Lookup(creds.access_key_id, "", now).error().code,
            ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(f.sessions.Lookup(creds.access_key_id, creds.session_token + "x", now).error().code,
            ErrorCode::kInvalidClientTokenId);
  // Expiry, against the server's clock.
  f.clock.Advance(Seconds(899));
  EXPECT_TRUE(
      f.sessions.Lookup(creds.access_key_id, creds.session_token, f.clock.WallMillis()).ok());
  f.clock.Advance(Seconds(1));
  auto expired = f.sessions.Lookup(creds.access_key_id, creds.session_token, f.clock.WallMillis());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kExpiredToken);
  // Through the chain the server builds.
  auth::ChainedCredentialStore chain({&f.store, &f.sessions});
  EXPECT_EQ(
      chain.Lookup(creds.access_key_id, creds.session_token, f.clock.WallMillis()).error().code,
      ErrorCode::kExpiredToken);
}

TEST_F(StsTest, RootMayNotAssumeRoles) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:root"));
  auto out = Assume(f.Root());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(out.error().message, "Roles may not be assumed by root accounts.");
}

TEST_F(StsTest, UnknownRoleLooksDenied) {
  auto out = Assume(alice_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(out.error().message,
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/consumer");
}

TEST_F(StsTest, TrustPolicyNamingAnotherUserDenies) {
  ASSERT_TRUE(f.store.CreateUser(kAccount, "bob", "/", {}).ok());
  MakeRole(TrustFor("arn:aws:iam::123456789012:user/bob"));
  // Even an identity policy allowing sts:AssumeRole does not help: the trust policy is
  // mandatory.
  ASSERT_TRUE(f.store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "a", kAllowAssume).ok());
  auto out = Assume(alice_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kAccessDenied);
}

TEST_F(StsTest, TrustPolicyNamingTheAccountNeedsAnIdentityPolicy) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:root"));
  auto denied = Assume(alice_);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);
  ASSERT_TRUE(f.store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "a", kAllowAssume).ok());
  EXPECT_TRUE(Assume(alice_).ok());
}

TEST_F(StsTest, CrossAccountNeedsBothSides) {
  const std::string other_key = f.UserWithKey("carol", kOther);
  auto carol = f.As(other_key);
  MakeRole(TrustFor("arn:aws:iam::111122223333:user/carol"));
  EXPECT_EQ(Assume(carol).error().code, ErrorCode::kAccessDenied);
  ASSERT_TRUE(f.store.PutInlinePolicy(Holder::kUser, kOther, "carol", "a", kAllowAssume).ok());
  auto out = Assume(carol);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->assumed_role_user->arn,
            "arn:aws:sts::123456789012:assumed-role/consumer/worker-1");
}

TEST_F(StsTest, DurationLimits) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:user/alice"), 7200);
  EXPECT_EQ(Assume(alice_, 899).error().code, ErrorCode::kValidationError);
  auto too_long = Assume(alice_, 7201);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(too_long.error().message,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  auto session = Assume(alice_, 7200);
  ASSERT_TRUE(session.ok());

  // Role chaining: a session assuming a role gets at most one hour.
  ASSERT_TRUE(
      f.store
          .UpdateAssumeRolePolicy(kAccount, "consumer", TrustFor("arn:aws:iam::123456789012:root"))
          .ok());
  ASSERT_TRUE(f.store.PutInlinePolicy(Holder::kRole, kAccount, "consumer", "a", kAllowAssume).ok());
  auto chained_ctx = f.As(session->credentials->access_key_id, session->credentials->session_token);
  auto chained = Assume(chained_ctx, 3601, "chained");
  ASSERT_FALSE(chained.ok());
  EXPECT_EQ(chained.error().message,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
            "role chaining.");
  EXPECT_TRUE(Assume(chained_ctx, 3600, "chained").ok());
}

TEST_F(StsTest, SessionNameRules) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:user/alice"));
  EXPECT_EQ(Assume(alice_, {}, "a").error().code, ErrorCode::kValidationError);
  EXPECT_EQ(Assume(alice_, {}, "bad name").error().code, ErrorCode::kValidationError);
  EXPECT_EQ(Assume(alice_, {}, std::string(65, 'a')).error().code, ErrorCode::kValidationError);
  EXPECT_TRUE(Assume(alice_, {}, "a+=,.@-_").ok());
}

TEST_F(StsTest, SessionPolicies) {
  MakeRole(TrustFor("arn:aws:iam::123456789012:user/alice"));
  api::sts::AssumeRoleInput in;
  in.role_arn = kRoleArn;
  in.role_session_name = "s";
  in.role_session_name = "scoped";
  in.policy = "{oops";
  auto bad = AssumeRole(f.service, alice_, in);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformedPolicyDocument);
  in.policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]})";
  auto out = AssumeRole(f.service, alice_, in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out->packed_policy_size.has_value());
  auto key = f.sessions.Lookup(out->credentials->access_key_id, out->credentials->session_token,
                               f.clock.WallMillis());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->session_policies.size(), 1u);
}

TEST_F(StsTest, GetSessionToken) {
  api::sts::GetSessionTokenInput in;
  auto out = GetSessionToken(f.service, WithAction(alice_, Action::kGetSessionToken), in);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->credentials->expiration, IsoTime(f.clock.WallMillis() + 43200'000));
  auto session = f.As(out->credentials->access_key_id, out->credentials->session_token);
  EXPECT_EQ(session.caller->principal.arn, "arn:aws:iam::123456789012:user/alice");
  // Not from session credentials; durations 900..129600.
  EXPECT_EQ(GetSessionToken(f.service, session, in).error().code, ErrorCode::kAccessDenied);
  in.duration_seconds = 129601;
  EXPECT_EQ(GetSessionToken(f.service, alice_, in).error().code, ErrorCode::kValidationError);
  in.duration_seconds = 899;
  EXPECT_EQ(GetSessionToken(f.service, alice_, in).error().code, ErrorCode::kValidationError);
}

}  // namespace
}  // namespace wharf::iam
