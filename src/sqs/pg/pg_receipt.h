#pragma once

// Receipt handles of the PostgreSQL backend (ADR 0002 decision 6): the queue, the message's seq
// and the receive's random token (the `receipt` column), with an HMAC-SHA256 tag under a key
// every node of a deployment shares. A garbled, forged or foreign handle is refused without a
// query; whether the receive is still current is the database's answer (the token).
// Encoding: base64 of
//   u8 version (2) | u64 queue id | u64 seq | u64 token | 12-byte tag,
// integers big-endian, tag = HMAC-SHA256(key, the 25 bytes before it) truncated to 96 bits.
// Version 1 is the embedded engine's handle (engine/receipt_handle.h): the two never decode as
// each other.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

struct PgReceipt {
  uint64_t queue_id = 0;
  storage::pg::Receipt receipt;
};

class PgReceiptCodec {
 public:
  // `key`: secret bytes shared by the nodes (derived from the deployment's root key).
  explicit PgReceiptCodec(std::string key);

  std::string Encode(uint64_t queue_id, const storage::pg::Receipt& receipt) const;
  // Nullopt for anything this codec did not make: bad base64, length, version or tag.
  std::optional<PgReceipt> Decode(std::string_view handle) const;

 private:
  const std::string key_;
};

}  // namespace wharf::sqs::pg
