// Authorization of KMS calls (security.md §2.6, §4.4): the key policy is a mandatory resource
// policy; the default policy delegates to IAM; alias/aws/sqs only works through SQS. And the
// DataKeyService SQS calls (§4.2).

#include "kms/service.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace wharf::kms {
namespace {

using api::Action;
using api::ErrorCode;
using testing::Fixture;
using testing::kAccount;
using testing::kOther;

constexpr char kEncryptAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]})";

class KeyServiceTest : public ::testing::Test, public Fixture {
 protected:
  api::ApiStatus Encrypt(const api::RequestContext& ctx, const KeyView& key,
                         const EncryptionContext* context = nullptr) {
    auto found = service.KeyFor(ctx, key.key_id, {}, context);
    if (!found.ok()) return std::move(found).error();
    return {};
  }
};

TEST_F(KeyServiceTest, TheDefaultPolicyDelegatesToIdentityPolicies) {
  const KeyView key = NewKey();
  EXPECT_TRUE(Encrypt(Root(Action::kEncrypt), key).ok()) << "the account's root";

  auto denied = Encrypt(User("alice", Action::kEncrypt), key);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: kms:Encrypt "
            "on resource: " +
                key.arn + " because no identity-based policy allows the kms:Encrypt action");

  identities.Allow("arn:aws:iam::123456789012:user/alice", kEncryptAll);
  EXPECT_TRUE(Encrypt(User("alice", Action::kEncrypt), key).ok())
      << "an identity policy suffices once the key policy delegates to the account";
}

TEST_F(KeyServiceTest, AKeyPolicyWithoutTheAccountDeniesEvenTheAccountsUsers) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
      R"("arn:aws:iam::123456789012:user/carol"},"Action":"kms:*","Resource":"*"}]})";
  const KeyView key = NewKey(kAccount, policy);
  identities.Allow("arn:aws:iam::123456789012:user/alice", kEncryptAll);

  auto alice = Encrypt(User("alice", Action::kEncrypt), key);
  ASSERT_FALSE(alice.ok()) << "IAM alone never opens a key";
  EXPECT_NE(alice.error().message.find("because no resource-based policy allows the kms:Encrypt"),
            std::string::npos)
      << alice.error().message;
  auto root = Encrypt(Root(Action::kEncrypt), key);
  ASSERT_FALSE(root.ok()) << "not even the root";
  EXPECT_EQ(root.error().code, ErrorCode::kAccessDenied);
  EXPECT_TRUE(Encrypt(User("carol", Action::kEncrypt), key).ok())
      << "a principal the key policy names needs no identity policy";
}

TEST_F(KeyServiceTest, DenyStatementsAndEncryptionContextConditions) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[)"
      R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},)"
      R"("Action":"kms:*","Resource":"*"},)"
      R"({"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*",)"
      R"("Condition":{"StringNotEquals":{"kms:EncryptionContext:team":"payments"}}}]})";
  const KeyView key = NewKey(kAccount, policy);
  const EncryptionContext good{{"team", "payments"}};
  const EncryptionContext bad{{"team", "marketing"}};
  EXPECT_TRUE(Encrypt(Root(Action::kEncrypt), key, &good).ok());
  auto denied = Encrypt(Root(Action::kEncrypt), key, &bad);
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message.find("with an explicit deny in a resource-based policy"),
            std::string::npos)
      << denied.error().message;
  EXPECT_FALSE(Encrypt(Root(Action::kEncrypt), key).ok()) << "no context: the key is missing";
}

TEST_F(KeyServiceTest, CallerAccountIsAConditionKey) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},)"
      R"("Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":)"
      R"({"kms:CallerAccount":"123456789012"}}}]})";
  const KeyView key = NewKey(kAccount, policy);
  EXPECT_TRUE(Encrypt(User("dave", Action::kEncrypt), key).ok());
  auto foreign = service.KeyFor(User("eve", Action::kEncrypt, kOther), key.arn);
  EXPECT_FALSE(foreign.ok());
}

