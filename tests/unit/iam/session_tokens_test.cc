// Sealed STS session tokens (security.md §1.9): a session outlives the server's memory because
// its token carries it, sealed under a key derived from the root key; any other token, key or
// root key gets InvalidClientTokenId, and expiry still holds.

#include <gtest/gtest.h>

#include "common/manual_clock.h"
#include "common/sealing.h"
#include "iam/session_store.h"

namespace wharf::iam {
namespace {

using api::ErrorCode;

Sealer TokenKey(char fill) {
  return std::move(Sealer::FromKey(std::string(32, fill))).value().Derive("sts-tokens v1");
}

auth::RequestPrincipal Session() {
  auth::RequestPrincipal p;
  p.type = auth::PrincipalType::kAssumedRole;
  p.account_id = "123456789012";
  p.arn = "arn:aws:sts::123456789012:assumed-role/worker/s1";
  p.role_arn = "arn:aws:iam::123456789012:role/worker";
  p.unique_id = "AROAEXAMPLE:s1";
  p.session_name = "s1";
  return p;
}

constexpr char kSessionPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage",)"
    R"("Resource":"*"}]})";

std::shared_ptr<const auth::AccessKey> IssueOne(SessionStore& sessions) {
  auto policy = auth::ParsePolicyDocument(kSessionPolicy, auth::PolicyKind::kIdentity);
  EXPECT_TRUE(policy.ok());
  return sessions.Issue(Session(), 900,
                        {std::make_shared<const auth::PolicyDocument>(std::move(policy).value())},
                        {kSessionPolicy});
}

TEST(SessionTokensTest, ASessionSurvivesARestartInItsToken) {
  ManualClock clock;
  const Sealer key = TokenKey('k');
  SessionStore before(clock, &key);
  auto issued = IssueOne(before);

  SessionStore after(clock, &key);  // a new process: an empty table
  auto found = after.Lookup(issued->access_key_id, issued->session_token, clock.WallMillis());
  ASSERT_TRUE(found.ok()) << found.error().message;
  const auth::AccessKey& k = **found;
  EXPECT_EQ(k.secret, issued->secret);
  EXPECT_EQ(k.expires_at_ms, issued->expires_at_ms);
  EXPECT_EQ(k.principal.arn, "arn:aws:sts::123456789012:assumed-role/worker/s1");
  EXPECT_EQ(k.principal.role_arn, "arn:aws:iam::123456789012:role/worker");
  EXPECT_EQ(k.principal.type, auth::PrincipalType::kAssumedRole);
  EXPECT_EQ(k.principal.unique_id, "AROAEXAMPLE:s1");
  ASSERT_EQ(k.session_policies.size(), 1u) << "the session policy comes back with it";
  EXPECT_EQ(after.size(), 1u);

  clock.Advance(Seconds(901));
  auto expired = after.Lookup(issued->access_key_id, issued->session_token, clock.WallMillis());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kExpiredToken);
}

TEST(SessionTokensTest, OtherTokensKeysAndRootKeysGetNothing) {
  ManualClock clock;
  const Sealer key = TokenKey('k');
  SessionStore before(clock, &key);
  auto first = IssueOne(before);
  auto second = IssueOne(before);

  SessionStore after(clock, &key);
  std::string tampered = first->session_token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  for (const auto& [id, token] : std::vector<std::pair<std::string, std::string>>{
           {first->access_key_id, tampered},               // tampered
           {first->access_key_id, second->session_token},  // another session's token
           {first->access_key_id, ""},                     // no token
           {first->access_key_id, "bm90IGEgdG9rZW4="}}) {  // not a sealed token
    auto found = after.Lookup(id, token, clock.WallMillis());
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.error().code, ErrorCode::kInvalidClientTokenId);
  }
  const Sealer other_root = TokenKey('x');
  SessionStore elsewhere(clock, &other_root);
  auto found = elsewhere.Lookup(first->access_key_id, first->session_token, clock.WallMillis());
  ASSERT_FALSE(found.ok()) << "a token sealed under another root key";
  EXPECT_EQ(found.error().code, ErrorCode::kInvalidClientTokenId);
}

TEST(SessionTokensTest, WithoutASealerSessionsEndWithTheProcess) {
  ManualClock clock;
  SessionStore before(clock);
  auto issued = before.Issue(Session(), 900, {});
  ASSERT_TRUE(before.Lookup(issued->access_key_id, issued->session_token, clock.WallMillis()).ok());
  SessionStore after(clock);
  EXPECT_FALSE(after.Lookup(issued->access_key_id, issued->session_token, clock.WallMillis()).ok());
}

}  // namespace
}  // namespace wharf::iam
