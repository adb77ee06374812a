#pragma once

// The key service: what the KMS handlers work with, and the DataKeyService other services
// (SQS's SSE-KMS) call. It resolves KeyId parameters, authorizes every call against the key
// policy as a *mandatory* resource policy plus the caller's identity policies (security.md §2.6,
// §4.4), and leaves the state and its rules to the KeyStore.
//
// Condition keys it adds (§2.4): kms:CallerAccount (the caller's account),
// kms:EncryptionContext:<key> for each pair of the request's context, aws:ViaAWSService
// ("false" on direct calls); on calls through another service also kms:ViaService
// ("sqs.<region>.amazonaws.com") and aws:CalledVia ("sqs.amazonaws.com").
//
// Lifetime: built by the server at start, outlives the dispatcher and SQS. Thread-safety: every
// method may be called from any thread; the service adds no state of its own, and the
// DataKeyService methods never block (the store's shared lock, no I/O waits).

#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/request_context.h"
#include "api/visitor.h"
#include "auth/authorizer.h"
#include "common/clock.h"
#include "kms/data_keys.h"
#include "kms/key_store.h"

namespace wharf::kms {

class KeyService final : public DataKeyService {
 public:
  KeyService(KeyStore& store, const auth::Authorizer& authorizer, const Clock& clock)
      : store_(store), authorizer_(authorizer), clock_(clock) {}

  KeyStore& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const std::string& region() const { return store_.region(); }

  // The key a request's KeyId names, authorized for `permission` (default: the kms:<Action> of
  // ctx.action). Checks, in KMS's order: the member (ValidationException), its form (alias names
  // only where the action takes them, §4.4), existence (NotFoundException), cross-account use
  // (only cryptographic operations, DescribeKey and GetKeyRotationStatus), then the key policy
  // and identity policies (AccessDeniedException). `context`: the request's encryption context,
  // for kms:EncryptionContext:<key> conditions.
  api::ApiResult<KeyView> KeyFor(const api::RequestContext& ctx,
                                 const std::optional<std::string>& key_id,
                                 std::string_view permission = {},
                                 const EncryptionContext* context = nullptr,
                                 std::string_view field = "keyId");

  // `permission` on `key` for the caller of ctx; through `via_service` ("sqs") when a service
  // acts on the caller's behalf.
  api::ApiStatus Authorize(const api::RequestContext& ctx, std::string_view permission,
                           const KeyView& key, const EncryptionContext* context = nullptr,
                           std::string_view via_service = {}) const;
  // The action of ctx on `resource` ("*" for CreateKey, ListKeys, ListAliases; an alias ARN for
  // the alias side of CreateAlias), identity policies only.
  api::ApiStatus AuthorizeWithoutKey(const api::RequestContext& ctx, std::string_view permission,
                                     std::string_view resource) const;

  // The policy lockout safety check (CreateKey, PutKeyPolicy): would `policy` still let the
  // caller change it? MalformedPolicyDocumentException if not.
  api::ApiStatus CheckLockout(const api::RequestContext& ctx, const auth::PolicyDocument& policy,
                              std::string_view key_arn, std::string_view account) const;

  // DataKeyService (security.md §4.2).
  Result<DataKey, KmsError> GenerateDataKey(const ServiceCall& call, std::string_view key_ref,
                                            const EncryptionContext& context) override;
  Result<DataKeyBytes, KmsError> DecryptDataKey(const ServiceCall& call,
                                                std::string_view ciphertext_blob,
                                                const EncryptionContext& context) override;

 private:
  KeyStore& store_;
  const auth::Authorizer& authorizer_;
  const Clock& clock_;
};

// The account of the request's caller: its principal's, or ctx.account_id when signatures are
// not checked.
std::string CallerAccountOf(const api::RequestContext& ctx);
// The encryption context of a request (duplicate keys: the last wins).
EncryptionContext ContextOf(const api::StringPairs& pairs);
// For SQS: the KmsFailure an API error stands for (§4.3).
KmsError ToKmsError(const api::ApiError& error);

}  // namespace wharf::kms
