#pragma once

// Certificates for a private CA, so that HTTPS works locally without any other tool: a
// self-signed CA certificate, and server certificates it signs for given DNS names and IP
// addresses (subjectAltName). Keys are ECDSA P-256, signatures SHA-256, and the extensions are
// those strict verifiers (OpenSSL's X509_V_FLAG_X509_STRICT, Python 3.13, browsers) require.
// Behind `wharf tls create-ca` / `wharf tls issue`, and used by the TLS tests.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "net/net_error.h"

namespace wharf::net {

// A certificate and its private key, both PEM (the key unencrypted PKCS#8).
struct PemKeyPair {
  std::string certificate;
  std::string private_key;
};

struct CaRequest {
  std::string common_name = "Wharf local CA";
  int days = 3650;
};

struct ServerCertificateRequest {
  std::vector<std::string> dns_names;     // "localhost", "sqs.internal", "*.example.test"
  std::vector<std::string> ip_addresses;  // "127.0.0.1", "::1"
  int days = 825;  // the longest validity Apple's clients accept for a server certificate
};

// A new CA: key pair and self-signed certificate (CA:TRUE, pathlen 0, keyCertSign/cRLSign).
Result<PemKeyPair, NetError> CreateCertificateAuthority(const CaRequest& request);

// A new server key pair and its certificate signed by `ca` (serverAuth, subjectAltName with
// every name and address). Fails if a name or address is malformed, none is given, or `ca` is
// not a CA certificate with its matching key.
Result<PemKeyPair, NetError> IssueServerCertificate(const PemKeyPair& ca,
                                                    const ServerCertificateRequest& request);

// Writes `contents` to `path` with permissions `mode`, through a temporary file in the same
// directory renamed over `path`, so a server reloading the file never reads half of it. With
// `replace` false an existing file is an error instead.
Status<NetError> WriteFileAtomically(const std::string& path, std::string_view contents,
                                     unsigned mode, bool replace);

}  // namespace wharf::net
