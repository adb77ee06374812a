// The KMS handlers: inputs validated with KMS's words, KeyId returned as the key ARN where
// security.md §4.4 says so, the alias rules, Decrypt without KeyId and IncorrectKeyException,
// ReEncrypt, key policies and rotation status.

#include "kms/handlers/handlers.h"

#include <gtest/gtest.h>

#include "kms/blob.h"
#include "test_support.h"

namespace wharf::kms {
namespace {

using api::Action;
using api::ErrorCode;
using testing::Fixture;
using testing::kAccount;

class KmsHandlersTest : public ::testing::Test, public Fixture {
 protected:
  std::string CreateKeyId() {
    wire::CreateKeyInput in;
    auto out = CreateKey(service, Root(Action::kCreateKey), in);
    EXPECT_TRUE(out.ok());
    return out->key_metadata->key_id;
  }

  template <typename T>
  static void ExpectError(const api::ApiResult<T>& result, ErrorCode code,
                          const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, code);
    EXPECT_EQ(result.error().message, message);
  }
};

TEST_F(KmsHandlersTest, CreateKeyDescribesWhatItMade) {
  wire::CreateKeyInput in;
  in.description = "orders";
  in.tags = {{"team", "payments"}};
  auto out = CreateKey(service, Root(Action::kCreateKey), in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  const wire::KeyMetadata& m = *out->key_metadata;
  EXPECT_EQ(m.aws_account_id, kAccount);
  EXPECT_EQ(m.arn, "arn:aws:kms:us-east-1:123456789012:key/" + m.key_id);
  EXPECT_EQ(m.description, "orders");
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.key_state, "Enabled");
  EXPECT_EQ(m.key_manager, "CUSTOMER");
  EXPECT_EQ(m.key_spec, "SYMMETRIC_DEFAULT");
  EXPECT_EQ(m.key_usage, "ENCRYPT_DECRYPT");
  EXPECT_EQ(m.origin, "AWS_KMS");
  EXPECT_EQ(m.encryption_algorithms, std::vector<std::string>{"SYMMETRIC_DEFAULT"});
  EXPECT_EQ(m.creation_date, clock.WallMillis() / 1000);
  EXPECT_FALSE(m.deletion_date);

  wire::GetKeyPolicyInput get{m.key_id, std::nullopt};
  auto policy = GetKeyPolicy(service, Root(Action::kGetKeyPolicy), get);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->policy, DefaultKeyPolicy(kAccount)) << "the default key policy";
  EXPECT_EQ(policy->policy_name, "default");

  wire::ListResourceTagsInput tags_in{m.key_id, std::nullopt, std::nullopt};
  auto tags = ListResourceTags(service, Root(Action::kListResourceTags), tags_in);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->tags.size(), 1u);
  EXPECT_EQ(tags->tags[0].tag_value, "payments");
}

TEST_F(KmsHandlersTest, CreateKeyRefusesWhatWharfDoesNotMake) {
  wire::CreateKeyInput rsa;
  rsa.key_spec = "RSA_2048";
  EXPECT_EQ(CreateKey(service, Root(Action::kCreateKey), rsa).error().code,
            ErrorCode::kKmsUnsupportedOperation);
  wire::CreateKeyInput bogus;
  bogus.key_spec = "AES_999";
  auto invalid = CreateKey(service, Root(Action::kCreateKey), bogus);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kValidationError);
  EXPECT_NE(invalid.error().message.find("Value 'AES_999' at 'keySpec' failed to satisfy "
                                         "constraint: Member must satisfy enum value set: ["),
            std::string::npos);
  wire::CreateKeyInput sign;
  sign.key_usage = "SIGN_VERIFY";
  EXPECT_EQ(CreateKey(service, Root(Action::kCreateKey), sign).error().code,
            ErrorCode::kValidationError);
  wire::CreateKeyInput multi;
  multi.multi_region = true;
  EXPECT_EQ(CreateKey(service, Root(Action::kCreateKey), multi).error().code,
            ErrorCode::kKmsUnsupportedOperation);
  wire::CreateKeyInput malformed;
  malformed.policy = "{";
  EXPECT_EQ(CreateKey(service, Root(Action::kCreateKey), malformed).error().code,
            ErrorCode::kMalformedPolicyDocument);
  wire::CreateKeyInput reserved;
  reserved.tags = {{"aws:owner", "x"}};
  EXPECT_EQ(CreateKey(service, Root(Action::kCreateKey), reserved).error().code,
            ErrorCode::kTagException);
}

