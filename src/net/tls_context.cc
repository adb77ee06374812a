#include "net/tls_context.h"

#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "net/openssl_util.h"

namespace wharf::net {
namespace {

// TLS 1.2: ECDHE key exchange with AEAD ciphers only (security.md §5.1).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3: OpenSSL's default suites, spelled out so a system-wide openssl.cnf cannot change them.
constexpr const char* kTls13Suites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
// Keys of at least 112 bits of security: RSA >= 2048, ECDSA >= P-224 (P-256 in practice).
constexpr int kSecurityLevel = 2;

// ALPN: we speak HTTP/1.1 only. A client offering protocols but not http/1.1 gets the fatal
// no_application_protocol alert RFC 7301 §3.2 asks for; one offering none proceeds without ALPN.
int SelectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_length,
               const unsigned char* in, unsigned int in_length, void* /*arg*/) {
  constexpr std::string_view kHttp11 = "http/1.1";
  unsigned int i = 0;
  while (i < in_length) {
    const unsigned int length = in[i];
    if (length == 0 || length > in_length - i - 1) break;  // malformed list
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), length) == kHttp11) {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// "cannot read <what> <path>: <reason>" before OpenSSL sees the file, so a missing or
// unreadable file says so plainly.
Status<NetError> CheckReadable(std::string_view what, const std::string& path) {
  if (path.empty()) return NetError{std::string(what) + ": no file configured"};
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return NetError{"cannot read " + std::string(what) + " " + path + ": " + std::strerror(errno)};
  }
  std::fclose(file);
  return {};
}

Status<NetError> Configure(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return NetError{"TLS settings rejected by OpenSSL: " + TakeOpenSslErrors()};
  }
  SSL_CTX_set_security_level(ctx, kSecurityLevel);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
  return {};
}

Status<NetError> LoadCertificateAndKey(SSL_CTX* ctx, const TlsOptions& options) {
  const std::string& chain = options.certificate_chain_file;
  const std::string& key = options.private_key_file;
  WHARF_RETURN_IF_ERROR(CheckReadable("TLS certificate chain file", chain));
  WHARF_RETURN_IF_ERROR(CheckReadable("TLS private key file", key));
  if (SSL_CTX_use_certificate_chain_file(ctx, chain.c_str()) != 1) {
    return NetError{"TLS certificate chain file " + chain + ": " + TakeOpenSslErrors()};
  }
  // The callback answers with the configured passphrase (or none) instead of prompting.
  SSL_CTX_set_default_passwd_cb(ctx, PassphraseCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx,
                                         const_cast<std::string*>(&options.private_key_passphrase));
  const int loaded = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (loaded != 1) {
    const unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return NetError{"TLS private key file " + key + " does not match the certificate in " +
                      chain};
    }
    return NetError{"TLS private key file " + key + ": " + TakeOpenSslErrors()};
  }
  // A key of another type than the leaf's lands in another slot without a check.
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return NetError{"TLS private key file " + key + " does not match the certificate in " + chain};
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>, NetError> MakeTlsContext(
    const TlsOptions& options) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return NetError{"cannot create a TLS context: " + TakeOpenSslErrors()};
  WHARF_RETURN_IF_ERROR(Configure(ctx.get()));
  WHARF_RETURN_IF_ERROR(LoadCertificateAndKey(ctx.get(), options));
  // Asio's context takes ownership of the handle and does not throw for a non-null one.
  return std::make_shared<boost::asio::ssl::context>(ctx.release());
}

}  // namespace wharf::net
