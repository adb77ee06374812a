#pragma once

// The key that signs notification envelopes (sns-fanout.md §4.3) and the self-signed
// certificate consumers verify them with, served without authentication at
// <endpoint>/SimpleNotificationService-<sha1 of the certificate>.pem (the SigningCertURL).
//
// One RSA-2048 key per server, made at first start. On a durable server it is kept in the store
// (`sns/signing-key`) sealed under the root key's sub-key "sns-signing v1" (security.md §4.6),
// with the certificate beside it in clear, so envelopes signed before a restart still verify
// after it. In memory mode a fresh key is made at every start.
//
// Signing: RSA PKCS#1 v1.5 over the string to sign, SHA-1 for SignatureVersion 1, SHA-256 for 2,
// base64. Thread-safety: immutable once built; Sign may be called from any thread.
// OpenSSL stays inside signing_key.cc.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/sealing.h"
#include "storage/store.h"

namespace wharf::sns {

class SigningKey {
 public:
  // A fresh key and a certificate for it naming `common_name`, valid for ten years.
  static Result<std::shared_ptr<const SigningKey>, std::string> Generate(
      std::string_view common_name);
  // A key and certificate as PEM text (the private key PKCS#8).
  static Result<std::shared_ptr<const SigningKey>, std::string> FromPem(
      std::string_view private_key_pem, std::string certificate_pem);

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // base64 of the RSA PKCS#1 v1.5 signature of `data` with SHA-1 (version 1) or SHA-256 (2).
  std::string Sign(std::string_view data, uint8_t signature_version) const;

  const std::string& certificate_pem() const { return certificate_pem_; }
  // "SimpleNotificationService-<40 hex digits>.pem": the certificate's file name in its URL.
  const std::string& certificate_file() const { return certificate_file_; }
  // PKCS#8 PEM of the private key: only for sealing it into the store.
  std::string PrivateKeyPem() const;

 private:
  SigningKey(void* key, std::string certificate_pem);
  void* key_;  // EVP_PKEY*
  std::string certificate_pem_;
  std::string certificate_file_;
};

// The signing key kept in `store`, opened with `sealer`; null when there is none. Fails with a
// sentence for the operator when it does not open (a different root key).
Result<std::shared_ptr<const SigningKey>, std::string> LoadSigningKey(storage::Store& store,
                                                                      const Sealer& sealer);
// Keeps `key` in `store`, sealed with `sealer`, and waits until it is durable (start-up, and
// `wharf rekey` sealing it again under a new root key).
Status<std::string> SaveSigningKey(storage::Store& store, const SigningKey& key,
                                   const Sealer& sealer);

// The server's signing key: the one in `store` opened with `sealer`, or (first start, or a
// store that keeps nothing) a fresh one, sealed and appended to the store. Fails with a
// sentence for the operator when the stored key does not open (a different root key).
Result<std::shared_ptr<const SigningKey>, std::string> LoadOrCreateSigningKey(storage::Store& store,
                                                                              const Sealer* sealer);

}  // namespace wharf::sns
