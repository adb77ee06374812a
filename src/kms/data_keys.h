#pragma once

// What other services ask of the key service: data keys for envelope encryption, generated and
// decrypted on behalf of a caller who acts *through* that service (security.md §4.2). SQS's
// SSE-KMS (and later SNS deliveries to SSE-KMS queues) code against this interface, so they can
// be tested with a fake; kms::KeyService implements it.
//
// Thread-safety: every method may be called from any thread, concurrently, and must not block
// (no waiting for storage or other threads): SQS calls it on I/O threads.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/request_context.h"
#include "common/result.h"

namespace wharf::kms {

// Why KMS refused. SQS reports each as its Kms* error (security.md §4.3):
// kAccessDenied → KmsAccessDenied, kDisabled → KmsDisabled, kNotFound → KmsNotFound,
// kInvalidState → KmsInvalidState, kInvalidKeyUsage → KmsInvalidKeyUsage,
// kThrottled → KmsThrottled. kInvalidCiphertext means a stored blob did not open (corrupt, or
// another context): SQS treats it as an internal error, never as a client mistake.
enum class KmsFailure : uint8_t {
  kAccessDenied,
  kDisabled,
  kNotFound,
  kInvalidState,
  kInvalidKeyUsage,
  kThrottled,
  kInvalidCiphertext,
};

struct KmsError {
  KmsFailure failure = KmsFailure::kNotFound;
  std::string message;  // KMS's own wording, e.g. "arn:aws:kms:…:key/… is disabled."
};

// Encryption context: sorted key → value (SQS uses {"aws:sqs:arn": <queue ARN>}).
using EncryptionContext = std::map<std::string, std::string, std::less<>>;

// Who asks, and through which service.
struct ServiceCall {
  // The request whose caller the KMS permission is checked for (its principal, session
  // policies, source IP…). Null: the server acting on its own authority (dead-letter moves,
  // message move tasks, start-up), which is never denied.
  const api::RequestContext* request = nullptr;
  // The service the caller goes through, e.g. "sqs": sets kms:ViaService to
  // "sqs.<region>.amazonaws.com" and aws:ViaAWSService to true for the key-policy evaluation.
  std::string_view via_service;
  // The account in which `key_ref` is resolved (the queue owner's account).
  std::string_view key_account;
};

inline constexpr size_t kDataKeySize = 32;  // AES-256
using DataKeyBytes = std::array<uint8_t, kDataKeySize>;

struct DataKey {
  std::string key_arn;          // the KMS key that protects the data key
  std::string ciphertext_blob;  // the data key encrypted by KMS: store this, never `plaintext`
  DataKeyBytes plaintext{};     // keep in memory only
};

class DataKeyService {
 public:
  virtual ~DataKeyService() = default;

  // GenerateDataKey(KeySpec=AES_256, EncryptionContext=context) on `key_ref` — a key id, key
  // ARN, alias name ("alias/orders", "alias/aws/sqs") or alias ARN in call.key_account. A
  // producer needs both kms:GenerateDataKey and kms:Decrypt on the key (§4.2), so both are
  // authorized. "alias/aws/sqs" is created on first use (the AWS-managed key for SQS).
  virtual Result<DataKey, KmsError> GenerateDataKey(const ServiceCall& call,
                                                    std::string_view key_ref,
                                                    const EncryptionContext& context) = 0;

  // Decrypt(CiphertextBlob=ciphertext_blob, EncryptionContext=context), authorizing
  // kms:Decrypt on the key the blob names. Fails with kDisabled/kInvalidState while the key is
  // disabled or pending deletion (the data stays, unreadable until the key is usable again).
  virtual Result<DataKeyBytes, KmsError> DecryptDataKey(const ServiceCall& call,
                                                        std::string_view ciphertext_blob,
                                                        const EncryptionContext& context) = 0;
};

}  // namespace wharf::kms
