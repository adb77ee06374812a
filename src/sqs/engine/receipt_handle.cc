#include "sqs/engine/receipt_handle.h"

#include "common/base64.h"

namespace wharf::sqs {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kSize = 1 + 8 + 8 + 4 + 4 + 4;

void PutBig(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBig(std::string_view in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[pos + i]);
  return v;
}

}  // namespace

uint32_t MessageCheckOf(std::string_view message_id) {
  uint32_t h = 2166136261u;
  for (char c : message_id) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

std::string EncodeReceiptHandle(const ReceiptHandle& handle) {
  std::string raw;
  raw.reserve(kSize);
  raw.push_back(static_cast<char>(kVersion));
  PutBig(raw, handle.queue_id, 8);
  PutBig(raw, handle.seq, 8);
  PutBig(raw, handle.receive_count, 4);
  PutBig(raw, handle.nonce, 4);
  PutBig(raw, handle.message_check, 4);
  return Base64Encode(raw);
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  auto raw = Base64Decode(text);
  if (!raw || raw->size() != kSize || static_cast<uint8_t>((*raw)[0]) != kVersion) {
    return std::nullopt;
  }
  ReceiptHandle h;
  h.queue_id = GetBig(*raw, 1, 8);
  h.seq = GetBig(*raw, 9, 8);
  h.receive_count = static_cast<uint32_t>(GetBig(*raw, 17, 4));
  h.nonce = static_cast<uint32_t>(GetBig(*raw, 21, 4));
  h.message_check = static_cast<uint32_t>(GetBig(*raw, 25, 4));
  if (h.receive_count == 0) return std::nullopt;  // handles come from receives
  return h;
}

}  // namespace wharf::sqs
