#include "kms/service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kms/identifiers.h"
#include "kms/validation.h"

namespace wharf::kms {
namespace {

using api::Action;
using api::ErrorCode;

constexpr size_t kMaxKeyIdSize = 2048;
constexpr std::string_view kManagedSqsAlias = "alias/aws/sqs";

// Which KeyId forms an action takes, and whether a key of another account may be named
// (security.md §4.4; "Cross-account use" in the KMS API Reference).
struct KeyIdRules {
  bool aliases = false;
  bool cross_account = false;
};

KeyIdRules RulesOf(Action action) {
  switch (action) {
    case Action::kDescribeKey:
    case Action::kEncrypt:
    case Action::kDecrypt:
    case Action::kReEncrypt:
    case Action::kGenerateDataKey:
    case Action::kGenerateDataKeyWithoutPlaintext:
      return {true, true};
    case Action::kGetKeyRotationStatus:
      return {false, true};
    default:
      return {};  // key-management operations: key id or key ARN of the caller's own account
  }
}

// A key whose policy did not survive a restart (see KeyStore::Load) has none: nothing allows.
const auth::PolicyDocument& NoPolicy() {
  static const auth::PolicyDocument empty;
  return empty;
}

// KMS writes the action as it is spelled ("kms:GenerateDataKey"); the authorizer lower-cases
// it the way SQS does.
api::ApiError KeepActionCase(api::ApiError error, std::string_view action) {
  std::string lowered(action);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  for (size_t at = error.message.find(lowered); at != std::string::npos;
       at = error.message.find(lowered, at + action.size())) {
    error.message.replace(at, lowered.size(), action);
  }
  return error;
}

std::string CallerArnOf(const api::RequestContext& ctx) {
  if (ctx.caller) return ctx.caller->principal.arn;
  return auth::RootPrincipal(ctx.account_id).arn;
}

bool IsManagedSqsAlias(const KeyRef& ref) {
  return ref.is_alias() && ref.alias_name == kManagedSqsAlias;
}

}  // namespace

std::string CallerAccountOf(const api::RequestContext& ctx) {
  if (ctx.caller) return ctx.caller->principal.account_id;
  return ctx.account_id;
}

EncryptionContext ContextOf(const api::StringPairs& pairs) {
  EncryptionContext context;
  for (const auto& [key, value] : pairs) context[key] = value;
  return context;
}

KmsError ToKmsError(const api::ApiError& error) {
  KmsError out;
  out.message =
      error.message.empty() ? std::string(api::InfoOf(error.code).message) : error.message;
  switch (error.code) {
    case ErrorCode::kAccessDenied:
      out.failure = KmsFailure::kAccessDenied;
      break;
    case ErrorCode::kDisabled:
      out.failure = KmsFailure::kDisabled;
      break;
    case ErrorCode::kNotFound:
      out.failure = KmsFailure::kNotFound;
      break;
    case ErrorCode::kInvalidKeyUsage:
      out.failure = KmsFailure::kInvalidKeyUsage;
      break;
    case ErrorCode::kInvalidCiphertext:
    case ErrorCode::kIncorrectKey:
      out.failure = KmsFailure::kInvalidCiphertext;
      break;
    default:  // KMSInvalidStateException, and nothing else reaches the data-key path
      out.failure = KmsFailure::kInvalidState;
      break;
  }
  return out;
}

api::ApiStatus KeyService::Authorize(const api::RequestContext& ctx, std::string_view permission,
                                     const KeyView& key, const EncryptionContext* context,
                                     std::string_view via_service) const {
  auth::ResourceAccess access;
  access.action = permission;
  access.resource = key.arn;
  access.resource_account = key.account_id;
  access.resource_policy = key.policy ? key.policy.get() : &NoPolicy();
  access.resource_policy_name = "key policy";
  access.resource_policy_role = auth::ResourcePolicyRole::kMandatory;
  auto& keys = access.condition_keys;
  keys.reserve(4 + (context ? context->size() : 0));
  keys.emplace_back("kms:CallerAccount", CallerAccountOf(ctx));
  if (via_service.empty()) {
    keys.emplace_back("aws:ViaAWSService", "false");
  } else {
    keys.emplace_back("aws:ViaAWSService", "true");
    keys.emplace_back("aws:CalledVia", std::string(via_service) + ".amazonaws.com");
    keys.emplace_back("kms:ViaService",
                      std::string(via_service) + "." + region() + ".amazonaws.com");
  }
  if (context) {
    for (const auto& [k, v] : *context) keys.emplace_back("kms:EncryptionContext:" + k, v);
  }
  auto status = authorizer_.Authorize(ctx, access);
  if (status.ok()) return status;
  return KeepActionCase(std::move(status).error(), permission);
}

api::ApiStatus KeyService::AuthorizeWithoutKey(const api::RequestContext& ctx,
                                               std::string_view permission,
                                               std::string_view resource) const {
  const std::string account = CallerAccountOf(ctx);  // outlives `access`, which points at it
  auth::ResourceAccess access;
  access.action = permission;
  access.resource = resource;
  access.resource_account = account;
  access.condition_keys.emplace_back("kms:CallerAccount", account);
  access.condition_keys.emplace_back("aws:ViaAWSService", "false");
  auto status = authorizer_.Authorize(ctx, access);
  if (status.ok()) return status;
  return KeepActionCase(std::move(status).error(), permission);
}

api::ApiStatus KeyService::CheckLockout(const api::RequestContext& ctx,
                                        const auth::PolicyDocument& policy,
                                        std::string_view key_arn, std::string_view account) const {
  auth::ResourceAccess access;
  access.action = "kms:PutKeyPolicy";
  access.resource = key_arn;
  access.resource_account = account;
  access.resource_policy = &policy;
  access.resource_policy_name = "key policy";
  access.resource_policy_role = auth::ResourcePolicyRole::kMandatory;
  access.condition_keys.emplace_back("kms:CallerAccount", CallerAccountOf(ctx));
  access.condition_keys.emplace_back("aws:ViaAWSService", "false");
  if (authorizer_.Decide(ctx, access).allowed()) return {};
  return api::Error(ErrorCode::kMalformedPolicyDocument,
                    "The new key policy will not allow you to update the key policy in the "
                    "future.");
}

api::ApiResult<KeyView> KeyService::KeyFor(const api::RequestContext& ctx,
                                           const std::optional<std::string>& key_id,
                                           std::string_view permission,
                                           const EncryptionContext* context,
                                           std::string_view field) {
  if (auto valid = RequireLength(field, key_id, 1, kMaxKeyIdSize); !valid.ok()) {
    return std::move(valid).error();
  }
  const std::string caller_account = CallerAccountOf(ctx);
  const KeyIdRules rules = RulesOf(ctx.action);
  auto ref = ParseKeyRef(*key_id, caller_account, region());
  if (!ref || (ref->is_alias() && !rules.aliases)) return InvalidKeyId(*key_id);
  auto key = store_.Find(*ref);
  if (!key.ok()) {
    // DescribeKey of the AWS-managed alias creates the key, as it does in AWS.
    if (ctx.action != Action::kDescribeKey || !IsManagedSqsAlias(*ref) ||
        ref->account_id != caller_account) {
      return std::move(key).error();
    }
    key = store_.ManagedKey(caller_account, "sqs");
  }
  const std::string_view action =
      permission.empty() ? api::InfoOf(ctx.action).iam_action : permission;
  if (key->account_id != caller_account && !rules.cross_account) {
    auth::Decision denied;
    denied.basis = auth::DecisionBasis::kOwnerOnlyAction;
    return KeepActionCase(
        api::Error(ErrorCode::kAccessDenied,
                   auth::AccessDeniedMessage(denied, CallerArnOf(ctx), action, key->arn)),
        action);
  }
  if (auto allowed = Authorize(ctx, action, *key, context); !allowed.ok()) {
    return std::move(allowed).error();
  }
  return key;
}

// --- DataKeyService ---------------------------------------------------------------------------

Result<DataKey, KmsError> KeyService::GenerateDataKey(const ServiceCall& call,
                                                      std::string_view key_ref,
                                                      const EncryptionContext& context) {
  auto ref = ParseKeyRef(key_ref, call.key_account, region());
  if (!ref) return ToKmsError(InvalidKeyId(key_ref));
  auto key = store_.Find(*ref);
  if (!key.ok()) {
    if (!IsManagedSqsAlias(*ref) || ref->account_id != call.key_account) {
      return ToKmsError(key.error());
    }
    key = store_.ManagedKey(call.key_account, "sqs");  // created on first use (§4.4)
  }
  if (call.request != nullptr) {
    // A producer needs both (§4.2): SQS decrypts the data key again for later sends.
    for (std::string_view permission : {"kms:GenerateDataKey", "kms:Decrypt"}) {
      auto allowed = Authorize(*call.request, permission, *key, &context, call.via_service);
      if (!allowed.ok()) return ToKmsError(allowed.error());
    }
  }
  SecretString plaintext(RandomPrivateBytes(kDataKeySize));
  auto blob = store_.Encrypt(key->key_id, plaintext.value, context);
  if (!blob.ok()) return ToKmsError(blob.error());
  DataKey out;
  out.key_arn = key->arn;
  out.ciphertext_blob = std::move(blob).value();
  std::copy(plaintext.value.begin(), plaintext.value.end(), out.plaintext.begin());
  return out;
}

Result<DataKeyBytes, KmsError> KeyService::DecryptDataKey(const ServiceCall& call,
                                                          std::string_view ciphertext_blob,
                                                          const EncryptionContext& context) {
  auto key = store_.KeyOfBlob(ciphertext_blob);
  if (!key.ok()) return ToKmsError(key.error());
  if (call.request != nullptr) {
    auto allowed = Authorize(*call.request, "kms:Decrypt", *key, &context, call.via_service);
    if (!allowed.ok()) return ToKmsError(allowed.error());
  }
  auto opened = store_.Decrypt(key->key_id, ciphertext_blob, context);
  if (!opened.ok()) return ToKmsError(opened.error());
  if (opened->plaintext.value.size() != kDataKeySize) {
    return ToKmsError(api::Error(ErrorCode::kInvalidCiphertext));
  }
  DataKeyBytes out{};
  std::copy(opened->plaintext.value.begin(), opened->plaintext.value.end(), out.begin());
  return out;
}

}  // namespace wharf::kms
