// The container-credentials endpoint for workloads (iam/workload_credentials.h): only a bound
// token gets credentials, only for a role whose trust policy admits ECS tasks, and what it hands
// out works as the role's session until it expires.

#include "iam/workload_credentials.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "test_support.h"

namespace wharf::iam {
namespace {

using testing::kAccount;

constexpr char kToken[] = "a-workload-token-0123456789";
constexpr char kEcsTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":)"
    R"("ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr char kUserTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
    R"("arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";

std::string Field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
  std::string_view value;
  if (root[name].get(value) != simdjson::SUCCESS) return "<absent>";
  return std::string(value);
}

class WorkloadCredentialsTest : public ::testing::Test {
 protected:
  WorkloadCredentialsTest() {
    EXPECT_TRUE(f_.store.CreateRole(kAccount, "producer", "/", kEcsTrust, "", 3600, {}).ok());
    EXPECT_TRUE(f_.store.CreateRole(kAccount, "people-only", "/", kUserTrust, "", 3600, {}).ok());
  }

  WorkloadCredentials With(std::string role_arn, int64_t duration = 3600) {
    WorkloadBinding b;
    b.token = kToken;
    b.role_arn = std::move(role_arn);
    b.duration_seconds = duration;
    return WorkloadCredentials(f_.store, f_.sessions, f_.clock, {b});
  }

  testing::Fixture f_;
};

TEST_F(WorkloadCredentialsTest, ABoundTokenGetsTheRolesTemporaryCredentials) {
  auto endpoint = With("arn:aws:iam::123456789012:role/producer", 900);
  auto answer = endpoint.Serve(kToken);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const std::string key_id = Field(answer.body, "AccessKeyId");
  EXPECT_EQ(key_id.rfind("ASIA", 0), 0u) << answer.body;
  EXPECT_EQ(Field(answer.body, "RoleArn"), "arn:aws:iam::123456789012:role/producer");

  auto key = f_.sessions.Lookup(key_id, Field(answer.body, "Token"), f_.clock.WallMillis());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->secret, Field(answer.body, "SecretAccessKey"));
  EXPECT_EQ((*key)->principal.arn,
            "arn:aws:sts::123456789012:assumed-role/producer/wharf-workload");
  EXPECT_EQ((*key)->principal.role_arn, "arn:aws:iam::123456789012:role/producer");
  EXPECT_EQ(Field(answer.body, "Expiration"), auth::FormatIso8601(f_.clock.WallMillis() + 900'000));

  f_.clock.Advance(Seconds(901));
  auto expired = f_.sessions.Lookup(key_id, Field(answer.body, "Token"), f_.clock.WallMillis());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, api::ErrorCode::kExpiredToken);
}

TEST_F(WorkloadCredentialsTest, AWrongOrMissingTokenGetsNothing) {
  auto endpoint = With("arn:aws:iam::123456789012:role/producer");
  for (std::string_view token : {std::string_view(), std::string_view("a-workload-token-012345678"),
                                 std::string_view("a-workload-token-01234567890")}) {
    auto answer = endpoint.Serve(token);
    EXPECT_EQ(answer.status, 401) << token;
    EXPECT_EQ(answer.body.find("AccessKeyId"), std::string::npos);
  }
  EXPECT_EQ(f_.sessions.size(), 0u);
}

TEST_F(WorkloadCredentialsTest, TheRolesTrustPolicyMustAdmitWorkloads) {
  auto people = With("arn:aws:iam::123456789012:role/people-only").Serve(kToken);
  EXPECT_EQ(people.status, 403) << people.body;
  auto missing = With("arn:aws:iam::123456789012:role/nope").Serve(kToken);
  EXPECT_EQ(missing.status, 403) << missing.body;
  EXPECT_EQ(f_.sessions.size(), 0u);
}

TEST_F(WorkloadCredentialsTest, TheSessionIsCappedByTheRolesMaximum) {
  auto answer = With("arn:aws:iam::123456789012:role/producer", 43200).Serve(kToken);
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(Field(answer.body, "Expiration"),
            auth::FormatIso8601(f_.clock.WallMillis() + 3600'000));
}

}  // namespace
}  // namespace wharf::iam
