#pragma once

// The cryptographic primitives of the key service (security.md §4.6), with OpenSSL kept inside
// crypto.cc: key material that wipes itself, randomness from OpenSSL's CSPRNG, and AES-256-GCM
// with a 96-bit random nonce and a 128-bit tag.
// Thread-safety: free functions, safe from any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace wharf::kms {

inline constexpr size_t kMaterialSize = 32;  // AES-256
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;

// 32 bytes of secret key material (a KMS key's material version, or a data key). Every copy
// wipes its bytes (OPENSSL_cleanse) when it is destroyed or overwritten.
class KeyMaterial {
 public:
  KeyMaterial() = default;
  explicit KeyMaterial(const std::array<uint8_t, kMaterialSize>& bytes) : bytes_(bytes) {}
  KeyMaterial(const KeyMaterial&) = default;
  KeyMaterial& operator=(const KeyMaterial& other);
  ~KeyMaterial();

  // Fresh material from RAND_priv_bytes.
  static KeyMaterial Random();
  // Exactly kMaterialSize bytes, else nullopt.
  static std::optional<KeyMaterial> FromBytes(std::string_view bytes);

  const std::array<uint8_t, kMaterialSize>& bytes() const { return bytes_; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::array<uint8_t, kMaterialSize> bytes_{};
};

// A string holding secret bytes (plaintexts, data keys), wiped when it goes out of scope. Moves
// hand the buffer over; copies are not allowed (every copy would be one more to wipe).
struct SecretString {
  std::string value;
  SecretString() = default;
  explicit SecretString(std::string v) : value(std::move(v)) {}
  SecretString(SecretString&& other) noexcept : value(std::move(other.value)) {}
  SecretString& operator=(SecretString&&) = delete;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString();
};

// Wipes `bytes` in place (OPENSSL_cleanse).
void Wipe(void* bytes, size_t size);

// `size` bytes from RAND_priv_bytes (key material, data keys) or RAND_bytes (nonces, ids).
// Abort the process if OpenSSL has no entropy: a predictable key would be worse than stopping.
std::string RandomPrivateBytes(size_t size);
void RandomPublicBytes(uint8_t* out, size_t size);

// AES-256-GCM: appends ciphertext (as long as `plaintext`) then the 16-byte tag to `out`.
void GcmSeal(const KeyMaterial& key, const std::array<uint8_t, kNonceSize>& nonce,
             std::string_view aad, std::string_view plaintext, std::string& out);
// Opens ciphertext‖tag; nullopt when the tag does not verify (never partial bytes).
std::optional<std::string> GcmOpen(const KeyMaterial& key,
                                   const std::array<uint8_t, kNonceSize>& nonce,
                                   std::string_view aad, std::string_view sealed);

}  // namespace wharf::kms
