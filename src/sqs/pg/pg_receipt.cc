#include "sqs/pg/pg_receipt.h"

#include <openssl/crypto.h>

#include <array>
#include <utility>

#include "common/base64.h"
#include "common/hashing.h"

namespace wharf::sqs::pg {
namespace {

constexpr uint8_t kVersion = 2;
constexpr size_t kSignedBytes = 1 + 8 + 8 + 8;
constexpr size_t kTagBytes = 12;

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[at + i]);
  return value;
}

}  // namespace

PgReceiptCodec::PgReceiptCodec(std::string key) : key_(std::move(key)) {}

std::string PgReceiptCodec::Encode(uint64_t queue_id, const storage::pg::Receipt& receipt) const {
  std::string raw;
  raw.reserve(kSignedBytes + kTagBytes);
  raw.push_back(static_cast<char>(kVersion));
  PutU64(raw, queue_id);
  PutU64(raw, static_cast<uint64_t>(receipt.seq));
  PutU64(raw, static_cast<uint64_t>(receipt.token));
  const Sha256Digest tag = HmacSha256(key_, raw);
  raw.append(reinterpret_cast<const char*>(tag.data()), kTagBytes);
  return Base64Encode(raw);
}

std::optional<PgReceipt> PgReceiptCodec::Decode(std::string_view handle) const {
  auto raw = Base64Decode(handle);
  if (!raw || raw->size() != kSignedBytes + kTagBytes) return std::nullopt;
  if (static_cast<uint8_t>((*raw)[0]) != kVersion) return std::nullopt;
  const Sha256Digest tag = HmacSha256(key_, std::string_view(*raw).substr(0, kSignedBytes));
  // Constant time: a forger learns nothing from how long the refusal took.
  if (CRYPTO_memcmp(tag.data(), raw->data() + kSignedBytes, kTagBytes) != 0) return std::nullopt;
  PgReceipt out;
  out.queue_id = GetU64(*raw, 1);
  out.receipt.seq = static_cast<int64_t>(GetU64(*raw, 9));
  out.receipt.token = static_cast<int64_t>(GetU64(*raw, 17));
  return out;
}

}  // namespace wharf::sqs::pg
