#include "kms/blob.h"

#include <algorithm>

namespace wharf::kms {
namespace {

constexpr std::string_view kAadLabel = "kms-blob-v1";

void AppendU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string AadOf(std::string_view header, const EncryptionContext& context) {
  std::string aad(kAadLabel);
  aad.append(header);
  aad.append(CanonicalContext(context));
  return aad;
}

}  // namespace

std::string CanonicalContext(const EncryptionContext& context) {
  // std::map orders std::string keys bytewise (char_traits<char> compares as unsigned char),
  // which is the UTF-8 byte order the format asks for.
  std::string out;
  for (const auto& [key, value] : context) {
    AppendU32(out, static_cast<uint32_t>(key.size()));
    out.append(key);
    AppendU32(out, static_cast<uint32_t>(value.size()));
    out.append(value);
  }
  return out;
}

std::string SealBlob(const KeyMaterial& material, const BlobHeader& header,
                     std::string_view plaintext, const EncryptionContext& context) {
  std::array<uint8_t, kNonceSize> nonce{};
  RandomPublicBytes(nonce.data(), nonce.size());
  std::string blob;
  blob.reserve(kBlobOverhead + plaintext.size());
  blob.push_back(static_cast<char>(kBlobVersion));
  blob.append(reinterpret_cast<const char*>(header.key_uuid.data()), header.key_uuid.size());
  AppendU32(blob, header.material_version);
  blob.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  const std::string aad = AadOf(blob, context);
  GcmSeal(material, nonce, aad, plaintext, blob);
  return blob;
}

std::optional<BlobHeader> ParseBlobHeader(std::string_view blob) {
  if (blob.size() < kBlobOverhead || static_cast<uint8_t>(blob[0]) != kBlobVersion) {
    return std::nullopt;
  }
  BlobHeader header;
  std::copy(blob.begin() + 1, blob.begin() + 17, header.key_uuid.begin());
  for (size_t i = 17; i < 21; ++i) {
    header.material_version = (header.material_version << 8) | static_cast<uint8_t>(blob[i]);
  }
  return header;
}

std::optional<std::string> OpenBlob(const KeyMaterial& material, std::string_view blob,
                                    const EncryptionContext& context) {
  if (!ParseBlobHeader(blob)) return std::nullopt;
  std::array<uint8_t, kNonceSize> nonce{};
  std::copy(blob.begin() + 21, blob.begin() + kBlobHeaderSize, nonce.begin());
  const std::string aad = AadOf(blob.substr(0, kBlobHeaderSize), context);
  return GcmOpen(material, nonce, aad, blob.substr(kBlobHeaderSize));
}

}  // namespace wharf::kms