TEST_F(KmsHandlersTest, CreateKeyPolicyLockoutAndBypass) {
  wire::CreateKeyInput in;
  in.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
              R"("arn:aws:iam::123456789012:user/carol"},"Action":"kms:*","Resource":"*"}]})";
  ExpectError(CreateKey(service, Root(Action::kCreateKey), in), ErrorCode::kMalformedPolicyDocument,
              "The new key policy will not allow you to update the key policy in the future.");
  in.bypass_policy_lockout_safety_check = true;
  EXPECT_TRUE(CreateKey(service, Root(Action::kCreateKey), in).ok());
}

TEST_F(KmsHandlersTest, IdentityPoliciesDecideCreateKey) {
  wire::CreateKeyInput in;
  ExpectError(CreateKey(service, User("alice", Action::kCreateKey), in), ErrorCode::kAccessDenied,
              "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: "
              "kms:CreateKey on resource: * because no identity-based policy allows the "
              "kms:CreateKey action");
  identities.Allow("arn:aws:iam::123456789012:user/alice",
                   R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                   R"("Action":"kms:CreateKey","Resource":"*"}]})");
  EXPECT_TRUE(CreateKey(service, User("alice", Action::kCreateKey), in).ok());
}

TEST_F(KmsHandlersTest, AliasNamesAreValidatedInKmsWords) {
  const std::string key = CreateKeyId();
  const auto create = [&](std::string name, std::optional<std::string> target) {
    wire::AliasInput in{std::move(name), std::move(target)};
    return CreateAlias(service, Root(Action::kCreateAlias), in);
  };
  ExpectError(create("orders", key), ErrorCode::kValidationError,
              "Alias must start with the prefix \"alias/\". Please see "
              "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
  ExpectError(create("alias/with space", key), ErrorCode::kValidationError,
              "1 validation error detected: Value 'alias/with space' at 'aliasName' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: "
              "^[a-zA-Z0-9:/_-]+$");
  EXPECT_EQ(create("alias/aws/mine", key).error().code, ErrorCode::kInvalidAliasName);
  EXPECT_EQ(create("alias/" + std::string(251, 'a'), key).error().code,
            ErrorCode::kValidationError);
  ExpectError(create("alias/ok", std::nullopt), ErrorCode::kValidationError,
              "1 validation error detected: Value null at 'targetKeyId' failed to satisfy "
              "constraint: Member must not be null");
  ASSERT_TRUE(create("alias/ok", key).ok());
  ExpectError(create("alias/other", std::string("alias/ok")), ErrorCode::kValidationError,
              "Aliases must refer to keys. Not aliases");
  EXPECT_EQ(create("alias/ok", key).error().code, ErrorCode::kAlreadyExists);
  ExpectError(create("alias/x", std::string("11111111-2222-3333-4444-555555555555")),
              ErrorCode::kNotFound,
              "Key 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' "
              "does not exist");
}

TEST_F(KmsHandlersTest, CryptographicOperationsAnswerWithTheKeyArn) {
  const std::string key = CreateKeyId();
  wire::AliasInput alias{"alias/app", key};
  ASSERT_TRUE(CreateAlias(service, Root(Action::kCreateAlias), alias).ok());
  const std::string arn = "arn:aws:kms:us-east-1:123456789012:key/" + key;

  wire::EncryptInput enc;
  enc.key_id = "alias/app";
  enc.plaintext = "hello";
  enc.encryption_context = {{"purpose", "test"}};
  auto encrypted = Encrypt(service, Root(Action::kEncrypt), enc);
  ASSERT_TRUE(encrypted.ok()) << encrypted.error().message;
  EXPECT_EQ(encrypted->key_id, arn);
  EXPECT_EQ(encrypted->encryption_algorithm, "SYMMETRIC_DEFAULT");

  wire::DecryptInput dec;
  dec.ciphertext_blob = encrypted->ciphertext_blob;
  dec.encryption_context = {{"purpose", "test"}};
  auto decrypted = Decrypt(service, Root(Action::kDecrypt), dec);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().message;
  EXPECT_EQ(decrypted->plaintext, "hello");
  EXPECT_EQ(decrypted->key_id, arn) << "KeyId is optional: the blob names its key";

  dec.encryption_context = {{"purpose", "other"}};
  ExpectError(Decrypt(service, Root(Action::kDecrypt), dec), ErrorCode::kInvalidCiphertext, "");
  dec.encryption_context = {{"purpose", "test"}};
  dec.key_id = CreateKeyId();
  ExpectError(Decrypt(service, Root(Action::kDecrypt), dec), ErrorCode::kIncorrectKey, "");
  dec.key_id = "alias/app";
  EXPECT_TRUE(Decrypt(service, Root(Action::kDecrypt), dec).ok());

  wire::GenerateDataKeyInput gen;
  gen.key_id = "alias/app";
  gen.key_spec = "AES_128";
  auto data_key = GenerateDataKey(service, Root(Action::kGenerateDataKey), gen);
  ASSERT_TRUE(data_key.ok());
  EXPECT_EQ(data_key->key_id, arn);
  ASSERT_TRUE(data_key->plaintext);
  EXPECT_EQ(data_key->plaintext->size(), 16u);
  EXPECT_EQ(data_key->ciphertext_blob->size(), kBlobOverhead + 16);
  auto without =
      GenerateDataKeyWithoutPlaintext(service, Root(Action::kGenerateDataKeyWithoutPlaintext), gen);
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->plaintext);

  const std::string destination = CreateKeyId();
  wire::ReEncryptInput re;
  re.ciphertext_blob = encrypted->ciphertext_blob;
  re.source_encryption_context = {{"purpose", "test"}};
  re.destination_key_id = destination;
  re.destination_encryption_context = {{"purpose", "moved"}};
  auto reencrypted = ReEncrypt(service, Root(Action::kReEncrypt), re);
  ASSERT_TRUE(reencrypted.ok()) << reencrypted.error().message;
  EXPECT_EQ(reencrypted->source_key_id, arn);
  EXPECT_EQ(reencrypted->key_id, "arn:aws:kms:us-east-1:123456789012:key/" + destination);
  wire::DecryptInput moved;
  moved.ciphertext_blob = reencrypted->ciphertext_blob;
  moved.encryption_context = {{"purpose", "moved"}};
  EXPECT_EQ(Decrypt(service, Root(Action::kDecrypt), moved)->plaintext, "hello");
}

