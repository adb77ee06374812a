#include "iam/identifiers.h"

#include <gtest/gtest.h>

namespace wharf::iam {
namespace {

bool AllOf(std::string_view s, std::string_view alphabet) {
  return s.find_first_not_of(alphabet) == std::string_view::npos;
}

TEST(IdentifiersTest, UniqueIdsAreTwentyOneCharactersOfBase32) {
  const std::string id = NewUniqueId("AIDA");
  EXPECT_EQ(id.size(), 21u);
  EXPECT_EQ(id.substr(0, 4), "AIDA");
  EXPECT_TRUE(AllOf(id.substr(4), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
  EXPECT_NE(NewUniqueId("AIDA"), id);
}

TEST(IdentifiersTest, AccessKeysAndSecrets) {
  const std::string key = NewAccessKeyId("AKIA");
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(key.substr(0, 4), "AKIA");
  EXPECT_TRUE(AllOf(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
  const std::string secret = NewSecretAccessKey();
  EXPECT_EQ(secret.size(), 40u);
  EXPECT_TRUE(AllOf(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"));
  EXPECT_EQ(NewSessionToken().size(), 128u);
}

TEST(IdentifiersTest, Arns) {
  EXPECT_EQ(IamArn("123456789012", "user", "/", "alice"), "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(IamArn("123456789012", "user", "/dev/", "alice"),
            "arn:aws:iam::123456789012:user/dev/alice");
  EXPECT_EQ(AssumedRoleArn("123456789012", "consumer", "worker-1"),
            "arn:aws:sts::123456789012:assumed-role/consumer/worker-1");
  auto parsed = ParseIamArn("arn:aws:iam::123456789012:role/a/b/consumer");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->account_id, "123456789012");
  EXPECT_EQ(parsed->kind, "role");
  EXPECT_EQ(parsed->path, "/a/b/");
  EXPECT_EQ(parsed->name, "consumer");
  auto managed = ParseIamArn("arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_TRUE(managed);
  EXPECT_EQ(managed->account_id, "aws");
  EXPECT_EQ(managed->path, "/");
  EXPECT_FALSE(ParseIamArn("arn:aws:sts::123456789012:assumed-role/x/y"));
  EXPECT_FALSE(ParseIamArn("arn:aws:iam::123456789012:role/"));
}

TEST(IdentifiersTest, Validation) {
  EXPECT_TRUE(ValidateName("userName", std::string("a+b=c,d.e@f-g_h"), 64).ok());
  auto bad = ValidateName("userName", std::string("bad name"), 64);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, api::ErrorCode::kValidationError);
  EXPECT_NE(bad.error().message.find("'userName'"), std::string::npos);
  EXPECT_FALSE(ValidateName("userName", std::string(65, 'a'), 64).ok());
  EXPECT_FALSE(ValidateName("userName", std::string(), 64).ok());
  auto missing = ValidateName("userName", std::nullopt, 64);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("Member must not be null"), std::string::npos);
  EXPECT_TRUE(ValidatePath("path", "/").ok());
  EXPECT_TRUE(ValidatePath("path", "/dev/team/").ok());
  EXPECT_FALSE(ValidatePath("path", "dev/").ok());
  EXPECT_FALSE(ValidatePath("path", "/dev").ok());
}

TEST(IdentifiersTest, PolicyDocumentsAreUrlEncodedLikeIam) {
  EXPECT_EQ(UrlEncode(R"({"Version":"2012-10-17"})"), "%7B%22Version%22%3A%222012-10-17%22%7D");
  EXPECT_EQ(UrlEncode("a b/c~"), "a%20b%2Fc~");
  EXPECT_EQ(IsoTime(1736942400000), "2025-01-15T12:00:00Z");
  EXPECT_EQ(NameKey("Alice"), NameKey("aLICE"));
}

}  // namespace
}  // namespace wharf::iam
