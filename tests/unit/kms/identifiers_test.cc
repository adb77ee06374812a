// KeyId forms (security.md §4.4): key id, key ARN, alias name, alias ARN.

#include "kms/identifiers.h"

#include <gtest/gtest.h>

namespace wharf::kms {
namespace {

constexpr char kId[] = "1234abcd-12ab-34cd-56ef-1234567890ab";

TEST(KeyRefTest, ParsesTheFourForms) {
  auto id = ParseKeyRef(kId, "123456789012", "us-east-1");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->kind, KeyRefKind::kKeyId);
  EXPECT_EQ(id->account_id, "123456789012");
  EXPECT_EQ(id->key_id, kId);

  auto arn = ParseKeyRef(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kId,
                         "123456789012", "us-east-1");
  ASSERT_TRUE(arn);
  EXPECT_EQ(arn->kind, KeyRefKind::kKeyArn);
  EXPECT_EQ(arn->account_id, "111122223333") << "an ARN names its own account";
  EXPECT_EQ(arn->key_id, kId);

  auto alias = ParseKeyRef("alias/orders", "123456789012", "us-east-1");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->kind, KeyRefKind::kAliasName);
  EXPECT_EQ(alias->alias_name, "alias/orders");
  EXPECT_TRUE(alias->is_alias());

  auto alias_arn =
      ParseKeyRef("arn:aws:kms:us-east-1:111122223333:alias/aws/sqs", "123456789012", "us-east-1");
  ASSERT_TRUE(alias_arn);
  EXPECT_EQ(alias_arn->kind, KeyRefKind::kAliasArn);
  EXPECT_EQ(alias_arn->account_id, "111122223333");
  EXPECT_EQ(alias_arn->alias_name, "alias/aws/sqs");
}

TEST(KeyRefTest, RefusesEverythingElse) {
  for (const char* text :
       {"", "orders", "alias/", "1234ABCD-12AB-34CD-56EF-1234567890AB",
        "1234abcd-12ab-34cd-56ef-1234567890a", "1234abcd12ab34cd56ef1234567890ab0000",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:key/nope", "arn:aws:kms:us-east-1:111122223333:alias/",
        "arn:aws:sqs:us-east-1:111122223333:queue"}) {
    EXPECT_FALSE(ParseKeyRef(text, "123456789012", "us-east-1")) << text;
  }
}

TEST(KeyIdTest, NewIdsAreVersion4UuidsThatRoundTrip) {
  const std::string id = NewKeyId();
  EXPECT_TRUE(IsKeyId(id)) << id;
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(id, NewKeyId());
  EXPECT_EQ(KeyIdOf(*KeyUuidOf(id)), id);
  EXPECT_EQ(KeyIdOf(*KeyUuidOf(kId)), kId);
}

TEST(KeyIdTest, Arns) {
  EXPECT_EQ(KeyArn("us-east-1", "123456789012", kId),
            std::string("arn:aws:kms:us-east-1:123456789012:key/") + kId);
  EXPECT_EQ(AliasArn("us-east-1", "123456789012", "alias/x"),
            "arn:aws:kms:us-east-1:123456789012:alias/x");
}

TEST(AliasNameTest, Pattern) {
  EXPECT_TRUE(MatchesAliasPattern("alias/Orders_2025-prod:x/y"));
  EXPECT_FALSE(MatchesAliasPattern(""));
  EXPECT_FALSE(MatchesAliasPattern("alias/with space"));
  EXPECT_FALSE(MatchesAliasPattern("alias/ü"));
  EXPECT_TRUE(MatchesAliasPattern("alias/" + std::string(250, 'a')));
  EXPECT_FALSE(MatchesAliasPattern("alias/" + std::string(251, 'a')));
}

}  // namespace
}  // namespace wharf::kms