TEST_F(KeyServiceTest, CrossAccountUseNeedsBothSidesAndOnlyForCryptography) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[)"
      R"("arn:aws:iam::123456789012:root","arn:aws:iam::111122223333:root"]},)"
      R"("Action":"kms:*","Resource":"*"}]})";
  const KeyView key = NewKey(kAccount, policy);
  const KeyView closed = NewKey();
  EXPECT_TRUE(service.KeyFor(Root(Action::kEncrypt, kOther), key.arn).ok())
      << "the other account's root, named by the key policy";
  EXPECT_FALSE(service.KeyFor(Root(Action::kEncrypt, kOther), closed.arn).ok())
      << "the default policy names only the key's account";
  EXPECT_FALSE(service.KeyFor(User("frank", Action::kEncrypt, kOther), key.arn).ok())
      << "a user of the other account also needs its own identity policy";
  identities.Allow("arn:aws:iam::111122223333:user/frank", kEncryptAll);
  EXPECT_TRUE(service.KeyFor(User("frank", Action::kEncrypt, kOther), key.arn).ok());

  auto manage = service.KeyFor(Root(Action::kDisableKey, kOther), key.arn);
  ASSERT_FALSE(manage.ok()) << "key management stays in the key's account";
  EXPECT_EQ(manage.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(manage.error().message.find("kms:DisableKey"), std::string::npos);
  EXPECT_EQ(service.KeyFor(Root(Action::kEncrypt, kOther), key.key_id).error().code,
            ErrorCode::kNotFound)
      << "a bare key id names a key of the caller's own account";
}

