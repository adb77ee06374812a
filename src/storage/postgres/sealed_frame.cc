#include "storage/postgres/sealed_frame.h"

namespace wharf::storage::pg {
namespace {

constexpr size_t kIdBytes = 8;
constexpr size_t kLengthBytes = 4;
constexpr size_t kHeaderBytes = 1 + kIdBytes + kLengthBytes;

void PutBigEndian(std::string& out, uint64_t value, size_t bytes) {
  for (size_t i = bytes; i-- > 0;) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

uint64_t GetBigEndian(std::string_view in, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

}  // namespace

std::string FrameSealed(int64_t data_key_id, std::string_view attrs, std::string_view sealed) {
  std::string out;
  out.reserve(kHeaderBytes + attrs.size() + sealed.size());
  out.push_back(static_cast<char>(kSealedFrameTag));
  PutBigEndian(out, static_cast<uint64_t>(data_key_id), kIdBytes);
  PutBigEndian(out, attrs.size(), kLengthBytes);
  out.append(attrs);
  out.append(sealed);
  return out;
}

std::optional<UnframedSealed> UnframeSealed(std::string_view stored) {
  if (stored.size() < kHeaderBytes || !LooksFramed(stored)) return std::nullopt;
  UnframedSealed out;
  out.data_key_id = static_cast<int64_t>(GetBigEndian(stored.substr(1), kIdBytes));
  const uint64_t attrs_size = GetBigEndian(stored.substr(1 + kIdBytes), kLengthBytes);
  stored.remove_prefix(kHeaderBytes);
  if (attrs_size > stored.size() || out.data_key_id == 0) return std::nullopt;
  out.attrs = std::string(stored.substr(0, attrs_size));
  out.sealed = std::string(stored.substr(attrs_size));
  return out;
}

}  // namespace wharf::storage::pg
