#pragma once

// Verifies AWS Signature Version 4 on a request (security.md §1): the Authorization header or a
// presigned query string, the client's own SignedHeaders, exact canonicalisation, the payload
// hash (or x-amz-content-sha256), the ±15-minute window, and the signature, compared in
// constant time. Errors follow security.md §1.10 (code, status, wording) in the order it gives.
// Thread-safety: Verify may be called from any thread; the signing-key cache has its own lock.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/error.h"
#include "auth/credentials.h"
#include "common/hashing.h"
#include "common/http_headers.h"

namespace wharf::auth {

// What the verifier reads of an HTTP request.
struct SignedRequest {
  std::string_view method;
  std::string_view path;   // raw, still percent-encoded
  std::string_view query;  // raw, after '?'
  const HttpHeaders* headers = nullptr;
  std::string_view body;
};

struct VerifiedCaller {
  std::shared_ptr<const AccessKey> key;
  std::string region;   // from the credential scope
  std::string service;  // from the credential scope
};

class SigV4Verifier {
 public:
  explicit SigV4Verifier(const CredentialStore& credentials) : credentials_(credentials) {}

  // `now_unix`: seconds since the epoch. `service`: the service that handles the request.
  api::ApiResult<VerifiedCaller> Verify(const SignedRequest& request, int64_t now_unix,
                                        std::string_view service);

  // Building blocks, exposed for tests and for signers.
  static std::string CanonicalUri(std::string_view raw_path);
  static std::string CanonicalQuery(std::string_view raw_query, bool drop_signature);
  static Sha256Digest SigningKey(std::string_view secret, std::string_view date,
                                 std::string_view region, std::string_view service);

 private:
  Sha256Digest CachedSigningKey(const AccessKey& key, std::string_view date,
                                std::string_view region, std::string_view service);

  const CredentialStore& credentials_;
  std::mutex cache_mu_;
  struct CachedKey {
    std::string secret;  // the secret it was derived from
    Sha256Digest signing_key;
  };
  std::unordered_map<std::string, CachedKey> key_cache_;  // access key|date|region|service
};

// "20250115T120000Z" for a unix time; and back (nullopt-like -1 on malformed input).
std::string IsoBasic(int64_t unix_seconds);
int64_t ParseIsoBasic(std::string_view text);

}  // namespace wharf::auth