TEST_F(KmsHandlersTest, SizesAreValidatedInKmsWords) {
  const std::string key = CreateKeyId();
  wire::GenerateDataKeyInput gen;
  gen.key_id = key;
  ExpectError(GenerateDataKey(service, Root(Action::kGenerateDataKey), gen),
              ErrorCode::kValidationError, "NumberOfBytes is required.");
  gen.number_of_bytes = 0;
  ExpectError(GenerateDataKey(service, Root(Action::kGenerateDataKey), gen),
              ErrorCode::kValidationError,
              "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy "
              "constraint: Member must have value greater than or equal to 1");
  gen.number_of_bytes = 1025;
  ExpectError(GenerateDataKey(service, Root(Action::kGenerateDataKey), gen),
              ErrorCode::kValidationError,
              "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
              "constraint: Member must have value less than or equal to 1024");
  gen.number_of_bytes = 1024;
  auto max = GenerateDataKey(service, Root(Action::kGenerateDataKey), gen);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->plaintext->size(), 1024u);
  gen.key_spec = "AES_256";
  EXPECT_EQ(GenerateDataKey(service, Root(Action::kGenerateDataKey), gen).error().code,
            ErrorCode::kValidationError)
      << "not both";

  wire::EncryptInput enc;
  enc.key_id = key;
  enc.plaintext = "";
  ExpectError(Encrypt(service, Root(Action::kEncrypt), enc), ErrorCode::kValidationError,
              "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
              "Member must have length greater than or equal to 1");
  enc.plaintext = std::string(4097, 'x');
  ExpectError(Encrypt(service, Root(Action::kEncrypt), enc), ErrorCode::kValidationError,
              "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
              "Member must have length less than or equal to 4096");
  enc.plaintext = "x";
  enc.encryption_algorithm = "RSAES_OAEP_SHA_256";
  EXPECT_EQ(Encrypt(service, Root(Action::kEncrypt), enc).error().code,
            ErrorCode::kInvalidKeyUsage);

  wire::ScheduleKeyDeletionInput del{key, 6};
  ExpectError(ScheduleKeyDeletion(service, Root(Action::kScheduleKeyDeletion), del),
              ErrorCode::kValidationError,
              "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy "
              "constraint: Member must have value greater than or equal to 7");
  del.pending_window_in_days = 31;
  EXPECT_EQ(ScheduleKeyDeletion(service, Root(Action::kScheduleKeyDeletion), del).error().code,
            ErrorCode::kValidationError);

  wire::PagedInput page{0, std::nullopt};
  ExpectError(ListKeys(service, Root(Action::kListKeys), page), ErrorCode::kValidationError,
              "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
              "Member must have value greater than or equal to 1");
}

