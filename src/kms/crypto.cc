#include "kms/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace wharf::kms {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "wharf: fatal: kms crypto: %s\n", what);
  std::abort();
}

// Fetched once: a provider lookup per call would be wasted work.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Every input here is bounded far below INT_MAX (blobs ≤ 6144 bytes, key records ≪ 1 MiB).
int Len(size_t n) {
  if (n > (size_t{1} << 30)) Fatal("input too large");
  return static_cast<int>(n);
}

}  // namespace

KeyMaterial& KeyMaterial::operator=(const KeyMaterial& other) {
  if (this != &other) bytes_ = other.bytes_;
  return *this;
}

KeyMaterial::~KeyMaterial() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

KeyMaterial KeyMaterial::Random() {
  KeyMaterial m;
  if (RAND_priv_bytes(m.bytes_.data(), static_cast<int>(m.bytes_.size())) != 1) {
    Fatal("RAND_priv_bytes failed");
  }
  return m;
}

std::optional<KeyMaterial> KeyMaterial::FromBytes(std::string_view bytes) {
  if (bytes.size() != kMaterialSize) return std::nullopt;
  KeyMaterial m;
  std::copy(bytes.begin(), bytes.end(), m.bytes_.begin());
  return m;
}

SecretString::~SecretString() { OPENSSL_cleanse(value.data(), value.size()); }

void Wipe(void* bytes, size_t size) { OPENSSL_cleanse(bytes, size); }

std::string RandomPrivateBytes(size_t size) {
  std::string out(size, '\0');
  if (size > 0 && RAND_priv_bytes(reinterpret_cast<unsigned char*>(out.data()), Len(size)) != 1) {
    Fatal("RAND_priv_bytes failed");
  }
  return out;
}

void RandomPublicBytes(uint8_t* out, size_t size) {
  if (size > 0 && RAND_bytes(out, Len(size)) != 1) Fatal("RAND_bytes failed");
}

void GcmSeal(const KeyMaterial& key, const std::array<uint8_t, kNonceSize>& nonce,
             std::string_view aad, std::string_view plaintext, std::string& out) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || Aes256Gcm() == nullptr) Fatal("no AES-256-GCM");
  int n = 0;
  const size_t start = out.size();
  out.resize(start + plaintext.size() + kTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
  if (EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key.bytes().data(), nonce.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), Len(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &n, Bytes(plaintext), Len(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          dst + plaintext.size()) != 1) {
    Fatal("AES-256-GCM encryption failed");
  }
}

std::optional<std::string> GcmOpen(const KeyMaterial& key,
                                   const std::array<uint8_t, kNonceSize>& nonce,
                                   std::string_view aad, std::string_view sealed) {
  if (sealed.size() < kTagSize) return std::nullopt;
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kTagSize);
  std::array<unsigned char, kTagSize> tag{};
  std::copy(sealed.end() - kTagSize, sealed.end(), tag.begin());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || Aes256Gcm() == nullptr) Fatal("no AES-256-GCM");
  std::string plain(ciphertext.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(plain.data());
  int n = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key.bytes().data(), nonce.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), Len(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &n, Bytes(ciphertext), Len(ciphertext.size())) != 1) {
    Fatal("AES-256-GCM decryption failed");
  }
  // The expected tag is set before the final step; a non-positive answer is a forgery.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + n, &n) <= 0) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

}  // namespace wharf::kms
