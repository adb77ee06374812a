#pragma once

// The SSE-KMS message body envelope (security.md §4.6): a body sealed with AES-256-GCM under a
// data key, with a random 96-bit nonce and a 128-bit tag, stored as
//
//   nonce (12) ‖ ciphertext (as long as the body) ‖ tag (16)
//
// next to the data key's id (MessageContent::data_key_id), which is the envelope's dk_ref. The
// authenticated data is "sqs-body-v1" ‖ queue ARN ‖ message id, so a sealed body opens only in
// the queue and for the message it was sealed for: bodies cannot be swapped between messages or
// queues. (Message ids are fixed-length UUIDs, so the concatenation is unambiguous.)
//
// Thread-safety: free functions, safe from any thread. OpenSSL stays inside body_envelope.cc.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "kms/data_keys.h"

namespace wharf::sqs {

inline constexpr size_t kBodyNonceSize = 12;
inline constexpr size_t kBodyTagSize = 16;
inline constexpr size_t kBodyEnvelopeOverhead = kBodyNonceSize + kBodyTagSize;

// Seals `plaintext` under `key` for (queue_arn, message_id): kBodyEnvelopeOverhead +
// plaintext.size() bytes. Aborts only if OpenSSL cannot encrypt or draw a nonce at all.
std::string SealBody(const kms::DataKeyBytes& key, std::string_view queue_arn,
                     std::string_view message_id, std::string_view plaintext);

// The plaintext of a body sealed by SealBody under the same key for the same queue and message;
// nullopt if it is truncated, tampered with, or sealed for something else.
std::optional<std::string> OpenBody(const kms::DataKeyBytes& key, std::string_view queue_arn,
                                    std::string_view message_id, std::string_view sealed);

// Overwrites a plaintext data key (OPENSSL_cleanse, which the compiler cannot drop).
void WipeKey(kms::DataKeyBytes& key);

}  // namespace wharf::sqs
