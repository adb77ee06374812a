#include "sqs/sse/message_encryption.h"

#include "auth/credentials.h"
#include "common/ids.h"
#include "sqs/engine/queue.h"
#include "sqs/queue_arn.h"
#include "sqs/sse/body_envelope.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;

constexpr std::string_view kViaService = "sqs";

api::ApiError NoKeyService(std::string_view key_ref) {
  return api::Error(ErrorCode::kKmsNotFound,
                    "SSE-KMS is not available on this server (no key service is configured), so "
                    "the KMS key " +
                        std::string(key_ref) + " cannot be used.");
}

// Internal trouble with stored data (a record or body that does not open): the client is not
// at fault and must not learn the details.
api::ApiError Unreadable() {
  return api::Error(ErrorCode::kInternalFailure,
                    "The message could not be decrypted. Please retry later.");
}

kms::EncryptionContext ContextOf(const QueueIdentity& queue) {
  return kms::EncryptionContext{{"aws:sqs:arn", queue.arn}};
}

// `content` with another body (sealed or plaintext) and data key id.
std::shared_ptr<const MessageContent> WithBody(const MessageContent& content, std::string body,
                                               uint64_t data_key_id) {
  auto out = std::make_shared<MessageContent>(content);
  out->body = std::move(body);
  out->body_on_disk = false;
  out->data_key_id = data_key_id;
  return out;
}

uint64_t NewDataKeyId() {
  uint64_t id = 0;
  while (id == 0) id = RandomU64();
  return id;
}

}  // namespace

api::ApiError KmsErrorOf(const kms::KmsError& error) {
  ErrorCode code = ErrorCode::kInternalFailure;
  switch (error.failure) {
    case kms::KmsFailure::kAccessDenied:
      code = ErrorCode::kKmsAccessDenied;
      break;
    case kms::KmsFailure::kDisabled:
      code = ErrorCode::kKmsDisabled;
      break;
    case kms::KmsFailure::kNotFound:
      code = ErrorCode::kKmsNotFound;
      break;
    case kms::KmsFailure::kInvalidState:
      code = ErrorCode::kKmsInvalidState;
      break;
    case kms::KmsFailure::kInvalidKeyUsage:
      code = ErrorCode::kKmsInvalidKeyUsage;
      break;
    case kms::KmsFailure::kThrottled:
      code = ErrorCode::kKmsThrottled;
      break;
    case kms::KmsFailure::kInvalidCiphertext:
      return Unreadable();
  }
  std::string message = error.message;
  if (message.empty()) message = std::string(api::InfoOf(code).query_code);
  return api::Error(code, std::move(message));
}

std::string_view CacheIdentityOf(const api::RequestContext& ctx) {
  const auth::AccessKey* key = ctx.caller.get();
  if (key == nullptr) return ctx.account_id;
  const auth::RequestPrincipal& p = key->principal;
  switch (p.type) {
    case auth::PrincipalType::kAccount:
    case auth::PrincipalType::kUser:
      return p.arn;
    case auth::PrincipalType::kAssumedRole:
      return key->session_policies.empty() ? std::string_view(p.role_arn)
                                           : std::string_view(key->access_key_id);
    case auth::PrincipalType::kService:
      return p.service;
  }
  return ctx.account_id;
}

MessageEncryption::MessageEncryption(kms::DataKeyService* keys, const Clock& cache_clock,
                                     const Clock& wall)
    : keys_(keys), wall_(wall), send_cache_(cache_clock), receive_cache_(cache_clock) {}