TEST_F(KeyServiceTest, AliasesOnlyWhereTheActionTakesThem) {
  const KeyView key = NewKey();
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/app", key.key_id).ok());
  EXPECT_TRUE(service.KeyFor(Root(Action::kEncrypt), std::string("alias/app")).ok());
  EXPECT_TRUE(service
                  .KeyFor(Root(Action::kDescribeKey),
                          std::string("arn:aws:kms:us-east-1:123456789012:alias/app"))
                  .ok());
  auto disable = service.KeyFor(Root(Action::kDisableKey), std::string("alias/app"));
  ASSERT_FALSE(disable.ok());
  EXPECT_EQ(disable.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(disable.error().message, "Invalid keyId 'alias/app'");
  auto missing = service.KeyFor(Root(Action::kEncrypt), std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(missing.error().message,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
            "Member must not be null");
}

TEST_F(KeyServiceTest, TheAwsManagedSqsKeyWorksOnlyThroughSqs) {
  // DescribeKey creates it, and the account may read it directly...
  auto described = service.KeyFor(Root(Action::kDescribeKey), std::string("alias/aws/sqs"));
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(described->manager, KeyManager::kAws);
  // ...but not use it, nor manage it.
  for (Action action : {Action::kEncrypt, Action::kDisableKey, Action::kScheduleKeyDeletion,
                        Action::kPutKeyPolicy}) {
    auto used = service.KeyFor(Root(action), described->key_id);
    ASSERT_FALSE(used.ok()) << api::InfoOf(action).name;
    EXPECT_EQ(used.error().code, ErrorCode::kAccessDenied) << api::InfoOf(action).name;
  }
  // Through SQS every principal of the account may, even without an identity policy.
  const api::RequestContext user = User("worker", Action::kSendMessage);
  ServiceCall call{&user, "sqs", kAccount};
  const EncryptionContext context{{"aws:sqs:arn", "arn:aws:sqs:us-east-1:123456789012:q"}};
  auto data_key = service.GenerateDataKey(call, "alias/aws/sqs", context);
  ASSERT_TRUE(data_key.ok()) << data_key.error().message;
  EXPECT_EQ(data_key->key_arn, described->arn);
  // A caller of another account may not (kms:CallerAccount), whatever it sends through.
  const api::RequestContext stranger = Root(Action::kSendMessage, kOther);
  ServiceCall foreign{&stranger, "sqs", kAccount};
  auto refused = service.GenerateDataKey(foreign, "alias/aws/sqs", context);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().failure, KmsFailure::kAccessDenied);
  // Through another service, not either.
  ServiceCall via_sns{&user, "sns", kAccount};
  EXPECT_FALSE(service.GenerateDataKey(via_sns, "alias/aws/sqs", context).ok());
}

TEST_F(KeyServiceTest, DataKeysRoundTripAndFailAsSqsExpects) {
  const KeyView key = NewKey();
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/orders", key.key_id).ok());
  const EncryptionContext context{{"aws:sqs:arn", "arn:aws:sqs:us-east-1:123456789012:orders"}};
  ServiceCall own{nullptr, "sqs", kAccount};  // the server's own authority
  auto data_key = service.GenerateDataKey(own, "alias/orders", context);
  ASSERT_TRUE(data_key.ok()) << data_key.error().message;
  EXPECT_EQ(data_key->key_arn, key.arn);
  auto plain = service.DecryptDataKey(own, data_key->ciphertext_blob, context);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, data_key->plaintext);

  auto wrong = service.DecryptDataKey(own, data_key->ciphertext_blob,
                                      {{"aws:sqs:arn", "arn:aws:sqs:us-east-1:123456789012:x"}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().failure, KmsFailure::kInvalidCiphertext);

  EXPECT_EQ(service.GenerateDataKey(own, "alias/missing", context).error().failure,
            KmsFailure::kNotFound);
  EXPECT_EQ(service.GenerateDataKey(own, "testKeyId", context).error().failure,
            KmsFailure::kNotFound);

  // A producer needs kms:GenerateDataKey and kms:Decrypt (§4.2).
  const api::RequestContext alice = User("alice", Action::kSendMessage);
  ServiceCall as_alice{&alice, "sqs", kAccount};
  identities.Allow("arn:aws:iam::123456789012:user/alice",
                   R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                   R"("Action":"kms:GenerateDataKey","Resource":"*"}]})");
  auto half = service.GenerateDataKey(as_alice, "alias/orders", context);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().failure, KmsFailure::kAccessDenied);
  EXPECT_NE(half.error().message.find("kms:Decrypt"), std::string::npos) << half.error().message;
  identities.Allow("arn:aws:iam::123456789012:user/alice",
                   R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                   R"("Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":)"
                   R"({"kms:ViaService":"sqs.us-east-1.amazonaws.com"}}}]})");
  EXPECT_TRUE(service.GenerateDataKey(as_alice, "alias/orders", context).ok());
  EXPECT_TRUE(service.DecryptDataKey(as_alice, data_key->ciphertext_blob, context).ok());

  ASSERT_TRUE(store.Disable(key.key_id).ok());
  auto disabled = service.GenerateDataKey(own, "alias/orders", context);
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().failure, KmsFailure::kDisabled);
  EXPECT_EQ(disabled.error().message, key.arn + " is disabled.");
  EXPECT_EQ(service.DecryptDataKey(own, data_key->ciphertext_blob, context).error().failure,
            KmsFailure::kDisabled);
  ASSERT_TRUE(store.Enable(key.key_id).ok());
  ASSERT_TRUE(store.ScheduleDeletion(key.key_id, 7).ok());
  EXPECT_EQ(service.DecryptDataKey(own, data_key->ciphertext_blob, context).error().failure,
            KmsFailure::kInvalidState);
}

TEST_F(KeyServiceTest, TheLockoutCheckRefusesPoliciesThatShutTheCallerOut) {
  const KeyView key = NewKey();
  auto parsed = ParseKeyPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
      R"("arn:aws:iam::123456789012:user/carol"},"Action":"kms:*","Resource":"*"}]})");
  ASSERT_TRUE(parsed.ok());
  auto refused = service.CheckLockout(Root(Action::kPutKeyPolicy), **parsed, key.arn, kAccount);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kMalformedPolicyDocument);
  auto own = ParseKeyPolicy(DefaultKeyPolicy(kAccount));
  EXPECT_TRUE(service.CheckLockout(Root(Action::kPutKeyPolicy), **own, key.arn, kAccount).ok());
}

}  // namespace
}  // namespace wharf::kms
