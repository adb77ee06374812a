#include "bench/digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace wharf::bench {
namespace {

const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

Sha256Context::Sha256Context() : ctx_(EVP_MD_CTX_new()) {}
Sha256Context::~Sha256Context() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Sha256Digest Sha256Context::Of(std::string_view bytes) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestInit_ex2(ctx, Sha256Algorithm(), nullptr);
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}

HmacSha256Context::HmacSha256Context() : ctx_(EVP_MAC_CTX_new(HmacAlgorithm())) {}
HmacSha256Context::~HmacSha256Context() { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_)); }

void HmacSha256Context::SetKey(const Sha256Digest& key) {
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  EVP_MAC_init(static_cast<EVP_MAC_CTX*>(ctx_), key.data(), key.size(), params);
}

Sha256Digest HmacSha256Context::Of(std::string_view data) {
  auto* ctx = static_cast<EVP_MAC_CTX*>(ctx_);
  Sha256Digest out{};
  size_t len = 0;
  EVP_MAC_init(ctx, nullptr, 0, nullptr);  // same key as before
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MAC_final(ctx, out.data(), &len, out.size());
  return out;
}

}  // namespace wharf::bench
