#pragma once

// A kms::DataKeyService for the SSE-KMS tests: keys by reference ("alias/orders", a key id or
// ARN) that can be disabled, principals (access key ids) that may not generate or decrypt, a
// failure to inject for every call, and counts of the calls made. Its ciphertext blobs are
// opaque ids into a table, so a blob works only with the context it was generated with, like
// real KMS (InvalidCiphertext otherwise).
// Thread-safety: every method takes the fake's mutex.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/request_context.h"
#include "auth/credentials.h"
#include "common/ids.h"
#include "kms/data_keys.h"

namespace wharf::sqs::testing {

class FakeKeyService final : public kms::DataKeyService {
 public:
  // What one call looked like.
  struct CallRecord {
    bool generate = false;
    bool has_request = false;   // false: the server's own authority
    std::string access_key_id;  // of the request, when there is one (a service: its name)
    std::string via_service;
    std::string key_account;
    std::string key_ref;  // GenerateDataKey only
    kms::EncryptionContext context;
  };

  // A key reachable as `ref` (and as its ARN) with ARN `arn`.
  void AddKey(const std::string& ref, const std::string& arn) {
    std::lock_guard lock(mu_);
    refs_[ref] = arn;
    refs_[arn] = arn;
  }
  void SetEnabled(const std::string& arn, bool enabled) {
    std::lock_guard lock(mu_);
    if (enabled) {
      disabled_.erase(arn);
    } else {
      disabled_.insert(arn);
    }
  }
  // Callers (by access key id, or a service principal by its name, e.g. "sns.amazonaws.com")
  // refused kms:GenerateDataKey / kms:Decrypt.
  void DenyGenerate(const std::string& access_key_id) {
    std::lock_guard lock(mu_);
    deny_generate_.insert(access_key_id);
  }
  void DenyDecrypt(const std::string& access_key_id) {
    std::lock_guard lock(mu_);
    deny_decrypt_.insert(access_key_id);
  }
  // Every call fails with `failure` (nullopt: back to normal).
  void FailAll(std::optional<kms::KmsFailure> failure) {
    std::lock_guard lock(mu_);
    fail_all_ = failure;
  }

  int generate_calls() const {
    std::lock_guard lock(mu_);
    return generate_calls_;
  }
  int decrypt_calls() const {
    std::lock_guard lock(mu_);
    return decrypt_calls_;
  }
  std::vector<CallRecord> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  Result<kms::DataKey, kms::KmsError> GenerateDataKey(
      const kms::ServiceCall& call, std::string_view key_ref,
      const kms::EncryptionContext& context) override {
    std::lock_guard lock(mu_);
    ++generate_calls_;
    Record(call, true, key_ref, context);
    if (fail_all_) return kms::KmsError{*fail_all_, "injected failure"};
    auto ref = refs_.find(std::string(key_ref));
    if (ref == refs_.end()) {
      return kms::KmsError{kms::KmsFailure::kNotFound,
                           "Invalid keyId '" + std::string(key_ref) + "'"};
    }
    const std::string& arn = ref->second;
    if (call.request && deny_generate_.count(Who(call))) {
      return kms::KmsError{
          kms::KmsFailure::kAccessDenied,
          "User: " + Who(call) +
              " is not authorized to perform: kms:GenerateDataKey on resource: " + arn};
    }
    if (disabled_.count(arn))
      return kms::KmsError{kms::KmsFailure::kDisabled, arn + " is disabled."};
    kms::DataKey key;
    key.key_arn = arn;
    for (size_t i = 0; i < key.plaintext.size(); i += 8) {
      const uint64_t r = RandomU64();
      for (size_t j = 0; j < 8; ++j) key.plaintext[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    key.ciphertext_blob = "blob-" + std::to_string(blobs_.size() + 1);
    blobs_[key.ciphertext_blob] = Blob{arn, key.plaintext, context};
    return key;
  }

  Result<kms::DataKeyBytes, kms::KmsError> DecryptDataKey(
      const kms::ServiceCall& call, std::string_view ciphertext_blob,
      const kms::EncryptionContext& context) override {
    std::lock_guard lock(mu_);
    ++decrypt_calls_;
    Record(call, false, "", context);
    if (fail_all_) return kms::KmsError{*fail_all_, "injected failure"};
    auto blob = blobs_.find(std::string(ciphertext_blob));
    if (blob == blobs_.end() || blob->second.context != context) {
      return kms::KmsError{kms::KmsFailure::kInvalidCiphertext, ""};
    }
    const std::string& arn = blob->second.arn;
    if (call.request && deny_decrypt_.count(Who(call))) {
      return kms::KmsError{
          kms::KmsFailure::kAccessDenied,
          "User: " + Who(call) + " is not authorized to perform: kms:Decrypt on resource: " + arn};
    }
    if (disabled_.count(arn))
      return kms::KmsError{kms::KmsFailure::kDisabled, arn + " is disabled."};
    return blob->second.plaintext;
  }

 private:
  struct Blob {
    std::string arn;
    kms::DataKeyBytes plaintext;
    kms::EncryptionContext context;
  };

  // The caller as the deny lists and records name it: its access key id, or for a service
  // principal (which has none) the service's name.
  static std::string Who(const kms::ServiceCall& call) {
    const api::RequestContext& r = *call.request;
    if (r.access_key_id.empty() && r.caller &&
        r.caller->principal.type == auth::PrincipalType::kService) {
      return r.caller->principal.service;
    }
    return r.access_key_id;
  }

  void Record(const kms::ServiceCall& call, bool generate, std::string_view key_ref,
              const kms::EncryptionContext& context) {
    CallRecord r;
    r.generate = generate;
    r.has_request = call.request != nullptr;
    if (call.request) r.access_key_id = Who(call);
    r.via_service = std::string(call.via_service);
    r.key_account = std::string(call.key_account);
    r.key_ref = std::string(key_ref);
    r.context = context;
    calls_.push_back(std::move(r));
  }

  mutable std::mutex mu_;
  std::map<std::string, std::string> refs_;
  std::set<std::string> disabled_;
  std::set<std::string> deny_generate_;
  std::set<std::string> deny_decrypt_;
  std::optional<kms::KmsFailure> fail_all_;
  std::map<std::string, Blob> blobs_;
  std::vector<CallRecord> calls_;
  int generate_calls_ = 0;
  int decrypt_calls_ = 0;
};

}  // namespace wharf::sqs::testing
