#pragma once

// Receipt handles: opaque to clients, but they name the queue incarnation, the message and the
// receive that issued them, so a foreign or garbled handle is rejected (ReceiptHandleIsInvalid)
// and a stale one (the message was received again since) is recognised.
// Encoding (version 1): base64 of
//   u8 version | u64 queue id | u64 seq | u32 receive | u32 nonce | u32 message check,
// integers big-endian. The message check (a hash of the MessageId) makes a handle useless for a
// different message that later got the same seq.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf::sqs {

struct ReceiptHandle {
  uint64_t queue_id = 0;
  uint64_t seq = 0;
  uint32_t receive_count = 0;
  uint32_t nonce = 0;
  uint32_t message_check = 0;
};

// The message check of a MessageId (FNV-1a).
uint32_t MessageCheckOf(std::string_view message_id);

std::string EncodeReceiptHandle(const ReceiptHandle& handle);
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace wharf::sqs
