#pragma once

// SSE-KMS inside SQS (security.md §4.1, §4.2): message bodies sealed under data keys that the
// key service generates for the producer, opened for the consumer, and re-encrypted with the
// server's own authority when a message changes queue.
//
//   Send:    data key from SendKeyCache (queue ARN, KmsMasterKeyId, producer) or
//            GenerateDataKey as the producer via "sqs" in the queue owner's account, with
//            context {"aws:sqs:arn": queue ARN}; every body sealed under it (body_envelope.h);
//            the key's record stored once by the queue (QueueDataKeys).
//   Receive: per message, the plaintext key from ReceiveKeyCache (data key id, consumer) or
//            DecryptDataKey as the consumer; the body opened.
//   Move:    the same two steps as the server itself (ServiceCall::request = null).
// A KMS refusal becomes the matching Kms* error (KmsErrorOf); the caller fails the whole
// request. Without a key service (tests that do not need one) every SSE-KMS operation fails
// with KmsNotFound.
//
// SSE-SQS needs nothing here: the store seals every value it writes under the root key.
//
// Thread-safety: any thread; the caches are the only shared state. Never called under a queue's
// lock (KMS calls and AES over whole bodies do not belong there).

#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/request_context.h"
#include "common/clock.h"
#include "kms/data_keys.h"
#include "sqs/engine/recrypter.h"
#include "sqs/queue_backend.h"
#include "sqs/sse/data_key_cache.h"

namespace wharf::sqs {

// The Kms* error of a KMS refusal (security.md §4.3), with KMS's own message. A stored blob
// that does not open (kInvalidCiphertext) is an internal failure, never the client's.
api::ApiError KmsErrorOf(const kms::KmsError& error);

// Whose data keys a request uses (security.md §4.2 step 3): AWS keeps one per credentials
// identity. Users and account roots by ARN; role sessions by their role's ARN, so sessions of
// one role share — unless the session carries session policies, which may narrow what it may
// do with the key, so it gets keys of its own; service principals by service name; requests
// without verified credentials (--auth off) by account. A view into `ctx`.
std::string_view CacheIdentityOf(const api::RequestContext& ctx);
// The server acting on its own authority (moves): never a principal's identity.
inline constexpr std::string_view kServerIdentity = "\x01wharf-server";

class MessageEncryption final : public Recrypter {
 public:
  // `keys` may be null (no key service). `cache_clock` measures the reuse period; `wall` stamps
  // data-key records.
  MessageEncryption(kms::DataKeyService* keys, const Clock& cache_clock, const Clock& wall);

  // Seals the bodies of a send to `queue` (rules.kms_master_key_id must be set) under the
  // caller's data key. On error nothing was changed and the whole send must fail with it.
  api::ApiStatus SealForSend(const api::RequestContext& ctx, const QueueIdentity& queue,
                             const SendRules& rules, std::vector<NewMessage>& messages);

  // Opens the sealed bodies of a receive from `queue` for the caller. On error nothing was
  // changed; the caller gives the messages back (QueueBackend::ReturnUndelivered) and fails.
  // A body whose record names another queue (DataKeyRecord::queue_arn: moved there sealed, as
  // the PostgreSQL backend moves messages) opens with the server's authority, as Recrypt opens
  // it, once the caller has shown it may use `queue`'s own key (ConsumerMayOpen): the same
  // permissions, and the same Kms* errors, as the engine's re-encrypted move asks.
  api::ApiStatus OpenReceived(const api::RequestContext& ctx, const QueueBackend& queue,
                              std::vector<ReceivedMessage>& messages);

  void Recrypt(RecryptJob job, RecryptDone done) override;

  const SendKeyCache& send_cache() const { return send_cache_; }
  const ReceiveKeyCache& receive_cache() const { return receive_cache_; }

 private:
  api::ApiResult<SendDataKey> DataKeyFor(const kms::ServiceCall& call, const QueueIdentity& queue,
                                         std::string_view key_ref, std::string_view principal,
                                         int64_t reuse_seconds);
  // The caller may decrypt a data key of `queue` (when it is SSE-KMS): what receiving a
  // message the engine re-encrypted into `queue` would ask of it.
  api::ApiStatus ConsumerMayOpen(const api::RequestContext& ctx, const QueueIdentity& queue,
                                 const SendRules& rules);
  // The plaintext of a data key generated for another queue (record.queue_arn), as the server.
  api::ApiResult<SecretDataKey> PlaintextAsServer(const DataKeyRecord& record,
                                                  int64_t reuse_seconds);
  api::ApiResult<SecretDataKey> PlaintextOf(const kms::ServiceCall& call,
                                            const QueueIdentity& queue, const DataKeyRecord& record,
                                            std::string_view principal, int64_t reuse_seconds);

  kms::DataKeyService* const keys_;
  const Clock& wall_;
  SendKeyCache send_cache_;
  ReceiveKeyCache receive_cache_;
};

}  // namespace wharf::sqs
