#include "sqs/sse/body_envelope.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace wharf::sqs {
namespace {

constexpr std::string_view kAadLabel = "sqs-body-v1";

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "wharf: fatal: SSE-KMS body envelope: %s\n", what);
  std::abort();
}

// Fetched once: a provider lookup per call would be wasted work.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

// One context per thread, re-initialized for every body: no allocation per message.
EVP_CIPHER_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(
      EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  return ctx.get();
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Bodies are at most a few MiB, far below INT_MAX, so one update each is enough.
bool AddAad(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view queue_arn,
            std::string_view message_id) {
  int n = 0;
  for (std::string_view part : {kAadLabel, queue_arn, message_id}) {
    if (part.empty()) continue;
    const int ok =
        encrypt ? EVP_EncryptUpdate(ctx, nullptr, &n, Bytes(part), static_cast<int>(part.size()))
                : EVP_DecryptUpdate(ctx, nullptr, &n, Bytes(part), static_cast<int>(part.size()));
    if (ok != 1) return false;
  }
  return true;
}

}  // namespace

std::string SealBody(const kms::DataKeyBytes& key, std::string_view queue_arn,
                     std::string_view message_id, std::string_view plaintext) {
  std::string out(kBodyEnvelopeOverhead + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* ciphertext = nonce + kBodyNonceSize;
  auto* tag = ciphertext + plaintext.size();
  if (RAND_bytes(nonce, static_cast<int>(kBodyNonceSize)) != 1) Fatal("no random nonce");
  EVP_CIPHER_CTX* ctx = ThreadContext();
  int n = 0;
  if (ctx == nullptr || Aes256Gcm() == nullptr ||
      EVP_EncryptInit_ex(ctx, Aes256Gcm(), nullptr, key.data(), nonce) != 1 ||
      !AddAad(ctx, /*encrypt=*/true, queue_arn, message_id) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx, ciphertext, &n, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx, ciphertext + plaintext.size(), &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kBodyTagSize), tag) != 1) {
    Fatal("encryption failed");
  }
  return out;
}

std::optional<std::string> OpenBody(const kms::DataKeyBytes& key, std::string_view queue_arn,
                                    std::string_view message_id, std::string_view sealed) {
  if (sealed.size() < kBodyEnvelopeOverhead) return std::nullopt;
  const size_t size = sealed.size() - kBodyEnvelopeOverhead;
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* ciphertext = nonce + kBodyNonceSize;
  // The tag is an input, but OpenSSL's ctrl takes a non-const pointer: copy it.
  unsigned char tag[kBodyTagSize];
  std::copy_n(ciphertext + size, kBodyTagSize, tag);
  std::string out(size, '\0');
  auto* plaintext = reinterpret_cast<unsigned char*>(out.data());
  EVP_CIPHER_CTX* ctx = ThreadContext();
  int n = 0;
  if (ctx == nullptr || Aes256Gcm() == nullptr ||
      EVP_DecryptInit_ex(ctx, Aes256Gcm(), nullptr, key.data(), nonce) != 1 ||
      !AddAad(ctx, /*encrypt=*/false, queue_arn, message_id) ||
      (size > 0 &&
       EVP_DecryptUpdate(ctx, plaintext, &n, ciphertext, static_cast<int>(size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kBodyTagSize), tag) != 1 ||
      EVP_DecryptFinal_ex(ctx, plaintext + size, &n) <= 0) {
    OPENSSL_cleanse(out.data(), out.size());  // never hand out unauthenticated bytes
    return std::nullopt;
  }
  return out;
}

void WipeKey(kms::DataKeyBytes& key) { OPENSSL_cleanse(key.data(), key.size()); }

}  // namespace wharf::sqs
