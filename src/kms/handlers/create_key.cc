// CreateKey (security.md §4.4): symmetric ENCRYPT_DECRYPT keys only.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"
#include "kms/policies.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::KeyMetadataOutput> CreateKey(KeyService& s, const Ctx& ctx, wire::CreateKeyInput& in) {
  if (auto st = CheckLength("description", in.description, 0, 8192); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = CheckLength("policy", in.policy, 1, kMaxKeyPolicyInputSize); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st =
          CheckEnum("keyUsage", in.key_usage,
                    {"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"});
      !st.ok()) {
    return std::move(st).error();
  }
  // The key specs of the model; only SYMMETRIC_DEFAULT is made (UnsupportedOperationException).
  const auto check_spec = [](std::string_view field, const std::optional<std::string>& value) {
    return CheckEnum(field, value,
                     {"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
                      "ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224",
                      "HMAC_256", "HMAC_384", "HMAC_512", "SM2"});
  };
  if (auto st = check_spec("keySpec", in.key_spec); !st.ok()) return std::move(st).error();
  if (auto st = check_spec("customerMasterKeySpec", in.customer_master_key_spec); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = CheckEnum("origin", in.origin,
                          {"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"});
      !st.ok()) {
    return std::move(st).error();
  }
  if (in.key_spec && in.customer_master_key_spec) {
    return api::Error(api::ErrorCode::kValidationError,
                      "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                      "CustomerMasterKeySpec is deprecated.");
  }
  const std::string spec =
      in.key_spec.value_or(in.customer_master_key_spec.value_or(std::string(kSymmetricDefault)));
  if (spec != kSymmetricDefault) {
    return api::Error(api::ErrorCode::kKmsUnsupportedOperation,
                      "KeySpec " + spec +
                          " is not supported: this server makes only "
                          "SYMMETRIC_DEFAULT keys.");
  }
  if (in.key_usage && *in.key_usage != "ENCRYPT_DECRYPT") {
    return api::Error(api::ErrorCode::kValidationError,
                      "KeyUsage " + *in.key_usage + " is not compatible with KeySpec " + spec);
  }
  if (in.origin.value_or("AWS_KMS") != "AWS_KMS" || in.custom_key_store_id || in.xks_key_id) {
    return api::Error(api::ErrorCode::kKmsUnsupportedOperation,
                      "Only keys with Origin AWS_KMS are supported by this server.");
  }
  if (in.multi_region) {
    return api::Error(api::ErrorCode::kKmsUnsupportedOperation,
                      "Multi-Region keys are not supported by this server.");
  }
  auto tags = ValidateTags(in.tags);
  if (!tags.ok()) return std::move(tags).error();
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:CreateKey", "*"); !st.ok()) {
    return std::move(st).error();
  }
  if (!tags->empty()) {
    if (auto st = s.AuthorizeWithoutKey(ctx, "kms:TagResource", "*"); !st.ok()) {
      return std::move(st).error();
    }
  }
  const std::string account = CallerAccountOf(ctx);
  NewKey key;
  key.account_id = account;
  key.description = in.description.value_or("");
  key.policy_text = in.policy.value_or(DefaultKeyPolicy(account));
  auto policy = ParseKeyPolicy(key.policy_text);
  if (!policy.ok()) return std::move(policy).error();
  key.policy = std::move(policy).value();
  if (in.policy && !in.bypass_policy_lockout_safety_check) {
    // The key does not exist yet: any key ARN of the account stands for it.
    const std::string arn = KeyArn(s.region(), account, "00000000-0000-0000-0000-000000000000");
    if (auto st = s.CheckLockout(ctx, *key.policy, arn, account); !st.ok()) {
      return std::move(st).error();
    }
  }
  key.tags = std::move(tags).value();
  return wire::KeyMetadataOutput{MetadataOf(s.store().CreateKey(std::move(key)))};
}

}  // namespace wharf::kms
