#pragma once

// Owning pointers for OpenSSL objects and the text of OpenSSL's error queue. Private to net/
// (OpenSSL is a private dependency): used by the TLS context and the certificate tool.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace wharf::net {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;

// Empties this thread's OpenSSL error queue and describes what it held, most specific first:
// "key values mismatch", "no start line (PEM)", ...; `fallback` when the queue was empty.
std::string TakeOpenSslErrors(std::string_view fallback = "unknown OpenSSL error");

// The contents of a memory BIO.
std::string BioText(BIO* bio);

// A password callback for PEM readers: the passphrase in `userdata` (a std::string*), or none.
// Without one OpenSSL would prompt on the terminal for an encrypted key.
int PassphraseCallback(char* buf, int size, int rwflag, void* userdata);

}  // namespace wharf::net