TEST_F(KmsHandlersTest, ScheduleAndCancelDeletion) {
  const std::string key = CreateKeyId();
  wire::ScheduleKeyDeletionInput del{key, std::nullopt};
  auto scheduled = ScheduleKeyDeletion(service, Root(Action::kScheduleKeyDeletion), del);
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ(scheduled->key_id, "arn:aws:kms:us-east-1:123456789012:key/" + key);
  EXPECT_EQ(scheduled->pending_window_in_days, 30) << "the default window";
  EXPECT_EQ(scheduled->key_state, "PendingDeletion");
  EXPECT_EQ(scheduled->deletion_date, clock.WallMillis() / 1000 + 30 * 86400);
  wire::KeyIdInput describe{key, {}};
  auto pending = DescribeKey(service, Root(Action::kDescribeKey), describe);
  EXPECT_EQ(pending->key_metadata->key_state, "PendingDeletion");
  EXPECT_EQ(pending->key_metadata->deletion_date, scheduled->deletion_date);
  EXPECT_EQ(pending->key_metadata->pending_deletion_window_in_days, 30);
  EXPECT_FALSE(pending->key_metadata->enabled);
  auto cancelled = CancelKeyDeletion(service, Root(Action::kCancelKeyDeletion), describe);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->key_id, scheduled->key_id);
  EXPECT_EQ(DescribeKey(service, Root(Action::kDescribeKey), describe)->key_metadata->key_state,
            "Disabled");
}

TEST_F(KmsHandlersTest, KeyPoliciesAndRotationStatus) {
  const std::string key = CreateKeyId();
  wire::PutKeyPolicyInput put;
  put.key_id = key;
  put.policy = "not json";
  EXPECT_EQ(PutKeyPolicy(service, Root(Action::kPutKeyPolicy), put).error().code,
            ErrorCode::kMalformedPolicyDocument);
  put.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
               R"("123456789012"},"Action":"kms:*","Resource":"*"}]})";
  ASSERT_TRUE(PutKeyPolicy(service, Root(Action::kPutKeyPolicy), put).ok());
  wire::GetKeyPolicyInput get{key, std::string("default")};
  EXPECT_EQ(GetKeyPolicy(service, Root(Action::kGetKeyPolicy), get)->policy, *put.policy);
  get.policy_name = "other";
  EXPECT_EQ(GetKeyPolicy(service, Root(Action::kGetKeyPolicy), get).error().code,
            ErrorCode::kNotFound);

  wire::KeyIdInput id{key, {}};
  auto off = GetKeyRotationStatus(service, Root(Action::kGetKeyRotationStatus), id);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->key_rotation_enabled);
  EXPECT_FALSE(off->rotation_period_in_days);
  wire::EnableKeyRotationInput enable{key, 89};
  EXPECT_EQ(EnableKeyRotation(service, Root(Action::kEnableKeyRotation), enable).error().code,
            ErrorCode::kValidationError);
  enable.rotation_period_in_days = std::nullopt;
  ASSERT_TRUE(EnableKeyRotation(service, Root(Action::kEnableKeyRotation), enable).ok());
  auto on = GetKeyRotationStatus(service, Root(Action::kGetKeyRotationStatus), id);
  EXPECT_TRUE(on->key_rotation_enabled);
  EXPECT_EQ(on->rotation_period_in_days, 365);
  EXPECT_EQ(on->next_rotation_date, clock.WallMillis() / 1000 + 365 * 86400);
  auto rotated = RotateKeyOnDemand(service, Root(Action::kRotateKeyOnDemand), id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(store.Find(*ParseKeyRef(key, kAccount, "us-east-1"))->current_version, 2u);
}

TEST_F(KmsHandlersTest, ListAliasesShowsTargetsAsBareKeyIds) {
  const std::string key = CreateKeyId();
  wire::AliasInput alias{"alias/listed", key};
  ASSERT_TRUE(CreateAlias(service, Root(Action::kCreateAlias), alias).ok());
  wire::ListAliasesInput in;
  in.key_id = "arn:aws:kms:us-east-1:123456789012:key/" + key;
  auto listed = ListAliases(service, Root(Action::kListAliases), in);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->aliases.size(), 1u);
  EXPECT_EQ(listed->aliases[0].alias_name, "alias/listed");
  EXPECT_EQ(listed->aliases[0].alias_arn, "arn:aws:kms:us-east-1:123456789012:alias/listed");
  EXPECT_EQ(listed->aliases[0].target_key_id, key);
  EXPECT_FALSE(listed->truncated);
  in.key_id = "alias/listed";
  EXPECT_EQ(ListAliases(service, Root(Action::kListAliases), in).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace wharf::kms
