#pragma once

// The KMS ciphertext blob (security.md §4.6): what Encrypt and GenerateDataKey return and
// Decrypt takes back. Clients never parse it; it names the key and the key-material version
// that sealed it, so Decrypt needs no KeyId and old blobs still open after a rotation.
//
//   offset  size  field
//   0       1     format version (0x01)
//   1       16    key UUID (binary)
//   17      4     key-material version, big-endian
//   21      12    nonce (random)
//   33      n     AES-256-GCM ciphertext
//   33+n    16    tag
//   AAD = "kms-blob-v1" ‖ bytes[0..33) ‖ canonical(EncryptionContext)
//   canonical(EC) = for each pair sorted by key (UTF-8 bytes): u32be(len k) ‖ k ‖ u32be(len v) ‖ v
//
// 4096 bytes of plaintext make a 4145-byte blob, inside KMS's 6144-byte limit.
// Thread-safety: free functions, safe from any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kms/crypto.h"
#include "kms/data_keys.h"

namespace wharf::kms {

inline constexpr uint8_t kBlobVersion = 1;
inline constexpr size_t kBlobHeaderSize = 1 + 16 + 4 + kNonceSize;
inline constexpr size_t kBlobOverhead = kBlobHeaderSize + kTagSize;

using KeyUuid = std::array<uint8_t, 16>;

struct BlobHeader {
  KeyUuid key_uuid{};
  uint32_t material_version = 0;
};

// The context's canonical bytes, bound into every blob as associated data.
std::string CanonicalContext(const EncryptionContext& context);

// Seals `plaintext` under `material` (the key's material version `header.material_version`)
// with a fresh random nonce.
std::string SealBlob(const KeyMaterial& material, const BlobHeader& header,
                     std::string_view plaintext, const EncryptionContext& context);

// The key and material version a blob names; nullopt when it is too short or of another
// format version (Decrypt answers InvalidCiphertextException then).
std::optional<BlobHeader> ParseBlobHeader(std::string_view blob);

// The plaintext, or nullopt when the blob was tampered with, sealed under other material or
// with another context. Nothing tells these apart, on purpose.
std::optional<std::string> OpenBlob(const KeyMaterial& material, std::string_view blob,
                                    const EncryptionContext& context);

}  // namespace wharf::kms