api::ApiResult<SendDataKey> MessageEncryption::DataKeyFor(const kms::ServiceCall& call,
                                                          const QueueIdentity& queue,
                                                          std::string_view key_ref,
                                                          std::string_view principal,
                                                          int64_t reuse_seconds) {
  if (auto cached =
          send_cache_.Find(SendCacheView{queue.arn, key_ref, principal}, Seconds(reuse_seconds))) {
    return std::move(*cached);
  }
  if (keys_ == nullptr) return NoKeyService(key_ref);
  auto generated = keys_->GenerateDataKey(call, key_ref, ContextOf(queue));
  if (!generated.ok()) return KmsErrorOf(generated.error());
  SendDataKey key;
  key.key = SecretDataKey(generated->plaintext);
  WipeKey(generated->plaintext);
  key.record = std::make_shared<const DataKeyRecord>(
      DataKeyRecord{NewDataKeyId(), std::move(generated->key_arn),
                    std::move(generated->ciphertext_blob), wall_.WallMillis()});
  send_cache_.Put(SendCacheKey{queue.arn, std::string(key_ref), std::string(principal)}, key);
  return key;
}

api::ApiResult<SecretDataKey> MessageEncryption::PlaintextOf(const kms::ServiceCall& call,
                                                             const QueueIdentity& queue,
                                                             const DataKeyRecord& record,
                                                             std::string_view principal,
                                                             int64_t reuse_seconds) {
  if (auto cached =
          receive_cache_.Find(ReceiveCacheView{record.id, principal}, Seconds(reuse_seconds))) {
    return std::move(*cached);
  }
  if (keys_ == nullptr) return NoKeyService(record.key_arn);
  auto decrypted = keys_->DecryptDataKey(call, record.ciphertext_blob, ContextOf(queue));
  if (!decrypted.ok()) return KmsErrorOf(decrypted.error());
  SecretDataKey key(*decrypted);
  WipeKey(*decrypted);
  receive_cache_.Put(ReceiveCacheKey{record.id, std::string(principal)}, key);
  return key;
}

api::ApiStatus MessageEncryption::SealForSend(const api::RequestContext& ctx,
                                              const QueueIdentity& queue, const SendRules& rules,
                                              std::vector<NewMessage>& messages) {
  const kms::ServiceCall call{&ctx, kViaService, queue.account_id};
  auto key = DataKeyFor(call, queue, *rules.kms_master_key_id, CacheIdentityOf(ctx),
                        rules.kms_data_key_reuse_period_seconds);
  if (!key.ok()) return std::move(key).error();
  for (NewMessage& m : messages) {
    const MessageContent& c = *m.content;
    m.content =
        WithBody(c, SealBody(key->key.bytes, queue.arn, c.message_id, c.body), key->record->id);
    m.data_key = key->record;
  }
  return {};
}

api::ApiStatus MessageEncryption::OpenReceived(const api::RequestContext& ctx,
                                               const QueueBackend& queue,
                                               std::vector<ReceivedMessage>& messages) {
  const QueueIdentity& identity = queue.identity();
  const kms::ServiceCall call{&ctx, kViaService, identity.account_id};
  const std::string_view principal = CacheIdentityOf(ctx);
  const SendRules rules = queue.send_rules();
  const int64_t reuse = rules.kms_data_key_reuse_period_seconds;
  bool consumer_checked = false;
  // Opened into a side list first: on error the messages are left exactly as received.
  std::vector<std::shared_ptr<const MessageContent>> opened(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    const MessageContent& c = *messages[i].content;
    if (c.data_key_id == 0) continue;
    if (!messages[i].data_key) return Unreadable();
    const DataKeyRecord& record = *messages[i].data_key;
    std::optional<std::string> body;
    if (record.queue_arn.empty() || record.queue_arn == identity.arn) {
      auto key = PlaintextOf(call, identity, record, principal, reuse);
      if (!key.ok()) return std::move(key).error();
      body = OpenBody(key->bytes, identity.arn, c.message_id, c.body);
    } else {
      // Moved here still sealed for its first queue (a backend that does not re-encrypt on
      // moves). The engine would have re-encrypted it under this queue's settings, so the
      // consumer must be able to use this queue's key, as for any message of it.
      if (!consumer_checked) {
        WHARF_RETURN_IF_ERROR(ConsumerMayOpen(ctx, identity, rules));
        consumer_checked = true;
      }
      auto key = PlaintextAsServer(record, reuse);
      if (!key.ok()) return std::move(key).error();
      body = OpenBody(key->bytes, record.queue_arn, c.message_id, c.body);
    }
    if (!body) return Unreadable();
    opened[i] = WithBody(c, std::move(*body), 0);
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    if (opened[i]) messages[i].content = std::move(opened[i]);
  }
  return {};
}

api::ApiStatus MessageEncryption::ConsumerMayOpen(const api::RequestContext& ctx,
                                                  const QueueIdentity& queue,
                                                  const SendRules& rules) {
  // A queue in clear: the engine would have moved the message into clear; nothing to check.
  if (!rules.kms_master_key_id) return {};
  const int64_t reuse = rules.kms_data_key_reuse_period_seconds;
  // A data key of this queue, generated by the server as a move into it would (cached), then
  // decrypted as the consumer, as a receive of a message moved here by the engine would be
  // (cached per consumer for the reuse period, like every receive's key).
  const kms::ServiceCall server{nullptr, kViaService, queue.account_id};
  auto key = DataKeyFor(server, queue, *rules.kms_master_key_id, kServerIdentity, reuse);
  if (!key.ok()) return std::move(key).error();
  const kms::ServiceCall consumer{&ctx, kViaService, queue.account_id};
  auto plaintext = PlaintextOf(consumer, queue, *key->record, CacheIdentityOf(ctx), reuse);
  if (!plaintext.ok()) return std::move(plaintext).error();
  return {};
}

api::ApiResult<SecretDataKey> MessageEncryption::PlaintextAsServer(const DataKeyRecord& record,
                                                                   int64_t reuse_seconds) {
  auto arn = ParseQueueArn(record.queue_arn);
  if (!arn) return Unreadable();
  QueueIdentity source;
  source.account_id = std::string(arn->account);
  source.name = std::string(arn->name);
  source.arn = record.queue_arn;
  // As Recrypt opens a moved message: the server's authority in the source queue's account.
  const kms::ServiceCall call{nullptr, kViaService, source.account_id};
  return PlaintextOf(call, source, record, kServerIdentity, reuse_seconds);
}

void MessageEncryption::Recrypt(RecryptJob job, RecryptDone done) {
  const QueueIdentity& source = job.source->identity();
  const QueueIdentity& destination = job.destination->identity();
  const MessageContent& c = *job.content;
  std::string body;
  if (c.data_key_id != 0) {
    if (!job.data_key) return done(Unreadable());
    const kms::ServiceCall call{nullptr, kViaService, source.account_id};
    auto key = PlaintextOf(call, source, *job.data_key, kServerIdentity,
                           job.source->send_rules().kms_data_key_reuse_period_seconds);
    if (!key.ok()) return done(std::move(key).error());
    auto opened = OpenBody(key->bytes, source.arn, c.message_id, c.body);
    if (!opened) return done(Unreadable());
    body = std::move(*opened);
  } else {
    body = c.body;
  }
  const SendRules rules = job.destination->send_rules();
  if (!rules.kms_master_key_id) {
    // The destination keeps bodies in clear (its store still seals everything at rest).
    return done(Recrypted{WithBody(c, std::move(body), 0), nullptr});
  }
  const kms::ServiceCall call{nullptr, kViaService, destination.account_id};
  auto key = DataKeyFor(call, destination, *rules.kms_master_key_id, kServerIdentity,
                        rules.kms_data_key_reuse_period_seconds);
  if (!key.ok()) return done(std::move(key).error());
  std::string sealed = SealBody(key->key.bytes, destination.arn, c.message_id, body);
  done(Recrypted{WithBody(c, std::move(sealed), key->record->id), key->record});
}

}  // namespace wharf::sqs
